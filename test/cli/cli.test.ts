/**
 * The command line: bad input always gets one clear line and exit code 2, never a stack trace; the good paths
 * print what the README promises.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawn } from 'child_process';
import { buildModel } from '../../src/model/model';
import { renderSummary } from '../../src/model/summary';
import { parseTrace } from '../../src/model/traceFileReader';
import { syntheticTrace } from '../webview/fixtures';
import { CLI, ROOT, cli, lineOf, runTraced, tempDir } from '../helpers';

function assertOneLineError(r: { status: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.strictEqual(r.status, 2, `exit code ${r.status}, stderr: ${r.stderr}`);
  const errLines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.match(errLines[0], /^coroutine-trace: /);
  assert.match(errLines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('command line', function () {
  this.timeout(60_000);

  describe('bad input: one line, exit code 2', () => {
    it('missing program file', () => {
      const r = cli(['run', 'examples/seed/nope.ts']);
      assertOneLineError(r, /examples\/seed\/nope\.ts: file not found$/);
      assert.strictEqual(r.stderr.split('\n').filter(Boolean).length, 1);
    });

    it('a TypeScript syntax error, as file:line:col: message', () => {
      const file = 'test/fixtures/bad/syntax.ts';
      const r = cli(['run', file, '--out', path.join(tempDir(), 't.cotrace')]);
      assertOneLineError(r, /^coroutine-trace: test\/fixtures\/bad\/syntax\.ts:\d+:\d+: .+/);
      const [, line] = /syntax\.ts:(\d+):/.exec(r.stderr)!;
      // The reported line holds the broken code.
      const text = fs.readFileSync(file, 'utf8').split('\n')[Number(line) - 1];
      assert.ok(text.trim().length > 0, `line ${line} is empty`);
      assert.strictEqual(r.stderr.split('\n').filter(Boolean).length, 1);
    });

    it('a file that is not a trace', () => {
      assertOneLineError(cli(['summary', 'test/fixtures/traces/not-a-trace.cotrace']), /not a coroutine-trace file/);
    });

    it('a trace from a newer version', () => {
      assertOneLineError(cli(['summary', 'test/fixtures/traces/newer-version.cotrace']), /newer version/);
    });

    it('a trace with a broken line names the line', () => {
      assertOneLineError(cli(['summary', 'test/fixtures/traces/broken-line.cotrace']), /line \d+/);
    });

    it('a missing trace file, and a directory', () => {
      assertOneLineError(cli(['summary', 'no/such.cotrace']), /no\/such\.cotrace: file not found/);
      assertOneLineError(cli(['export', 'test', '-o', path.join(tempDir(), 'x.json')]), /is a directory/);
    });

    it('an empty trace file', () => {
      const empty = path.join(tempDir(), 'empty.cotrace');
      fs.writeFileSync(empty, '');
      assertOneLineError(cli(['summary', empty]), /empty/);
    });

    it('unknown command, unknown option, missing arguments', () => {
      assertOneLineError(cli(['frobnicate']), /unknown command 'frobnicate'/);
      assertOneLineError(cli(['run', 'examples/seed/06-runtime-tasks.ts', '--fast']), /unknown option --fast/);
      assertOneLineError(cli(['run']), /run needs exactly one program file/);
      assertOneLineError(cli(['export', 'test/fixtures/traces/06-runtime-tasks.cotrace']), /needs -o/);
      assertOneLineError(
        cli(['export', 'test/fixtures/traces/06-runtime-tasks.cotrace', '--format', 'svg', '-o', 'x']),
        /unknown export format 'svg'/,
      );
      assertOneLineError(cli(['summary', 'test/fixtures/traces/06-runtime-tasks.cotrace', '--width', 'x']), /--width/);
    });

    it('a truncated trace is summarised with a one-line warning', () => {
      const r = cli(['summary', 'test/fixtures/traces/06-truncated.cotrace']);
      assert.strictEqual(r.status, 0);
      assert.match(r.stderr, /^coroutine-trace: warning: .*truncated/);
      assert.match(r.stdout, /Tasks/);
    });
  });

  describe('run, summary, export', () => {
    it('run: exit code is the program\'s, the summary goes to stderr, the program\'s output passes through', () => {
      const out = path.join(tempDir(), 'trace.cotrace');
      const r = cli(['run', 'examples/seed/07-cancel-timeout.ts', '--virtual-clock', '--out', out]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(r.stdout, "[ 1, 'RangeError: division by zero', 'CancelledError' ]\n");
      assert.match(r.stderr, /4 tasks \(1 cancelled, 1 failed, 2 done\)/);
      assert.match(r.stderr, /trace written to /);
      assert.ok(fs.existsSync(out));
      const exit = cli(['run', 'test/fixtures/programs/exit-process-exit.ts', '--out', out]);
      assert.strictEqual(exit.status, 7);
    });

    it('run passes program arguments after --', () => {
      const dir = tempDir();
      const program = path.join(dir, 'args.ts');
      fs.writeFileSync(program, "console.log(JSON.stringify(process.argv.slice(2)));\n");
      const r = cli(['run', program, '--quiet', '--out', path.join(dir, 't.cotrace'), '--', 'a', '--b', 'c d']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(r.stdout, '["a","--b","c d"]\n');
    });

    it('summary: the task tree and a text swimlane chart', () => {
      const traced = runTraced('examples/seed/06-runtime-tasks.ts');
      const r = cli(['summary', traced.tracePath, '--width', '40', '--ascii']);
      assert.strictEqual(r.status, 0, r.stderr);
      const createLine = lineOf('examples/seed/06-runtime-tasks.ts', 'createTask(worker1()');
      assert.match(r.stdout, new RegExp(`worker_1\\s+done.*06-runtime-tasks\\.ts:${createLine}`));
      assert.match(r.stdout, /duration 2 s, 3 tasks: 3 done/);
      // worker_1 sleeps for the first half of the run, worker_2 for all of it.
      const lane = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(name) && l.includes('|'))!;
      const cells = (name: string) => /\|(.*)\|/.exec(lane(name))![1];
      assert.strictEqual(cells('worker_1'), '.'.repeat(20) + ' '.repeat(20));
      assert.strictEqual(cells('worker_2'), '.'.repeat(40));
    });

    it('summary reads a big trace a piece at a time, as the whole file read at once gives it', () => {
      // About 14 MB: several of the pieces the command folds at a time, with names of two- and four-byte characters
      // (some cut between two pieces).
      const trace = syntheticTrace({ tasks: 300, events: 120_000, seed: 5 });
      for (const e of trace.events) if (e.type === 'task.created') e.name = `wörker 🧵 ${e.name}`;
      const text = [trace.header, ...trace.events].map((x) => JSON.stringify(x)).join('\n') + '\n';
      assert.ok(text.length > 3 * 4 * 1024 * 1024, `${text.length} characters`);
      const file = path.join(tempDir(), 'big.cotrace');
      fs.writeFileSync(file, text);
      const r = cli(['summary', file, '--width', '60']);
      assert.strictEqual(r.status, 0, r.stderr);
      const whole = parseTrace(text);
      const expected = renderSummary(buildModel(whole.header, whole.events), { width: 60 });
      assert.strictEqual(r.stdout, expected.endsWith('\n') ? expected : `${expected}\n`);
      assert.match(r.stdout, /wörker 🧵/);
      // Cut short: the same warning as before, and the events up to the cut.
      fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
      const cut = cli(['summary', file, '--width', '60']);
      assert.strictEqual(cut.status, 0, cut.stderr);
      assert.match(cut.stderr, /truncated|ends early|no run\.finished/);
    });

    it('export: Chrome trace JSON with one track per task', () => {
      const traced = runTraced('examples/seed/06-runtime-tasks.ts');
      const out = path.join(tempDir(), 'out.json');
      const r = cli(['export', traced.tracePath, '--format', 'chrome', '-o', out]);
      assert.strictEqual(r.status, 0, r.stderr);
      const json = JSON.parse(fs.readFileSync(out, 'utf8')) as { traceEvents: { ph: string; args?: { name?: string } }[] };
      const names = json.traceEvents.filter((e) => e.ph === 'M' && e.args?.name).map((e) => e.args!.name);
      for (const n of ['main', 'worker_1', 'worker_2']) assert.ok(names.includes(n), `no track named ${n}: ${names}`);
    });

    it('--help and --version', () => {
      assert.match(cli(['--help']).stdout, /coroutine-trace run FILE\.ts/);
      assert.match(cli(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
    });
  });

  describe('a signal to the command', () => {
    // The program runs in a process group of its own: the command must pass Ctrl-C / SIGTERM on, or the program
    // outlives it (what a test's timeout, which kills only the command, used to leave behind).
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      it(`${signal} is passed on to the program, which unwinds and ends before the command exits (${code})`, async () => {
        const tracePath = path.join(tempDir(), 'trace.cotrace');
        const child = spawn(process.execPath, [CLI, 'run', 'test/fixtures/programs/exit-signal.ts', '--out', tracePath, '--quiet'], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let programPid: number | undefined;
        child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
        child.stdout.setEncoding('utf8').on('data', (t: string) => {
          stdout += t;
          const m = /ready \(pid (\d+)\)/.exec(stdout);
          if (m && programPid === undefined) {
            programPid = Number(m[1]);
            child.kill(signal);
          }
        });
        const exit = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
        try {
          assert.ok(programPid, `the program never said it was ready: ${stdout}${stderr}`);
          assert.strictEqual(exit, code, stderr);
          assert.throws(() => process.kill(programPid!, 0), /ESRCH/, 'the program is gone when the command has exited');
          const trace = parseTrace(fs.readFileSync(tracePath, 'utf8'));
          assert.strictEqual(trace.truncated, false);
          const cancelled = trace.events.filter((e) => e.type === 'task.cancelled');
          assert.ok(cancelled.length === 3 && cancelled.every((e) => e.type === 'task.cancelled' && e.message === `stopped by ${signal}`));
        } finally {
          if (programPid !== undefined) {
            try {
              process.kill(programPid, 'SIGKILL');
            } catch {
              // Gone, as it should be.
            }
          }
        }
      });
    }
  });
});
