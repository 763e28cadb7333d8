import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunMeta } from '../../engine/store/journal-events.js';
import type { RunReport } from '../../engine/store/run-report.js';
import { idflow, spawnIdflow } from '../support/cli.js';

/**
 * `idflow runs cancel` stops a run executing in another process on the same store: the step in
 * flight (an HTTP call the test holds open) finishes, the next step never starts, the run ends
 * `cancelled` with who asked, and `idflow resume` continues it.
 */
describe('idflow runs cancel (the built CLI, across processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-runs-cancel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cancels a run of another idflow process at its next step boundary; resume finishes it', async () => {
    let held: ServerResponse | undefined;
    let calls = 0;
    let onCall: (() => void) | undefined;
    const server = createServer((request, response) => {
      calls++;
      request.resume();
      if (request.url === '/slow') {
        held = response;
        onCall?.();
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const template = join(dir, 'two-calls.yaml');
      writeFileSync(template, [
        'id: two-calls',
        'name: Two calls',
        'steps:',
        '  - id: slow',
        '    action: http.request',
        '    retry: { attempts: 1 }',
        `    with: { method: GET, url: "http://127.0.0.1:${port}/slow" }`,
        '  - id: after',
        '    action: http.request',
        '    retry: { attempts: 1 }',
        `    with: { method: GET, url: "http://127.0.0.1:${port}/after" }`,
        'output:',
        '  done: true',
        '',
      ].join('\n'));
      const env = { IDFLOW_HOME: join(dir, 'store') };
      const inFlight = new Promise<void>((resolve) => { onCall = resolve; });
      const run = spawnIdflow(['run', template, '--initiated-by', 'hr-bot'], { cwd: dir, env });
      await inFlight;
      const listed = await idflow(['runs', '--json', '--status', 'running'], { cwd: dir, env });
      const runId = (JSON.parse(listed.stdout) as RunMeta[])[0]?.id as string;
      expect(runId).toBeDefined();

      const cancel = await idflow(['runs', 'cancel', runId, '--by', 'alice', '--reason', 'wrong user', '--json'], { cwd: dir, env });
      expect(cancel.code, cancel.stderr).toBe(0);
      expect(JSON.parse(cancel.stdout)).toEqual({ runId, workflowId: 'two-calls', status: 'cancelling' });
      // The call in flight is not cut: it completes, and only then does the run stop.
      held?.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      expect(await run.exited).toBe(1);
      expect(run.output().stderr).toContain('cancelled by alice: wrong user');
      expect(calls).toBe(1);

      const shown = await idflow(['runs', 'show', runId, '--json'], { cwd: dir, env });
      const report = JSON.parse(shown.stdout) as RunReport;
      expect(report.meta.status).toBe('cancelled');
      expect(report.steps.map((step) => [step.step, step.status])).toEqual([['slow', 'succeeded']]);
      expect(report.cancellations).toEqual([expect.objectContaining({ by: 'alice', reason: 'wrong user' })]);
      const text = await idflow(['runs', 'show', runId], { cwd: dir, env });
      expect(text.stdout).toMatch(/Cancelled\s+.* by alice: wrong user/);
      const cancelledList = await idflow(['runs', '--status', 'cancelled', '--json'], { cwd: dir, env });
      expect((JSON.parse(cancelledList.stdout) as RunMeta[]).map((meta) => meta.id)).toEqual([runId]);
      const audit = await idflow(['audit', 'verify', runId], { cwd: dir, env });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);

      // A cancelled run is not running: asking again is refused, with what to do instead.
      const again = await idflow(['runs', 'cancel', runId], { cwd: dir, env });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`Run ${runId} is cancelled`);

      const resumed = await idflow(['resume', runId, '--json'], { cwd: dir, env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toEqual({ done: true });
      expect(calls).toBe(2);
    } finally {
      held?.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);

  it('says clearly when no run matches', async () => {
    const result = await idflow(['runs', 'cancel', '20990101-0000-nosuch'], { cwd: dir, env: { IDFLOW_HOME: join(dir, 'store') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No run with id "20990101-0000-nosuch"');
  });
});
