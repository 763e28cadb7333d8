import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, returned, workspace } from './support/offboarding.js';

/**
 * The README's one-line sandbox trial of each template (at the end of "## Quick start"), through the built
 * CLI exactly as written there: each runs against the shipped sandbox organisation and succeeds.
 */

const TEMPLATES = ['jumpcloud-onboarding', 'jumpcloud-inactive-users', 'jumpcloud-inactive-devices', 'jumpcloud-device-compliance'];

/** The words of a command line as a POSIX shell splits them (double quotes only, as the README uses). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ''));
}

function trials(): Map<string, string[]> {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('## Quick start');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const found = new Map<string, string[]>();
  for (const match of section.matchAll(/^npx idflow (run templates\/([a-z-]+)\.yaml .*)$/gm)) {
    // The offboarding's own lines (the quick start proper) are tested by quick-start.test.ts.
    if (match[2] !== 'jumpcloud-offboarding') found.set(match[2] as string, shellWords(match[1] as string));
  }
  return found;
}

describe('the README\'s template trials', () => {
  it('give a one-line sandbox trial of each new template', () => {
    expect([...trials().keys()].sort()).toEqual([...TEMPLATES].sort());
    for (const args of trials().values()) expect(args).toContain('--sandbox');
  });

  it.each(TEMPLATES)('%s runs as the README gives it, against the shipped sandbox organisation', async (name) => {
    const args = trials().get(name);
    expect(args, `no trial of ${name} in the README`).toBeDefined();
    const ws = workspace();
    const result = await cli([...(args as string[]), '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Run succeeded');
    expect(returned(result)).toBeTypeOf('object');
  });
});
