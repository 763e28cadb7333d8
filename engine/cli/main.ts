#!/usr/bin/env node
/**
 * The `idflow` command. Each command lives in `commands/<name>.ts` and exports
 * `register(program)`; list it here. Keep this file and the command modules free of heavy
 * imports (they load inside the handlers) so that start-up stays fast.
 */
import type { Command } from 'commander';
import { commandsToRegister, createProgram, runProgram } from './program.js';

/** A command module: it registers its command (options, help) on the program. */
type CommandModule = { register(program: Command): void };

/** Every command, in the order `idflow --help` lists them. */
const commands: ReadonlyArray<readonly [name: string, load: () => Promise<CommandModule>]> = [
  ['validate', () => import('./commands/validate.js')],
  ['run', () => import('./commands/run.js')],
  ['plan', () => import('./commands/plan.js')],
  ['test', () => import('./commands/test.js')],
  ['resume', () => import('./commands/resume.js')],
  ['runs', () => import('./commands/runs.js')],
  ['audit', () => import('./commands/audit.js')],
  ['serve', () => import('./commands/serve.js')],
  ['workflows', () => import('./commands/workflows.js')],
  ['timers', () => import('./commands/timers.js')],
  ['actions', () => import('./commands/actions.js')],
  ['schema', () => import('./commands/schema.js')],
  ['new', () => import('./commands/new.js')],
  ['sandbox', () => import('./commands/sandbox.js')],
];

const program = createProgram();
// Only the command being run is registered (see commandsToRegister); help and errors get them all.
const wanted = commandsToRegister(process.argv, commands.map(([name]) => name));
const modules = await Promise.all(commands.filter(([name]) => wanted.includes(name)).map(([, load]) => load()));
for (const module of modules) module.register(program);
await runProgram(program, process.argv);
