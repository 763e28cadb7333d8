#!/usr/bin/env node
/**
 * The `idflow` command. Each command lives in `commands/<name>.ts` and exports
 * `register(program)`; list it here. Keep this file and the command modules free of heavy
 * imports (they load inside the handlers) so that start-up stays fast.
 */
import { createProgram, runProgram } from './program.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerActions } from './commands/actions.js';
import { register as registerNew } from './commands/new.js';
import { register as registerRuns } from './commands/runs.js';
import { register as registerAudit } from './commands/audit.js';
import { register as registerRun } from './commands/run.js';
import { register as registerPlan } from './commands/plan.js';
import { register as registerResume } from './commands/resume.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerWorkflows } from './commands/workflows.js';
import { register as registerTimers } from './commands/timers.js';
import { register as registerSandbox } from './commands/sandbox.js';

const program = createProgram();
for (const register of [registerValidate, registerRun, registerPlan, registerResume, registerRuns, registerAudit, registerServe, registerWorkflows, registerTimers, registerActions, registerNew, registerSandbox]) register(program);
await runProgram(program, process.argv);
