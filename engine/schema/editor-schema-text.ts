import { readPackageSchema } from '../loader/package-files.js';
import { WORKFLOW_SCHEMA } from '../loader/load-workflow.js';
import { editorSchema, type EditorSchemaAction } from './editor-schema.js';

/**
 * The editor schema for these actions as `idflow schema` writes it (and as the shipped
 * `schemas/workflow.schema.json` holds it for the built-in actions): indented JSON ending in a
 * newline, built on the language schema the loader checks templates against.
 */
export function editorSchemaText(actions: readonly EditorSchemaAction[]): string {
  return `${JSON.stringify(editorSchema(readPackageSchema(WORKFLOW_SCHEMA), actions), null, 2)}\n`;
}
