import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../support/browser.js';
import { CONSOLE_PASSWORD, CONSOLE_USERS, startConsoleApp, type ConsoleApp } from '../support/console-app.js';
import { startOidcProvider, type TestOidcProvider } from '../support/test-oidc-provider.js';

// Signing in to the console in a real browser (Debian's Chromium through playwright-core), on a
// real `idflow serve --sandbox`: each role with a local password, a wrong password, and single
// sign-on through a real OpenID Connect provider (oidc-provider) on loopback, whose groups map
// to idflow's roles.

// As in console-pages.test.ts: test-results/ on every run, docs/ with IDFLOW_UPDATE_SCREENSHOTS=1.
const SCREENSHOTS = resolve(process.env['IDFLOW_UPDATE_SCREENSHOTS'] === '1' ? 'docs/screenshots' : 'test-results/screenshots');

const skip = browserSkipReason();
if (skip !== undefined) console.warn(skip);

let provider: TestOidcProvider;
let console_: ConsoleApp;
let chromium: TestBrowser;

describe.skipIf(skip !== undefined)('signing in to the console in a browser', () => {
  beforeAll(async () => {
    provider = await startOidcProvider({
      'root.admin': { email: 'root@example.com', groups: ['staff', 'idflow-admins'] },
      'hr.partner': { email: 'hr@example.com', groups: ['staff', 'hr-partners'] },
      nobody: { email: 'nobody@example.com', groups: ['staff'] },
    });
    console_ = await startConsoleApp({
      config: [
        '    oidc:',
        `      issuer: ${provider.issuer}`,
        `      client_id: ${provider.clientId}`,
        '      client_secret: { env: IDFLOW_OIDC_CLIENT_SECRET }',
        '      roles: { admin: [idflow-admins], viewer: [hr-partners] }',
        '      display_name: the test provider',
      ],
      env: { IDFLOW_OIDC_CLIENT_SECRET: provider.clientSecret },
    });
    provider.registerClient(`${console_.url}/auth/oidc/callback`);
    chromium = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await console_?.close();
    await provider?.close();
  });

  it('signs each role in with its password, and refuses a wrong one', async () => {
    for (const [name, role] of Object.entries(CONSOLE_USERS)) {
      const context = await chromium.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${console_.url}/runs`);
      await page.waitForURL(/\/sign-in\?next=%2Fruns$/);
      if (name === 'olga') {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.screenshot({ path: `${SCREENSHOTS}/console-sign-in-desktop.png` });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: `${SCREENSHOTS}/console-sign-in-phone.png` });
      }
      await page.fill('#name', name);
      await page.fill('#password', name === 'vera' ? 'not the password' : CONSOLE_PASSWORD);
      await page.click('button[type="submit"]');
      if (name === 'vera') {
        expect(await page.textContent('[role="alert"]')).toBe('Wrong name or password.');
        await page.fill('#password', CONSOLE_PASSWORD);
        await page.click('button[type="submit"]');
      }
      // Back where the browser was sent from, signed in with the role the config gives.
      await page.waitForURL(`${console_.url}/runs`);
      expect(await page.textContent('header')).toContain(`Signed in as ${name} (${role})`);
      await context.close();
    }
    expect(console_.log()).toContain('sign-in refused for "vera" from 127.0.0.1: wrong password');
  });

  it('signs in through the OpenID Connect provider with the role its groups map to', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    provider.signInAs('root.admin');
    await page.goto(`${console_.url}/timers`);
    await page.waitForURL(/\/sign-in\?next=%2Ftimers$/);
    await page.click('a:text("Sign in with the test provider")');
    await page.waitForURL(`${console_.url}/timers`);
    expect(await page.textContent('header')).toContain('Signed in as root.admin (admin)');

    // A second person, mapped to viewer, in a browser of their own.
    const other = await chromium.browser.newContext();
    const viewer = await other.newPage();
    provider.signInAs('hr.partner');
    await viewer.goto(`${console_.url}/sign-in`);
    await viewer.click('a:text("Sign in with the test provider")');
    await viewer.waitForURL(`${console_.url}/`);
    expect(await viewer.textContent('header')).toContain('Signed in as hr.partner (viewer)');
    await other.close();

    // An account in no mapped group gets no role.
    const stranger = await chromium.browser.newContext();
    const refused = await stranger.newPage();
    provider.signInAs('nobody');
    await refused.goto(`${console_.url}/sign-in`);
    await refused.click('a:text("Sign in with the test provider")');
    await refused.waitForSelector('text=has no idflow role');
    await stranger.close();
    await context.close();
  });
});
