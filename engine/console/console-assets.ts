import { createHash } from 'node:crypto';
import { CONSOLE_SCRIPT } from './assets/console-script.js';
import { CONSOLE_STYLESHEET } from './assets/console-stylesheet.js';

/** One file served under `/assets/`. */
export interface ConsoleAsset {
  /** The path it is served at, with its content hash (`/assets/console.3f9a1c2b7d40.css`). */
  path: string;
  contentType: string;
  body: string;
}

function asset(name: string, extension: string, contentType: string, body: string): ConsoleAsset {
  // The name changes with the content, so a browser may keep a file for a year and still never
  // run an old script against a new page.
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${extension}`, contentType, body };
}

/** The console's stylesheet and script, named by their content. */
export const CONSOLE_ASSETS = {
  stylesheet: asset('console', 'css', 'text/css; charset=utf-8', CONSOLE_STYLESHEET),
  script: asset('console', 'js', 'text/javascript; charset=utf-8', CONSOLE_SCRIPT),
} as const;

/** Cache for a year and never revalidate: a changed file gets a new name. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** The asset served at `path`, if any. */
export function findAsset(path: string): ConsoleAsset | undefined {
  return Object.values(CONSOLE_ASSETS).find((candidate) => candidate.path === path);
}
