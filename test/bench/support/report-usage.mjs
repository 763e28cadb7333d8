// Preloaded (`node --import`) into processes the benchmarks start: when the process exits, it
// writes its CPU time and peak memory to the file named by IDFLOW_BENCH_USAGE_FILE, so that a
// benchmark can report them for a whole `idflow` process without changing idflow itself.
import { writeFileSync } from 'node:fs';

const file = process.env.IDFLOW_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  });
}
