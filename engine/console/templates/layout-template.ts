/**
 * The page around every console page: a skip link, the header (idflow, the navigation with
 * `aria-current` on the section shown, who is signed in with their role, a sign-out button), and
 * `<main>` with the page's notice or error. `body` is the page's own template, already rendered
 * (escaped there); every other value is escaped here.
 */
export const LAYOUT_TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · idflow</title>
<link rel="stylesheet" href="{{assets.stylesheet}}">
<script src="{{assets.script}}" defer></script>
{{#if refreshSeconds}}<noscript><meta http-equiv="refresh" content="{{refreshSeconds}}"></noscript>{{/if}}
</head>
<body>
<a class="skip-link" href="#main">Skip to the content</a>
<header class="top">
  <a class="brand" href="/">idflow</a>
  <nav aria-label="Sections">
    <ul>
      <li><a href="/"{{#if (eq section "workflows")}} aria-current="page"{{/if}}>Workflows</a></li>
      <li><a href="/runs"{{#if (eq section "runs")}} aria-current="page"{{/if}}>Runs</a></li>
      <li><a href="/timers"{{#if (eq section "timers")}} aria-current="page"{{/if}}>Timers</a></li>
    </ul>
  </nav>
  {{#if principal}}
  <div class="who">
    <span>Signed in as <strong>{{principal.name}}</strong> <span class="role">({{principal.role}})</span></span>
    <form method="post" action="/sign-out">
      <input type="hidden" name="_csrf" value="{{csrf}}">
      <button type="submit" class="secondary">Sign out</button>
    </form>
  </div>
  {{/if}}
</header>
<main id="main" tabindex="-1"{{#if runId}} data-run-id="{{runId}}" data-run-status="{{runStatus}}"{{/if}}>
{{#if notice}}<p class="notice" role="status">{{notice}}</p>{{/if}}
{{#if error}}
<div class="alert" role="alert">
  <p><strong>{{error.message}}</strong>{{#if error.code}} <span class="mono">[{{error.code}}]</span>{{/if}}</p>
  {{#if error.problems.length}}
  <ul>{{#each error.problems}}<li>{{#if where}}<span class="mono">{{where}}</span>: {{/if}}{{message}}{{#if suggestion}} ({{suggestion}}){{/if}}</li>{{/each}}</ul>
  {{/if}}
</div>
{{/if}}
{{{body}}}
</main>
</body>
</html>
`;
