import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';

/** The machine a benchmark ran on: results mean little without it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the benchmarks started. */
  loadBefore: [number, number, number];
  /** The same, when they ended. */
  loadAfter?: [number, number, number];
  /** When the benchmarks started (ISO-8601). */
  date: string;
}

/** Describes this machine now. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadBefore: [round2(one), round2(five), round2(fifteen)],
    date: new Date().toISOString(),
  };
}

/** The load averages now. */
export function currentLoad(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [round2(one), round2(five), round2(fifteen)];
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
