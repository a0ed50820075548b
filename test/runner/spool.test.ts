/**
 * Without a live listener the host only copies what the program sends to a file while it runs, and writes the trace
 * once the program has exited (`RunOptions.spool`): the trace must be the same, byte for byte, as when the host
 * decodes as the events arrive.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runProgram } from '../../src/runner/runProgram';
import { ROOT, tempDir } from '../helpers';

/**
 * The trace file without its header (which holds the start time), and with the runtime's own frames taken out of
 * error stacks: which of the loop's entry points ran a step (a timer, a microtask) depends on the machine's timing,
 * not on how the host wrote the trace.
 */
function body(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  return text
    .slice(text.indexOf('\n') + 1)
    .split('\n')
    .map((line) => {
      if (!line.includes('"stack"')) return line;
      const event = JSON.parse(line) as { error?: { stack?: string } };
      if (event.error?.stack) event.error.stack = event.error.stack.split('\n').filter((l) => !/^\s+at /.test(l) || l.includes('/examples/')).join('\n');
      return JSON.stringify(event);
    })
    .join('\n');
}

describe('runner: events spooled to disk during the run give the same trace', function () {
  this.timeout(60_000);

  for (const example of ['06-runtime-tasks.ts', '07-cancel-timeout.ts']) {
    it(`${example}, virtual clock`, async () => {
      const dir = tempDir();
      const program = path.join(ROOT, 'examples', 'seed', example);
      const traces: string[] = [];
      for (const spool of [true, false]) {
        const tracePath = path.join(dir, `${spool ? 'spooled' : 'live'}.cotrace`);
        const r = await runProgram(program, { tracePath, clock: 'virtual', stdio: 'pipe', spool });
        assert.strictEqual(r.finished.exitCode, 0);
        traces.push(body(tracePath));
      }
      assert.ok(traces[0].split('\n').length > 20, 'the trace has events');
      assert.strictEqual(traces[0], traces[1]);
    });
  }
});
