import { describe, expect, it } from 'vitest';
import { commandsToRegister } from '../../../engine/cli/program.js';
import { idflow, repoRoot } from '../../support/cli.js';

const NAMES = ['validate', 'run', 'plan', 'test', 'resume', 'runs', 'audit', 'serve', 'workflows', 'timers', 'actions', 'schema', 'new', 'sandbox'];

describe('commandsToRegister', () => {
  const argv = (...args: string[]): string[] => ['/usr/bin/node', '/x/dist/engine/cli/main.js', ...args];

  it('registers only the command named first', () => {
    expect(commandsToRegister(argv('validate', 'a.yaml'), NAMES)).toEqual(['validate']);
    expect(commandsToRegister(argv('runs', 'show', 'r1', '--json'), NAMES)).toEqual(['runs']);
    expect(commandsToRegister(argv('run', '--help'), NAMES)).toEqual(['run']);
  });

  it('registers every command, in order, for help, the version, no command and an unknown one', () => {
    for (const args of [[], ['--help'], ['-h'], ['--version'], ['help', 'validate'], ['valdate', 'a.yaml'], ['--json', 'validate'], ['Validate']]) {
      expect(commandsToRegister(argv(...args), NAMES), args.join(' ')).toEqual(NAMES);
    }
  });
});

describe('the built CLI, registering only the command it runs', () => {
  // `idflow help COMMAND` registers every command; `idflow COMMAND --help` only that one.
  it.each(NAMES)('prints the same help for "%s --help" as "help %s"', async (name) => {
    const [alone, withAll] = await Promise.all([idflow([name, '--help'], { cwd: repoRoot }), idflow(['help', name], { cwd: repoRoot })]);
    expect(alone.code).toBe(0);
    expect(alone).toEqual(withAll);
    expect(alone.stdout).toContain(`Usage: idflow ${name}`);
  });

  it('lists every command in idflow --help', async () => {
    const { code, stdout } = await idflow(['--help'], { cwd: repoRoot });
    expect(code).toBe(0);
    const listed = stdout.split('Commands:')[1]?.split('\n').map((line) => /^ {2}([a-z]+)\b/.exec(line)?.[1]).filter((name) => name !== undefined);
    expect(listed).toEqual([...NAMES, 'help']);
  });

  it('still reports a command\'s usage errors with the command\'s own suggestions', async () => {
    const { code, stderr } = await idflow(['validate', '--jsn', 'a.yaml'], { cwd: repoRoot });
    expect(code).toBe(2);
    expect(stderr).toBe('idflow: error: unknown option \'--jsn\'\n(Did you mean --json?)\n(run "idflow --help" or "idflow <command> --help" for usage)\n');
  });
});
