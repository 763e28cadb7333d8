/**
 * The fewest characters a secret must have (not counting surrounding white space).
 *
 * @remarks
 * Secrets are redacted by value from everything idflow writes. A short value occurs by chance in
 * ordinary text: redacting it would blank unrelated words, and the redactor skips values under
 * four characters, so such a secret would be written in clear. A short secret is also weak: an
 * HMAC key or API token of a few characters can be guessed. Sixteen characters is the least a
 * generated token has (e.g. `openssl rand -hex 8`).
 */
export const MIN_SECRET_CHARS = 16;

/**
 * Why `value` cannot be a secret, in words (never quoting it), or undefined when it can. An empty
 * value is left to the callers, which treat it as not set.
 */
export function weakSecretReason(value: string): string | undefined {
  if (value === '') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return 'is only white space';
  if (trimmed.length < MIN_SECRET_CHARS) {
    return `is ${trimmed.length} character${trimmed.length === 1 ? '' : 's'} long; a secret needs at least ${MIN_SECRET_CHARS} (a short secret is easy to guess and cannot be redacted safely from logs and records)`;
  }
  return undefined;
}
