import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import corePack from '../actions/core/index.js';

/**
 * The README's table of core actions cannot fall behind the actions: every core action is in
 * it, with every required parameter named.
 */
describe('README: the core actions', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## The core actions'), readme.indexOf('## The JumpCloud pack'));

  it('has the section', () => {
    expect(section.length).toBeGreaterThan(100);
  });

  for (const action of corePack.actions) {
    it(`lists ${action.id} with its required parameters`, () => {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${action.id}\` |`));
      expect(row, `no row for ${action.id}`).toBeDefined();
      for (const name of action.params.required ?? []) expect(row).toContain(`\`${name}\``);
    });
  }
});
