import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimerStore } from '../../engine/timers/timer-store.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../support/browser.js';
import { CONSOLE_PASSWORD, startConsoleApp, type ConsoleApp } from '../support/console-app.js';

// The console in a real browser (Debian's Chromium through playwright-core), served by a real
// `idflow serve --sandbox` (its sign-in, CSRF checks, operations, store and the JumpCloud emulator). The test reaches the
// main controls with the keyboard, starts an offboarding from the form (plan, then run, then
// watches it succeed), resumes a failed run, disables and enables a workflow, cancels a timer,
// checks what a viewer may not do and that a post without a CSRF token is refused, and writes
// a screenshot of each page at desktop and phone width to docs/screenshots/.

/** The little of the DOM the functions run in the page use (the tests' TypeScript has no DOM library). */
interface PageElement {
  readonly tagName: string;
  readonly className: string;
  readonly textContent: string | null;
  matches(selector: string): boolean;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { right: number };
}
declare const document: {
  readonly activeElement: PageElement | null;
  readonly documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};

// Written to test-results/screenshots (ignored by git) on every run, and to docs/screenshots,
// the ones the docs and README show, with IDFLOW_UPDATE_SCREENSHOTS=1: a test run does not
// rewrite committed pictures with this run's temporary paths and times.
const SCREENSHOTS = resolve(process.env['IDFLOW_UPDATE_SCREENSHOTS'] === '1' ? 'docs/screenshots' : 'test-results/screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const skip = browserSkipReason();
if (skip !== undefined) console.warn(skip);

let console_: ConsoleApp;
let chromium: TestBrowser;
let base: string;
let failed: string;

/** A browser context signed in through serve's own sign-in page as `principal` (`name:role`, a user of the test serve). */
async function signedIn(principal: string): Promise<BrowserContext> {
  const [name] = principal.split(':');
  const context = await chromium.browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/sign-in\?next=/);
  await page.fill('input[name="name"]', name ?? '');
  await page.fill('input[name="password"]', CONSOLE_PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/`);
  await page.close();
  return context;
}

/** Screenshots of the page at desktop and phone width (scrolled to `from`, when given). */
async function shoot(page: Page, name: string, from?: string): Promise<void> {
  const scroll = async (): Promise<void> => {
    if (from !== undefined) await page.locator(from).evaluate((element) => (element as unknown as { scrollIntoView(): void }).scrollIntoView());
  };
  await page.setViewportSize(DESKTOP);
  await scroll();
  await page.screenshot({ path: `${SCREENSHOTS}/console-${name}-desktop.png` });
  await page.setViewportSize(PHONE);
  await scroll();
  await page.screenshot({ path: `${SCREENSHOTS}/console-${name}-phone.png` });
  // Nothing sticks out sideways on a phone: wide tables and code scroll inside their own box.
  const sticking = await page.evaluate((width) => [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > width + 1 && element.closest('.table-wrap, pre') === null).map((element) => `<${element.tagName.toLowerCase()} class="${element.className}">`), PHONE.width);
  expect(sticking, `${name} at phone width`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.setViewportSize(DESKTOP);
}

/** Presses Tab until the focused element matches `selector` (and has `text`, if given), at most `limit` times. */
async function tabTo(page: Page, selector: string, text?: string, limit = 80): Promise<void> {
  for (let press = 0; press < limit; press++) {
    await page.keyboard.press('Tab');
    const reached = await page.evaluate(([wanted, label]) => {
      const active = document.activeElement;
      return active !== null && active.matches(wanted as string) && (label === null || active.textContent?.trim() === label);
    }, [selector, text ?? null] as const);
    if (reached) return;
  }
  throw new Error(`${selector}${text === undefined ? '' : ` "${text}"`} was not reached with the Tab key in ${limit} presses`);
}

describe.skipIf(skip !== undefined)('the console in a browser', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    console_ = await startConsoleApp();
    base = console_.url;
    const alice = { name: 'alice', role: 'operator' as const, via: 'password' as const };
    const succeeded = await console_.operations.run('jumpcloud-offboarding', { user_identifier: 'john.smith@company.com', reason: 'Left the company' }, alice);
    await console_.operations.run('hello', { name: 'Ada' }, alice);
    // Every JumpCloud call fails while jane's offboarding runs: a failed run to resume.
    const faults = (failRate: number) => fetch(`${console_.emulator.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'x-api-key': console_.emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ failRate }) });
    await faults(1);
    failed = await console_.operations.run('jumpcloud-offboarding', { user_identifier: 'jane.doe@company.com' }, alice);
    await faults(0);
    new TimerStore(console_.runtime.services.store.root).schedule({
      key: 'jumpcloud.user.delete:0cd212ab28880aca9fd858e8',
      action: 'jumpcloud.user.delete_if_suspended',
      params: { user_id: '0cd212ab28880aca9fd858e8' },
      description: 'Delete john.smith if still suspended after 30 days',
      dueAt: '2030-01-01T09:00:00.000Z',
      scheduledBy: { runId: succeeded, workflowId: 'jumpcloud-offboarding', initiatedBy: 'alice' },
      sandbox: true,
    });
    chromium = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await console_?.close();
  });

  it('starts an offboarding from the form with the keyboard: plan, then run, then watch it succeed', async () => {
    const context = await signedIn('olga:operator');
    const page = await context.newPage();
    await page.goto(`${base}/`);
    // The first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the content');
    await page.keyboard.press('Enter');
    expect(page.url()).toBe(`${base}/#main`);
    await shoot(page, 'workflows');

    await tabTo(page, 'a[href="/workflows/jumpcloud-offboarding/start"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/workflows/jumpcloud-offboarding/start`);
    await tabTo(page, '#input-user_identifier');
    await page.keyboard.type('emily.davis@company.com');
    await tabTo(page, '#input-reason');
    await page.keyboard.type('Contract ended');
    await shoot(page, 'start');
    await tabTo(page, 'button[type="submit"]', 'Plan');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:text("Plan: JumpCloud user offboarding")');
    expect(await page.textContent('caption')).toMatch(/^\d+ changes in \d+ steps.*Nothing was changed\.$/);
    expect(await page.textContent('main')).toContain('suspend user "emily.davis"');
    await shoot(page, 'plan');

    await tabTo(page, 'button[type="submit"]', 'Run');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/runs\/[0-9a-z-]+\?notice=started$/);
    // The page follows the run (server-sent events) and shows its end.
    await page.waitForSelector('.lead .status-succeeded', { timeout: 30_000 });
    expect(await page.textContent('main')).toContain('emily.davis@company.com');
    expect(await page.textContent('main')).toContain('Started by');
    await shoot(page, 'run');
    await context.close();
  });

  it('resumes a failed run from its page', async () => {
    const context = await signedIn('olga:operator');
    const page = await context.newPage();
    await page.goto(`${base}/runs/${failed}`);
    expect(await page.textContent('.lead .status')).toBe('failed');
    await shoot(page, 'run-failed');
    await tabTo(page, 'button', 'Resume this run');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/runs/${failed}?notice=resumed`);
    expect(await page.textContent('[role="status"]')).toContain('resuming');
    await page.waitForSelector('.lead .status-succeeded', { timeout: 30_000 });
    await context.close();
  });

  it('disables and enables a workflow, and cancels a timer after confirming', async () => {
    const context = await signedIn('olga:operator');
    const page = await context.newPage();
    await page.goto(`${base}/workflows/hello`);
    await page.click('button:text("Disable this workflow")');
    await page.waitForURL(`${base}/workflows/hello?notice=disabled`);
    expect(await page.textContent('.lead')).toContain('disabled');
    await page.click('button:text("Enable this workflow")');
    await page.waitForURL(`${base}/workflows/hello?notice=enabled`);
    expect(await page.textContent('.lead')).toContain('enabled');
    await page.goto(`${base}/workflows/jumpcloud-offboarding`);
    await shoot(page, 'workflow');
    await shoot(page, 'workflow-steps', 'h2:has-text("Steps")');
    await shoot(page, 'workflow-source', 'h2:has-text("Source")');

    await page.goto(`${base}/timers`);
    await shoot(page, 'timers');
    page.once('dialog', (dialog) => void dialog.accept());
    await tabTo(page, 'button', 'Cancel');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/timers?notice=timer-cancelled`);
    expect(await page.textContent('main')).toContain('No timer is pending.');
    expect(await page.textContent('main')).toContain('cancelled by olga');
    await context.close();
  });

  it('shows the runs, filtered', async () => {
    const context = await signedIn('vera:viewer');
    const page = await context.newPage();
    await page.goto(`${base}/runs`);
    await page.selectOption('#f-workflow', 'jumpcloud-offboarding');
    await page.click('button:text("Show runs")');
    await page.waitForURL(/workflow=jumpcloud-offboarding/);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.goto(`${base}/runs`);
    await shoot(page, 'runs');
    await context.close();
  });

  it('shows a viewer no button that changes anything, and refuses a post without a CSRF token', async () => {
    const context = await signedIn('vera:viewer');
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('main form, main a.button').count()).toBe(0);
    await page.goto(`${base}/runs/${failed}`);
    expect(await page.locator('main button').count()).toBe(0);
    const start = await page.goto(`${base}/workflows/hello/start`);
    expect(start?.status()).toBe(403);
    expect(await page.textContent('main')).toContain('vera is signed in as a viewer; this needs the operator role.');
    await context.close();

    const operator = await signedIn('olga:operator');
    const other = await operator.newPage();
    await other.goto(`${base}/`);
    const refused = await other.evaluate(async () => {
      const response = await fetch('/workflows/hello/disable', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    expect(refused).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'CSRF_TOKEN_INVALID' }) } });
    expect(console_.operations.states.isEnabled('hello')).toBe(true);
    await operator.close();
  });
});
