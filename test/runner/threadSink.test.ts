/**
 * The program's end of the event pipe when a writer thread sends the frames: rows go out of the buffers the recorder
 * wrote them in, other frames are copied, and the host receives everything in order, byte for byte; past its bound the
 * sink drops row frames, never essential ones; it drains as long as the host reads; and if the writer never starts,
 * the program's thread sends everything itself.
 */
import * as assert from 'assert';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TraceEvent } from '../../src/contract/trace';
import { EventCode, FRAME_HEADER_BYTES, ROW_WIDTH, WakeCode, WireDecoder } from '../../src/contract/wire';
import { Recorder } from '../../src/runtime/recorder';
import { EARLY_WRITER, ThreadSink, WriterThread, startWriterThread } from '../../src/runtime/threadSink';
import { MemorySink } from '../memorySink';

/** A FIFO whose reader is another process (`reader` gets the FIFO's path), opened for non-blocking writing. */
async function pipeTo(reader: (fifo: string) => ChildProcess): Promise<{ w: number; child: ChildProcess; dir: string; closed: Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-tsink-'));
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const child = reader(fifo);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  // A FIFO opens for non-blocking writing only once its reader has it open (ENXIO until then).
  for (let i = 0; i < 400; i++) {
    try {
      return { w: fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK), child, dir, closed };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error('the reader never opened the FIFO');
}

/** A reader that copies the FIFO to `out`. */
const catTo = (out: string) => (fifo: string) => spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, out]);

/**
 * Records `n` events with a fresh string now and then (so strings frames come between row frames); every 5,000
 * events, `pause` (if given). Then closes the recorder (which drains the sink), or with `close` false only flushes it.
 */
function record(rec: Recorder, n: number, pause?: () => void, close = true): void {
  for (let i = 0; i < n; i++) {
    if (pause !== undefined && i > 0 && i % 5000 === 0) pause();
    if (i % 997 === 0) rec.ev(EventCode['output'], i / 10, 1 + (i % 5), 0, rec.str(`line ${i}\n`));
    else if (i % 3 === 0) rec.ev(EventCode['task.resumed'], i / 10, 1 + (i % 7), WakeCode.timer, 0);
    else rec.ev(EventCode['queue.put'], i / 10, 1, 1 + (i % 5), i % 100, -1, i, i * 1.5);
  }
  if (close) rec.close({ pendingTasks: 0 }, 5000);
  else rec.flush();
}

function decode(bytes: Uint8Array): { events: TraceEvent[]; decoder: WireDecoder } {
  const events: TraceEvent[] = [];
  const decoder = new WireDecoder(() => null, (e) => events.push(e));
  decoder.feed(bytes);
  return { events, decoder };
}

function frame(seed: number, length: number): Uint8Array[] {
  const header = Uint8Array.from([seed & 255, 1, 2, 3, 4, 5, 6, 7]);
  const body = new Uint8Array(length);
  for (let i = 0; i < length; i++) body[i] = (seed * 31 + i) & 255;
  return [header, body];
}

/**
 * Records `n` events into a sink made by `start` on a pipe to a reader that keeps all it gets, closes it once the
 * sink has nothing left to send, and returns what the reader got next to what a `MemorySink` got from the same
 * recording. `pauseFor` gives the pause taken every 5,000 events.
 */
async function sendThroughPipe(
  capacity: number,
  n: number,
  start: (fd: number) => ThreadSink,
  pauseFor?: (sink: ThreadSink) => () => void,
): Promise<{ sink: ThreadSink; expected: TraceEvent[]; events: TraceEvent[]; decoder: WireDecoder }> {
  const reference = new MemorySink();
  record(new Recorder(reference, capacity), n);
  const expected = decode(reference.bytes()).events;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-tsink-out-'));
  const out = path.join(dir, 'events.bin');
  const p = await pipeTo(catTo(out));
  let sink: ThreadSink;
  try {
    sink = start(p.w);
    record(new Recorder(sink, capacity), n, pauseFor?.(sink));
    assert.strictEqual(sink.pendingBytes, 0);
  } finally {
    fs.closeSync(p.w);
  }
  await p.closed;
  const { events, decoder } = decode(fs.readFileSync(out));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(p.dir, { recursive: true, force: true });
  return { sink, expected, events, decoder };
}

describe('runtime/threadSink', function () {
  this.timeout(30_000);

  it('sends the recorder rows and strings in order, exactly as they were recorded, however often buffers are reused', async () => {
    // 1000 rows per buffer: about 60 buffers' worth. Pauses let the writer catch up, so that buffers it has written
    // are lent again while the others are still on their way.
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const pauseFor = (sink: ThreadSink) => (): void => {
      for (let i = 0; i < 400 && sink.pendingBytes > 0; i++) Atomics.wait(nap, 0, 0, 5);
    };
    const { sink, expected, events, decoder } = await sendThroughPipe(1000, 60_000, (fd) => ThreadSink.start(fd)!, pauseFor);
    assert.ok(sink.rowBuffers < 30, `${sink.rowBuffers} row buffers for 60 frames: none was reused`);
    assert.strictEqual(events.length, expected.length);
    assert.deepStrictEqual(events, expected);
    assert.strictEqual(decoder.stats.droppedEvents, 0);
  });

  it('drops row frames past its bound, keeps essential frames, and sends only whole frames in order', async () => {
    // A host that reads nothing for a while, then everything.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-tsink-out-'));
    const out = path.join(dir, 'events.bin');
    const p = await pipeTo((fifo) => spawn('sh', ['-c', 'sleep 1; cat "$0" > "$1"', fifo, out]));
    const rows = 8192;
    const rowBytes = rows * ROW_WIDTH * 8;
    const sent: number[] = [];
    let dropped = 0;
    try {
      // A bound of four row buffers.
      const sink = ThreadSink.start(p.w, 4 * (FRAME_HEADER_BYTES + rowBytes))!;
      for (let k = 0; k < 12; k++) {
        const buf = sink.takeRows(rows);
        assert.ok(buf.length >= rows * ROW_WIDTH);
        buf.fill(k);
        const header = Uint8Array.from([200 + k, 0, 0, 0, 0, 0, 0, 0]);
        if (sink.sendRows(header, rows)) sent.push(200 + k);
        else dropped++;
        const essential = frame(k, 100);
        assert.strictEqual(sink.write(essential, true), true, 'an essential frame was refused');
        sent.push(k);
      }
      sink.drain(10_000);
      assert.strictEqual(sink.pendingBytes, 0);
    } finally {
      fs.closeSync(p.w);
    }
    await p.closed;
    assert.ok(dropped > 0, 'nothing was dropped');
    const received = fs.readFileSync(out);
    let at = 0;
    const seen: number[] = [];
    while (at < received.length) {
      const seed = received[at];
      seen.push(seed);
      if (seed >= 200) {
        // A row frame: its whole body holds the value it was filled with.
        const body = new Float64Array(received.buffer.slice(received.byteOffset + at + 8, received.byteOffset + at + 8 + rowBytes));
        assert.strictEqual(body.length, rows * ROW_WIDTH, `row frame ${seed} is cut short`);
        assert.ok(body.every((v) => v === seed - 200), `row frame ${seed} holds other rows`);
        at += 8 + rowBytes;
      } else {
        const [header, body] = frame(seed, 100);
        assert.deepStrictEqual([...received.subarray(at, at + 8)], [...header]);
        assert.deepStrictEqual([...received.subarray(at + 8, at + 108)], [...body]);
        at += 108;
      }
    }
    assert.deepStrictEqual(seen, sent);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(p.dir, { recursive: true, force: true });
  });

  it('drain waits as long as the host keeps reading, however long the backlog takes', async () => {
    let out = '';
    const p = await pipeTo((fifo) => {
      // A slow host: takes 64 KiB every 40 ms, so 1.5 MB take about a second, far more than the drain's timeout.
      const child = spawn('python3', [
        '-c',
        'import sys,time\nf=open(sys.argv[1],"rb",buffering=0)\nn=0\nwhile True:\n b=f.read(65536)\n if not b: break\n n+=len(b)\n time.sleep(0.04)\nprint(n)',
        fifo,
      ]);
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return child;
    });
    try {
      const sink = ThreadSink.start(p.w)!;
      for (let k = 0; k < 75; k++) sink.write(frame(k, 20_000), false);
      sink.drain(300);
      assert.strictEqual(sink.pendingBytes, 0, 'the drain gave up while the host was still reading');
    } finally {
      fs.closeSync(p.w);
    }
    await p.closed;
    assert.strictEqual(Number(out.trim()), 75 * 20_008);
    fs.rmSync(p.dir, { recursive: true, force: true });
  });

  it('when the host goes away, drops rows without holding on to buffers, and still takes essential frames', async () => {
    // A host that reads a little and exits: writes then fail (EPIPE).
    const p = await pipeTo((fifo) => spawn('sh', ['-c', 'head -c 1000 "$0" > /dev/null', fifo]));
    const nap = new Int32Array(new SharedArrayBuffer(4));
    try {
      const sink = ThreadSink.start(p.w)!;
      const rows = 8192;
      let refused = 0;
      for (let k = 0; k < 60; k++) {
        sink.takeRows(rows).fill(k);
        if (!sink.sendRows(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]), rows)) refused++;
        assert.strictEqual(sink.write(frame(k, 10), true), true);
        if (k === 5) await p.closed;
        Atomics.wait(nap, 0, 0, 5);
      }
      assert.ok(refused > 0, 'rows were still accepted after the host went away');
      assert.ok(sink.rowBuffers < 20, `${sink.rowBuffers} row buffers kept for a host that is gone`);
      sink.drain(1000);
    } finally {
      fs.closeSync(p.w);
    }
    fs.rmSync(p.dir, { recursive: true, force: true });
  });

  it('when the writer is slow to start, the periodic flush sends from the program thread after the grace period', async () => {
    const reference = new MemorySink();
    record(new Recorder(reference, 500), 5_000, undefined, false);
    const expected = decode(reference.bytes()).events;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-tsink-out-'));
    const out = path.join(dir, 'events.bin');
    const p = await pipeTo(catTo(out));
    let gone = 0;
    try {
      const sink = ThreadSink.start(p.w, undefined, { startWriter: false, writerStartGraceMs: 100 })!;
      sink.onWriterGone = () => gone++;
      record(new Recorder(sink, 500), 5_000, undefined, false);
      const waiting = sink.pendingBytes;
      sink.tryDrain();
      assert.ok(waiting > 0 && sink.pendingBytes === waiting, `within the grace period, frames wait for the writer: ${waiting}, then ${sink.pendingBytes}`);
      assert.strictEqual(gone, 0);
      await new Promise((resolve) => setTimeout(resolve, 120));
      // No drain (a program killed outright never gets to it): the periodic tryDrain alone sends everything.
      for (let i = 0; i < 400 && (i === 0 || sink.pendingBytes > 0); i++) {
        sink.tryDrain();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.strictEqual(sink.pendingBytes, 0);
      assert.strictEqual(gone, 1, 'the loop is told the writer (and its step watch) will not come');
    } finally {
      fs.closeSync(p.w);
    }
    await p.closed;
    const { events } = decode(fs.readFileSync(out));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(p.dir, { recursive: true, force: true });
    assert.deepStrictEqual(events, expected);
  });

  it('takes the writer thread the preload started for its descriptor and bound, once, and sends through it the same', async () => {
    const g = globalThis as { [EARLY_WRITER]?: WriterThread };
    let early: WriterThread | undefined;
    let taken: ThreadSink | undefined;
    const start = (fd: number): ThreadSink => {
      early = g[EARLY_WRITER] = startWriterThread(fd);
      taken = ThreadSink.start(fd)!;
      return taken;
    };
    const { expected, events, decoder } = await sendThroughPipe(1000, 20_000, start);
    assert.strictEqual(taken!.startedEarly, true);
    assert.strictEqual(g[EARLY_WRITER], undefined, 'the early writer is taken out of the global');
    assert.ok(early!.worker !== null && early!.onGone !== null, 'the sink listens for the early writer going');
    assert.deepStrictEqual(events, expected);
    assert.strictEqual(decoder.stats.droppedEvents, 0);
    // Its exit is noticed as the sink's own writer's would be.
    let gone = 0;
    taken!.onWriterGone = () => gone++;
    await early!.worker!.terminate();
    for (let i = 0; i < 100 && gone === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.strictEqual(gone, 1);
  });

  it('leaves a writer started for another descriptor or bound, and starts its own', async () => {
    const g = globalThis as { [EARLY_WRITER]?: WriterThread };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-tsink-early-'));
    const fd = fs.openSync(path.join(dir, 'events.bin'), 'w');
    try {
      for (const early of [startWriterThread(fd + 1000, undefined, false), startWriterThread(fd, 1 << 20, false)]) {
        g[EARLY_WRITER] = early;
        const sink = ThreadSink.start(fd)!;
        assert.strictEqual(sink.startedEarly, false);
        assert.strictEqual(g[EARLY_WRITER], undefined, 'a writer that does not fit is dropped, not left for later');
        sink.drain(1000);
      }
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the writer never starts, drain sends everything from the program thread, in order', async () => {
    const start = (fd: number): ThreadSink => ThreadSink.start(fd, undefined, { startWriter: false })!;
    const { expected, events } = await sendThroughPipe(500, 5_000, start);
    assert.deepStrictEqual(events, expected);
  });
});
