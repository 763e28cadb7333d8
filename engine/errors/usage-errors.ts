import { IdflowError } from './idflow-error.js';
import type { Problem } from '../diagnostics/problem.js';

/**
 * Errors about what the user gave us rather than about the world: they end a command with
 * exit code 2 and nothing is done.
 */

/** A template, config file, input file or set of inputs has problems; all of them are listed. */
export class ValidationError extends IdflowError {
  readonly problems: readonly Problem[];
  constructor(code: 'INVALID_TEMPLATE' | 'INVALID_CONFIG' | 'INVALID_INPUT' | 'INVALID_PARAMS' | 'INVALID_PLUGIN', message: string, problems: readonly Problem[] = []) {
    super(code, message, { retryable: false, details: problems.length > 0 ? { problems: problems.map((p) => ({ ...p })) } : {} });
    this.problems = problems;
  }
}

/** The command line itself is wrong (unknown option, missing argument, conflicting flags). */
export class UsageError extends IdflowError {
  constructor(message: string) {
    super('USAGE', message, { retryable: false });
  }
}

/** A plugin could not be loaded or registered (syntax error, missing `run`, id clash, bad schema). */
export class PluginError extends IdflowError {
  /** The file, folder or package the plugin came from. */
  readonly source: string;
  constructor(message: string, source: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'PLUGIN_INVALID', message, { retryable: false, cause: options.cause, details: { source } });
    this.source = source;
  }
}

/** Another active run holds the subject (e.g. the same user is being offboarded right now). */
export class SubjectLockedError extends IdflowError {
  constructor(subject: string, heldBy: string) {
    super('SUBJECT_LOCKED', `Another run (${heldBy}) is already active for "${subject}"; wait for it to finish or resume it`, {
      retryable: false,
      details: { subject, heldBy },
    });
  }
}

/** A run id that the store does not know. */
export class RunNotFoundError extends IdflowError {
  constructor(runId: string) {
    super('RUN_NOT_FOUND', `No run with id "${runId}" in the store`, { retryable: false, details: { runId } });
  }
}

/**
 * A run's pinned template or recorded inputs no longer match the hash recorded when the run
 * started: the run record was edited, and running it again would run something nobody started.
 */
export class RunRecordChangedError extends IdflowError {
  constructor(runId: string, file: string, recordedHash: string, actualHash: string) {
    super(
      'RUN_RECORD_CHANGED',
      `Run ${runId}: ${file} changed since the run started (sha256 ${actualHash.slice(0, 12)}…, recorded at start ${recordedHash.slice(0, 12)}…); the run record was edited, so it is not run from it. Start a new run instead.`,
      { retryable: false, details: { runId, file, recordedHash, actualHash } },
    );
  }
}
