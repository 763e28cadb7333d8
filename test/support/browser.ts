import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * A real browser for the console's tests: Debian's Chromium (`/usr/bin/chromium`, which `.ci/run`
 * installs when it is missing) driven by playwright-core, which ships no browser and cannot
 * download one here. One browser per test file, started by the tests and closed after them.
 */

/** Where Debian's chromium package installs the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Without Chromium they are skipped with this message on
 * a developer's machine; in CI (`CI` set) they run anyway, and fail, so that a missing browser is
 * never a silent pass.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env['CI'] !== undefined) return undefined;
  return `the console's browser tests are skipped: ${CHROMIUM} is missing (install Debian's chromium package, as .ci/run does)`;
}

/** A launched browser and how to close it. */
export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with a fresh profile (playwright gives every launch a new
 * `--user-data-dir` in the temporary folder and removes it on close; it refuses one passed in
 * `args`). The flags keep Chromium from calling home (this machine refuses connections beyond
 * loopback, and its background ones would otherwise be refused many at a time);
 * `--no-sandbox` because the tests may run as root.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium), as .ci/run does`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}
