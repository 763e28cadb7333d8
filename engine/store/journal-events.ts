import type { Change } from '../plugin-api/action.js';
import type { SerializedError } from '../errors/idflow-error.js';
import type { PinnedHashes } from './pinned-record.js';

/**
 * The events of a run's journal (`journal.jsonl`, one JSON object per line, appended and
 * written through after every event). The journal is the source of truth for `resume`,
 * `runs show` and the returned data; `run.json` is a summary derived from it.
 *
 * `item` is the foreach index for events about one item of a foreach step.
 */
export type JournalEvent =
  | {
      type: 'run.started';
      at: string;
      runId: string;
      workflowId: string;
      session: number;
      pid: number;
      /** The organisation variables the run started with (a resume uses these, not today's config). */
      vars?: Record<string, unknown>;
      /** The triggering event's payload. */
      event?: Record<string, unknown>;
    }
  | { type: 'run.resumed'; at: string; session: number; pid: number; templateChanged: boolean }
  | { type: 'run.skipped'; at: string; reason: string }
  | { type: 'subject.claimed'; at: string; subject: string }
  | { type: 'step.started'; at: string; step: string; item?: number; attempt: number; phase: StepPhase }
  | { type: 'step.attempt_failed'; at: string; step: string; item?: number; attempt: number; error: SerializedError; retryInMs: number }
  | { type: 'step.change'; at: string; step: string; item?: number; change: Change }
  | {
      type: 'step.finished';
      at: string;
      step: string;
      item?: number;
      phase: StepPhase;
      status: 'succeeded' | 'failed' | 'skipped';
      changed?: boolean;
      output?: unknown;
      summary?: string;
      error?: SerializedError;
      attempts: number;
      durationMs: number;
      /** For skipped steps: why (e.g. "if: false"). */
      reason?: string;
      /** The step ended the run early, as done, for this reason (its action's `endRun`). */
      endRun?: string;
      /** For foreach steps: per-item outcome counts. */
      items?: { total: number; succeeded: number; failed: number };
    }
  | { type: 'child.started'; at: string; step: string; childRunId: string; workflowId: string }
  | { type: 'timer.scheduled'; at: string; step: string; timerId: string; dueAt: string; action: string; key: string }
  | { type: 'run.interrupted'; at: string; reason: string }
  /** The run stopped at a step boundary because someone asked (see `cancel-request.ts`); resumable. */
  | { type: 'run.cancelled'; at: string; by: string; reason?: string; requestedAt: string }
  | { type: 'run.finished'; at: string; status: 'succeeded' | 'failed'; output?: unknown; error?: SerializedError; failedStep?: string };

/** `steps` is the main list; `on_failure` the recovery list. */
export type StepPhase = 'steps' | 'on_failure';

/** Where a run is, as `idflow runs` shows it. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'cancelled' | 'skipped';

/** Every {@link RunStatus}, for filters and help texts. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'interrupted', 'cancelled', 'skipped'];

/** The summary of a run, kept in `run.json` (rewritten atomically as the run progresses). */
export interface RunMeta {
  id: string;
  workflow: { id: string; name: string; version?: string };
  /** The template file as given (absolute). */
  templatePath: string;
  /** sha256 of the pinned template text, hex. */
  templateHash: string;
  /**
   * sha256 (hex) of the pinned files' exact bytes as the store wrote them (`template.yaml`,
   * `inputs.json`), checked whenever they are read back (absent in records of older versions).
   */
  pinned?: PinnedHashes;
  subject?: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  initiatedBy: string;
  reason?: string;
  trigger: { type: 'manual' | 'event' | 'schedule' | 'workflow' | 'timer' | 'bulk'; event?: string; eventId?: string; source?: string };
  parentRunId?: string;
  childRunIds: string[];
  /** The process currently (or last) executing the run, to tell "running" from "killed". */
  pid: number;
  hostname: string;
  sandbox: boolean;
  /** With `sandbox`: the organisation file the sandbox started from (a resume uses it again). */
  sandboxData?: string;
  /** The step that failed the run, if it failed. */
  failedStep?: string;
  /** One-line error of a failed run. */
  error?: string;
}
