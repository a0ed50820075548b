/**
 * The model the runner folds for the whole-run diagnostics is handed back with the result, so the command line's run
 * report need not read the trace back: it must be the model the written file gives, warnings and all, however the
 * program ended.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildModel } from '../../src/model/model';
import { renderRunReport, renderSummary } from '../../src/model/summary';
import { parseTrace } from '../../src/model/traceFileReader';
import { startProgram } from '../../src/runner/runProgram';
import { ROOT, tempDir } from '../helpers';

describe("runner: the run's model is the written trace's", function () {
  this.timeout(60_000);
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const programs: Array<[string, { clock?: 'virtual'; kind?: string }]> = [
    ['examples/seed/07-cancel-timeout.ts', { clock: 'virtual' }],
    ['examples/seed/08-producer-consumer.ts', { clock: 'virtual' }],
    // Whole-run diagnostics the runner adds to the trace.
    ['examples/bugs/deadlock.ts', { clock: 'virtual', kind: 'deadlock' }],
    ['examples/bugs/pending-at-exit.ts', { clock: 'virtual', kind: 'pending-at-exit' }],
    // The runner's own warning: the program was killed before it handed its last events over.
    ['test/fixtures/programs/exit-sigkill.ts', { kind: 'events-dropped' }],
    ['test/fixtures/programs/exit-uncaught.ts', {}],
  ];
  for (const [program, { clock, kind }] of programs) {
    it(path.basename(program), async () => {
      const tracePath = path.join(dir, `${path.basename(program)}.cotrace`);
      const result = await startProgram(path.join(ROOT, program), { tracePath, clock, stdio: 'pipe' }).result;
      const written = parseTrace(fs.readFileSync(tracePath, 'utf8'));
      const fromFile = buildModel(written.header, written.events);
      assert.ok(result.model, 'the runner handed back its model');
      if (kind) assert.ok(fromFile.warnings.some((w) => w.kind === kind), `the trace has a ${kind} warning`);
      assert.deepStrictEqual(result.model.warnings, fromFile.warnings);
      assert.strictEqual(result.model.eventCount, fromFile.eventCount);
      assert.strictEqual(result.model.endTime, fromFile.endTime);
      assert.strictEqual(renderRunReport(result.model, 'x.cotrace'), renderRunReport(fromFile, 'x.cotrace'));
      assert.strictEqual(renderSummary(result.model, { width: 100 }), renderSummary(fromFile, { width: 100 }));
    });
  }

  it('hands back no model when the run had more events than it analyses', async () => {
    const tracePath = path.join(dir, 'capped.cotrace');
    const result = await startProgram(path.join(ROOT, 'examples/seed/08-producer-consumer.ts'), {
      tracePath,
      clock: 'virtual',
      stdio: 'pipe',
      maxAnalyzedEvents: 5,
    }).result;
    assert.ok(result.eventCount > 5);
    assert.strictEqual(result.model, undefined);
  });
});
