import type { StartRunRequest } from '../../../../engine/runner/start-run.js';
import type { Workflow } from '../../../../engine/language/types.js';
import type { createTestServices } from './services.js';

/** A start request for a test workflow, with the test services' console. */
export function startRequest(wf: Workflow, services: ReturnType<typeof createTestServices>, extra: Partial<StartRunRequest> = {}): StartRunRequest {
  return {
    workflow: wf,
    template: { path: '/tmp/test.yaml', text: 'id: test-workflow\n', hash: 'abc' },
    inputs: {},
    vars: {},
    trigger: { type: 'manual' },
    initiatedBy: 'tester',
    signal: new AbortController().signal,
    console: services.console,
    ...extra,
  };
}
