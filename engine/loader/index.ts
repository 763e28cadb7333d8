/**
 * The workflow loader: YAML with positions, the language schema, semantic checks, and the
 * normalised {@link Workflow}. Entry points: {@link loadWorkflowFile} and {@link loadWorkflowSource}.
 */
export { loadWorkflowFile, loadWorkflowSource, sha256, WORKFLOW_SCHEMA, type LoadOptions, type LoadResult } from './load-workflow.js';
export { parseYaml, type ParsedYaml, type ParseYamlOptions } from './parse-yaml.js';
export { SourceMap, type SourceLocation } from './source-map.js';
export type { Issue } from './issue.js';
export { parseDuration } from './duration.js';
export { normaliseWorkflow, resolvePluginPath } from './normalise.js';
export { createTemplatePluginLoader, type TemplatePluginLoader, type TemplatePlugins } from './template-plugins.js';
export { MAX_ALIAS_COUNT, MAX_SOURCE_BYTES, FORBIDDEN_KEYS } from './limits.js';
export { packageRoot } from './package-files.js';
