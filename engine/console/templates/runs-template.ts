/** `/runs`: every run, newest first, with filters (a GET form) and pages. */
export const RUNS_TEMPLATE = `<h1>Runs</h1>
<form class="filters card" method="get" action="/runs" aria-label="Filter the runs">
  <div><label for="f-workflow">Workflow</label>
    <select id="f-workflow" name="workflow">
      <option value="">any</option>
      {{#each workflowChoices}}<option value="{{id}}"{{#if selected}} selected{{/if}}>{{name}}</option>{{/each}}
    </select></div>
  <div><label for="f-status">Status</label>
    <select id="f-status" name="status">
      <option value="">any</option>
      {{#each statusChoices}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}
    </select></div>
  <div><label for="f-subject">Subject contains</label><input id="f-subject" name="subject" type="text" value="{{filters.subject}}"></div>
  <div><label for="f-from">Started from</label><input id="f-from" name="from" type="date" value="{{filters.from}}"></div>
  <div><label for="f-to">Started until</label><input id="f-to" name="to" type="date" value="{{filters.to}}"></div>
  <div><button type="submit">Show runs</button> <a href="/runs">Clear</a></div>
</form>
{{> runTable runs=runs empty=emptyText caption=caption}}
{{#if pager}}
<nav class="pager" aria-label="Pages">
  {{#if pager.newer}}<a href="{{pager.newer}}" rel="prev">← Newer runs</a>{{/if}}
  <span>Page {{pager.page}}</span>
  {{#if pager.older}}<a href="{{pager.older}}" rel="next">Older runs →</a>{{/if}}
</nav>
{{/if}}
`;

/** A table of runs (the run list, a workflow's recent runs). */
export const RUN_TABLE_PARTIAL = `{{#if runs.length}}
<div class="table-wrap">
<table>
  {{#if caption}}<caption>{{caption}}</caption>{{/if}}
  <thead><tr><th scope="col">Run</th><th scope="col">Workflow</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Started by</th></tr></thead>
  <tbody>
  {{#each runs}}
  <tr>
    <td><a class="mono" href="/runs/{{id}}">{{id}}</a></td>
    <td>{{workflow.name}}</td>
    <td>{{subject}}</td>
    <td><span class="status status-{{status}}">{{status}}</span></td>
    <td>{{utc startedAt}}</td>
    <td>{{#if durationMs}}{{duration durationMs}}{{/if}}</td>
    <td>{{initiatedBy}} <span class="muted">({{trigger.type}})</span></td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">{{empty}}</p>{{/if}}`;
