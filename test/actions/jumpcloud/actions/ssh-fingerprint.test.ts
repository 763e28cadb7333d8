import { describe, expect, it } from 'vitest';
import { sshFingerprint, sshKeyType } from '../../../../actions/jumpcloud/actions/ssh-fingerprint.js';

// Expected values printed by `ssh-keygen -lf` for these keys.
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDte2K1qQI9CAVJU3UsRYIAokDjUHDETMuPAC+YPiENw john.smith@JSMITH-MBP';
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDRSVdc6AK8a+R1OpSIvls6Z3coSILYaxw9fErDcYfUBIVoDBuwMgsNrGOhaoAGjw/MU+LoszdW1EGq8b06/HqjePLCKLlvOOpR5YxSFLqpNS3lkkvcpxlThAkl3BPv12Bfwq7doKYhFnwM8MMOSNsYHM302nR+CuA/ozntfKuNmw== root@vm';

describe('sshFingerprint', () => {
  it('gives the fingerprint ssh-keygen prints', () => {
    expect(sshFingerprint(ED25519)).toBe('SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys');
    expect(sshFingerprint(RSA)).toBe('SHA256:MCjxymOh3GFGkaZkEyHM9Qh9OaHkMIu8UOotH5EZ5vo');
    expect(sshKeyType(RSA)).toBe('ssh-rsa');
  });

  it('reads a key after authorized_keys options and without a comment', () => {
    expect(sshFingerprint(`no-pty,from="10.0.0.1" ${ED25519.split(' ').slice(0, 2).join(' ')}`)).toBe('SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys');
  });

  it('is null for text that is not a public key, or whose blob names another algorithm', () => {
    expect(sshFingerprint(undefined)).toBeNull();
    expect(sshFingerprint('')).toBeNull();
    expect(sshFingerprint('not a key')).toBeNull();
    expect(sshFingerprint(`ssh-rsa ${ED25519.split(' ')[1]}`)).toBeNull();
  });
});
