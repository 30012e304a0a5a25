/**
 * Measurement helpers for `neid bench`: every benchmark reports numbers measured in the same run, so
 * ratios (not absolute times) are what a reader compares across machines.
 */
import { performance } from 'node:perf_hooks';

export interface Sample {
  name: string;
  operations: number;
  wallMs: number;
  cpuMs: number;
  latenciesMs: number[];
}

export async function measure(name: string, operations: number, op: (i: number) => Promise<unknown> | unknown): Promise<Sample> {
  const latenciesMs: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < operations; i += 1) {
    const t0 = performance.now();
    await op(i);
    latenciesMs.push(performance.now() - t0);
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { name, operations, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, latenciesMs };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function describe(sample: Sample): string {
  const perSecond = (sample.operations / sample.wallMs) * 1000;
  return `${sample.name.padEnd(36)} ${perSecond.toFixed(0).padStart(9)} ops/s   p50 ${percentile(sample.latenciesMs, 50).toFixed(3)} ms   p99 ${percentile(sample.latenciesMs, 99).toFixed(3)} ms   cpu ${(sample.cpuMs / sample.operations * 1000).toFixed(1)} µs/op`;
}
