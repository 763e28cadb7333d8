/**
 * `/workflows/{id}/start`: a form made from the workflow's inputs (types, choices, defaults,
 * required marked in words, descriptions as help tied with `aria-describedby`, secrets as
 * password fields). It posts to the plan first; the plan page has the Run button.
 */
export const START_TEMPLATE = `<h1>Start a run: {{workflow.name}}</h1>
<p class="lead">Fill in the inputs, then <strong>Plan</strong>: idflow shows what the run would change, changing nothing. The plan page has the button that runs it.</p>
<form class="stacked card" method="post" action="/workflows/{{workflow.id}}/plan" novalidate>
  <input type="hidden" name="_csrf" value="{{csrf}}">
  {{#each fields}}{{> inputField}}{{/each}}
  {{#unless fields.length}}<p class="empty">This workflow takes no inputs.</p>{{/unless}}
  <div class="actions"><button type="submit">Plan</button> <a href="/workflows/{{workflow.id}}">Back to the workflow</a></div>
</form>
`;

/** One input of the start form. */
export const INPUT_FIELD_PARTIAL = `{{#if (eq kind "checkbox")}}
<div class="field check">
  <input type="checkbox" id="{{htmlId}}" name="{{name}}" value="true"{{#if checked}} checked{{/if}}{{#if description}} aria-describedby="{{htmlId}}-help"{{/if}}>
  <label for="{{htmlId}}">{{name}}</label>
  {{#if description}}<p class="help" id="{{htmlId}}-help">{{description}}</p>{{/if}}
</div>
{{else if (eq kind "radio")}}
<fieldset class="field"{{#if description}} aria-describedby="{{htmlId}}-help"{{/if}}>
  <legend>{{name}}{{#if required}} <span class="req">(required)</span>{{/if}}</legend>
  {{#each options}}
  <div class="choice"><input type="radio" id="{{../htmlId}}-{{@index}}" name="{{../name}}" value="{{value}}"{{#if selected}} checked{{/if}}{{#if ../required}} required{{/if}}> <label for="{{../htmlId}}-{{@index}}">{{label}}</label></div>
  {{/each}}
  {{#if description}}<p class="help" id="{{htmlId}}-help">{{description}}</p>{{/if}}
</fieldset>
{{else if (eq kind "select")}}
<div class="field">
  <label for="{{htmlId}}">{{name}}{{#if required}} <span class="req">(required)</span>{{/if}}</label>
  <select id="{{htmlId}}" name="{{name}}"{{#if required}} required aria-required="true"{{/if}}{{#if description}} aria-describedby="{{htmlId}}-help"{{/if}}>
    {{#each options}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}
  </select>
  {{#if description}}<p class="help" id="{{htmlId}}-help">{{description}}</p>{{/if}}
</div>
{{else if (eq kind "textarea")}}
<div class="field">
  <label for="{{htmlId}}">{{name}}{{#if required}} <span class="req">(required)</span>{{/if}}</label>
  <textarea id="{{htmlId}}" name="{{name}}" rows="4"{{#if required}} required aria-required="true"{{/if}} aria-describedby="{{htmlId}}-help">{{value}}</textarea>
  <p class="help" id="{{htmlId}}-help">{{#if description}}{{description}}. {{/if}}{{hint}}</p>
</div>
{{else}}
<div class="field">
  <label for="{{htmlId}}">{{name}}{{#if required}} <span class="req">(required)</span>{{/if}}</label>
  <input type="{{inputType}}" id="{{htmlId}}" name="{{name}}" value="{{value}}"{{#if step}} step="{{step}}"{{/if}}{{#if min}} min="{{min}}"{{/if}}{{#if max}} max="{{max}}"{{/if}}{{#if required}} required aria-required="true"{{/if}}{{#if (eq inputType "password")}} autocomplete="off"{{/if}}{{#if help}} aria-describedby="{{htmlId}}-help"{{/if}}>
  {{#if help}}<p class="help" id="{{htmlId}}-help">{{help}}</p>{{/if}}
</div>
{{/if}}`;
