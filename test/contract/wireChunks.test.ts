/**
 * The host's frame reassembly: frames are decoded in place from the chunks the pipe delivers, or copied once into a
 * scratch buffer when they span chunks or sit at an unaligned offset. Whatever the chunking, the same events (and
 * rows) come out, in order.
 */
import * as assert from 'assert';
import { SourceSite, TraceEvent } from '../../src/contract/trace';
import { EventCode, FrameKind, ROW_WIDTH, SuspendCode, WakeCode, WireDecoder, frameHeader } from '../../src/contract/wire';
import { Recorder } from '../../src/runtime/recorder';
import { MemorySink } from '../memorySink';

const SITE: SourceSite = { file: '/p/prög.ts', line: 3, column: 9 };
const resolveSite = (id: number): SourceSite | null => (id === 5 ? SITE : null);

/** A stream with strings frames between events frames, unicode strings, and a tiny ring (many frames). */
function recordedStream(): Uint8Array {
  const sink = new MemorySink();
  const rec = new Recorder(sink, 3);
  const E = EventCode;
  rec.ev(E['task.created'], 0, 1, rec.intern('main ✓'), 0, 5, rec.intern('main'));
  rec.ev(E['task.started'], 0.25, 1);
  for (let i = 0; i < 7; i++) {
    rec.ev(E['task.created'], 1 + i, 2 + i, rec.intern(`wörker-${i} 🧵`), 1, 0, 0);
    rec.ev(E['output'], 1.5 + i, 1, 0, rec.str(`line ${i} "quoted" \n ünïcödé 🎉`));
    rec.ev(E['task.suspended'], 2 + i, 1, SuspendCode.sleep, 5, 0, 2 + i + 0.000123);
    rec.ev(E['task.resumed'], 3 + i, 1, WakeCode.timer, 0);
  }
  rec.flush();
  return sink.bytes();
}

function decode(chunks: Uint8Array[]): { events: TraceEvent[]; rows: number[][]; decoder: WireDecoder } {
  const events: TraceEvent[] = [];
  const rows: number[][] = [];
  const decoder = new WireDecoder(
    resolveSite,
    (e) => events.push(e),
    (r, count) => {
      for (let i = 0; i < count; i++) rows.push(Array.from(r.subarray(i * ROW_WIDTH, (i + 1) * ROW_WIDTH)));
    },
  );
  for (const c of chunks) decoder.feed(c);
  return { events, rows, decoder };
}

/** A copy of `bytes` at `offset` bytes into a fresh buffer: the decoder must not assume chunks are aligned. */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + offset);
  buf.set(bytes, offset);
  return buf.subarray(offset);
}

describe('contract: frame reassembly on the host', () => {
  const stream = recordedStream();
  const whole = decode([stream]);

  it('decodes the reference stream (unicode strings, strings frames between events frames)', () => {
    assert.ok(whole.events.length > 20);
    assert.strictEqual(whole.rows.length, whole.events.length);
    assert.strictEqual(whole.decoder.eventCount, whole.events.length);
    assert.strictEqual(whole.decoder.leftoverBytes, 0);
    const names = whole.events.flatMap((e) => (e.type === 'task.created' ? [e.name] : []));
    assert.deepStrictEqual(names.slice(0, 2), ['main ✓', 'wörker-0 🧵']);
    const printed = whole.events.flatMap((e) => (e.type === 'output' ? [e.text] : []));
    assert.strictEqual(printed[6], 'line 6 "quoted" \n ünïcödé 🎉');
  });

  it('gives the same events when the stream is split in two at every byte', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = decode([atOffset(stream.slice(0, cut), cut % 8), atOffset(stream.slice(cut), 3)]);
      assert.deepStrictEqual(r.events, whole.events, `cut at ${cut}`);
      assert.deepStrictEqual(r.rows, whole.rows, `rows, cut at ${cut}`);
      assert.strictEqual(r.decoder.leftoverBytes, 0);
    }
  });

  it('gives the same events for chunks of every size from 1 to 80 bytes, at unaligned offsets', () => {
    for (let size = 1; size <= 80; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(atOffset(stream.slice(i, i + size), (i + size) % 7));
      assert.deepStrictEqual(decode(chunks).events, whole.events, `chunk size ${size}`);
    }
  });

  it('gives the same events when every frame sits at an unaligned offset of one big chunk', () => {
    for (let offset = 0; offset < 8; offset++) {
      assert.deepStrictEqual(decode([atOffset(stream, offset)]).events, whole.events, `offset ${offset}`);
    }
  });

  it('counts the bytes of an unfinished frame, and an empty events frame is no event', () => {
    const empty = frameHeader(FrameKind.Events, 0);
    const r = decode([empty, stream.subarray(0, stream.length - 5)]);
    assert.ok(r.events.length < whole.events.length);
    assert.ok(r.decoder.leftoverBytes > 0);
    const r2 = decode([empty, stream, empty]);
    assert.deepStrictEqual(r2.events, whole.events);
    assert.strictEqual(r2.decoder.leftoverBytes, 0);
  });

  it('a frame larger than the scratch buffer, split into many chunks', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink, 20_000);
    rec.ev(EventCode['task.created'], 0, 1, rec.intern('main'), 0, 0, 0);
    for (let i = 0; i < 19_000; i++) rec.ev(EventCode['task.started'], i / 7, 1);
    rec.flush();
    const bytes = sink.bytes();
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 65_537) chunks.push(atOffset(bytes.slice(i, i + 65_537), i % 5));
    const r = decode(chunks);
    assert.strictEqual(r.events.length, 19_001);
    assert.deepStrictEqual(r.events[19_000], { t: Math.round((18_999 / 7) * 1000) / 1000, type: 'task.started', task: 1 });
  });

  it('rejects an unknown frame kind as soon as its header is in', () => {
    const bad = new Uint8Array(8);
    bad[0] = 200; // a payload that never comes
    bad[4] = 42;
    assert.throws(() => decode([bad]), /corrupt event stream: unknown frame kind 42/);
  });
});
