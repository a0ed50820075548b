#!/usr/bin/env node
// `npm run bench`: the runtime's benchmarks, measured side by side in one run, printed as a table of ratios.
//
// W1: 100,000 tasks that each sleep(0) ten times, joined by gather.
// W2: 4 producers and 4 consumers passing 300,000 items through a Queue(100).
// For each: CPython's asyncio (the same program in Python), our runtime untraced, our runtime traced to a file.
// Each program measures itself (the time of run()/asyncio.run); the traced run also reports the whole command's
// wall time, which includes the host writing the trace, and the host process's own CPU time (bench/host-cpu.js).
// A second table gives the same runs in the program's CPU time (the targets are set on time; CPU time shows what
// the code costs when other work on this shared machine takes cores away). A third gives CPython and the untraced
// runtime after warm-up: each program runs its workload twice in the same process, then the measured run.
// Rounds are interleaved and the median is reported, since
// this machine is shared and noisy. Then the timeline webview benchmark runs, if it is built.
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const HOST_CPU = path.join(__dirname, 'host-cpu.js');
const WARM_ENV = { BENCH_WARMUP: '2' };

function hasPython() {
  return spawnSync('python3', ['--version']).status === 0;
}

/** The wall and main-thread CPU milliseconds of run() that a benchmark program printed. */
function timesOf(stdout, what) {
  const m = /elapsed_ms=([\d.]+) cpu_ms=([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`${what} printed no elapsed and CPU time:\n${stdout}`);
  return { elapsed: Number(m[1]), cpu: Number(m[2]) };
}

/** Prints rows of cells as columns padded to their widest cell, under a header and a rule. */
function printTable(header, table) {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

function timed(cmd, args, env) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, wall };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-'));
  const python = hasPython();
  // On a shared machine the figures depend on what else runs: say how busy it was.
  const loadAtStart = os.loadavg()[0];
  const rows = [];
  for (const w of ['w1', 'w2']) {
    const ts = path.join(ROOT, 'bench', 'programs', `${w}.ts`);
    const py = path.join(ROOT, 'bench', 'programs', `${w}.py`);
    const trace = path.join(tmp, `${w}.cotrace`);
    const r = {
      cpython: [],
      untraced: [],
      traced: [],
      tracedWall: [],
      hostCpu: [],
      cpu: { cpython: [], untraced: [], traced: [] },
      warm: { cpython: [], untraced: [], cpuCpython: [], cpuUntraced: [] },
      dropped: 0,
      events: 0,
    };
    for (let i = 0; i < ROUNDS; i++) {
      if (python) {
        const times = timesOf(timed('python3', [py]).stdout, `${w}.py`);
        r.cpython.push(times.elapsed);
        r.cpu.cpython.push(times.cpu);
      }
      // Untraced: the same bundle and Node flags, without the recorder (`run --no-trace`).
      const untraced = timesOf(timed(process.execPath, [CLI, 'run', ts, '--no-trace']).stdout, `${w} untraced`);
      r.untraced.push(untraced.elapsed);
      r.cpu.untraced.push(untraced.cpu);
      const traced = timed(process.execPath, ['-r', HOST_CPU, CLI, 'run', ts, '--quiet', '--out', trace]);
      const tracedTimes = timesOf(traced.stdout, `${w} traced`);
      r.traced.push(tracedTimes.elapsed);
      r.cpu.traced.push(tracedTimes.cpu);
      r.tracedWall.push(traced.wall);
      r.hostCpu.push(Number(/host_cpu_ms=(\d+)/.exec(traced.stderr)?.[1] ?? NaN));
      const lines = fs.readFileSync(trace, 'utf8').trimEnd().split('\n');
      const finished = JSON.parse(lines[lines.length - 1]);
      r.dropped = Math.max(r.dropped, finished.droppedEvents);
      r.events = lines.length - 1;
      // The same program run twice first in the same process: what it costs once V8 has optimised it.
      if (python) {
        const times = timesOf(timed('python3', [py], WARM_ENV).stdout, `${w}.py, warm`);
        r.warm.cpython.push(times.elapsed);
        r.warm.cpuCpython.push(times.cpu);
      }
      const warm = timesOf(timed(process.execPath, [CLI, 'run', ts, '--no-trace'], WARM_ENV).stdout, `${w} untraced, warm`);
      r.warm.untraced.push(warm.elapsed);
      r.warm.cpuUntraced.push(warm.cpu);
    }
    rows.push({ w, ...r });
  }

  const fmt = (x) => (x === undefined || Number.isNaN(x) ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(2));
  const header = ['workload', 'CPython ms', 'untraced ms', 'traced ms', 'traced wall ms', 'host CPU ms', 'host µs/event', 'CPython/untraced', 'traced/untraced', 'events', 'dropped'];
  const table = rows.map((r) => {
    const c = python ? median(r.cpython) : NaN;
    const u = median(r.untraced);
    const t = median(r.traced);
    return [
      r.w.toUpperCase(),
      fmt(c),
      fmt(u),
      fmt(t),
      fmt(median(r.tracedWall)),
      fmt(median(r.hostCpu)),
      (median(r.hostCpu) * 1000 / r.events).toFixed(2),
      `${fmt(c / u)}× (target ≥ 8)`,
      `${fmt(t / u)}× (target ≤ 1.3)`,
      String(r.events),
      String(r.dropped),
    ];
  });
  const load = `load average ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`;
  console.log(`runtime benchmarks (median of ${ROUNDS} interleaved rounds, Node ${process.version}${python ? ', ' + execFileSync('python3', ['--version']).toString().trim() : ', no python3: CPython column empty'}; ${load})`);
  printTable(header, table);

  // The same runs in CPU time of the program's main thread (where the loop runs): on a shared machine, time spent
  // waiting for a core is left out (so is the work of V8's compiler and GC threads); the host's CPU is in its own
  // column above. The best of the rounds too: other load only ever adds (caches, the sibling core's work), so the
  // least is the nearest to what each version costs on its own.
  const cpuHeader = ['workload', 'CPython CPU ms', 'untraced CPU ms', 'traced CPU ms', 'CPython/untraced (CPU)', 'traced/untraced (CPU)', 'best: CPython / untraced / traced', 'best: CPython/untraced, traced/untraced'];
  const cpuTable = rows.map((r) => {
    const c = python ? median(r.cpu.cpython) : NaN;
    const u = median(r.cpu.untraced);
    const t = median(r.cpu.traced);
    const bc = python ? Math.min(...r.cpu.cpython) : NaN;
    const bu = Math.min(...r.cpu.untraced);
    const bt = Math.min(...r.cpu.traced);
    return [
      r.w.toUpperCase(),
      fmt(c),
      fmt(u),
      fmt(t),
      `${fmt(c / u)}×`,
      `${fmt(t / u)}×`,
      `${fmt(bc)} / ${fmt(bu)} / ${fmt(bt)} ms`,
      `${fmt(bc / bu)}×, ${fmt(bt / bu)}×`,
    ];
  });
  console.log('');
  printTable(cpuHeader, cpuTable);

  // After warm-up: each program runs its workload twice, then the measured run (BENCH_WARMUP, bench/programs/measure.*).
  const warmHeader = ['after 2 warm-up runs', 'CPython ms', 'untraced ms', 'CPython/untraced', 'CPython CPU ms', 'untraced CPU ms', 'CPython/untraced (CPU)'];
  const warmTable = rows.map((r) => {
    const c = python ? median(r.warm.cpython) : NaN;
    const u = median(r.warm.untraced);
    const cc = python ? median(r.warm.cpuCpython) : NaN;
    const cu = median(r.warm.cpuUntraced);
    return [r.w.toUpperCase(), fmt(c), fmt(u), `${fmt(c / u)}×`, fmt(cc), fmt(cu), `${fmt(cc / cu)}×`];
  });
  console.log('');
  printTable(warmHeader, warmTable);

  const webviewBench = path.join(ROOT, 'bench', 'webview-bench.js');
  if (process.env.BENCH_SKIP_WEBVIEW !== '1' && fs.existsSync(webviewBench)) {
    console.log('');
    const r = spawnSync(process.execPath, [webviewBench], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
