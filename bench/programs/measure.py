"""Shared by the benchmark programs: times a run and prints `elapsed_ms=... cpu_ms=...` for bench/bench.js to read.

With BENCH_WARMUP=N in the environment, the run is done N times first and only the next one is measured (the same as
measure.ts does for the runtime, whose JIT compiler needs it; CPython has none, so its times barely change).
"""
import os
import time


def measure(body):
    for _ in range(int(os.environ.get("BENCH_WARMUP", "0") or 0)):
        body()
    cpu0 = time.thread_time()
    t0 = time.perf_counter()
    body()
    elapsed = time.perf_counter() - t0
    print(f"elapsed_ms={elapsed * 1000:.1f} cpu_ms={(time.thread_time() - cpu0) * 1000:.1f}")
