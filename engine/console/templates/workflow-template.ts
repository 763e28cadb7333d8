/**
 * `/workflows/{id}`: the workflow's description, inputs, variables, triggers, its steps drawn
 * as a flow (conditions, foreach, the `on_failure` branch, links to sub-workflows), the YAML
 * source highlighted, and its recent runs.
 */
export const WORKFLOW_TEMPLATE = `<h1>{{workflow.name}}</h1>
<p class="lead"><span class="mono">{{workflow.id}}</span>{{#if workflow.version}} · version {{workflow.version}}{{/if}} · {{#if workflow.enabled}}<span class="status status-enabled">enabled</span>{{else}}<span class="status status-disabled">disabled</span>{{/if}}</p>
{{#if workflow.description}}<p>{{workflow.description}}</p>{{/if}}
{{#if canOperate}}
<div class="actions">
  <a class="button" href="/workflows/{{workflow.id}}/start">Start a run</a>
  <form method="post" action="/workflows/{{workflow.id}}/{{#if workflow.enabled}}disable{{else}}enable{{/if}}">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit" class="secondary">{{#if workflow.enabled}}Disable{{else}}Enable{{/if}} this workflow</button>
  </form>
</div>
{{/if}}
<dl class="facts card">
  {{#if workflow.subject}}<dt>Subject</dt><dd><code>{{workflow.subject}}</code></dd>{{/if}}
  <dt>Template</dt><dd class="mono">{{workflow.file}}</dd>
  {{#if workflow.changedBy}}<dt>Last enabled or disabled</dt><dd>by {{workflow.changedBy}}{{#if workflow.changedAt}}, {{utc workflow.changedAt}}{{/if}}</dd>{{/if}}
</dl>

<h2>Inputs</h2>
{{> declarations items=inputs empty="This workflow takes no inputs."}}

<h2>Variables</h2>
{{> declarations items=vars empty="This workflow reads no organisation variables."}}

<h2>Triggers</h2>
{{#if triggers.length}}
<ul>
  {{#each triggers}}<li>{{#if (eq type "event")}}the event <code>{{event}}</code>{{#if condition}}, when <code>{{condition}}</code>{{/if}}{{else if (eq type "schedule")}}the schedule <code>{{cron}}</code> ({{timezone}}){{#if next}}, next at {{utc next}}{{else}}, not scheduled while disabled{{/if}}{{else if (eq type "manual")}}started by hand (the console, the API or idflow run){{else}}started by another workflow{{/if}}</li>{{/each}}
</ul>
{{else}}<p class="empty">No trigger: the workflow runs only when started by hand.</p>{{/if}}

<h2>Steps</h2>
<div class="flows">
  <section aria-labelledby="flow-main">
    <h3 id="flow-main">In order</h3>
    {{> flow steps=flow.steps}}
  </section>
  {{#if flow.onFailure.length}}
  <section class="branch" aria-labelledby="flow-failure">
    <h3 id="flow-failure">If a step fails (on_failure)</h3>
    {{> flow steps=flow.onFailure}}
  </section>
  {{/if}}
</div>

<h2>Source</h2>
<pre class="yaml" tabindex="0" aria-label="The template's YAML source"><code>{{highlighted}}</code></pre>

<h2>Recent runs</h2>
{{> runTable runs=recentRuns empty="This workflow has not run yet."}}
<p><a href="/runs?workflow={{workflow.id}}">All runs of this workflow</a></p>
`;

/** A table of inputs or variables. */
export const DECLARATIONS_PARTIAL = `{{#if items.length}}
<div class="table-wrap">
<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Default</th><th scope="col">Description</th></tr></thead>
  <tbody>
  {{#each items}}
  <tr>
    <td class="mono">{{name}}</td>
    <td>{{type}}{{#if choices}}: one of {{choices}}{{/if}}{{#if format}} ({{format}}){{/if}}{{#if secret}} <strong>secret</strong>{{/if}}</td>
    <td>{{#if required}}required{{else}}optional{{/if}}</td>
    <td>{{#if defaultText}}<code>{{defaultText}}</code>{{else}}<span class="muted">none</span>{{/if}}</td>
    <td>{{description}}</td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">{{empty}}</p>{{/if}}`;

/** The steps of one list as boxes joined by arrows. */
export const FLOW_PARTIAL = `<ol class="flow">
  {{#each steps}}
  <li>
    <div class="step">
      <div class="step-head"><span class="step-id mono">{{id}}</span>{{#if name}}<span>{{name}}</span>{{/if}}</div>
      <div class="step-action mono">{{action}}{{#if subWorkflow}} → {{#if subWorkflow.href}}<a href="{{subWorkflow.href}}">{{subWorkflow.label}}</a>{{else}}{{subWorkflow.label}}{{/if}}{{/if}}</div>
      {{#if condition}}<p class="step-cond">if <code>{{condition}}</code></p>{{/if}}
      {{#if foreach}}<p class="step-cond">for each of <code>{{foreach}}</code>{{#if concurrency}}, {{concurrency}} at a time{{/if}}</p>{{/if}}
      {{#if notes.length}}<p class="step-cond muted">{{#each notes}}{{this}}{{#unless @last}} · {{/unless}}{{/each}}</p>{{/if}}
    </div>
  </li>
  {{/each}}
</ol>`;
