export { IdflowError, type SerializedError } from './idflow-error.js';
export { TransientError, PermanentError, NotFoundError, ConflictError, AmbiguousError, TimeoutError, CancelledError } from './action-errors.js';
export { ValidationError, UsageError, PluginError, SubjectLockedError, RunNotFoundError, RunRecordChangedError } from './usage-errors.js';
export { classifyError, isNetworkError } from './classify.js';
