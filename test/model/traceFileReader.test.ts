import * as assert from 'assert';
import { TRACE_SCHEMA_VERSION } from '../../src/contract/trace';
import { TraceFormatError, TraceLineReader, parseTrace } from '../../src/model/traceFileReader';
import { parseFixture, readFixture } from './fixtures';

const HEADER =
  '{"format":"coroutine-trace","version":1,"clock":"virtual","program":"/p/a.ts","startedAt":"2025-11-26T09:00:00.000Z"}';

/** Reads the header through a call, so an assertion on it does not narrow the property for later lines. */
const headerOf = (reader: TraceLineReader) => reader.header;

/** Parses and returns the TraceFormatError it must throw. */
function formatError(text: string): TraceFormatError {
  try {
    parseTrace(text);
  } catch (e) {
    assert.ok(e instanceof TraceFormatError, `expected a TraceFormatError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message must be one line: ${JSON.stringify(e.message)}`);
    return e;
  }
  assert.fail('expected parseTrace to throw');
}

describe('traceFileReader', () => {
  describe('parseTrace', () => {
    it('reads the header and every event of a complete trace', () => {
      const trace = parseFixture('06-runtime-tasks.cotrace');
      assert.strictEqual(trace.header.format, 'coroutine-trace');
      assert.strictEqual(trace.header.version, 1);
      assert.strictEqual(trace.header.clock, 'virtual');
      assert.strictEqual(trace.header.program, '/home/user/coroutine-trace/examples/seed/06-runtime-tasks.ts');
      assert.strictEqual(trace.events.length, 25);
      assert.deepStrictEqual(trace.events[0], {
        t: 0,
        type: 'task.created',
        task: 1,
        name: 'main',
        parent: null,
        site: { file: '/home/user/coroutine-trace/examples/seed/06-runtime-tasks.ts', line: 25, column: 1 },
        coroutine: 'main',
      });
      assert.strictEqual(trace.events[24].type, 'run.finished');
      assert.strictEqual(trace.truncated, false);
    });

    it('returns the events of a truncated trace with truncated: true, dropping a half-written last line', () => {
      const trace = parseFixture('06-truncated.cotrace');
      assert.strictEqual(trace.truncated, true);
      assert.strictEqual(trace.events.length, 18);
      const lastEvent = trace.events[trace.events.length - 1];
      assert.strictEqual(lastEvent.type, 'task.suspended');
      assert.strictEqual(lastEvent.t, 1000);
    });

    it('flags a trace without run.finished as truncated even when every line is complete', () => {
      const trace = parseTrace(`${HEADER}\n{"t":0,"type":"task.created","task":1,"name":"main","parent":null,"site":null}\n`);
      assert.strictEqual(trace.truncated, true);
      assert.strictEqual(trace.events.length, 1);
    });

    it('accepts a last line without a newline, CRLF line ends and blank lines', () => {
      const text =
        `${HEADER}\r\n\r\n{"t":0,"type":"task.created","task":1,"name":"main","parent":null,"site":null}\r\n` +
        '{"t":0,"type":"run.finished","exitCode":0,"signal":null,"pendingTasks":1,"droppedEvents":0}';
      const trace = parseTrace(text);
      assert.strictEqual(trace.events.length, 2);
      assert.strictEqual(trace.truncated, false);
    });

    it('rejects an empty file', () => {
      assert.strictEqual(formatError('').message, 'empty file: not a coroutine-trace file');
      assert.strictEqual(formatError('\n  \n').message, 'empty file: not a coroutine-trace file');
    });

    it('rejects a file whose first line is JSON but not a header', () => {
      const e = formatError(readFixture('not-a-trace.cotrace'));
      assert.strictEqual(e.message, 'line 1: not a coroutine-trace file (the first line is not a "coroutine-trace" header)');
      assert.strictEqual(e.line, 1);
    });

    it('rejects a file whose first line is not JSON', () => {
      const e = formatError('hello, world\nsecond line\n');
      assert.strictEqual(e.message, 'line 1: not a coroutine-trace file (the first line is not JSON)');
    });

    it('rejects a trace written by a newer schema, naming both versions', () => {
      const e = formatError(readFixture('newer-version.cotrace'));
      assert.strictEqual(
        e.message,
        `line 1: written by a newer version (schema 2); this reader supports up to ${TRACE_SCHEMA_VERSION}`,
      );
    });

    it('rejects a header with a bad field', () => {
      const e = formatError(HEADER.replace('"virtual"', '"sundial"') + '\n');
      assert.match(e.message, /^line 1: header field 'clock' must be "real" or "virtual", got "sundial"$/);
    });

    it('names the line of a malformed event', () => {
      const e = formatError(readFixture('broken-line.cotrace'));
      assert.strictEqual(e.line, 4);
      assert.match(e.message, /^line 4: not valid JSON \(.+\)$/);
    });

    it('rejects an unknown event type', () => {
      const e = formatError(`${HEADER}\n{"t":0,"type":"task.exploded","task":1}\n`);
      assert.strictEqual(e.message, 'line 2: unknown event type "task.exploded"');
    });

    it('rejects an event with a missing required field', () => {
      const e = formatError(`${HEADER}\n\n{"t":0,"type":"task.started"}\n`);
      assert.strictEqual(e.message, "line 3: task.started is missing required field 'task'");
    });

    it('rejects an event with a mistyped field', () => {
      const e = formatError(`${HEADER}\n{"t":0,"type":"task.started","task":"1"}\n`);
      assert.strictEqual(e.message, `line 2: task.started field 'task' must be a positive integer, got "1"`);
    });

    it('checks the suspend reason by kind', () => {
      const site = '"site":null';
      let e = formatError(`${HEADER}\n{"t":0,"type":"task.suspended","task":1,"reason":{"kind":"nap"},${site}}\n`);
      assert.strictEqual(e.message, `line 2: task.suspended field 'reason' has an unknown kind "nap", got {"kind":"nap"}`);
      e = formatError(`${HEADER}\n{"t":0,"type":"task.suspended","task":1,"reason":{"kind":"gather","targets":[0]},${site}}\n`);
      assert.match(e.message, /^line 2: task.suspended field 'reason' must have task ids in targets/);
    });

    it('accepts optional fields when missing and checks them when present', () => {
      const created = '{"t":0,"type":"resource.created","resource":1,"kind":"lock","name":"Lock-1","site":null}';
      assert.strictEqual(parseTrace(`${HEADER}\n${created}\n`).events.length, 1);
      const e = formatError(`${HEADER}\n${created.replace('"site":null}', '"site":null,"capacity":"big"}')}\n`);
      assert.match(e.message, /^line 2: resource.created field 'capacity' must be a number/);
    });

    it('rejects an event after run.finished and time going backwards', () => {
      const finished = '{"t":5,"type":"run.finished","exitCode":0,"signal":null,"pendingTasks":0,"droppedEvents":0}';
      let e = formatError(`${HEADER}\n${finished}\n{"t":5,"type":"task.started","task":1}\n`);
      assert.strictEqual(e.message, 'line 3: task.started after run.finished (run.finished must be the last event)');
      e = formatError(`${HEADER}\n{"t":5,"type":"task.started","task":1}\n{"t":4,"type":"task.started","task":2}\n`);
      assert.strictEqual(e.message, 'line 3: t goes backwards (4 after 5)');
    });
  });

  describe('TraceLineReader', () => {
    it('gives the same events as parseTrace when fed in small chunks', () => {
      const text = readFixture('07-cancel-timeout.cotrace');
      const reader = new TraceLineReader();
      const events = [];
      for (let i = 0; i < text.length; i += 7) {
        events.push(...reader.push(text.slice(i, i + 7)));
        if (i + 7 < text.indexOf('\n')) assert.strictEqual(reader.header, undefined);
      }
      events.push(...reader.end());
      const whole = parseTrace(text);
      assert.deepStrictEqual(reader.header, whole.header);
      assert.deepStrictEqual(events, whole.events);
      assert.strictEqual(reader.finished, true);
    });

    it('returns events only once their line is complete', () => {
      const reader = new TraceLineReader();
      assert.deepStrictEqual(reader.push(HEADER), []);
      assert.strictEqual(headerOf(reader), undefined, 'no header before its line ends');
      assert.deepStrictEqual(reader.push('\n{"t":1,"type":"task.sta'), []);
      assert.strictEqual(headerOf(reader)?.program, '/p/a.ts');
      assert.deepStrictEqual(reader.push('rted","task":1}\n'), [{ t: 1, type: 'task.started', task: 1 }]);
      assert.strictEqual(reader.finished, false);
      assert.deepStrictEqual(reader.end(), []);
    });

    it('keeps throwing the same error after a bad line', () => {
      const reader = new TraceLineReader();
      reader.push(HEADER + '\n');
      assert.throws(() => reader.push('{oops}\n'), /^TraceFormatError: line 2: not valid JSON/);
      assert.throws(() => reader.push('{"t":1,"type":"task.started","task":1}\n'), /line 2: not valid JSON/);
    });
  });
});
