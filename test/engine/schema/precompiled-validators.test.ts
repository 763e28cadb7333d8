import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTrusted, type ValidateFunction } from '../../../engine/schema/ajv.js';
import { generateValidators, type GenerationResult, type ShippedSchema } from '../../../engine/schema/generate-validators.js';
import { loadPrecompiled, precompiledFile, precompiledKey, PRECOMPILED_DIR } from '../../../engine/schema/precompiled-validators.js';
import { createProfileAjv, type SchemaProfile } from '../../../engine/schema/schema-profiles.js';
import { shippedSchemas } from '../../../engine/schema/shipped-schemas.js';
import { applyNodeEdits, nodeEdit } from '../../fuzz/support/mutations.js';
import { repoRoot } from '../../support/cli.js';
import { FUZZ_SEED } from '../../reliability/support/suite-settings.js';
import { schemaSample } from './support/schema-samples.js';

/**
 * The validators generated at build time must be the functions ajv compiles at run time: same
 * answer, same errors (verbose ones included: messages are built from them), same defaults
 * filled in. Generated here into a temporary folder from the schemas as they are now, and
 * compared with runtime compiles on real templates, mutated templates and data generated from
 * each action schema.
 */

const RUNS_PER_SCHEMA = 150;

let dir: string;
let schemas: ShippedSchema[];
let result: GenerationResult;

/**
 * A temporary folder from which the generated code finds ajv's runtime helpers as it does from
 * dist/ (Node looks for node_modules above the requiring file).
 */
function temporaryDir(): string {
  const parent = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'idflow-precompiled-'));
}

beforeAll(async () => {
  dir = temporaryDir();
  schemas = await shippedSchemas();
  result = generateValidators(schemas, dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A runtime compile as the registry and the loader do it: one ajv per profile. */
const runtimeAjvs = new Map<SchemaProfile, ReturnType<typeof createProfileAjv>>();
function compiledAtRunTime(profile: SchemaProfile, schema: object): ValidateFunction {
  let ajv = runtimeAjvs.get(profile);
  if (ajv === undefined) {
    ajv = createProfileAjv(profile);
    runtimeAjvs.set(profile, ajv);
  }
  return compileTrusted(ajv, schema);
}

/** Validates copies of `data` with both and expects the same outcome, errors and filled-in data. */
function expectSameOutcome(precompiled: ValidateFunction, runtime: ValidateFunction, data: unknown, what: string): boolean {
  const first = structuredClone(data);
  const second = structuredClone(data);
  const valid = precompiled(first);
  expect(runtime(second), what).toBe(valid);
  expect(precompiled.errors ?? null, what).toEqual(runtime.errors ?? null);
  expect(first, what).toEqual(second);
  return valid;
}

describe('generateValidators on the schemas that ship with idflow', () => {
  it('writes one validator per distinct schema, for every schema, and no failures', () => {
    expect(result.failures).toEqual([]);
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['schemas/language/workflow.schema.json', 'schemas/config.schema.json', 'log (params)', 'jumpcloud.user.lookup (params)']));
    expect(result.generated.flatMap((validator) => validator.names).sort()).toEqual(schemas.map((s) => s.name).sort());
    expect(readdirSync(dir).sort()).toEqual(result.generated.map((validator) => `${validator.key}.cjs`).sort());
    for (const { profile, schema, name } of schemas) expect(loadPrecompiled(profile, schema, dir), name).toBeTypeOf('function');
  });

  it('writes CommonJS that needs nothing of ajv but its small runtime helpers and the formats', () => {
    const required = new Set(result.generated.flatMap((validator) => [...readFileSync(validator.file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1])));
    for (const module of required) expect(module).toMatch(/^(ajv\/dist\/runtime\/[a-z0-9_]+|ajv-formats\/dist\/formats)$/);
  });

  it('removes the validators of an earlier build that no schema has any more, and keeps the folder\'s other files', () => {
    const stale = precompiledFile(dir, 'f'.repeat(40));
    writeFileSync(stale, 'module.exports = () => true;\n');
    writeFileSync(join(dir, 'README'), 'not a validator\n');
    const again = generateValidators(schemas, dir);
    expect(again.failures).toEqual([]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(dir, 'README'))).toBe(true);
    rmSync(join(dir, 'README'));
  });

  it('reports a schema that does not compile, writes the others, and leaves it to the runtime compile', () => {
    const other = temporaryDir();
    try {
      const broken = { type: 'object', properties: { n: { type: 'integer', frobnicate: 1 } } };
      const fine = { type: 'object', properties: { n: { type: 'integer' } } };
      const outcome = generateValidators([{ name: 'broken (params)', profile: 'params', schema: broken }, { name: 'fine (params)', profile: 'params', schema: fine }], other);
      expect(outcome.failures).toEqual([{ name: 'broken (params)', message: expect.stringContaining('frobnicate') }]);
      expect(loadPrecompiled('params', broken, other)).toBeUndefined();
      expect(loadPrecompiled('params', fine, other)?.({ n: 1 })).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('precompiledKey and loadPrecompiled', () => {
  it('never find a validator for a schema, or a profile, other than the one it was generated from', () => {
    const workflow = schemas.find((s) => s.name === 'schemas/language/workflow.schema.json') as ShippedSchema;
    expect(loadPrecompiled('package', workflow.schema, dir)).toBeTypeOf('function');
    // The same schema with one more property, or with another configuration, is compiled at run time.
    expect(loadPrecompiled('package', { ...workflow.schema, title: 'edited' }, dir)).toBeUndefined();
    expect(loadPrecompiled('output', workflow.schema, dir)).toBeUndefined();
    const params = schemas.find((s) => s.profile === 'params') as ShippedSchema;
    expect(precompiledKey('params', params.schema)).not.toBe(precompiledKey('output', params.schema));
  });

  it('find nothing in a folder that does not exist', () => {
    expect(loadPrecompiled('output', { type: 'object' }, join(dir, 'missing'))).toBeUndefined();
  });

  it('look in dist/engine/schema/compiled when built, and in a folder the sources do not have otherwise', () => {
    expect(PRECOMPILED_DIR).toBe(join(repoRoot, 'engine', 'schema', 'compiled') + '/');
    expect(existsSync(PRECOMPILED_DIR)).toBe(false);
  });
});

describe('a precompiled validator behaves as the runtime compile', () => {
  const templateFiles = [
    'templates/jumpcloud-offboarding.yaml',
    ...readdirSync(join(repoRoot, 'examples')).filter((name) => name.endsWith('.yaml') && name !== 'idflow.config.yaml').map((name) => `examples/${name}`),
    ...readdirSync(join(repoRoot, 'examples', 'serve')).filter((name) => name.endsWith('.yaml') && name !== 'idflow.config.yaml').map((name) => `examples/serve/${name}`),
    ...readdirSync(join(repoRoot, 'test', 'fixtures', 'templates')).map((name) => `test/fixtures/templates/${name}`),
  ];
  const configFiles = ['examples/idflow.config.yaml', 'examples/serve/idflow.config.yaml'];

  it.each([
    ['language/workflow.schema.json', templateFiles],
    ['config.schema.json', configFiles],
  ])('%s: on the shipped templates and configs and on mutated versions of them', (name, files) => {
    const { profile, schema } = schemas.find((s) => s.name === `schemas/${name}`) as ShippedSchema;
    const precompiled = loadPrecompiled(profile, schema, dir) as ValidateFunction;
    const runtime = compiledAtRunTime(profile, schema);
    const sources = files.map((file) => readFileSync(join(repoRoot, file), 'utf8'));
    for (const [i, source] of sources.entries()) expectSameOutcome(precompiled, runtime, parse(source) as unknown, files[i] as string);
    let invalid = 0;
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(nodeEdit, { minLength: 1, maxLength: 4 }), (index, edits) => {
        const text = applyNodeEdits(sources[index] as string, edits);
        let data: unknown;
        try {
          data = parse(text);
        } catch {
          return;
        }
        if (!expectSameOutcome(precompiled, runtime, data, `${files[index] as string} with ${JSON.stringify(edits)}`)) invalid++;
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
    // The mutations reach the errors (which is where the two could differ).
    expect(invalid).toBeGreaterThan(50);
  });

  it('for every built-in action\'s params and output schema, on data generated from the schema', () => {
    const actionSchemas = schemas.filter((s) => s.profile !== 'package');
    expect(actionSchemas.length).toBeGreaterThan(20);
    for (const { name, profile, schema } of actionSchemas) {
      const precompiled = loadPrecompiled(profile, schema, dir) as ValidateFunction;
      const runtime = compiledAtRunTime(profile, schema);
      let valid = 0;
      let invalid = 0;
      fc.assert(
        fc.property(schemaSample(schema), (data) => {
          if (expectSameOutcome(precompiled, runtime, data, `${name}: ${JSON.stringify(data)}`)) valid++;
          else invalid++;
        }),
        { seed: FUZZ_SEED, numRuns: RUNS_PER_SCHEMA },
      );
      expect(invalid, `${name}: invalid samples`).toBeGreaterThan(0);
      expect(valid + invalid).toBe(RUNS_PER_SCHEMA);
    }
  });
});
