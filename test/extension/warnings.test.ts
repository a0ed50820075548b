/**
 * Warnings → problems (what the Problems panel, the squiggles and the tree's Warnings group show), over traces of the
 * bug examples recorded with the virtual clock (paths rewritten to /home/user/coroutine-trace). Lines are looked up
 * in the examples themselves, so the fixtures and the examples must stay in step: re-record with
 * `node dist/cli.js run examples/bugs/NAME.ts --virtual-clock --out ...` when an example changes.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { TraceEvent, TraceHeader, WarningKind } from '../../src/contract/trace';
import { buildModel, TraceModel } from '../../src/model/model';
import { parseTrace } from '../../src/model/traceFileReader';
import {
  WarningProblem,
  problemRange,
  problemsByTask,
  taskWarningsText,
  warningAnchor,
  warningProblems,
  warningRow,
  warningTitle,
} from '../../src/extension/pure/warnings';
import { ROOT, lineOf } from '../helpers';

const FIXTURES = path.resolve(__dirname, '../../../test/extension/fixtures');
const BUGS = '/home/user/coroutine-trace/examples/bugs';

function model(name: string): TraceModel {
  const { header, events } = parseTrace(fs.readFileSync(path.join(FIXTURES, `${name}.cotrace`), 'utf8'));
  return buildModel(header, events);
}

/** `kind line:column` per problem, and its related sites as `line:column message`. */
function shape(problems: WarningProblem[]): Array<{ at: string; related: string[] }> {
  return problems.map((p) => ({
    at: `${p.kind} ${path.basename(p.site.file)}:${p.site.line}:${p.site.column}`,
    related: p.related.map((r) => `${r.site.line}:${r.site.column} ${r.message}`),
  }));
}

const line = (example: string, snippet: string): number => lineOf(`examples/bugs/${example}.ts`, snippet);

describe('extension/pure/warnings', () => {
  describe('warningProblems', () => {
    it('deadlock: one problem at main’s await, the other tasks of the cycle at their current awaits', () => {
      const problems = warningProblems(model('deadlock'));
      const gather = line('deadlock', 'await asyncio.gather(a, b)');
      const second = line('deadlock', 'await second.acquire()');
      assert.deepStrictEqual(shape(problems.filter((p) => p.kind === 'deadlock')), [
        {
          at: `deadlock deadlock.ts:${gather}:3`,
          related: [
            `${second}:5 a-to-b waits for lock ledger held by b-to-a`,
            `${second}:5 b-to-a waits for lock accounts held by a-to-b`,
          ],
        },
      ]);
      const deadlock = problems.find((p) => p.kind === 'deadlock')!;
      assert.match(deadlock.message, /main awaits a-to-b, b-to-a → a-to-b waits for lock ledger held by b-to-a/);
      assert.strictEqual(deadlock.placement, 'site');
      assert.strictEqual(deadlock.anchor, 'deadlock');
      assert.strictEqual(deadlock.site.file, `${BUGS}/deadlock.ts`);
      // The runtime's bare "deadlock: no task can run" is the same deadlock: left out.
      assert.strictEqual(model('deadlock').warnings.filter((w) => w.kind === 'deadlock').length, 2);
      // The two tasks were still pending: each at its createTask, with where it is stuck.
      assert.deepStrictEqual(shape(problems.filter((p) => p.kind === 'pending-at-exit')), [
        { at: `pending-at-exit deadlock.ts:${line('deadlock', "name: 'a-to-b'")}:21`, related: [`${second}:5 a-to-b was still waiting here when the program ended`] },
        { at: `pending-at-exit deadlock.ts:${line('deadlock', "name: 'b-to-a'")}:21`, related: [`${second}:5 b-to-a was still waiting here when the program ended`] },
      ]);
    });

    it('while live, the runtime’s bare deadlock shows at main’s await until the chain arrives', () => {
      const m = model('deadlock');
      const bare = m.warnings.findIndex((w) => w.kind === 'deadlock');
      const live = { ...m, warnings: m.warnings.slice(0, bare + 1) };
      const problems = warningProblems(live);
      assert.deepStrictEqual(shape(problems).map((p) => p.at), [`deadlock deadlock.ts:${line('deadlock', 'await asyncio.gather(a, b)')}:3`]);
      assert.strictEqual(problems[0].placement, 'await');
      assert.match(problems[0].message, /no task can run/);
      assert.strictEqual(problems[0].related.length, 2);
    });

    it('the correct look-alike raises nothing', () => {
      assert.deepStrictEqual(warningProblems(model('deadlock-ok')), []);
    });

    it('never-awaited: at the call, nothing related', () => {
      assert.deepStrictEqual(shape(warningProblems(model('never-awaited'))), [
        { at: `never-awaited never-awaited.ts:${line('never-awaited', "notify('ada'); // missing await")}:3`, related: [] },
      ]);
    });

    it('pending-at-exit: at the createTask, with where the task was and where main returned', () => {
      assert.deepStrictEqual(shape(warningProblems(model('pending-at-exit'))), [
        {
          at: `pending-at-exit pending-at-exit.ts:${line('pending-at-exit', "createTask(saveReport()")}:11`,
          related: [
            `${line('pending-at-exit', 'await asyncio.sleep(1)')}:3 save-report was suspended here when main returned`,
            `${line('pending-at-exit', 'await asyncio.sleep(0.1)')}:3 main returned after this, without awaiting save-report`,
          ],
        },
      ]);
    });

    it('swallowed-cancellation: at the cancel(), with where the task was suspended when cancelled', () => {
      assert.deepStrictEqual(shape(warningProblems(model('swallowed-cancellation'))), [
        {
          at: `swallowed-cancellation swallowed-cancellation.ts:${line('swallowed-cancellation', 'task.cancel()')}:8`,
          related: [`${line('swallowed-cancellation', 'await asyncio.sleep(10)')}:5 worker was suspended here when cancel() raised CancelledError in it`],
        },
      ]);
    });

    it('exception-never-retrieved has no site: at the task’s creation, with where it failed', () => {
      const problems = warningProblems(model('exception-never-retrieved'));
      assert.deepStrictEqual(shape(problems), [
        {
          at: `exception-never-retrieved exception-never-retrieved.ts:${line('exception-never-retrieved', "createTask(fetchPrices()")}:11`,
          related: [`${line('exception-never-retrieved', 'throw new Error')}:9 prices failed here: Error: price service unavailable`],
        },
      ]);
      assert.strictEqual(problems[0].placement, 'creation');
    });

    it('queue-orphaned: at the queue', () => {
      assert.deepStrictEqual(shape(warningProblems(model('queue-orphaned'))), [
        { at: `queue-orphaned queue-orphaned.ts:${line('queue-orphaned', 'new asyncio.Queue')}:17`, related: [] },
      ]);
    });

    it('a warning with no site and no task goes to line 1 of the program', () => {
      const header: TraceHeader = { format: 'coroutine-trace', version: 1, clock: 'virtual', program: '/p/app.ts', startedAt: '' };
      const events: TraceEvent[] = [
        { t: 5, type: 'warning', kind: 'events-dropped', message: 'the event stream was unreadable' },
        { t: 5, type: 'warning', kind: 'events-dropped', message: 'the event stream was unreadable' },
      ];
      const problems = warningProblems(buildModel(header, events));
      assert.strictEqual(problems.length, 1, 'duplicates are one problem');
      assert.deepStrictEqual(problems[0].site, { file: '/p/app.ts', line: 1, column: 1 });
      assert.strictEqual(problems[0].placement, 'program');
      assert.strictEqual(problems[0].anchor, 'how-tracing-stays-cheap');
    });

    it('at a time cursor, only the warnings so far', () => {
      const m = model('pending-at-exit');
      assert.strictEqual(warningProblems(m, { at: 50 }).length, 0);
      assert.strictEqual(warningProblems(m, { at: m.endTime }).length, 1);
    });
  });

  describe('tree rows and task tooltips', () => {
    it('a row per problem: title, task, site and message; a click goes to the problem’s site', () => {
      const m = model('never-awaited');
      const [problem] = warningProblems(m);
      const row = warningRow(m, problem);
      assert.strictEqual(row.label, 'Never awaited');
      assert.strictEqual(row.description, `main · never-awaited.ts:10 · ${problem.message}`);
      assert.deepStrictEqual(row.site, problem.site);
      assert.match(row.tooltip, /^Never awaited \(never-awaited\) at never-awaited\.ts:10\ncoroutine 'notify' was created but never awaited/);
    });

    it('the tooltip lists the related sites', () => {
      const m = model('deadlock');
      const deadlock = warningProblems(m).find((p) => p.kind === 'deadlock')!;
      assert.match(warningRow(m, deadlock).tooltip, /\n {2}deadlock\.ts:8: a-to-b waits for lock ledger held by b-to-a\n {2}deadlock\.ts:8: b-to-a waits/);
    });

    it('groups problems by task for the warning decoration and tooltip', () => {
      const m = model('deadlock');
      const byTask = problemsByTask(warningProblems(m));
      const name = (id: number) => m.taskById.get(id)!.name;
      assert.deepStrictEqual(
        [...byTask].map(([id, ps]) => [name(id), ps.map((p) => p.kind)]),
        [
          ['a-to-b', ['pending-at-exit']],
          ['b-to-a', ['pending-at-exit']],
          ['main', ['deadlock']],
        ],
      );
      assert.match(taskWarningsText(byTask.get(1)!), /^⚠ Deadlock: deadlock: main awaits/);
    });
  });

  describe('README links and ranges', () => {
    it('every kind has a title and a README section', () => {
      const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      const anchors = new Set(
        [...readme.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')),
      );
      const kinds: WarningKind[] = [
        'eager-promise',
        'exception-never-retrieved',
        'pending-at-exit',
        'never-awaited',
        'blocked-loop',
        'deadlock',
        'swallowed-cancellation',
        'swallowed-errors',
        'busy-loop',
        'queue-orphaned',
        'events-dropped',
      ];
      for (const kind of kinds) {
        assert.ok(warningTitle(kind), kind);
        assert.ok(anchors.has(warningAnchor(kind)), `README has a heading for #${warningAnchor(kind)}`);
      }
    });

    it('underlines the call at the site, converting 1-based sites to 0-based positions', () => {
      const text = "  notify('ada'); // missing await";
      assert.deepStrictEqual(problemRange({ file: '/p/a.ts', line: 10, column: 3 }, text), {
        start: { line: 9, character: 2 },
        end: { line: 9, character: 15 },
      });
      assert.deepStrictEqual(problemRange({ file: '/p/a.ts', line: 20, column: 3 }, '  await asyncio.gather(a, b);'), {
        start: { line: 19, character: 2 },
        end: { line: 19, character: 28 },
      });
      // Not on a call: the rest of the line; unknown text: an empty range at the site.
      assert.deepStrictEqual(problemRange({ file: '/p/a.ts', line: 1, column: 1 }, '// Bug: two tasks  '), {
        start: { line: 0, character: 0 },
        end: { line: 0, character: 17 },
      });
      assert.deepStrictEqual(problemRange({ file: '/p/a.ts', line: 4, column: 7 }, undefined), {
        start: { line: 3, character: 6 },
        end: { line: 3, character: 6 },
      });
    });
  });
});
