import type { Problem } from '../diagnostics/problem.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import type { SourceLocation } from '../loader/source-map.js';
import type { IdflowConfig, SecretRef } from './config-types.js';
import { isSecretRef, type Environment } from './secret-refs.js';
import { MIN_SECRET_CHARS, weakSecretReason } from './secret-strength.js';

/**
 * The secrets a config file references, found wherever they are, and checked once their values
 * are known (at start-up, from the environment).
 */

/** One `{ env: NAME }` of the config, with where it is. */
export interface ConfigSecretRef {
  /** JSON pointer of the reference, e.g. `/serve/sources/hr/secret`. */
  pointer: string;
  ref: SecretRef;
}

/**
 * Every secret reference the config holds: under `connections:`, `secrets:`, `serve:` (the
 * monitoring token and each source's webhook secret) and `event_sources:`, at any depth.
 */
export function configSecretRefs(config: Pick<IdflowConfig, 'connections' | 'secrets' | 'serve' | 'event_sources'>): ConfigSecretRef[] {
  const found: ConfigSecretRef[] = [];
  const walk = (value: unknown, pointer: string): void => {
    if (isSecretRef(value)) {
      found.push({ pointer, ref: value });
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, childPointer(pointer, index)));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walk(item, childPointer(pointer, key));
  };
  walk(config.connections, '/connections');
  walk(config.secrets, '/secrets');
  walk(config.serve, '/serve');
  walk(config.event_sources, '/event_sources');
  return found;
}

/**
 * The config's secrets that are set in the environment but too weak to use (see
 * {@link weakSecretReason}), as problems at their `{ env: NAME }` in the config file. Secrets
 * whose variable is unset or empty are not problems here: each is reported where it is needed.
 */
export function weakConfigSecrets(
  config: Pick<IdflowConfig, 'connections' | 'secrets' | 'serve' | 'event_sources'>,
  env: Environment,
  where: { file: string; locate?: ((pointer: string) => SourceLocation | undefined) | undefined },
): Problem[] {
  const problems: Problem[] = [];
  for (const { pointer, ref } of configSecretRefs(config)) {
    const value = env[ref.env];
    if (value === undefined) continue;
    const reason = weakSecretReason(value);
    if (reason === undefined) continue;
    const place = where.locate?.(pointer);
    problems.push({
      file: where.file, line: place?.line ?? 0, column: place?.column ?? 0, ...(place === undefined ? {} : { length: place.length }),
      path: pointer, code: 'weak-secret', severity: 'error',
      message: `the secret at ${pointer.slice(1).replaceAll('/', '.')} reads the environment variable ${ref.env}, whose value ${reason}`,
      suggestion: `Set ${ref.env} to a generated value of at least ${MIN_SECRET_CHARS} characters, e.g. $(openssl rand -hex 24)`,
    });
  }
  return problems;
}
