/**
 * The console's one stylesheet, served by idflow itself under `/assets/` (no CDN, no web font:
 * the console works offline). Phone first: tables scroll sideways inside their own box, forms
 * stack; focus is always visible; status is a word with a mark, colour only adds to it.
 */
export const CONSOLE_STYLESHEET = `
:root {
  --ink: #1d232b; --muted: #5b6573; --line: #d5dae1; --bg: #f6f7f9; --card: #fff;
  --accent: #1f5fbf; --accent-ink: #fff; --ok: #17693a; --bad: #b3261e; --warn: #8a5a00; --run: #1f5fbf;
  --focus: #ffbf47;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: .5rem; top: .5rem; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1rem; background: #14263f; color: #fff; }
.top a { color: #fff; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.top nav ul { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
.top nav a { display: inline-block; padding: .35rem .7rem; border-radius: 4px; text-decoration: none; }
.top nav a[aria-current="page"] { background: #fff; color: #14263f; font-weight: 600; }
.who { margin-left: auto; display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; font-size: .92rem; }
.who form { margin: 0; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.lead { color: var(--muted); margin-top: -.5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 0 0 1rem; }
.table-wrap { position: relative; overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: .5rem .75rem; color: var(--muted); }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
td form { display: inline; margin: 0; }
:not(pre) > code { overflow-wrap: anywhere; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; }
pre { background: #0f1720; color: #e6edf3; padding: .8rem; border-radius: 6px; overflow-x: auto; margin: 0; max-width: 100%; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.status { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.status::before { margin-right: .3rem; }
.status-succeeded, .status-fired, .status-enabled, .status-would_run { color: var(--ok); }
.status-succeeded::before, .status-fired::before, .status-enabled::before { content: "✓"; }
.status-failed, .status-error { color: var(--bad); }
.status-failed::before, .status-error::before { content: "✗"; }
.status-running, .status-pending, .status-cancelling { color: var(--run); }
.status-running::before, .status-pending::before, .status-cancelling::before { content: "●"; }
.status-interrupted, .status-cancelled, .status-disabled, .status-cannot_preview { color: var(--warn); }
.status-interrupted::before, .status-cancelled::before, .status-disabled::before { content: "■"; }
.status-skipped, .status-would_skip, .status-no_preview, .status-never { color: var(--muted); }
.status-skipped::before, .status-would_skip::before { content: "↷"; }
button, .button { font: inherit; display: inline-block; padding: .45rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; min-height: 2.5rem; }
button.secondary, .button.secondary { background: var(--card); color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0; }
.actions form { margin: 0; }
.notice { background: #e7f4ec; border: 1px solid var(--ok); padding: .6rem .9rem; border-radius: 6px; }
.alert { background: #fbeaea; border: 1px solid var(--bad); padding: .6rem .9rem; border-radius: 6px; }
.alert ul { margin: .4rem 0 0; padding-left: 1.2rem; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li + li { margin-top: .2rem; }
.muted { color: var(--muted); }
form.stacked .field { margin-bottom: 1rem; }
form.stacked label, form.stacked legend { display: block; font-weight: 600; margin-bottom: .25rem; }
form.stacked fieldset { border: 0; padding: 0; margin: 0 0 1rem; }
form.stacked .check label { display: inline; font-weight: 600; }
form.stacked .choice { margin: .2rem 0; }
form.stacked .choice label { display: inline; font-weight: 400; margin-left: .3rem; }
form.stacked legend { padding: 0; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #8a94a3; border-radius: 4px; background: #fff; color: var(--ink); max-width: 100%; }
input[type="text"], input[type="email"], input[type="url"], input[type="password"], input[type="number"], input[type="date"], select, textarea { width: 32rem; }
input[type="checkbox"], input[type="radio"] { width: 1.2rem; height: 1.2rem; vertical-align: middle; }
.help { color: var(--muted); font-size: .9rem; margin: .2rem 0 0; }
.req { color: var(--bad); font-weight: 600; font-size: .85rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: 1rem; }
.filters label { display: block; font-size: .85rem; color: var(--muted); }
.filters input, .filters select { width: 11rem; }
.pager { display: flex; gap: 1rem; align-items: center; }
.flow { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; align-items: flex-start; }
.flow > li { position: relative; margin: 0 0 1.4rem; }
.flow > li:not(:last-child)::after { content: "↓"; position: absolute; left: 1.2rem; bottom: -1.35rem; color: var(--muted); font-size: 1.1rem; line-height: 1.3rem; }
.step { background: var(--card); border: 2px solid #8aa4c8; border-radius: 8px; padding: .5rem .8rem; min-width: 16rem; max-width: 40rem; overflow-wrap: anywhere; }
.step-head { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.step-id { font-weight: 700; }
.step-action { color: var(--muted); }
.step-cond { margin: .3rem 0 0; font-size: .85rem; color: var(--warn); overflow-wrap: anywhere; }
.step-cond code { white-space: pre-wrap; }
.flows { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
.flows > section { min-width: 0; }
.branch { border-left: 4px solid var(--bad); padding-left: 1rem; }
.branch .step { border-color: #d9a3a0; }
.yaml .k { color: #79c0ff; } .yaml .s { color: #a5d6ff; } .yaml .n { color: #ffa657; } .yaml .c { color: #8b949e; font-style: italic; }
.yaml .p { color: #ff7b72; } .yaml .t { color: #d2a8ff; } .yaml .a { color: #7ee787; }
.log { max-height: 28rem; overflow: auto; }
.log .lvl-warn { color: #ffd479; } .log .lvl-error { color: #ff8c84; }
.change-before, .change-after { font-size: .85rem; overflow-wrap: anywhere; }
.plan-summary { font-weight: 600; }
.plan-changes { min-width: 22rem; overflow-wrap: anywhere; }
.plan-changes li { white-space: pre-wrap; }
td > p { margin: 0 0 .3rem; }
@media (min-width: 60rem) {
  .flows { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
}
@media (max-width: 40rem) {
  main { padding: .75rem; }
  .who { margin-left: 0; width: 100%; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
  .step { min-width: 0; width: 100%; }
  .flow { align-items: stretch; }
  .filters input, .filters select { width: 100%; }
  .filters > div { flex: 1 1 45%; }
}
`;
