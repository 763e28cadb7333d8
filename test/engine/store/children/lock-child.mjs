// A separate process that takes and releases subject locks on command, for the cross-process
// lock tests. Commands arrive as lines on stdin: "acquire <locksDir> <subject> <runId>",
// "release", "exit". Results go to stdout as JSON lines. Loads the TypeScript source with jiti.
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url);
const { acquireSubjectLock } = await jiti.import(fileURLToPath(new URL('../../../../engine/store/subject-lock.ts', import.meta.url)));
const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
let lock;
say({ ready: true, pid: process.pid });
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...args] = line.trim().split(' ');
  if (command === 'acquire') {
    const [locksDir, subject, runId] = args;
    try {
      lock = acquireSubjectLock(locksDir, subject, runId);
      say({ ok: true, pid: process.pid });
    } catch (error) {
      say({ ok: false, code: error.code, heldBy: error.details?.heldBy, message: error.message });
    }
  } else if (command === 'release') {
    lock?.release();
    say({ released: true });
  } else if (command === 'exit') {
    break;
  }
}
process.exit(0);
