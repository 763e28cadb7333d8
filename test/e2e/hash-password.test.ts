import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../engine/serve/auth/password-hash.js';
import { idflow, repoRoot } from '../support/cli.js';

describe('idflow serve hash-password', () => {
  it('reads the password from stdin and prints only its hash, which verifies', async () => {
    const result = await idflow(['serve', 'hash-password'], { cwd: repoRoot, input: 'correct horse battery staple\n' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}\n$/);
    const hash = result.stdout.trim();
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery staple\n', hash)).toBe(false);
  });

  it('refuses a short or empty password, and one on the command line, printing nothing on stdout', async () => {
    const short = await idflow(['serve', 'hash-password'], { cwd: repoRoot, input: 'hunter2\n' });
    expect([short.code, short.stdout, short.stderr]).toEqual([2, '', 'idflow: error: The password is 7 characters long; a console password needs at least 12\n']);
    const empty = await idflow(['serve', 'hash-password'], { cwd: repoRoot, input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No password given: type it at the prompt, or pipe it on stdin');
    const argv = await idflow(['serve', 'hash-password', 'correct horse battery staple'], { cwd: repoRoot, input: '' });
    expect(argv.code).toBe(2);
    expect(argv.stdout).toBe('');
    expect(argv.stderr).toContain("too many arguments for 'hash-password'");
  });
});
