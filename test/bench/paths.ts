import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the benchmarks run from anywhere). */
export function benchRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
