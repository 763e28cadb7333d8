import { describe, expect, it } from 'vitest';
import corePack from '../../actions/core/index.js';
import { documentationFile } from './support/markdown-files.js';

/**
 * The table of core actions in docs/core-actions.md cannot fall behind the actions: every core
 * action is in it, with every required parameter named.
 */
describe('docs/core-actions.md', () => {
  const page = documentationFile('docs/core-actions.md').text;

  it('has the table', () => {
    expect(page).toContain('| Action | What it does | Main parameters | Output |');
  });

  for (const action of corePack.actions) {
    it(`lists ${action.id} with its required parameters`, () => {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${action.id}\` |`));
      expect(row, `no row for ${action.id}`).toBeDefined();
      for (const name of action.params.required ?? []) expect(row).toContain(`\`${name}\``);
    });
  }
});
