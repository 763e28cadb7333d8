import Handlebars from 'handlebars';
import { formatDuration } from '../logging/progress-view.js';
import type { Principal } from '../serve/auth/principal.js';
import { CONSOLE_ASSETS } from './console-assets.js';
import { LAYOUT_TEMPLATE } from './templates/layout-template.js';
import { MESSAGE_TEMPLATE } from './templates/message-template.js';
import { PLAN_TEMPLATE } from './templates/plan-template.js';
import { RUN_TEMPLATE, STEP_TABLE_PARTIAL } from './templates/run-template.js';
import { RUN_TABLE_PARTIAL, RUNS_TEMPLATE } from './templates/runs-template.js';
import { INPUT_FIELD_PARTIAL, START_TEMPLATE } from './templates/start-template.js';
import { TIMERS_TEMPLATE } from './templates/timers-template.js';
import { DECLARATIONS_PARTIAL, FLOW_PARTIAL, WORKFLOW_TEMPLATE } from './templates/workflow-template.js';
import { WORKFLOWS_TEMPLATE } from './templates/workflows-template.js';

/**
 * The console's pages, rendered on the server with Handlebars in its own environment (the
 * engine's template helpers and the console's never meet). `{{…}}` escapes HTML, and the
 * templates never use `{{{…}}}` on a value: a user named `<script>` is shown as text. The one
 * fragment built outside a template (the highlighted source) is a SafeString whose every piece
 * of text was escaped.
 */

/** The pages there are. */
export type ConsolePage = 'workflows' | 'workflow' | 'start' | 'plan' | 'runs' | 'run' | 'timers' | 'message';

/** The navigation section a page belongs to. */
export type ConsoleSection = 'workflows' | 'runs' | 'timers';

/** What the layout shows around a page. */
export interface PageFrame {
  title: string;
  section?: ConsoleSection;
  principal?: Principal;
  csrf?: string;
  /** A message about what was just done (`role="status"`). */
  notice?: string;
  /** What went wrong (`role="alert"`). */
  error?: { message: string; code?: string; problems?: Array<{ where?: string; message: string; suggestion?: string }> };
  /** A running run's page: its id and status (the script follows it; without script the page refreshes). */
  run?: { id: string; status: string };
}

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
hbs.registerHelper('utc', (iso: unknown) => formatUtc(iso));
hbs.registerHelper('duration', (ms: unknown) => (typeof ms === 'number' ? formatDuration(ms) : ''));
hbs.registerPartial('declarations', DECLARATIONS_PARTIAL);
hbs.registerPartial('flow', FLOW_PARTIAL);
hbs.registerPartial('runTable', RUN_TABLE_PARTIAL);
hbs.registerPartial('stepTable', STEP_TABLE_PARTIAL);
hbs.registerPartial('inputField', INPUT_FIELD_PARTIAL);

/** Compiled once, at load: the texts are idflow's own constants (never an AST from outside). */
const compile = (text: string): HandlebarsTemplateDelegate => hbs.compile(text, { preventIndent: true });
const PAGES: Record<ConsolePage, HandlebarsTemplateDelegate> = {
  workflows: compile(WORKFLOWS_TEMPLATE),
  workflow: compile(WORKFLOW_TEMPLATE),
  start: compile(START_TEMPLATE),
  plan: compile(PLAN_TEMPLATE),
  runs: compile(RUNS_TEMPLATE),
  run: compile(RUN_TEMPLATE),
  timers: compile(TIMERS_TEMPLATE),
  message: compile(MESSAGE_TEMPLATE),
};
const LAYOUT = compile(LAYOUT_TEMPLATE);

/** How often a running run's page refreshes itself when scripts are off. */
const REFRESH_SECONDS = 5;

/** Renders a whole page: the page's template with `model`, inside the layout. */
export function renderPage(page: ConsolePage, model: object, frame: PageFrame): string {
  const options = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
  const body = PAGES[page]({ ...model, csrf: frame.csrf, canOperate: (model as { canOperate?: boolean }).canOperate }, options);
  return LAYOUT(
    {
      ...frame,
      body,
      assets: { stylesheet: CONSOLE_ASSETS.stylesheet.path, script: CONSOLE_ASSETS.script.path },
      ...(frame.run === undefined ? {} : { runId: frame.run.id, runStatus: frame.run.status, refreshSeconds: frame.run.status === 'running' ? REFRESH_SECONDS : undefined }),
    },
    options,
  );
}

/** Text built outside a template that is already HTML (every piece of it escaped). */
export function trustedHtml(html: string): Handlebars.SafeString {
  return new hbs.SafeString(html);
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS UTC`: the same on every screen, whatever serve's zone. */
export function formatUtc(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
