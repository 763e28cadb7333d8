// A separate process that rewrites a run's record many times, for the atomic-write test.
// Arguments: <store root> <run id> <count>.
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const [root, runId, count] = process.argv.slice(2);
const jiti = createJiti(import.meta.url);
const { RunStore } = await jiti.import(fileURLToPath(new URL('../../../../engine/store/run-store.ts', import.meta.url)));
const handle = new RunStore(root).openRun(runId);
process.stdout.write('started\n');
for (let i = 0; i < Number(count); i++) {
  // Vary the size so that a torn write would show as invalid JSON or a wrong length.
  handle.updateMeta({ error: `update ${i} ${'x'.repeat((i % 40) * 500)}` });
}
process.stdout.write('done\n');
