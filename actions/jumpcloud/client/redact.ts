/** What the API key is replaced with wherever it might otherwise show. */
export const REDACTED = '[redacted]';

/**
 * Removes every occurrence of `secret` from `text`. The client runs every string that comes
 * from outside (server messages, network error texts) through this before it reaches an error
 * or a log line, so that a server or proxy echoing the key cannot leak it.
 */
export function scrub(text: string, secret: string): string {
  if (secret.length < 2 || !text.includes(secret)) return text;
  return text.split(secret).join(REDACTED);
}
