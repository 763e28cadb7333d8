/** `/timers`: pending timers (what, for whom, when) with cancel for operators, then the ones that ended. */
export const TIMERS_TEMPLATE = `<h1>Timers</h1>
<h2>Pending</h2>
{{#if pending.length}}
<div class="table-wrap">
<table>
  <thead><tr><th scope="col">Due</th><th scope="col">What</th><th scope="col">For</th><th scope="col">Scheduled by</th>{{#if canOperate}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/if}}</tr></thead>
  <tbody>
  {{#each pending}}
  <tr>
    <td>{{utc dueAt}}{{#if firingAt}}<br><span class="status status-running">firing</span>{{/if}}</td>
    <td>{{description}}<br><span class="mono muted">{{action}}</span></td>
    <td class="mono">{{key}}</td>
    <td><a class="mono" href="/runs/{{scheduledBy.runId}}">{{scheduledBy.runId}}</a><br><span class="muted">{{scheduledBy.workflowId}}{{#if scheduledBy.initiatedBy}}, {{scheduledBy.initiatedBy}}{{/if}}</span></td>
    {{#if ../canOperate}}
    <td><form method="post" action="/timers/{{id}}/cancel" data-confirm="Cancel this timer? It will not fire.">
      <input type="hidden" name="_csrf" value="{{../csrf}}">
      <button type="submit" class="danger" aria-label="Cancel the timer {{id}}: {{description}}">Cancel</button>
    </form></td>
    {{/if}}
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">No timer is pending.</p>{{/if}}
<h2>Ended</h2>
{{#if ended.length}}
<div class="table-wrap">
<table>
  <thead><tr><th scope="col">Was due</th><th scope="col">What</th><th scope="col">For</th><th scope="col">Ended</th><th scope="col">Why</th></tr></thead>
  <tbody>
  {{#each ended}}
  <tr>
    <td>{{utc dueAt}}</td>
    <td>{{description}}<br><span class="mono muted">{{action}}</span></td>
    <td class="mono">{{key}}</td>
    <td><span class="status status-{{state}}">{{state}}</span>{{#if finishedAt}}<br>{{utc finishedAt}}{{/if}}{{#if runId}}<br><a class="mono" href="/runs/{{runId}}">{{runId}}</a>{{/if}}</td>
    <td>{{reason}}</td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{else}}<p class="empty">No timer has ended yet.</p>{{/if}}
`;
