#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs the TypeScript benchmarks in test/bench/ against
// the built engine in dist/. See loader-hooks.mjs for how, and BENCHMARKS.md for the results.
import { register } from 'node:module';

register('./loader-hooks.mjs', import.meta.url);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
