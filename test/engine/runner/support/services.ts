import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ActionRegistry } from '../../../../engine/registry/action-registry.js';
import { createTemplateEngine } from '../../../../engine/templating/index.js';
import { Redactor } from '../../../../engine/logging/redactor.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import type { RunServices } from '../../../../engine/runner/run-services.js';
import { testActions, createWorld, type TestWorld } from './test-actions.js';

/** Runner services over a fresh temporary store, with the test actions registered. */
export function createTestServices(options: { world?: TestWorld; secrets?: Record<string, string> } = {}): RunServices & { world: TestWorld; consoleText: () => string; console: { stream: NodeJS.WritableStream; mode: 'plain' } } {
  const world = options.world ?? createWorld();
  const registry = new ActionRegistry();
  registry.registerModule(testActions(world), 'test-actions');
  const redactor = new Redactor();
  const dir = mkdtempSync(join(tmpdir(), 'idflow-runner-'));
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, callback) { text += String(chunk); callback(); } });
  const secrets = options.secrets ?? {};
  return {
    registry,
    templates: createTemplateEngine(),
    store: new RunStore(join(dir, 'store'), { redactor }),
    redactor,
    connections: { get: () => undefined },
    secret: (name) => secrets[name],
    sandbox: false,
    cwd: dir,
    // Keep retry waits short: the policy's delays are scaled down, Retry-After is not.
    retryDelayScale: 0.01,
    world,
    consoleText: () => text,
    console: { stream, mode: 'plain' },
  };
}
