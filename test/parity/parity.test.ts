/**
 * CPython parity: each `cases/<name>.py` is an asyncio program and `cases/<name>.ts` the same program written
 * against our runtime. Both print what happens, in order; the test runs both and compares the output line by line.
 * CPython 3.11's asyncio is the oracle.
 *
 * - Python runs as `python3 <name>.py`, with the real clock.
 * - Ours runs through the real CLI (`dist/cli.js run --virtual-clock`), so it is bundled and instrumented exactly as
 *   users' programs are, and instant. One extra test runs a program with the real clock, to show that the order does
 *   not depend on the clock.
 *
 * CPython's real clock has one weakness as an oracle: when its process is descheduled for longer than the gap
 * between two timers (the cases keep them 10 ms or more apart), both fire in the same loop iteration and the order
 * can change. So every CPython program runs first, two at a time, before the heavier runs of ours; and when a case
 * does not match, CPython runs again alone, at most twice, before the case fails. The virtual clock never merges
 * timers, so our side is never re-run, except for the one case run with the real clock: that run has the same
 * weakness (there a later step's timer is due at nearly the moment of an earlier one, so the process being
 * descheduled between the two steps can decide which is first), so it runs alone after the others and, if it does
 * not match, runs again alone, at most twice, before it fails.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const CASES_DIR = path.join(ROOT, 'test/parity/cases');
const CLI = path.join(ROOT, 'dist/cli.js');
const CONCURRENCY = 2;
const PROCESS_TIMEOUT_MS = 30_000;
const PYTHON_RETRIES = 2;
/** Re-runs of ours with the real clock when its order is not CPython's (see the top comment). */
const REAL_CLOCK_RETRIES = 2;
/** The program that also runs with the real clock. */
const REAL_CLOCK_CASE = 'timers-equal-deadline';
/** `PARITY_VERBOSE=1` prints how long each phase took. */
const VERBOSE = process.env.PARITY_VERBOSE === '1';

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

interface CaseResult {
  /** Every CPython run, the first one first. */
  python: ProcessResult[];
  ours: ProcessResult;
  /** Ours with async-function coroutines. */
  oursAsync: ProcessResult;
}

/** The names of the cases: every `.py` that has a `.ts` beside it (a lone file is an error, reported by a test). */
function discoverCases(): { pairs: string[]; lone: string[] } {
  const files = fs.readdirSync(CASES_DIR);
  const py = new Set(files.filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3)));
  const ts = new Set(files.filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)));
  const pairs = [...py].filter((n) => ts.has(n)).sort();
  const lone = [...py, ...ts].filter((n) => !(py.has(n) && ts.has(n))).sort();
  return { pairs, lone };
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: PROCESS_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (error) => resolve({ code: null, signal: null, stdout, stderr, error }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function runPython(name: string): Promise<ProcessResult> {
  return runProcess('python3', [path.join(CASES_DIR, `${name}.py`)]);
}

/**
 * `async`: the program's `coroutine(async ...)` bodies stay async functions (`COROUTINE_TRACE_ASYNC_COROUTINES=1`)
 * instead of running as generators, so both ways the runtime drives a task are held to CPython's order.
 */
function runOurs(name: string, clock: 'virtual' | 'real', outDir: string, mode: 'generator' | 'async' = 'generator'): Promise<ProcessResult> {
  const out = path.join(outDir, `${name}.${clock}.${mode}.cotrace`);
  const args = [CLI, 'run', path.join(CASES_DIR, `${name}.ts`), '--quiet', '--out', out];
  if (clock === 'virtual') args.splice(3, 0, '--virtual-clock');
  return runProcess(process.execPath, args, mode === 'async' ? { COROUTINE_TRACE_ASYNC_COROUTINES: '1' } : {});
}

/** Runs the jobs, at most `limit` at a time, and resolves with their results in job order. */
async function pool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
  return results;
}

function lines(text: string): string[] {
  const out = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function describeRun(label: string, r: ProcessResult): string {
  const how = r.error ? `failed to start: ${r.error.message}` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
  return `${label}: ${how}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;
}

function assertRanCleanly(label: string, r: ProcessResult): void {
  assert.ok(!r.error && r.code === 0, describeRun(label, r));
}

/**
 * The comparison every case makes: both programs ran to completion, CPython printed something worth comparing, and
 * our output equals CPython's line by line (a deep-equality failure shows the diff).
 */
function assertSameOutput(name: string, python: ProcessResult, ours: ProcessResult, oursLabel: string): void {
  assertRanCleanly(`python3 ${name}.py`, python);
  assertRanCleanly(oursLabel, ours);
  const expected = lines(python.stdout);
  assert.ok(new Set(expected).size >= 3, `${name}.py prints too little to check an order:\n${python.stdout}`);
  assert.deepStrictEqual(lines(ours.stdout), expected, `${oursLabel} printed lines in a different order than CPython`);
}

/** The CPython run that agrees with ours, or the first one when none does (that is the one the failure shows). */
function pythonToCompare(r: CaseResult): ProcessResult {
  return r.python.find((p) => p.code === 0 && p.stdout === r.ours.stdout) ?? r.python[0];
}

const { pairs, lone } = discoverCases();

describe('CPython parity', function () {
  this.timeout(120_000);
  const results = new Map<string, CaseResult>();
  let realClock: ProcessResult | null = null;
  let outDir = '';

  before(async function () {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-parity-'));
    const t0 = Date.now();
    // CPython first, while nothing heavy runs beside it (see the top comment), then ours.
    const python = await pool(CONCURRENCY, pairs.map((name) => () => runPython(name)));
    const t1 = Date.now();
    const ours = await pool(CONCURRENCY, [
      ...pairs.map((name) => () => runOurs(name, 'virtual', outDir)),
      ...pairs.map((name) => () => runOurs(name, 'virtual', outDir, 'async')),
    ]);
    const t2 = Date.now();
    pairs.forEach((name, i) =>
      results.set(name, { python: [python[i]], ours: ours[i], oursAsync: ours[pairs.length + i] }),
    );
    // A case that does not match gets CPython re-run alone, to rule out a timer merge caused by load.
    for (const [name, r] of results) {
      const matches = (p: ProcessResult): boolean =>
        p.code === 0 && p.stdout === r.ours.stdout && p.stdout === r.oursAsync.stdout;
      while (r.python.length <= PYTHON_RETRIES && !r.python.some(matches)) {
        r.python.push(await runPython(name));
      }
      if (r.python.length > 1) {
        const matched = r.python.findIndex((p) => p.code === 0 && p.stdout === r.ours.stdout);
        console.log(`      note: ${name}: CPython ran ${r.python.length} times` + (matched > 0 ? `, run ${matched + 1} matched` : ''));
      }
    }
    // Ours with the real clock: alone, and again (alone) if its order is not CPython's, as CPython's own re-runs.
    const real = results.get(REAL_CLOCK_CASE)!;
    const sameAsPython = (run: ProcessResult): boolean => real.python.some((p) => p.code === 0 && p.stdout === run.stdout);
    let realRuns = 0;
    do {
      realClock = await runOurs(REAL_CLOCK_CASE, 'real', outDir);
      realRuns++;
    } while (realRuns <= REAL_CLOCK_RETRIES && !sameAsPython(realClock));
    if (realRuns > 1) console.log(`      note: ${REAL_CLOCK_CASE} with the real clock ran ${realRuns} times`);
    if (VERBOSE) {
      console.log(`      CPython ${t1 - t0} ms, ours ${t2 - t1} ms, re-runs ${Date.now() - t2} ms (${pairs.length} cases)`);
    }
  });

  after(function () {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('every case has both a .py and a .ts program', function () {
    assert.deepStrictEqual(lone, [], 'cases without their counterpart');
    assert.ok(pairs.length > 0, `no cases found in ${CASES_DIR}`);
  });

  for (const name of pairs) {
    it(name, function () {
      const r = results.get(name);
      assert.ok(r, `${name} did not run`);
      assertSameOutput(name, pythonToCompare(r), r.ours, `${name}.ts (virtual clock)`);
      assertSameOutput(name, pythonToCompare(r), r.oursAsync, `${name}.ts (virtual clock, async-function coroutines)`);
    });
  }

  it(`${REAL_CLOCK_CASE} with the real clock prints the same order`, function () {
    const r = results.get(REAL_CLOCK_CASE);
    assert.ok(r && realClock, `${REAL_CLOCK_CASE} did not run`);
    const python = r.python.find((p) => p.code === 0 && p.stdout === realClock!.stdout) ?? r.python[0];
    assertSameOutput(REAL_CLOCK_CASE, python, realClock, `${REAL_CLOCK_CASE}.ts (real clock)`);
  });

  it('the comparison fails when two lines are swapped', function () {
    // Guards the guard: a wrong order must fail a case.
    const python: ProcessResult = { code: 0, signal: null, stdout: 'a\nb\nc\n', stderr: '' };
    const swapped: ProcessResult = { code: 0, signal: null, stdout: 'a\nc\nb\n', stderr: '' };
    assert.throws(() => assertSameOutput('self-check', python, swapped, 'swapped'), assert.AssertionError);
    assert.doesNotThrow(() => assertSameOutput('self-check', python, { ...python }, 'same'));
  });
});
