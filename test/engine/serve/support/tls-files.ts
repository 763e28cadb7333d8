import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The openssl CLI the TLS tests make throwaway certificates with. */
export const OPENSSL = '/usr/bin/openssl';
/** Why the TLS tests are skipped, or undefined when they can run. */
export const NO_OPENSSL = existsSync(OPENSSL) ? undefined : `${OPENSSL} is missing: cannot make a throwaway certificate`;

/**
 * Writes a throwaway self-signed certificate for 127.0.0.1 / localhost and its key (PEM) into
 * `dir`, and a second key that does not belong to it.
 */
export function throwawayCertificate(dir: string = mkdtempSync(join(tmpdir(), 'idflow-tls-'))): { dir: string; cert: string; key: string; otherKey: string } {
  const cert = join(dir, 'serve.crt');
  const key = join(dir, 'serve.key');
  const otherKey = join(dir, 'other.key');
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  execFileSync(OPENSSL, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey], { stdio: 'ignore' });
  return { dir, cert, key, otherKey };
}
