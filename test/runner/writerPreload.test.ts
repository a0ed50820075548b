/**
 * The preload the runner gives traced programs (`dist/writerPreload.cjs`, `node --require`): it starts the trace's
 * writer thread before Node loads the program's bundle, on the program's own thread only (Node preloads `--require`
 * modules into worker threads too), and the runtime's tracing takes that writer rather than starting another.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const PRELOAD = path.join(ROOT, 'dist', 'writerPreload.cjs');
const CLI = path.join(ROOT, 'dist', 'cli.js');

describe('runner: the writer thread started early', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-preload-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts a writer on the program thread only, for the descriptor in COROUTINE_TRACE_FD', () => {
    // A worker started by the program inherits the preload: it must not start a writer of its own.
    const code = `
      const key = Symbol.for('coroutine-trace.writer');
      const w = globalThis[key];
      const { Worker } = require('worker_threads');
      const inner = new Worker("require('worker_threads').parentPort.postMessage(globalThis[Symbol.for('coroutine-trace.writer')] !== undefined)", { eval: true });
      inner.once('message', (inWorker) => {
        console.log(JSON.stringify({ main: w !== undefined && w.worker !== null, fd: w && w.fd, inWorker }));
        process.exit(0);
      });`;
    const out = fs.openSync(path.join(dir, 'events.bin'), 'w');
    try {
      const r = spawnSync(process.execPath, ['--require', PRELOAD, '-e', code], {
        env: { ...process.env, COROUTINE_TRACE_FD: '3' },
        stdio: ['ignore', 'pipe', 'pipe', out],
        encoding: 'utf8',
      });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { main: true, fd: 3, inWorker: false });
    } finally {
      fs.closeSync(out);
    }
  });

  it('does nothing in a program that is not traced', () => {
    const r = spawnSync(process.execPath, ['--require', PRELOAD, '-e', "console.log(globalThis[Symbol.for('coroutine-trace.writer')] === undefined)"], {
      env: { ...process.env, COROUTINE_TRACE_FD: '' },
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout.trim(), 'true');
  });

  it('a traced run preloads it, its tracing takes the early writer, and the trace is whole', () => {
    const program = path.join(dir, 'early.ts');
    fs.writeFileSync(
      program,
      `import * as asyncio from 'coroutine-trace';
const left = (globalThis as Record<symbol, unknown>)[Symbol.for('coroutine-trace.writer')] !== undefined;
console.log(JSON.stringify({ preloaded: process.execArgv.some((a) => a.endsWith('writerPreload.cjs')), left }));
const worker = asyncio.coroutine(async function worker(i: number) {
  for (let k = 0; k < 1000; k++) await asyncio.sleep(0);
  return i;
});
asyncio.run(asyncio.coroutine(async function main() {
  await asyncio.gather(...Array.from({ length: 20 }, (_, i) => worker(i)));
})());
`,
    );
    const trace = path.join(dir, 'early.cotrace');
    const r = spawnSync(process.execPath, [CLI, 'run', program, '--quiet', '--out', trace], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout.trim().split('\n')[0]), { preloaded: true, left: false });
    const lines = fs.readFileSync(trace, 'utf8').trimEnd().split('\n');
    const events = lines.slice(1).map((l) => JSON.parse(l));
    const finished = events[events.length - 1];
    assert.strictEqual(finished.type, 'run.finished');
    assert.strictEqual(finished.droppedEvents, 0);
    // 20 workers of 1000 yields each: a suspension and a resumption per yield, all there.
    assert.strictEqual(events.filter((e) => e.type === 'task.suspended').length >= 20 * 1000, true);
    assert.strictEqual(events.filter((e) => e.type === 'task.done').length, 21);
  });
});
