import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import corePack from '../../actions/core/index.js';
import jumpcloudPack from '../../actions/jumpcloud/index.js';
import { createEnvironment } from '../../engine/cli/environment.js';
import { actionReferenceText } from '../../engine/plugins/format-action-reference.js';
import { tempDir } from '../engine/plugins/support/plugin-files.js';

/**
 * docs/actions.md is generated from the built-in actions (`idflow actions --markdown`), so it
 * cannot drift from them: this test fails until it is regenerated after an action changes.
 */
const REGENERATE = 'npm run build && node dist/engine/cli/main.js actions --markdown --out docs/actions.md';

describe('the shipped action reference (docs/actions.md)', () => {
  const shipped = readFileSync('docs/actions.md', 'utf8');

  it('is what idflow actions --markdown writes for the built-in actions', async () => {
    // An empty folder: no config, so exactly the built-in actions, as for schemas/workflow.schema.json.
    const { registry, problems, cwd } = await createEnvironment({ cwd: tempDir('idflow-reference-builtin-') });
    expect(problems).toEqual([]);
    const current = actionReferenceText(registry, cwd);
    expect(shipped === current, `docs/actions.md is out of date: regenerate it from the repository root with "${REGENERATE}"`).toBe(true);
  });

  it.each([...corePack.actions, ...jumpcloudPack.actions].map((action) => [action.id, action] as const))('documents %s with every parameter', (id, action) => {
    const heading = `### \`${id}\``;
    expect(shipped).toContain(`${heading}\n`);
    const start = shipped.indexOf(heading);
    const next = shipped.indexOf('\n### ', start + 1);
    const section = shipped.slice(start, next === -1 ? undefined : next);
    for (const name of Object.keys(action.params.properties ?? {})) expect(section, `${id}: parameter ${name}`).toContain(`| \`${name}\` |`);
  });
});
