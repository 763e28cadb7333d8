/**
 * The files of one run's folder (`<store>/runs/<id>/`). The journal is the source of truth;
 * `run.json` is a summary rewritten atomically as the run progresses.
 */
export const RUN_FILES = {
  /** {@link RunMeta}: who, what, status, pid and host. */
  meta: 'run.json',
  /** The template text the run uses, pinned at start (resume uses it, not the file on disk). */
  template: 'template.yaml',
  /** The validated inputs (secrets redacted). */
  inputs: 'inputs.json',
  /** One {@link JournalEvent} per line. */
  journal: 'journal.jsonl',
  /** The returned data (the template's `output:`). */
  output: 'output.json',
  /** The run's log, one JSON object per line. */
  log: 'log.jsonl',
  /** A pending request to cancel the run (see `cancel-request.ts`); absent normally. */
  cancel: 'cancel.json',
} as const;
