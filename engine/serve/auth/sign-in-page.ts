import type { FastifyReply } from 'fastify';
import { escapeHtml } from './html-text.js';

/** What the sign-in page shows. */
export interface SignInPageContent {
  /** The pre-session CSRF token for the form; undefined when password sign-in is off. */
  csrf: string | undefined;
  /** Where to go after signing in (already made safe). */
  next: string;
  /** An error to announce (wrong password, too many tries, sign-in not configured). */
  error?: string;
  /** The name typed last, to spare typing it again. */
  name?: string;
  /** Whether local users exist (the password form is shown). */
  passwords: boolean;
  /** The single sign-on provider's name, when one is configured. */
  oidc?: string;
}

/**
 * The sign-in page: a small accessible form (labels, autocomplete hints, the error announced
 * with role=alert), nothing loaded from another host, every value escaped. The console styles
 * its own pages; this one carries only a few inline rules so that it is usable on its own.
 */
export function signInPage(content: SignInPageContent): string {
  const next = escapeHtml(content.next);
  const error = content.error === undefined ? '' : `<p class="error" role="alert" id="sign-in-error">${escapeHtml(content.error)}</p>`;
  const described = content.error === undefined ? '' : ' aria-describedby="sign-in-error"';
  const form = !content.passwords || content.csrf === undefined ? '' : `
<form method="post" action="/sign-in"${described}>
  <input type="hidden" name="_csrf" value="${escapeHtml(content.csrf)}">
  <input type="hidden" name="next" value="${next}">
  <p><label for="name">Name</label><br><input id="name" name="name" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escapeHtml(content.name ?? '')}"${content.name === undefined ? ' autofocus' : ''}></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${content.name === undefined ? '' : ' autofocus'}></p>
  <p><button type="submit">Sign in</button></p>
</form>`;
  const sso = content.oidc === undefined ? '' : `
<p><a class="sso" href="/auth/oidc/start?next=${escapeHtml(encodeURIComponent(content.next))}">Sign in with ${escapeHtml(content.oidc)}</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · idflow</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
input, button, .sso { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; }
button, .sso { display: block; text-align: center; cursor: pointer; }
.error { color: #a00000; font-weight: bold; }
:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>Sign in to idflow</h1>
${error}${form}${sso}
</main>
</body>
</html>
`;
}

/**
 * Sends an HTML page of the sign-in flow: never cached, never framed (no clickjacking of the
 * form), and allowed to load nothing but its own inline styles.
 */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .send(html);
}

/** A page of the sign-in flow that says one thing (no role, a refused callback) with a way back. */
export function messagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · idflow</title>
<style>body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p><a href="/sign-in">Back to sign-in</a></p>
</main>
</body>
</html>
`;
}
