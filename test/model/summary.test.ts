import * as assert from 'assert';
import * as fs from 'fs';
import { buildModel } from '../../src/model/model';
import {
  SummaryOptions,
  describeReason,
  formatTime,
  relativePath,
  renderRunReport,
  renderSummary,
} from '../../src/model/summary';
import { parseTrace } from '../../src/model/traceFileReader';
import { fixturePath, modelOf } from './fixtures';

/**
 * Golden files: `<trace>.summary.txt` beside the trace. To rewrite them after an intended change, run the tests with
 * UPDATE_GOLDEN=1, then read the diff before committing.
 */
const GOLDEN: Array<{ trace: string; golden: string; opts?: SummaryOptions }> = [
  { trace: '06-runtime-tasks.cotrace', golden: '06-runtime-tasks.summary.txt' },
  { trace: '07-cancel-timeout.cotrace', golden: '07-cancel-timeout.summary.txt' },
  { trace: '07-cancel-timeout.cotrace', golden: '07-cancel-timeout.ascii.summary.txt', opts: { ascii: true, width: 40 } },
  { trace: '08-queue-handoff.cotrace', golden: '08-queue-handoff.summary.txt' },
  { trace: '06-truncated.cotrace', golden: '06-truncated.summary.txt', opts: { ascii: true } },
];

describe('summary', () => {
  describe('renderSummary golden files', () => {
    for (const { trace, golden, opts } of GOLDEN) {
      it(`${trace}${opts ? ' ' + JSON.stringify(opts) : ''} matches ${golden}`, () => {
        const actual = renderSummary(modelOf(trace), opts);
        const file = fixturePath(golden);
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
        assert.strictEqual(actual, fs.readFileSync(file, 'utf8'));
      });
    }
  });

  describe('renderSummary', () => {
    it('draws each lane exactly width cells wide, with the requested characters only', () => {
      const text = renderSummary(modelOf('08-queue-handoff.cotrace'), { width: 25, ascii: true });
      const rows = text.split('\n').filter((l) => /\|.*\| (done|cancelled)$/.test(l));
      assert.strictEqual(rows.length, 3);
      for (const row of rows) {
        const cells = row.slice(row.indexOf('|') + 1, row.lastIndexOf('|'));
        assert.strictEqual(cells.length, 25, row);
        assert.match(cells, /^[#.~\- ]+$/, row);
      }
      assert.ok(!/[^\x20-\x7e\n]/.test(text), 'ascii output has only printable ASCII');
    });

    it('shows the dominant state per cell: a short sleep in a long wait disappears, a lone instant stays', () => {
      const { header, events } = parseTrace(
        [
          '{"format":"coroutine-trace","version":1,"clock":"virtual","program":"/p/a.ts","startedAt":"x"}',
          '{"t":0,"type":"task.created","task":1,"name":"main","parent":null,"site":null}',
          '{"t":0,"type":"task.started","task":1}',
          '{"t":0,"type":"task.suspended","task":1,"reason":{"kind":"sleep","seconds":0.001,"until":1},"site":null}',
          '{"t":1,"type":"task.resumed","task":1}',
          '{"t":1,"type":"task.suspended","task":1,"reason":{"kind":"external"},"site":null}',
          '{"t":50,"type":"task.created","task":2,"name":"blink","parent":1,"site":null}',
          '{"t":50,"type":"task.started","task":2}',
          '{"t":50,"type":"task.done","task":2,"result":"undefined"}',
          '{"t":100,"type":"task.resumed","task":1}',
          '{"t":100,"type":"task.done","task":1,"result":"undefined"}',
          '{"t":100,"type":"run.finished","exitCode":0,"signal":null,"pendingTasks":0,"droppedEvents":0}',
        ].join('\n'),
      );
      const text = renderSummary(buildModel(header, events), { width: 10, ascii: true });
      assert.match(text, /\nmain  \|~~~~~~~~~~\| done\n/);
      assert.match(text, /\nblink \|    #     \| done\n/);
    });
  });

  describe('renderRunReport', () => {
    it('prints tasks by state, duration, each warning and the trace path', () => {
      assert.strictEqual(
        renderRunReport(modelOf('08-queue-handoff.cotrace'), 'out/queue.cotrace'),
        [
          'coroutine-trace: 3 tasks (1 cancelled, 2 done) in 3.001 s, exit code 0',
          '1 warning:',
          "  [never-awaited] at 3.001 s in main (08-producer-consumer.ts:27): coroutine 'sleep' was never awaited",
          'trace written to out/queue.cotrace',
          '',
        ].join('\n'),
      );
    });

    it('says when there are no warnings and when the run did not finish', () => {
      assert.strictEqual(
        renderRunReport(modelOf('06-truncated.cotrace'), '/tmp/t.cotrace'),
        [
          'coroutine-trace: 3 tasks (1 sleeping, 1 waiting, 1 done) in 1 s, run did not finish (trace truncated)',
          'no warnings',
          'trace written to /tmp/t.cotrace',
          '',
        ].join('\n'),
      );
    });
  });

  describe('labels', () => {
    it('formats times in the unit that reads best', () => {
      assert.deepStrictEqual(
        [0, 0.85, 1, 33.3333, 999.994, 1000, 1500, 3001.4, 62000].map((t) => formatTime(t)),
        ['0 s', '850 µs', '1 ms', '33.33 ms', '999.99 ms', '1 s', '1.5 s', '3.001 s', '62 s'],
      );
    });

    it('makes site files relative to the program folder', () => {
      assert.strictEqual(relativePath('/home/u/proj/src', '/home/u/proj/src/a.ts'), 'a.ts');
      assert.strictEqual(relativePath('/home/u/proj/src', '/home/u/proj/lib/b.ts'), '../lib/b.ts');
      assert.strictEqual(relativePath('C:\\proj\\src', 'C:\\proj\\src\\sub\\c.ts'), 'sub/c.ts');
      assert.strictEqual(relativePath('C:\\proj', 'D:\\other\\d.ts'), 'D:/other/d.ts');
      assert.strictEqual(relativePath('/home/u', 'rel/e.ts'), 'rel/e.ts');
    });

    it('describes suspend reasons with task and resource names', () => {
      const model = modelOf('08-queue-handoff.cotrace');
      assert.strictEqual(describeReason(model, { kind: 'sleep', seconds: 1, until: 1000 }), 'sleep 1 s');
      assert.strictEqual(describeReason(model, { kind: 'task', target: 3 }), 'await producer_1');
      assert.strictEqual(describeReason(model, { kind: 'gather', targets: [2, 3] }), 'gather [consumer_1, producer_1]');
      assert.strictEqual(describeReason(model, { kind: 'queue.get', resource: 1 }), 'queue.get Queue-1');
      assert.strictEqual(describeReason(model, { kind: 'lock', resource: 5 }), 'lock resource 5');
    });
  });
});
