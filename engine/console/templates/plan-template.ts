/**
 * The plan of a run, as `idflow plan` shows it (each step with its status and the changes it
 * would make, by name, before and after; the totals), with the Run button that posts the same
 * inputs. Secret inputs are not carried in the page: the person types them again to run.
 */
export const PLAN_TEMPLATE = `<h1>Plan: {{plan.workflow.name}}</h1>
<p class="lead">{{#if plan.subject}}For <strong>{{plan.subject}}</strong>. {{/if}}Nothing has changed yet.</p>
{{#if plan.when}}
<div class="table-wrap">
<table>
  <caption class="plan-summary">{{totals}}</caption>
  <thead><tr><th scope="col">Step</th><th scope="col">Would</th><th scope="col">Changes (before → after)</th></tr></thead>
  <tbody>
  {{#each steps}}
  <tr>
    <td><span class="mono">{{id}}</span>{{#if name}}<br>{{name}}{{/if}}<br><span class="mono muted">{{action}}</span></td>
    <td><span class="status status-{{status}}">{{statusText}}</span>{{#if summary}}<br><span class="muted">{{summary}}</span>{{/if}}{{#if endRun}}<br>the run would end here, as done: {{endRun}}{{/if}}</td>
    <td class="plan-changes">
      {{#if changes.length}}<ul class="plain mono">{{#each changes}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
      {{#each items}}<p><span class="mono">[{{index}}]</span> {{statusText}}{{#if summary}} · {{summary}}{{/if}}</p>{{#if changes.length}}<ul class="plain mono">{{#each changes}}<li>{{this}}</li>{{/each}}</ul>{{/if}}{{/each}}
    </td>
  </tr>
  {{/each}}
  </tbody>
</table>
</div>
{{#if plan.onFailure.length}}<p class="muted">If a step fails: {{#each plan.onFailure}}<span class="mono">{{this}}</span>{{#unless @last}}, {{/unless}}{{/each}}</p>{{/if}}
{{else}}
<p class="card">The workflow's "when" condition is false: nothing would run.</p>
{{/if}}
<details class="card"><summary>The plan as text (idflow plan)</summary><pre>{{planText}}</pre></details>
{{#if canRun}}
<form class="stacked card" method="post" action="/workflows/{{plan.workflow.id}}/run">
  <input type="hidden" name="_csrf" value="{{csrf}}">
  {{#each carried}}<input type="hidden" name="{{name}}" value="{{value}}">{{/each}}
  {{#each secrets}}{{> inputField}}{{/each}}
  <div class="actions">
    <button type="submit">Run</button>
    <a href="/workflows/{{plan.workflow.id}}/start">Change the inputs</a>
  </div>
</form>
{{/if}}
`;
