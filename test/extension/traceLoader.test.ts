import * as assert from 'assert';
import { TraceLoadCancelled, loadTraceBytes } from '../../src/extension/pure/traceLoader';
import { TraceSession } from '../../src/extension/pure/traceSession';
import { TraceFormatError, parseTrace } from '../../src/model/traceFileReader';
import { readFixture } from '../model/fixtures';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What a session shows, to compare a sliced load with `TraceSession.fromTrace` of the whole file. */
function viewOf(session: TraceSession) {
  const model = session.model()!;
  return {
    origin: session.origin,
    live: session.live,
    program: session.program,
    tracePath: session.tracePath,
    truncated: session.truncated,
    omitted: session.omittedEvents,
    header: session.header,
    events: session.events.slice(),
    tasks: model.tasks,
    warnings: model.warnings,
    runFinished: model.runFinished,
  };
}

/** The reader's error for a text, or undefined. */
function parseError(text: string): string | undefined {
  try {
    parseTrace(text);
    return undefined;
  } catch (e) {
    return e instanceof TraceFormatError ? e.message : String(e);
  }
}

describe('extension/pure/traceLoader: trace files loaded a slice at a time', () => {
  // Output with characters of two, three and four bytes, so that slices cut inside them.
  const multibyte = readFixture('07-cancel-timeout.cotrace').replace(
    /"text":"([^"]*)"/,
    (_, text: string) => `"text":"${text} é → 😀"`,
  );
  const files: [string, string][] = [
    ['06-runtime-tasks.cotrace', readFixture('06-runtime-tasks.cotrace')],
    ['06-truncated.cotrace', readFixture('06-truncated.cotrace')],
    ['08-queue-handoff.cotrace', readFixture('08-queue-handoff.cotrace')],
    ['07-cancel-timeout.cotrace with multi-byte output', multibyte],
  ];

  it('the fixture with multi-byte output has them', () => {
    assert.match(multibyte, /é → 😀/);
  });

  for (const [name, text] of files) {
    it(`${name}: gives the session of the whole file, whatever the slice size`, async () => {
      const whole = parseTrace(text);
      for (const maxEvents of [undefined, 7]) {
        const expected = viewOf(
          TraceSession.fromTrace(whole.header, whole.events, { tracePath: '/t/x.cotrace', truncated: whole.truncated, maxEvents }),
        );
        for (const sliceBytes of [1, 3, 64, 1000, 1 << 20]) {
          const session = await loadTraceBytes(encode(text), { sliceBytes, tracePath: '/t/x.cotrace', maxEvents });
          assert.deepStrictEqual(viewOf(session), expected, `slices of ${sliceBytes} bytes, maxEvents ${maxEvents}`);
        }
      }
    });
  }

  it('reports its progress after every slice, up to the whole file', async () => {
    const bytes = encode(readFixture('06-runtime-tasks.cotrace'));
    const seen: number[] = [];
    await loadTraceBytes(bytes, { sliceBytes: 256, onProgress: (f) => seen.push(f) });
    assert.strictEqual(seen.length, Math.ceil(bytes.length / 256));
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress goes up: ${seen[i - 1]} then ${seen[i]}`);
    assert.strictEqual(seen.at(-1), 1);
  });

  it('lets the event loop run between slices', async () => {
    const bytes = encode(readFixture('06-runtime-tasks.cotrace'));
    let turns = 0;
    let loaded = false;
    const tick = (): void => {
      if (loaded) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await loadTraceBytes(bytes, { sliceBytes: 512 });
    loaded = true;
    // One turn between each two slices (give or take the first and the last).
    assert.ok(turns >= Math.ceil(bytes.length / 512) - 2, `${turns} turns for ${Math.ceil(bytes.length / 512)} slices`);
  });

  it('stops when told to, with TraceLoadCancelled', async () => {
    const bytes = encode(readFixture('06-runtime-tasks.cotrace'));
    let slices = 0;
    await assert.rejects(
      loadTraceBytes(bytes, { sliceBytes: 256, onProgress: () => slices++, isCancelled: () => slices >= 2 }),
      TraceLoadCancelled,
    );
    assert.strictEqual(slices, 2);
  });

  it('hands out the session once the header is read, loading, then fills and finishes it', async () => {
    const text = readFixture('08-queue-handoff.cotrace');
    const whole = parseTrace(text);
    let handed: TraceSession | undefined;
    const seenWhileLoading: number[] = [];
    const session = await loadTraceBytes(encode(text), {
      sliceBytes: 300,
      onSession: (s) => {
        assert.strictEqual(handed, undefined, 'handed out once');
        handed = s;
        assert.strictEqual(s.loading, true);
        assert.strictEqual(s.live, false, 'a file is a finished run, not a live one');
        assert.strictEqual(s.growing, true);
        assert.strictEqual(s.hasNoTasks, false, 'no tasks yet is not "no tasks"');
      },
      onProgress: () => {
        if (handed?.loading) seenWhileLoading.push(handed.events.length);
      },
    });
    assert.strictEqual(session, handed);
    assert.strictEqual(session.loading, false);
    assert.strictEqual(session.growing, false);
    assert.strictEqual(session.events.length, whole.events.length);
    assert.ok(seenWhileLoading.some((n) => n > 0 && n < whole.events.length), `events arrived as it loaded: ${seenWhileLoading}`);
  });

  it('finishes a session it handed out with the reason when the file turns out unreadable or the load is cancelled', async () => {
    const good = readFixture('06-runtime-tasks.cotrace').split('\n');
    const broken = [...good.slice(0, 12), '{"t": 1, "type"', ...good.slice(12)].join('\n');
    let handed: TraceSession | undefined;
    await assert.rejects(loadTraceBytes(encode(broken), { sliceBytes: 100, onSession: (s) => (handed = s) }), TraceFormatError);
    assert.ok(handed);
    assert.strictEqual(handed.loading, false);
    assert.strictEqual(handed.error, parseError(broken));
    let slices = 0;
    let cancelled: TraceSession | undefined;
    await assert.rejects(
      loadTraceBytes(encode(good.join('\n')), {
        sliceBytes: 256,
        onSession: (s) => (cancelled = s),
        onProgress: () => slices++,
        isCancelled: () => slices >= 2,
      }),
      TraceLoadCancelled,
    );
    assert.strictEqual(cancelled?.loading, false);
    assert.strictEqual(cancelled?.error, 'opening the trace was cancelled');
  });

  it('rejects a file that is not a readable trace with the reader’s error', async () => {
    const good = readFixture('06-runtime-tasks.cotrace').split('\n');
    // A later event earlier in time, past the first slice.
    const backwards = [...good.slice(0, 6), good[6].replace(/"t":[\d.]+/, '"t":0'), ...good.slice(7)];
    backwards[5] = backwards[5].replace(/"t":[\d.]+/, '"t":5');
    const cases: [string, string][] = [
      ['empty', ''],
      ['not a trace', 'hello\nworld\n'],
      ['time going backwards', backwards.join('\n')],
      ['a broken line in the middle', [...good.slice(0, 4), '{"t": 1, "type"', ...good.slice(4)].join('\n')],
    ];
    for (const [what, text] of cases) {
      const expected = parseError(text);
      assert.ok(expected, `${what}: the reader rejects it`);
      await assert.rejects(loadTraceBytes(encode(text), { sliceBytes: 100 }), (e: unknown) => {
        assert.ok(e instanceof TraceFormatError, what);
        assert.strictEqual(e.message, expected, what);
        return true;
      });
    }
  });
});
