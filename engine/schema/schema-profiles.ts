import { AJV_OPTIONS, createAjv, type Ajv } from './ajv.js';

/**
 * The ajv configurations idflow compiles its schemas with:
 * - `package`: the package's own schemas (`schemas/*.json`), with the `x-expected` keyword that
 *   words what a node accepts for error messages (see loader/schema-issues.ts);
 * - `params`: action parameters, with `default`s filled into the validated data;
 * - `output`: action outputs, which must not be changed by validation.
 *
 * One place for them, because a schema's precompiled validator (precompiled-validators.ts) is
 * only the same function as a runtime compile if both use the same configuration.
 */
export type SchemaProfile = 'package' | 'params' | 'output';

/** What a profile adds to {@link AJV_OPTIONS}. */
interface ProfileSettings {
  useDefaults: boolean;
  /** Keywords added with `ajv.addKeyword` (no validation code: annotations for messages). */
  keywords: ReadonlyArray<{ keyword: string; schemaType: 'string' }>;
}

const PROFILES: Readonly<Record<SchemaProfile, ProfileSettings>> = {
  package: { useDefaults: false, keywords: [{ keyword: 'x-expected', schemaType: 'string' }] },
  params: { useDefaults: true, keywords: [] },
  output: { useDefaults: false, keywords: [] },
};

/**
 * A new ajv configured for `profile`.
 * @param options.source - keep the compiled code, for `ajv/dist/standalone` (build time only).
 */
export function createProfileAjv(profile: SchemaProfile, options: { source?: boolean } = {}): Ajv {
  const settings = PROFILES[profile];
  const ajv = createAjv({ useDefaults: settings.useDefaults, ...(options.source === true ? { source: true } : {}) });
  for (const keyword of settings.keywords) ajv.addKeyword({ ...keyword });
  return ajv;
}

/**
 * Everything that decides what a profile's compiled functions do, as text: the shared ajv
 * options and the profile's own settings. Part of a precompiled validator's key.
 */
export function profileFingerprint(profile: SchemaProfile): string {
  return JSON.stringify({ profile, ajv: AJV_OPTIONS, formats: 'ajv-formats full', ...PROFILES[profile] });
}
