/**
 * Where to send the browser after signing in: only a path on this server. Anything that could
 * leave it (`https://evil.example`, `//evil.example`, `/\evil.example`, `javascript:`), control
 * characters, and the sign-in pages themselves (a loop) give `/`.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next === '' || next.length > 2048) return '/';
  // Browsers read "\" as "/" and drop tabs and newlines: "/\evil" and "/\t/evil" are other hosts.
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  const base = 'http://idflow.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  if (url.pathname === '/sign-in' || url.pathname === '/sign-out' || url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
