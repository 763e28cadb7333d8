/** `/`: every served workflow, its triggers, enabled state (with a toggle for operators) and last run. */
export const WORKFLOWS_TEMPLATE = `<h1>Workflows</h1>
{{#if workflows.length}}
<div class="table-wrap">
<table>
  <caption>{{workflows.length}} workflow{{#unless (eq workflows.length 1)}}s{{/unless}} served</caption>
  <thead><tr><th scope="col">Workflow</th><th scope="col">Triggers</th><th scope="col">State</th><th scope="col">Last run</th>{{#if canOperate}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/if}}</tr></thead>
  <tbody>
  {{#each workflows}}
  <tr>
    <td><a href="/workflows/{{id}}">{{name}}</a><br><span class="mono muted">{{id}}</span></td>
    <td>
      {{#if triggers.length}}
      <ul class="plain">
        {{#each triggers}}<li>{{#if (eq type "event")}}event <code>{{event}}</code>{{#if conditional}} (with a condition){{/if}}{{else if (eq type "schedule")}}schedule <code>{{cron}}</code> {{timezone}}{{#if next}}, next {{utc next}}{{else}}, not scheduled while disabled{{/if}}{{else}}{{type}}{{/if}}</li>{{/each}}
      </ul>
      {{else}}<span class="muted">none</span>{{/if}}
    </td>
    <td>{{#if enabled}}<span class="status status-enabled">enabled</span>{{else}}<span class="status status-disabled">disabled</span>{{/if}}{{#if changedBy}}<br><span class="muted">by {{changedBy}}{{#if changedAt}}, {{utc changedAt}}{{/if}}</span>{{/if}}</td>
    <td>{{#if lastRun}}<a href="/runs/{{lastRun.id}}">{{utc lastRun.startedAt}}</a> <span class="status status-{{lastRun.status}}">{{lastRun.status}}</span>{{else}}<span class="muted">never run</span>{{/if}}</td>
    {{#if ../canOperate}}
    <td>
      <form method="post" action="/workflows/{{id}}/{{#if enabled}}disable{{else}}enable{{/if}}">
        <input type="hidden" name="_csrf" value="{{../csrf}}">
        <button type="submit" class="secondary" aria-label="{{#if enabled}}Disable{{else}}Enable{{/if}} {{name}}">{{#if enabled}}Disable{{else}}Enable{{/if}}</button>
      </form>
      <a class="button" href="/workflows/{{id}}/start" aria-label="Start a run of {{name}}">Start a run</a>
    </td>
    {{/if}}
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}
<p class="empty">No workflow is served. Put templates in serve's workflows folder and restart idflow serve.</p>
{{/if}}
`;
