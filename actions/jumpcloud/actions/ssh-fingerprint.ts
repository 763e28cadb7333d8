import { createHash } from 'node:crypto';

/**
 * The OpenSSH SHA256 fingerprint of a public key line (`ssh-ed25519 AAAA… comment`), as
 * `ssh-keygen -l` prints it (`SHA256:` and unpadded base64 of the SHA-256 of the key blob), or
 * null when the text is not a public key whose blob names the same algorithm.
 *
 * @remarks
 * The backup and the audit keep the fingerprint instead of the key: it identifies the key
 * (to find it in `authorized_keys` elsewhere) without copying key material.
 */
export function sshFingerprint(publicKey: string | undefined): string | null {
  const parsed = parsePublicKey(publicKey);
  return parsed === null ? null : `SHA256:${createHash('sha256').update(parsed.blob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm of a public key line (e.g. `ssh-ed25519`), or null when it is not one. */
export function sshKeyType(publicKey: string | undefined): string | null {
  return parsePublicKey(publicKey)?.type ?? null;
}

function parsePublicKey(publicKey: string | undefined): { type: string; blob: Buffer } | null {
  if (typeof publicKey !== 'string') return null;
  const fields = publicKey.trim().split(/\s+/);
  // The key may follow authorized_keys options; the algorithm is the field before the blob.
  for (let i = 0; i + 1 < fields.length; i++) {
    const type = fields[i] as string;
    const encoded = fields[i + 1] as string;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const blob = Buffer.from(encoded, 'base64');
    if (blob.length < 4) continue;
    const length = blob.readUInt32BE(0);
    if (length === 0 || 4 + length > blob.length) continue;
    if (blob.subarray(4, 4 + length).toString('latin1') === type) return { type, blob };
  }
  return null;
}
