import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ASSETS } from '../../../engine/console/console-assets.js';
import { TimerStore } from '../../../engine/timers/timer-store.js';
import { CONSOLE_TEMPLATES, startConsoleApp, type ConsoleApp } from '../../support/console-app.js';

// The console's pages rendered by the real plugin over a real store: runs of the shipped
// offboarding against the JumpCloud emulator (one succeeded, one failed), a run of the example
// whose subject is a script tag, a workflow whose description is HTML, and a pending timer.

const XSS = '<script>alert(1)</script>';
const HTML_DESCRIPTION = 'Greets <b>everyone</b> & <img src=x onerror=alert(2)>';

let console_: ConsoleApp;
let succeeded: string;
let failed: string;
let hostile: string;
let timerId: string;

const as = (principal: string | null) => (principal === null ? {} : { 'x-idflow-test-principal': principal });
const get = (url: string, principal: string | null = 'vera:viewer') => console_.app.inject({ method: 'GET', url, headers: as(principal) });
const post = (url: string, form: Record<string, string>, principal: string | null = 'olga:operator') =>
  console_.app.inject({ method: 'POST', url, headers: { ...as(principal), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
const withCsrf = (principal: string, form: Record<string, string> = {}) => ({ _csrf: console_.csrfFor(principal), ...form });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-console-templates-'));
  const extra = join(dir, 'greeter.yaml');
  writeFileSync(extra, ['id: greeter', 'name: Greeter', `description: "${HTML_DESCRIPTION}"`, 'inputs:', '  who: { type: string, required: true, description: "Who <i>exactly</i>" }', 'steps:', '  - id: hi', '    action: log', '    with: { message: "hi {{inputs.who}}" }', ''].join('\n'));
  console_ = await startConsoleApp({ templates: [...CONSOLE_TEMPLATES, extra] });
  const alice = { name: 'alice', role: 'operator' as const, via: 'password' as const };
  succeeded = await console_.operations.run('jumpcloud-offboarding', { user_identifier: 'john.smith@company.com', reason: 'left' }, alice);
  // Every API call fails while the offboarding of jane runs: the run fails, and can be resumed.
  await setFaults({ failRate: 1 });
  failed = await console_.operations.run('jumpcloud-offboarding', { user_identifier: 'jane.doe@company.com' }, alice);
  await setFaults({ failRate: 0 });
  hostile = await console_.operations.run('hello', { name: XSS }, alice);
  timerId = new TimerStore(console_.runtime.services.store.root).schedule({
    key: 'jumpcloud.user.delete:abc',
    action: 'jumpcloud.user.delete_if_suspended',
    params: { user_id: 'abc' },
    description: `Delete ${XSS} if still suspended`,
    dueAt: '2030-01-01T00:00:00.000Z',
    scheduledBy: { runId: succeeded, workflowId: 'jumpcloud-offboarding', initiatedBy: 'alice' },
    sandbox: true,
  }).id;
}, 120_000);

afterAll(async () => {
  await console_?.close();
});

async function setFaults(settings: Record<string, number>): Promise<void> {
  const response = await fetch(`${console_.emulator.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'x-api-key': console_.emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(response.status).toBe(200);
}

describe('every console page', () => {
  it('sends anonymous visitors to sign in, and refuses an anonymous post', async () => {
    const page = await get('/', null);
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?next=%2F');
    expect((await post('/workflows/hello/disable', {}, null)).statusCode).toBe(401);
  });

  it('has the layout: a skip link, the navigation with aria-current, who is signed in, a sign-out button, main', async () => {
    const page = await get('/runs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.body;
    expect(html).toContain('<a class="skip-link" href="#main">');
    expect(html).toContain('<main id="main"');
    expect(html).toContain('<a href="/runs" aria-current="page">Runs</a>');
    expect(html).toContain('<a href="/">Workflows</a>');
    expect(html).toMatch(/Signed in as <strong>vera<\/strong> <span class="role">\(viewer\)<\/span>/);
    expect(html).toMatch(/<form method="post" action="\/sign-out">\s*<input type="hidden" name="_csrf" value="[^"]+">/);
  });

  it('is sent with a Content-Security-Policy without inline script, no framing, and no caching', async () => {
    const page = await get('/');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['cache-control']).toBe('no-store');
    // No inline script or style, and nothing from another host.
    expect(page.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(page.body).not.toMatch(/ style=/);
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves its stylesheet and script by content hash, cached for a year', async () => {
    for (const asset of Object.values(CONSOLE_ASSETS)) {
      expect(asset.path).toMatch(/^\/assets\/console\.[0-9a-f]{12}\.(css|js)$/);
      const served = await get(asset.path, null);
      expect(served.statusCode).toBe(200);
      expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(served.headers['content-type']).toBe(asset.contentType);
      expect(served.body).toBe(asset.body);
    }
    expect((await get('/assets/console.000000000000.css', null)).statusCode).toBe(404);
  });
});

describe('escaping', () => {
  it('shows a subject that is a script tag, and a description that is HTML, as text', async () => {
    const runs = await get('/runs');
    expect(runs.body).not.toContain(XSS);
    expect(runs.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const run = await get(`/runs/${hostile}`);
    expect(run.body).not.toContain(XSS);
    expect(run.body).toContain('for <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>');
    const workflow = await get('/workflows/greeter');
    expect(workflow.body).not.toContain('<b>everyone</b>');
    expect(workflow.body).not.toContain('<img src');
    expect(workflow.body).toContain('Greets &lt;b&gt;everyone&lt;/b&gt; &amp; &lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    expect(workflow.body).toContain('Who &lt;i&gt;exactly&lt;/i&gt;');
    const timers = await get('/timers');
    expect(timers.body).not.toContain(XSS);
    expect(timers.body).toContain('Delete &lt;script&gt;alert(1)&lt;/script&gt; if still suspended');
  });
});

describe('/ (workflows)', () => {
  it('lists each workflow with its triggers, state and last run; toggles and start links for operators only', async () => {
    const viewer = (await get('/')).body;
    expect(viewer).toContain('<a href="/workflows/jumpcloud-offboarding">JumpCloud user offboarding</a>');
    expect(viewer).toContain('event <code>hr.employee.terminated</code> (with a condition)');
    expect(viewer).toContain('<span class="status status-enabled">enabled</span>');
    expect(viewer).toMatch(new RegExp(`<a href="/runs/${failed}">[^<]+</a> <span class="status status-failed">failed</span>`));
    expect(viewer).not.toContain('action="/workflows/hello/disable"');
    expect(viewer).not.toContain('Start a run');
    const operator = (await get('/', 'olga:operator')).body;
    expect(operator).toContain('action="/workflows/hello/disable"');
    expect(operator).toContain(`<input type="hidden" name="_csrf" value="${console_.csrfFor('olga:operator')}">`);
    expect(operator).toContain('<a class="button" href="/workflows/hello/start"');
  });

  it('disables and enables a workflow (who did it shown), refusing a post without a CSRF token or from a viewer', async () => {
    expect((await post('/workflows/hello/disable', {})).statusCode).toBe(403);
    expect((await post('/workflows/hello/disable', { _csrf: 'forged' })).statusCode).toBe(403);
    const viewer = await post('/workflows/hello/disable', withCsrf('vera:viewer'), 'vera:viewer');
    expect(viewer.statusCode).toBe(403);
    expect(viewer.body).toContain('vera is signed in as a viewer; this needs the operator role.');
    expect(console_.operations.states.isEnabled('hello')).toBe(true);

    const disabled = await post('/workflows/hello/disable', withCsrf('olga:operator'));
    expect(disabled.statusCode).toBe(303);
    expect(disabled.headers.location).toBe('/workflows/hello?notice=disabled');
    const page = (await get('/workflows/hello?notice=disabled', 'olga:operator')).body;
    expect(page).toContain('<p class="notice" role="status">The workflow is disabled');
    expect(page).toContain('<span class="status status-disabled">disabled</span>');
    expect(page).toContain('by olga');
    const enabled = await post('/workflows/hello/enable', withCsrf('olga:operator'));
    expect(enabled.statusCode).toBe(303);
    expect(console_.operations.states.isEnabled('hello')).toBe(true);
  });

  it('shows an error of the operation on the page with role=alert', async () => {
    const response = await post('/workflows/no-such-workflow/disable', withCsrf('olga:operator'));
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<div class="alert" role="alert">');
    expect(response.body).toContain('No workflow &quot;no-such-workflow&quot; is served');
  });
});

describe('/workflows/{id}', () => {
  it('shows the description, inputs, variables, triggers, the flow, the highlighted source and recent runs', async () => {
    const html = (await get('/workflows/jumpcloud-offboarding')).body;
    expect(html).toContain('<h1>JumpCloud user offboarding</h1>');
    expect(html).toContain('Removes a user from JumpCloud completely');
    expect(html).toMatch(/<td class="mono">user_identifier<\/td>\s*<td>string<\/td>\s*<td>required<\/td>/);
    expect(html).toMatch(/<td class="mono">removal_mode<\/td>\s*<td>string: one of disable, delete<\/td>/);
    expect(html).toMatch(/<td class="mono">it_team_emails<\/td>\s*<td>array of string<\/td>\s*<td>optional<\/td>\s*<td><code>\[\]<\/code><\/td>/);
    expect(html).toContain('the event <code>hr.employee.terminated</code>, when <code>{&quot;&#x3D;&#x3D;&#x3D;&quot;');
    // Each step a box with its id and action, conditions shown, on_failure a separate branch.
    expect(html).toMatch(/<ol class="flow">\s*<li>\s*<div class="step">\s*<div class="step-head"><span class="step-id mono">lookup<\/span><span>Find the user<\/span><\/div>\s*<div class="step-action mono">jumpcloud.user.lookup<\/div>/);
    expect(html).toContain('<span class="step-id mono">deactivate</span><span>Disable or delete the account</span>');
    expect(html).toMatch(/<p class="step-cond">if <code>/);
    expect(html).toContain('<h3 id="flow-failure">If a step fails (on_failure)</h3>');
    // The source, token by token, every token escaped.
    expect(html).toContain('<span class="k">id</span><span class="p">:</span> <span class="s">jumpcloud-offboarding</span>');
    expect(html).toContain('<span class="c"># yaml-language-server: $schema&#x3D;../schemas/workflow.schema.json</span>');
    expect(html).toContain(`<a class="mono" href="/runs/${succeeded}">`);
  });

  it('says so when there is no such workflow', async () => {
    const response = await get('/workflows/nope');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('No workflow with the id &quot;nope&quot; is served.');
  });
});

describe('/workflows/{id}/start, the plan and the run', () => {
  it('makes a form from the inputs: types, choices, defaults, required in words, help tied with aria-describedby', async () => {
    expect((await get('/workflows/jumpcloud-offboarding/start')).statusCode).toBe(403);
    const html = (await get('/workflows/jumpcloud-offboarding/start', 'olga:operator')).body;
    expect(html).toMatch(/<label for="input-user_identifier">user_identifier <span class="req">\(required\)<\/span><\/label>\s*<input type="text" id="input-user_identifier" name="user_identifier" value="" required aria-required="true" aria-describedby="input-user_identifier-help">/);
    expect(html).toContain('<p class="help" id="input-user_identifier-help">JumpCloud user ID, username, or email</p>');
    expect(html).toMatch(/<legend>removal_mode<\/legend>[\s\S]*?<input type="radio" id="input-removal_mode-0" name="removal_mode" value="" checked> <label for="input-removal_mode-0">not given<\/label>[\s\S]*?value="disable"/);
    expect(html).toContain('<input type="checkbox" id="input-revoke_all_access" name="revoke_all_access" value="true" checked aria-describedby="input-revoke_all_access-help">');
    expect(html).toContain('<input type="email" id="input-manager_email" name="manager_email" value=""');
    expect(html).toContain('<form class="stacked card" method="post" action="/workflows/jumpcloud-offboarding/plan" novalidate>');
  });

  it('plans with the form\'s inputs, showing the changes by name, then runs with the same inputs', async () => {
    const form = withCsrf('olga:operator', { user_identifier: 'emily.davis@company.com', reason: 'contract ended', revoke_all_access: 'true', backup_user_data: 'true', notify_manager: 'true' });
    const planned = await post('/workflows/jumpcloud-offboarding/plan', form);
    expect(planned.statusCode).toBe(200);
    const plan = planned.body;
    expect(plan).toContain('<h1>Plan: JumpCloud user offboarding</h1>');
    expect(plan).toContain('For <strong>emily.davis@company.com</strong>.');
    expect(plan).toMatch(/<caption class="plan-summary">\d+ changes in \d+ steps[^<]*Nothing was changed.<\/caption>/);
    expect(plan).toMatch(/<li>- suspend user &quot;emily.davis&quot; \([0-9a-f]{24}\)  \(state: ACTIVATED → SUSPENDED, suspended: false → true\)<\/li>/);
    expect(plan).toContain('<pre>Plan: JumpCloud user offboarding (jumpcloud-offboarding) for emily.davis@company.com');
    expect(plan).toContain('<input type="hidden" name="user_identifier" value="emily.davis@company.com">');
    expect(plan).toContain('<input type="hidden" name="notify_manager" value="true">');
    // Nothing ran: the plan changed nothing and made no run.
    expect(console_.runtime.services.store.listRuns({ workflow: 'jumpcloud-offboarding' })).toHaveLength(2);

    const carried = Object.fromEntries([...plan.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1] as string, (match[2] as string).replaceAll('&#x3D;', '=')]));
    const ran = await post('/workflows/jumpcloud-offboarding/run', carried);
    expect(ran.statusCode).toBe(303);
    const runId = /^\/runs\/([^?]+)\?notice=started$/.exec(ran.headers.location as string)?.[1] as string;
    await console_.operations.settle();
    const meta = console_.runtime.services.store.openRun(runId).meta();
    expect(meta).toMatchObject({ status: 'succeeded', subject: 'emily.davis@company.com', initiatedBy: 'olga (operator via password)' });
    expect(console_.runtime.services.store.openRun(runId).inputs()).toMatchObject({ user_identifier: 'emily.davis@company.com', reason: 'contract ended', revoke_all_access: true });
  });

  it('shows the inputs\' problems on the form again, with what was typed', async () => {
    const response = await post('/workflows/jumpcloud-offboarding/plan', withCsrf('olga:operator', { manager_email: 'not-an-email', reason: 'kept <here>' }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<div class="alert" role="alert">');
    expect(response.body).toMatch(/INVALID_INPUT/);
    expect(response.body).toContain('user_identifier');
    expect(response.body).toContain('value="kept &lt;here&gt;"');
  });
});

describe('/runs', () => {
  it('lists runs newest first with filters by workflow, status, subject and day', async () => {
    const all = (await get('/runs')).body;
    expect(all).toMatch(/<caption>Runs 1–\d+ of \d+, newest first<\/caption>/);
    expect(all.indexOf(hostile)).toBeLessThan(all.indexOf(failed));
    expect(all.indexOf(failed)).toBeLessThan(all.indexOf(succeeded));
    const failedOnly = (await get('/runs?workflow=jumpcloud-offboarding&status=failed')).body;
    expect(failedOnly).toContain(failed);
    expect(failedOnly).not.toContain(`/runs/${succeeded}"`);
    expect(failedOnly).toContain('<option value="failed" selected>failed</option>');
    const bySubject = (await get('/runs?subject=JOHN.smith')).body;
    expect(bySubject).toContain(succeeded);
    expect(bySubject).not.toContain(`/runs/${failed}"`);
    expect((await get('/runs?from=2001-01-01&to=2001-01-02')).body).toContain('<p class="empty">No run matches.</p>');
  });

  it('says what is wrong with a filter, and where', async () => {
    const response = await get('/runs?status=done&from=yesterday');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<span class="mono">status</span>: must be one of running, succeeded');
    expect(response.body).toContain('<span class="mono">from</span>: must be a day as YYYY-MM-DD (got &quot;yesterday&quot;)');
  });
});

describe('/runs/{id}', () => {
  it('shows a succeeded run: who started it, steps with attempts and timings, changes by name, log, returned data, audit', async () => {
    const html = (await get(`/runs/${succeeded}`)).body;
    expect(html).toContain(`<h1>Run <span class="mono">${succeeded}</span></h1>`);
    expect(html).toContain('<span class="status status-succeeded">succeeded</span>');
    expect(html).toContain('<dt>Started by</dt><dd>alice (operator via password) (manual, from idflow serve)</dd>');
    expect(html).toMatch(/<tr data-step="deactivate">\s*<td class="mono">deactivate<\/td>\s*<td><span class="status js-step-status status-succeeded">succeeded<\/span><br><span class="muted">changed<\/span><\/td>\s*<td>1<\/td>/);
    expect(html).toMatch(/<td>suspend user &quot;john.smith&quot; \([0-9a-f]{24}\)<br><span class="muted">state: ACTIVATED → SUSPENDED, suspended: false → true<\/span>/);
    expect(html).toContain('<h2>Returned data</h2>\n<pre tabindex="0" aria-label="The returned data">{');
    expect(html).toMatch(/<span class="status status-succeeded">verified<\/span> \d+ entries, each chained/);
    expect(html).toMatch(/<pre class="log"[^>]*><span class="lvl-info">\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ info run \S+ started: JumpCloud user offboarding for john.smith@company.com/);
    // Nothing to do to a succeeded run.
    expect((await get(`/runs/${succeeded}`, 'olga:operator')).body).not.toContain('/resume"');
  });

  it('offers resume of a failed run to operators only, and resumes it', async () => {
    const viewer = (await get(`/runs/${failed}`)).body;
    expect(viewer).toContain('<span class="status status-failed">failed</span>');
    expect(viewer).toContain('<dt>Failed</dt><dd>at step lookup: JumpCloud had a server error');
    expect(viewer).not.toContain('Resume this run');
    const operator = (await get(`/runs/${failed}`, 'olga:operator')).body;
    expect(operator).toContain(`<form method="post" action="/runs/${failed}/resume">`);
    const resumed = await post(`/runs/${failed}/resume`, withCsrf('olga:operator'));
    expect(resumed.statusCode).toBe(303);
    expect(resumed.headers.location).toBe(`/runs/${failed}?notice=resumed`);
    await console_.operations.settle();
    expect(console_.runtime.services.store.openRun(failed).meta().status).toBe('succeeded');
    // A succeeded run cannot be resumed: the page says why.
    const again = await post(`/runs/${failed}/resume`, withCsrf('olga:operator'));
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('RUN_NOT_RESUMABLE');
  });

  it('says so when there is no such run', async () => {
    const response = await get('/runs/20990101-0000-nothin');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('No run with the id &quot;20990101-0000-nothin&quot;.');
  });
});

describe('/timers', () => {
  it('lists pending timers with cancel for operators, and cancels one', async () => {
    const viewer = (await get('/timers')).body;
    expect(viewer).toContain('<td class="mono">jumpcloud.user.delete:abc</td>');
    expect(viewer).toContain('2030-01-01 00:00:00 UTC');
    expect(viewer).not.toContain(`/timers/${timerId}/cancel`);
    expect((await get('/timers', 'olga:operator')).body).toContain(`action="/timers/${timerId}/cancel" data-confirm=`);
    const cancelled = await post(`/timers/${timerId}/cancel`, withCsrf('olga:operator'));
    expect(cancelled.statusCode).toBe(303);
    const after = (await get('/timers?notice=timer-cancelled')).body;
    expect(after).toContain('The timer is cancelled: it will not fire.');
    expect(after).toContain('<p class="empty">No timer is pending.</p>');
    expect(after).toContain('<span class="status status-cancelled">cancelled</span>');
    expect(after).toContain('cancelled by olga');
  });
});
