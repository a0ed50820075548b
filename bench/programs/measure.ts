// Shared by the benchmark programs: times a run and prints `elapsed_ms=… cpu_ms=…` for bench/bench.js to read.
import * as fs from 'node:fs';

/** CPU time of this (the main) thread in ms: Linux's schedstat, in ns; elsewhere the process's user + system time. */
function threadCpuMs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

/**
 * Runs `body` and prints its wall time and the main thread's CPU time, in milliseconds. With `BENCH_WARMUP=N` in the
 * environment, runs it N times first and measures only the next run: what the program costs once V8 has compiled
 * and optimised the code it runs.
 */
export function measure(body: () => PromiseLike<unknown>): void {
  const warmup = Number(process.env.BENCH_WARMUP ?? '0') || 0;
  const measured = async (): Promise<void> => {
    for (let i = 0; i < warmup; i++) await body();
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    await body();
    const elapsed = performance.now() - t0;
    console.log(`elapsed_ms=${elapsed.toFixed(1)} cpu_ms=${(threadCpuMs() - cpu0).toFixed(1)}`);
  };
  void measured();
}
