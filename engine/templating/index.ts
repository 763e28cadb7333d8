/**
 * Templating: Handlebars over the run data. Strings in `with:`, `output:`, `subject:`,
 * `foreach:` and trigger inputs are templates; a string that is exactly one `{{expression}}`
 * keeps the value's type. The loader calls {@link checkTemplate} on every string; the runner
 * renders through a {@link TemplateEngine}.
 */
export { createTemplateEngine, type TemplateEngine, type TemplateEngineOptions, type RenderOptions } from './template-engine.js';
export { checkTemplate } from './check-template.js';
export { isTemplate, templateReferences } from './template-references.js';
export { TemplateError, type TemplateErrorDetails } from './template-error.js';
export { HELPERS, BLOCK_HELPERS, type HelperSpec } from './helpers.js';
