/**
 * Workflows as a set: the templates of a folder (what `idflow serve` serves), whether each is
 * enabled, and the summaries `idflow workflows list` and `GET /workflows` show.
 */
export { WorkflowStateStore, disabledWorkflowWarning, type WorkflowState } from './workflow-state.js';
export { loadWorkflowFolder, scheduleProblems, type WorkflowFolder, type TemplateLoader } from './workflow-folder.js';
export { summariseWorkflows, latestRunsByWorkflow, type WorkflowSummary, type TriggerSummary } from './workflow-summary.js';
