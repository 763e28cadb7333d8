/**
 * Hard limits that keep loading a hostile or broken file bounded in time and memory.
 */

/** Largest template, config or inputs file idflow reads: 1 MiB (real templates are a few KiB). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/**
 * How many times aliases (`*name`) may be expanded while turning YAML into data. `yaml`'s own
 * default; far above what a hand-written template needs, far below an alias bomb.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Keys refused anywhere in a file: they can change how plain objects behave once the data is
 * merged or copied (prototype pollution), and no idflow file needs them.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
