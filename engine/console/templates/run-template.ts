/**
 * `/runs/{id}`: the run's record, its steps (status, attempts, timings), the changes by name
 * with before and after, the log, the returned data, the audit trail's verification, and the
 * buttons that fit its state (resume, cancel). A running run's page follows its progress (the
 * script) or refreshes itself (without script).
 */
export const RUN_TEMPLATE = `<h1>Run <span class="mono">{{run.id}}</span></h1>
<p class="lead"><span class="status status-{{run.status}}">{{run.status}}</span> · <a href="/workflows/{{run.workflow.id}}">{{run.workflow.name}}</a>{{#if run.subject}} · for <strong>{{run.subject}}</strong>{{/if}}</p>
{{#if running}}<p><span id="live-status" role="status" aria-live="polite">This run is in progress.</span> <a href="/runs/{{run.id}}">Refresh</a></p>{{/if}}
{{#if canOperate}}
{{#if (or canResume canCancel)}}
<div class="actions">
  {{#if canResume}}
  <form method="post" action="/runs/{{run.id}}/resume">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit">Resume this run</button>
  </form>
  {{/if}}
  {{#if canCancel}}
  <form method="post" action="/runs/{{run.id}}/cancel" data-confirm="Cancel this run? It stops at its next step boundary.">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit" class="danger">Cancel this run</button>
  </form>
  {{/if}}
</div>
{{/if}}
{{/if}}
<dl class="facts card">
  <dt>Started by</dt><dd>{{run.initiatedBy}} ({{triggerText}})</dd>
  {{#if run.reason}}<dt>Reason</dt><dd>{{run.reason}}</dd>{{/if}}
  <dt>Started</dt><dd>{{utc run.startedAt}}</dd>
  {{#if run.finishedAt}}<dt>Finished</dt><dd>{{utc run.finishedAt}}{{#if run.durationMs}} ({{duration run.durationMs}}){{/if}}</dd>{{/if}}
  {{#if failure}}<dt>Failed</dt><dd>{{failure}}</dd>{{/if}}
  {{#if recordChanged}}<dt>Record edited</dt><dd>{{recordChanged}}</dd>{{/if}}
  {{#if run.sandbox}}<dt>Sandbox</dt><dd>yes: built-in emulators, no real services</dd>{{/if}}
  {{#if run.parentRunId}}<dt>Started by the run</dt><dd><a class="mono" href="/runs/{{run.parentRunId}}">{{run.parentRunId}}</a></dd>{{/if}}
  {{#if run.childRunIds.length}}<dt>Child runs</dt><dd>{{#each run.childRunIds}}<a class="mono" href="/runs/{{this}}">{{this}}</a> {{/each}}</dd>{{/if}}
  {{#each interruptions}}<dt>Interrupted</dt><dd>{{utc at}}: {{reason}}</dd>{{/each}}
  {{#if skipped}}<dt>Skipped</dt><dd>{{skipped}}</dd>{{/if}}
  <dt>Template</dt><dd class="mono">{{run.templatePath}} (sha256 {{hashShort}})</dd>
</dl>

<h2>Steps</h2>
{{> stepTable steps=steps empty="No step has run."}}
{{#if onFailure.length}}
<h2>On failure</h2>
{{> stepTable steps=onFailure}}
{{/if}}

<h2>Changes</h2>
{{#if changes.length}}
<div class="table-wrap">
<table>
  <thead><tr><th scope="col">Step</th><th scope="col">Result</th><th scope="col">Change</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
  <tbody>
  {{#each changes}}
  <tr>
    <td class="mono">{{step}}</td>
    <td><span class="status status-{{resultClass}}">{{result}}</span></td>
    <td>{{operation}} {{target}}{{#if transition}}<br><span class="muted">{{transition}}</span>{{/if}}{{#if note}}<br><span class="muted">{{note}}</span>{{/if}}</td>
    <td><code class="change-before">{{before}}</code></td>
    <td><code class="change-after">{{after}}</code></td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">The run recorded no change.</p>{{/if}}

<h2>Returned data</h2>
{{#if output}}<pre tabindex="0" aria-label="The returned data">{{output}}</pre>{{else}}<p class="empty">No returned data{{#if running}} yet{{/if}}.</p>{{/if}}

<h2>Audit trail</h2>
<p>{{#if audit.ok}}<span class="status status-succeeded">verified</span> {{audit.entries}} entr{{#if (eq audit.entries 1)}}y{{else}}ies{{/if}}, each chained to the one before, none edited, removed or reordered.{{else}}<span class="status status-failed">broken</span> The audit trail does not verify:{{/if}}</p>
{{#if audit.problems.length}}<ul>{{#each audit.problems}}<li>{{severity}}: {{#if line}}line {{line}}: {{/if}}{{message}} ({{kind}})</li>{{/each}}</ul>{{/if}}

<h2>Log</h2>
{{#if log.length}}
<pre class="log" tabindex="0" aria-label="The run's log">{{#each log}}<span class="lvl-{{level}}">{{time}} {{level}} {{message}}</span>
{{/each}}</pre>
{{#if logCut}}<p class="muted">Only the last {{log.length}} lines are shown; the whole log is log.jsonl in the run's folder.</p>{{/if}}
{{else}}<p class="empty">The log is empty.</p>{{/if}}
`;

/** The steps of one list (main or on_failure) with status, attempts and timings. */
export const STEP_TABLE_PARTIAL = `{{#if steps.length}}
<div class="table-wrap">
<table>
  <thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Details</th></tr></thead>
  <tbody>
  {{#each steps}}
  <tr data-step="{{step}}">
    <td class="mono">{{step}}</td>
    <td><span class="status js-step-status status-{{status}}">{{status}}</span>{{#if changedText}}<br><span class="muted">{{changedText}}</span>{{/if}}</td>
    <td>{{attempts}}</td>
    <td>{{#if startedAt}}{{utc startedAt}}{{/if}}</td>
    <td>{{#if durationMs}}{{duration durationMs}}{{/if}}</td>
    <td>
      {{#if summary}}<p>{{summary}}</p>{{/if}}
      {{#if reason}}<p class="muted">{{reason}}</p>{{/if}}
      {{#each failures}}<p class="muted">attempt {{attempt}} failed: {{message}}{{#if retried}} (retried after {{duration retryInMs}}){{/if}}</p>{{/each}}
      {{#if error}}<p><strong>error:</strong> {{error}}</p>{{/if}}
      {{#if itemCounts}}<p>{{itemCounts.total}} items: {{itemCounts.succeeded}} succeeded, {{itemCounts.failed}} failed</p>{{/if}}
      {{#each childRuns}}<p>child run <a class="mono" href="/runs/{{runId}}">{{runId}}</a> ({{workflowId}})</p>{{/each}}
      {{#each timers}}<p>timer <span class="mono">{{timerId}}</span>: {{action}} due {{utc dueAt}}</p>{{/each}}
    </td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">{{empty}}</p>{{/if}}`;
