import type { Environment } from '../config/index.js';
import type { Problem } from '../diagnostics/problem.js';
import type { SourceLocation } from '../loader/source-map.js';

/** Where a settings section comes from: the config file, and how to find a pointer's line in it. */
export interface SettingsSource {
  file: string;
  locate?: ((pointer: string) => SourceLocation | undefined) | undefined;
}

/**
 * Collects the problems of a settings section (`serve:`, `serve.console:`) at their place in the
 * config file, and reads the secrets it names from the environment, reporting one that is
 * missing or empty as a problem rather than failing later.
 */
export function settingsProblems(env: Environment, where: SettingsSource): {
  problems: Problem[];
  problem(pointer: string, code: string, message: string, suggestion?: string): void;
  secret(ref: { env: string }, pointer: string, what: string): string | undefined;
} {
  const problems: Problem[] = [];
  const problem = (pointer: string, code: string, message: string, suggestion?: string): void => {
    const place = where.locate?.(pointer);
    problems.push({ file: where.file, line: place?.line ?? 0, column: place?.column ?? 0, ...(place ? { length: place.length } : {}), path: pointer, code, message, ...(suggestion === undefined ? {} : { suggestion }), severity: 'error' });
  };
  const secret = (ref: { env: string }, pointer: string, what: string): string | undefined => {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      problem(pointer, 'secret-missing', `${what} reads the environment variable ${ref.env}, which is ${value === undefined ? 'not set' : 'empty'}`, `Set ${ref.env} before starting idflow serve`);
      return undefined;
    }
    return value;
  };
  return { problems, problem, secret };
}
