import type { Issue } from '../loader/issue.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import { isRecord } from '../loader/workflow-data.js';

/** Key names that hold secrets: password, secret, token, api key, private key, credential. */
const SECRET_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)/i;
/**
 * …unless the key names something about the secret rather than the secret itself. A `_hash` is
 * one-way (the console's `password_hash`) and belongs in the file; its format is checked where it is read.
 */
const NOT_THE_SECRET = /[_-](url|uri|file|path|name|env|header|type|id|endpoint|expiry|ttl|hash)$/i;

/** True when a key looks like it holds a secret (`api_key`, `smtp_password`, `access_token`). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_THE_SECRET.test(key);
}

/**
 * Finds secrets written into the config file as plain text: any string under a secret-looking
 * key (see {@link isSecretKey}), at any depth of `connections`, `vars`, `serve` and
 * `event_sources`. A config file is shared, committed and backed up; secrets belong in the
 * environment, referenced as `{ env: NAME }`.
 */
export function literalSecrets(data: unknown): Issue[] {
  if (!isRecord(data)) return [];
  const issues: Issue[] = [];
  const walk = (value: unknown, pointer: string, section: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, childPointer(pointer, index), section));
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      const at = childPointer(pointer, key);
      if (typeof item === 'string' && item !== '' && isSecretKey(key)) {
        const name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
        issues.push({
          pointer: at, code: 'literal-secret',
          message: `"${key}" looks like a secret written into the config file; secrets must not be stored in files`,
          suggestion: section === 'vars'
            ? `Move it under secrets: as ${key}: { env: ${name} } and set the environment variable ${name}`
            : `Write ${key}: { env: ${name} } and set the environment variable ${name}`,
        });
      } else walk(item, at, section);
    }
  };
  for (const section of ['connections', 'vars', 'serve', 'event_sources']) walk(data[section], `/${section}`, section);
  return issues;
}
