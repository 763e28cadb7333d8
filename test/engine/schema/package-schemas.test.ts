import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTrusted, createAjv } from '../../../engine/schema/ajv.js';
import { repoRoot } from '../../support/cli.js';

/**
 * The package's own schemas are compiled without the meta-schema check at run time (a start-up
 * optimisation, see compileTrusted); this is where they get it.
 */
describe('the schemas in schemas/', () => {
  const files = [
    ...readdirSync(join(repoRoot, 'schemas')).filter((name) => name.endsWith('.json')),
    ...readdirSync(join(repoRoot, 'schemas', 'language')).filter((name) => name.endsWith('.json')).map((name) => `language/${name}`),
  ];

  it('exist: the language schema the loader uses, the editor schema generated from it, the config schema', () => {
    expect(files).toEqual(expect.arrayContaining(['language/workflow.schema.json', 'workflow.schema.json', 'config.schema.json']));
  });

  it.each(files)('%s is a valid JSON Schema and compiles in strict mode', (name) => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8')) as object;
    const ajv = createAjv();
    ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    // The editor schema's descriptions of the action ids, for completion (vscode-json-languageservice's keywords).
    ajv.addKeyword({ keyword: 'enumDescriptions', schemaType: 'array' });
    ajv.addKeyword({ keyword: 'markdownEnumDescriptions', schemaType: 'array' });
    expect(ajv.validateSchema(schema), ajv.errorsText(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});

describe('compileTrusted', () => {
  it('compiles without the meta-schema check, still in strict mode, and leaves the instance checking afterwards', () => {
    const ajv = createAjv();
    const validate = compileTrusted(ajv, { type: 'object', properties: { n: { type: 'integer' } } });
    expect(validate({ n: 1 })).toBe(true);
    expect(validate({ n: 'x' })).toBe(false);
    // Strict mode still refuses unknown keywords.
    expect(() => compileTrusted(ajv, { type: 'object', frobnicate: true })).toThrow(/unknown keyword/);
    // The meta-schema check is back for ordinary compiles.
    expect(() => ajv.compile({ type: 'object', properties: { n: { type: 12 } } })).toThrow(/schema is invalid/);
  });
});
