/**
 * Escapes every regular-expression metacharacter, so that a value (an email with `.` and `+`)
 * matches only itself inside a JumpCloud `$regex` search.
 */
export function escapeRegex(value: string): string {
  // Only the characters that are special outside a character class: escaping others (`-`, `/`)
  // is an error in some regex dialects (JavaScript's `u` mode), and they are common in emails.
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * The case-insensitive exact-match expression JumpCloud's own PowerShell module sends to
 * `POST /api/search/systemusers` (`Get-JCUser`): `{"$regex": "(?i)(^<escaped>$)"}`.
 */
export function caseInsensitiveExact(value: string): { $regex: string } {
  return { $regex: `(?i)(^${escapeRegex(value)}$)` };
}
