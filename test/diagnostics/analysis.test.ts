/**
 * Diagnostics computed over the whole run (model/diagnostics.ts), appended to the trace by the runner: each bug
 * example provokes exactly its warning, with the right task, site and (for the deadlock) the wait-for cycle; its
 * correct look-alike provokes none.
 */
import * as assert from 'assert';
import type { TraceEvent, WarningEvent } from '../../src/contract/trace';
import { cli, lineOf, runTraced } from '../helpers';

function warnings(events: TraceEvent[]): WarningEvent[] {
  return events.filter((e): e is WarningEvent => e.type === 'warning');
}

function nameOf(events: TraceEvent[], id: number | undefined): string | undefined {
  const e = events.find((x) => x.type === 'task.created' && x.task === id);
  return e && e.type === 'task.created' ? e.name : undefined;
}

describe('diagnostics over the whole run', function () {
  this.timeout(60_000);

  it('deadlock: the wait-for cycle through the two locks, and the CLI exits with code 3', () => {
    const file = 'examples/bugs/deadlock.ts';
    const r = runTraced(file);
    assert.strictEqual(r.status, 3, r.stderr);
    const chain = warnings(r.events).find((w) => w.kind === 'deadlock' && w.message.includes('→'));
    assert.ok(chain, JSON.stringify(warnings(r.events)));
    assert.match(
      chain.message,
      /main awaits a-to-b, b-to-a → a-to-b waits for lock ledger held by b-to-a → b-to-a waits for lock accounts held by a-to-b → back to a-to-b: a cycle/,
    );
    assert.strictEqual(chain.site?.line, lineOf(file, 'await asyncio.gather(a, b)'));
  });

  it('pending at exit: a task main did not wait for, at its creation', () => {
    const file = 'examples/bugs/pending-at-exit.ts';
    const r = runTraced(file);
    const ws = warnings(r.events);
    assert.deepStrictEqual(ws.map((w) => w.kind), ['pending-at-exit']);
    assert.strictEqual(nameOf(r.events, ws[0].task), 'save-report');
    assert.strictEqual(ws[0].site?.line, lineOf(file, "createTask(saveReport(), { name: 'save-report' })"));
  });

  it('busy loop: a poller spinning on sleep(0), at its await', () => {
    const file = 'examples/bugs/busy-loop.ts';
    for (const real of [false, true]) {
      const r = runTraced(file, { real });
      const ws = warnings(r.events);
      assert.deepStrictEqual(ws.map((w) => w.kind), ['busy-loop'], `real clock: ${real}`);
      assert.strictEqual(nameOf(r.events, ws[0].task), 'poller');
      assert.strictEqual(ws[0].site?.line, lineOf(file, 'while (!ready) await asyncio.sleep(0)'));
    }
  });

  it('queue orphaned: items left that no task can take', () => {
    const file = 'examples/bugs/queue-orphaned.ts';
    const r = runTraced(file);
    const ws = warnings(r.events);
    assert.deepStrictEqual(ws.map((w) => w.kind), ['queue-orphaned']);
    assert.match(ws[0].message, /jobs still holds 3 items that no task is left to take/);
    assert.strictEqual(ws[0].site?.line, lineOf(file, 'new asyncio.Queue<number>'));
  });

  it('eager promise: a task made from an already-running promise', () => {
    const file = 'examples/bugs/eager-promise.ts';
    const r = runTraced(file);
    const ws = warnings(r.events);
    assert.deepStrictEqual(ws.map((w) => w.kind), ['eager-promise']);
    assert.strictEqual(ws[0].site?.line, lineOf(file, "createTask(download('https://example.org'))"));
  });

  for (const ok of ['deadlock-ok', 'pending-at-exit-ok', 'busy-loop-ok', 'queue-orphaned-ok', 'eager-promise-ok']) {
    it(`no false positive: ${ok}`, () => {
      const r = runTraced(`examples/bugs/${ok}.ts`);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(warnings(r.events), []);
    });
  }

  it('--strict turns any warning into a non-zero exit code; without warnings it changes nothing', () => {
    const bad = cli(['run', 'examples/bugs/pending-at-exit.ts', '--virtual-clock', '--strict', '--quiet', '--out', '/tmp/ct-strict-1.cotrace']);
    assert.strictEqual(bad.status, 4, bad.stderr);
    assert.match(bad.stderr, /--strict: 1 warning/);
    const good = cli(['run', 'examples/bugs/pending-at-exit-ok.ts', '--virtual-clock', '--strict', '--quiet', '--out', '/tmp/ct-strict-2.cotrace']);
    assert.strictEqual(good.status, 0, good.stderr);
  });
});
