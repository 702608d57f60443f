import { cpus, totalmem, freemem, loadavg, release } from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly freeMemoryBytes: number;
  readonly loadAverage: readonly number[];
  readonly node: string;
  readonly kernel: string;
  readonly date: string;
}

/** What the figures depend on: they mean little without it. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
  };
}
