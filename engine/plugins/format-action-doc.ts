import { stringify } from 'yaml';
import type { ActionDoc, ActionSummary, ParameterDoc } from './describe-action.js';

/**
 * The text of `idflow actions`: one line per action (id, description, source), grouped by
 * where the actions come from so that an admin sees at a glance what their plugins added.
 */
export function formatActionList(actions: readonly ActionSummary[]): string {
  if (actions.length === 0) return 'No actions are registered.\n';
  const width = Math.max(...actions.map((action) => action.id.length));
  const bySource = new Map<string, ActionSummary[]>();
  for (const action of actions) bySource.set(action.source, [...(bySource.get(action.source) ?? []), action]);
  // Built-in packs first, then plugins in the order met.
  const sources = [...bySource.keys()].sort((a, b) => Number(!a.startsWith('builtin:')) - Number(!b.startsWith('builtin:')));
  const lines: string[] = [];
  for (const source of sources) {
    const group = bySource.get(source) ?? [];
    lines.push(`${source}${group[0]?.pack ? ` (pack ${group[0].pack})` : ''}`);
    for (const action of group) lines.push(`  ${action.id.padEnd(width)}  ${action.description}`);
    lines.push('');
  }
  lines.push(`${actions.length} action${actions.length === 1 ? '' : 's'}. Show one with: idflow actions <id>`);
  return `${lines.join('\n')}\n`;
}

/** The text of `idflow actions ID`. */
export function formatActionDoc(doc: ActionDoc): string {
  const lines = [`${doc.id} — ${doc.description}`, '', `Source:   ${doc.source}${doc.pack ? ` (pack ${doc.pack})` : ''}`];
  lines.push(`Preview:  ${doc.plan ? 'yes (idflow plan shows its changes)' : 'no (idflow plan reports "would run, no preview")'}`);
  lines.push(`Verify:   ${doc.verify ? 'yes (set verify: true on the step)' : 'no'}`);
  lines.push('', 'Parameters:');
  if (doc.parameters.length === 0) lines.push('  (none)');
  else lines.push(...parameterTable(doc.parameters).map((line) => `  ${line}`));
  if (!doc.closed && doc.parameters.length > 0) lines.push('  (other parameters are accepted too)');
  lines.push('', 'Output:');
  lines.push(...(doc.outputLines.length === 0 ? ['  (not declared)'] : doc.outputLines.map((line) => `  ${line}`)));
  if (doc.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const example of doc.examples) {
      lines.push(`  ${example.description}:`);
      lines.push(...stringify({ with: example.with }, { lineWidth: 0 }).trimEnd().split('\n').map((line) => `    ${line}`));
    }
  }
  lines.push('', 'Step (paste under steps:):', '', ...doc.step.split('\n').map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

/** Name, type, required, default and description as aligned columns. */
function parameterTable(parameters: readonly ParameterDoc[]): string[] {
  const rows = parameters.map((p) => [
    p.name,
    `${p.type}${p.secret ? ' (secret)' : ''}`,
    p.required ? 'required' : 'optional',
    p.default === undefined ? '' : `default ${JSON.stringify(p.default)}`,
    p.description ?? '',
  ]);
  const header = ['NAME', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: readonly string[]): string => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  // Allowed values are part of the type column ("info" | "warn"), so they need no row of their own.
  const lines = [format(header), ...rows.map(format)];
  return lines;
}
