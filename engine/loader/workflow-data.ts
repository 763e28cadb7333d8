/**
 * Defensive readers for workflow data that has not (or not fully) passed the schema: the
 * semantic checks run even when the schema found problems, so that every problem is reported
 * at once, and must never trip over an unexpected shape.
 */

/** A plain map (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One step as found in the data, with where it is. */
export interface StepEntry {
  phase: 'steps' | 'on_failure';
  index: number;
  /** `/steps/3` or `/on_failure/0`. */
  pointer: string;
  step: Record<string, unknown>;
  /** The step's id when it is a string. */
  id?: string;
}

/** Every step of `steps` and `on_failure` that is a map, in order. */
export function stepEntries(data: unknown): StepEntry[] {
  if (!isRecord(data)) return [];
  const entries: StepEntry[] = [];
  for (const phase of ['steps', 'on_failure'] as const) {
    const list = data[phase];
    if (!Array.isArray(list)) continue;
    list.forEach((step: unknown, index) => {
      if (!isRecord(step)) return;
      const id = typeof step['id'] === 'string' ? step['id'] : undefined;
      entries.push({ phase, index, pointer: `/${phase}/${index}`, step, ...(id === undefined ? {} : { id }) });
    });
  }
  return entries;
}

/** The names declared under `inputs:` or `vars:` (keys of the map, whatever their values). */
export function declaredNames(data: unknown, key: 'inputs' | 'vars'): Set<string> {
  if (!isRecord(data)) return new Set();
  const map = data[key];
  return new Set(isRecord(map) ? Object.keys(map) : []);
}
