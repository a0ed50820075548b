import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildModel, TraceModel } from '../../src/model/model';
import { parseTrace } from '../../src/model/traceFileReader';
import { deadlockArrows } from '../../src/webview/deadlockArrows';

/** Traces of the bug examples, recorded for the extension's warning tests. */
const FIXTURES = path.resolve(__dirname, '../../../test/extension/fixtures');

function model(name: string): TraceModel {
  const { header, events } = parseTrace(fs.readFileSync(path.join(FIXTURES, `${name}.cotrace`), 'utf8'));
  return buildModel(header, events);
}

describe('webview deadlock arrows', () => {
  it('points every waiting task at what it waits for: main at both tasks, the two tasks at each other (the cycle)', () => {
    const m = model('deadlock');
    const name = (id: number) => m.taskById.get(id)!.name;
    const arrows = deadlockArrows(m);
    assert.deepStrictEqual(
      arrows.map((a) => `${name(a.from)} → ${name(a.to)}`),
      ['main → a-to-b', 'main → b-to-a', 'a-to-b → b-to-a', 'b-to-a → a-to-b'],
    );
    assert.ok(arrows.every((a) => a.t === m.endTime));
    assert.strictEqual(arrows[2].what, 'a-to-b waits for lock ledger held by b-to-a');
  });

  it('draws nothing without a deadlock', () => {
    assert.deepStrictEqual(deadlockArrows(model('deadlock-ok')), []);
    assert.deepStrictEqual(deadlockArrows(model('pending-at-exit')), []);
  });
});
