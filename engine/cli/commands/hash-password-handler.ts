import { ExitCode, type CommandIo } from '../command-runner.js';
import { UsageError } from '../../errors/usage-errors.js';
import { promptHidden } from '../hidden-prompt.js';
import { hashPassword } from '../../serve/auth/password-hash.js';

/** The shortest password accepted for a console user. */
export const MIN_PASSWORD_CHARS = 12;

/** Longer input is not a password (and a mistake, such as piping a file). */
const MAX_PASSWORD_BYTES = 1024;

/**
 * `idflow serve hash-password`: reads a password (typed twice at a terminal without echo, or
 * read from stdin when piped; never from the command line, where other users and the shell's
 * history would see it) and prints only its hash, for `serve.console.users[].password_hash`.
 */
export async function hashPasswordCommand(io: CommandIo, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  let password: string;
  if (stdin.isTTY) {
    password = await promptHidden('Password: ', stdin, io.stderr);
    checkPassword(password);
    const again = await promptHidden('Password again: ', stdin, io.stderr);
    if (again !== password) throw new UsageError('The two passwords differ; nothing was printed');
  } else {
    password = await readPiped(stdin);
    checkPassword(password);
  }
  io.stdout.write(`${await hashPassword(password)}\n`);
  return ExitCode.ok;
}

function checkPassword(password: string): void {
  if (password === '') throw new UsageError('No password given: type it at the prompt, or pipe it on stdin (printf %s "$PASSWORD" | idflow serve hash-password)');
  const length = [...password].length;
  if (length < MIN_PASSWORD_CHARS) throw new UsageError(`The password is ${length} character${length === 1 ? '' : 's'} long; a console password needs at least ${MIN_PASSWORD_CHARS}`);
}

/** All of stdin, without one line ending at the end (what `echo` adds). */
async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_PASSWORD_BYTES) throw new UsageError(`stdin holds more than ${MAX_PASSWORD_BYTES} bytes: that is not a password`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
