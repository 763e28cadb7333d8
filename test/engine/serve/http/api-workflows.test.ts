import { describe, expect, it } from 'vitest';
import { ENV, serveConfig, serveFolder } from '../support/serve-fixture.js';

const LEAVER = `id: hr-leaver
name: HR leaver
description: Offboards a leaver the HR system reports.
subject: "{{inputs.email}}"
inputs:
  email: { type: string, required: true, format: email, description: The leaver's work email }
  access_code: { type: string, secret: true, default: "never-shown-0123456789" }
  notify: { type: boolean, default: true }
vars:
  grace_days: { type: integer, default: 30, description: Days before deletion }
  helpdesk_key: { type: string, secret: true, default: "helpdesk-key-0123456789" }
triggers:
  - type: event
    event: hr.employee.terminated
    if: { "==": [{ var: event.kind }, "leaver"] }
    inputs: { email: "{{event.email}}" }
  - type: schedule
    cron: "0 6 * * 1"
    timezone: Europe/Berlin
    inputs: { email: "weekly@x.com" }
steps:
  - { id: note, name: Say who, action: log, with: { message: "offboarding {{inputs.email}}" } }
  - id: tell
    action: log
    if: { var: inputs.notify }
    with: { message: "told" }
on_failure:
  - { id: alarm, action: log, with: { message: "failed" } }
`;

describe('GET /api/workflows/{id}', () => {
  it('describes one workflow in full (inputs, variables, triggers, steps, YAML) without its secrets, for any role', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, `${serveConfig()}vars:\n  grace_days: 14\n`);
    const serving = await folder.start();
    try {
      const shown = await serving.get('/api/workflows/hr-leaver', ENV.SERVE_TOKEN);
      expect(shown.status).toBe(200);
      const listed = (await serving.get('/api/workflows', ENV.SERVE_TOKEN)).body.workflows[0];
      expect(shown.body).toMatchObject({ ...listed, triggers: expect.any(Array) });
      expect(shown.body).toMatchObject({
        id: 'hr-leaver',
        description: 'Offboards a leaver the HR system reports.',
        subject: '{{inputs.email}}',
        inputs: {
          email: { type: 'string', required: true, format: 'email', description: 'The leaver\'s work email' },
          access_code: { type: 'string', secret: true },
          notify: { type: 'boolean', default: true },
        },
        vars: {
          grace_days: { type: 'integer', default: 30, description: 'Days before deletion', value: 14 },
          helpdesk_key: { type: 'string', secret: true },
        },
        triggers: [
          { type: 'event', event: 'hr.employee.terminated', conditional: true, if: { '==': [{ var: 'event.kind' }, 'leaver'] }, inputs: { email: '{{event.email}}' } },
          { type: 'schedule', cron: '0 6 * * 1', timezone: 'Europe/Berlin', next: expect.stringMatching(/T0[45]:00:00\.000Z$/), inputs: { email: 'weekly@x.com' } },
        ],
        steps: [
          { id: 'note', name: 'Say who', action: 'log', continueOnError: false },
          { id: 'tell', action: 'log', if: { var: 'inputs.notify' }, continueOnError: false },
        ],
        onFailure: [{ id: 'alarm', action: 'log', continueOnError: false }],
        source: LEAVER.replace('never-shown-0123456789', '[REDACTED]').replace('helpdesk-key-0123456789', '[REDACTED]'),
      });
      // Neither the secret defaults nor the steps' parameters are shown.
      expect(JSON.stringify(shown.body.inputs)).not.toContain('never-shown');
      expect(JSON.stringify(shown.body.vars)).not.toContain('helpdesk-key');
      expect(shown.body.steps[0]).not.toHaveProperty('with');
      expect(await serving.get('/api/workflows/nope', ENV.SERVE_TOKEN)).toMatchObject({ status: 404, body: { error: { code: 'WORKFLOW_NOT_FOUND', message: expect.stringContaining('"nope"') } } });
      expect((await serving.get('/api/workflows/hr-leaver')).status).toBe(401);
    } finally {
      await serving.stop();
    }
  });
});
