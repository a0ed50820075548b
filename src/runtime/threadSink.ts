/**
 * Sends recorder frames to the host from a writer thread, so that the program's thread neither makes system calls
 * for them nor copies event rows.
 *
 * The recorder writes its rows straight into buffers of shared memory that this sink lends it (`takeRows`); a full
 * buffer is handed to the writer thread as it is (`sendRows`), which writes it to the file descriptor (fd 3: a pipe
 * to the host, or the file the host reads after the run) and gives it back to the pool. Buffers are reused, because
 * fresh memory is what costs here: the first write to each page is a page fault (about 1 ms per MB on this machine,
 * more than copying it). Other frames (strings, sites, stats) are small and are copied into buffers of their own.
 * Frames go out in the order they were given, through a ring of descriptors (buffer, offset, length) in shared memory.
 *
 * A worker thread takes tens of milliseconds to start; until it runs, frames wait for it in their buffers (writing
 * them from this thread instead cost more here: a system call into a socket moves about 0.6 MB per millisecond). If the
 * writer cannot start or dies, this thread takes over through a non-blocking `FdSink`, from the first byte the writer
 * had not written.
 *
 * Bounds: when the host falls behind by the pool's size (`maxQueuedBytes`), event rows are dropped (the recorder counts
 * them); essential frames are always kept.
 *
 * The writer thread also runs the loop's step watch (see `startWatch` and `EventLoop._stepEnd` in core.ts), so a
 * traced program needs one helper thread, not two.
 */
import { MessageChannel, Worker } from 'worker_threads';
import { FRAME_HEADER_BYTES, ROW_WIDTH } from '../contract/wire';
import { WATCH_IN_STEP, WATCH_LONG, WATCH_READY, WATCH_SLOTS, WATCH_STEP } from './stepWatch';
import { FdSink } from './fdSink';
import type { FrameSink } from './recorder';

/** Slots of the control array shared with the writer thread. */
const DW = 0; // descriptors published (a count), written by this thread
const DR = 1; // descriptors fully written (a count), written by the writer
const HEAD_DONE = 2; // bytes of descriptor DR already written
const READY = 3; // who writes: 0 nobody yet, 1 the writer (once it runs), 2 this thread (the writer never came)
const BROKEN = 4; // 1 once the descriptor refused a write for good (the host went away)
const WATCH_ON = 5; // 1 once the loop wants the step watch
const SLEEPING = 6; // 1 while the writer sleeps until notified (else it looks again within a millisecond)
const CTRL_SLOTS = 7;

/** Naps of a millisecond the idle writer takes before it sleeps until woken. */
const LIGHT_SLEEPS = 20;
/** Descriptor ring: (buffer id, offset, length) per frame. */
const DESC_SLOTS = 4096;
/** Ids from here on are one-off buffers (a copied frame); below are pooled row buffers, `state[id]` 1 while lent. */
const ONE_OFF_BASE = 1 << 20;

/** How long `drain` waits for a writer that has not started before this thread sends the frames itself (ms). */
const WRITER_START_WAIT_MS = 2000;
/**
 * How long the periodic `tryDrain` lets frames wait for a writer that has not started before this thread sends them
 * itself from then on (ms). A worker starts in tens of milliseconds, but on a loaded machine it can take hundreds; a
 * program killed meanwhile (SIGKILL) would lose everything it had recorded.
 */
export const WRITER_START_GRACE_MS = 250;
/** How far the host may fall behind before event rows are dropped, when the runner gives no bound. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;
/** How often the step watch looks at the loop (ms). A step seen under way at two polls in a row is flagged. */
const STEP_WATCH_POLL_MS = 5;

const WRITER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('worker_threads');
const fs = require('fs');
const ctrl = new Int32Array(workerData.ctrl);
const desc = new Int32Array(workerData.desc);
const state = new Int32Array(workerData.state);
const watch = new Int32Array(workerData.watch);
const port = workerData.port;
const fd = workerData.fd;
const nap = new Int32Array(new SharedArrayBuffer(4));
const buffers = new Map();
let seen = -1;
let nextPoll = 0;
let idle = 0;
function pollWatch() {
  if (Atomics.load(ctrl, ${WATCH_ON}) === 0) return;
  const now = performance.now();
  if (now < nextPoll) return;
  nextPoll = now + ${STEP_WATCH_POLL_MS};
  if (Atomics.load(watch, ${WATCH_READY}) === 0) Atomics.store(watch, ${WATCH_READY}, 1);
  const step = Atomics.load(watch, ${WATCH_STEP});
  if (Atomics.load(watch, ${WATCH_IN_STEP}) === 1 && step === seen) Atomics.store(watch, ${WATCH_LONG}, step);
  seen = step;
}
function bufferOf(id) {
  for (;;) {
    const b = buffers.get(id);
    if (b !== undefined) return b;
    const m = receiveMessageOnPort(port);
    if (m === undefined) Atomics.wait(nap, 0, 0, 0.2);
    else buffers.set(m.message.id, new Uint8Array(m.message.buffer));
  }
}
if (Atomics.compareExchange(ctrl, ${READY}, 0, 1) === 0) run();
function run() {
Atomics.notify(ctrl, ${DR});
for (;;) {
  pollWatch();
  const dr = Atomics.load(ctrl, ${DR});
  const dw = Atomics.load(ctrl, ${DW});
  if (dr === dw) {
    // A busy program publishes a frame every few milliseconds: look again within one, so that it need not wake this
    // thread (a wake-up costs the program tens of microseconds on a virtual machine). Idle for longer, sleep until
    // woken.
    if (++idle < ${LIGHT_SLEEPS}) {
      Atomics.wait(ctrl, ${DW}, dw, 1);
      continue;
    }
    Atomics.store(ctrl, ${SLEEPING}, 1);
    Atomics.wait(ctrl, ${DW}, dw, Atomics.load(ctrl, ${WATCH_ON}) === 1 ? ${STEP_WATCH_POLL_MS} : 50);
    Atomics.store(ctrl, ${SLEEPING}, 0);
    continue;
  }
  idle = 0;
  const k = (dr % ${DESC_SLOTS}) * 3;
  const id = desc[k];
  const offset = desc[k + 1];
  const length = desc[k + 2];
  const buf = bufferOf(id);
  let done = Atomics.load(ctrl, ${HEAD_DONE});
  let broken = false;
  while (done < length) {
    try {
      done += fs.writeSync(fd, buf, offset + done, length - done);
      Atomics.store(ctrl, ${HEAD_DONE}, done);
    } catch (err) {
      if (err.code !== 'EAGAIN' && err.code !== 'EWOULDBLOCK') {
        broken = true;
        break;
      }
      pollWatch();
      Atomics.wait(nap, 0, 0, 0.5);
    }
  }
  if (broken) {
    Atomics.store(ctrl, ${BROKEN}, 1);
    Atomics.store(ctrl, ${DR}, Atomics.load(ctrl, ${DW}));
    Atomics.notify(ctrl, ${DR});
    break;
  }
  if (id < ${ONE_OFF_BASE}) Atomics.store(state, id, 0);
  else buffers.delete(id);
  Atomics.store(ctrl, ${HEAD_DONE}, 0);
  Atomics.store(ctrl, ${DR}, dr + 1);
  Atomics.notify(ctrl, ${DR});
}
}
`;

interface Pooled {
  bytes: Uint8Array;
  rows: Float64Array;
}

interface Frame {
  id: number;
  buf: Uint8Array;
  offset: number;
  length: number;
}

const LENT_SCRATCH = -1;

/**
 * The writer thread and the memory it shares with the program's thread. `ThreadSink.start` makes one, unless the
 * runner's preload (`writerPreload.ts`, loaded with `node --require` before the program's bundle) made it already:
 * the thread then starts while Node loads and compiles the bundle, rather than beside the program's first
 * milliseconds (on this machine a worker's start takes 30-90 ms of CPU, and W2 of `npm run bench` is over in about
 * 100).
 */
export interface WriterThread {
  readonly fd: number;
  readonly maxQueuedBytes: number;
  /** Row buffers the pool may hold (the length of `state`). */
  readonly maxPool: number;
  readonly ctrl: Int32Array;
  readonly desc: Int32Array;
  readonly state: Int32Array;
  readonly watch: Int32Array;
  /** Where the program's thread sends the writer the buffers it is to write from. */
  readonly port: MessageChannel['port1'];
  readonly worker: Worker | null;
  /** True once the worker has exited or failed. */
  gone: boolean;
  /** Told (once) when the worker goes. */
  onGone: (() => void) | null;
}

/**
 * The trace's descriptor and bound as the runner passes them (`COROUTINE_TRACE_FD`, `COROUTINE_TRACE_MAX_BUFFER`), or
 * null when the program is not traced. The runtime's tracing and the preload both read them here: the runtime takes
 * the preload's writer only if they agree.
 */
export function traceSinkSettings(env: NodeJS.ProcessEnv): { fd: number; maxQueuedBytes: number } | null {
  const fdText = env.COROUTINE_TRACE_FD;
  if (!fdText) return null;
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 0) return null;
  return { fd, maxQueuedBytes: Number(env.COROUTINE_TRACE_MAX_BUFFER) || DEFAULT_MAX_QUEUED_BYTES };
}

/** Where the preload leaves the writer thread it started, for `ThreadSink.start` to take. */
export const EARLY_WRITER = Symbol.for('coroutine-trace.writer');

/** Starts a writer thread on `fd` (`startWriter` false: the memory only, a writer that never comes, for tests). */
export function startWriterThread(fd: number, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES, startWriter = true): WriterThread {
  // Row buffers are about half a megabyte: the pool's bound in buffers, at least a few.
  const maxPool = Math.max(4, Math.min(ONE_OFF_BASE - 1, Math.floor(maxQueuedBytes / (512 * 1024))));
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
  const desc = new Int32Array(new SharedArrayBuffer(DESC_SLOTS * 3 * 4));
  const state = new Int32Array(new SharedArrayBuffer(maxPool * 4));
  const watch = new Int32Array(new SharedArrayBuffer(WATCH_SLOTS * 4));
  watch[WATCH_LONG] = -1;
  const channel = new MessageChannel();
  channel.port1.unref();
  let worker: Worker | null = null;
  if (startWriter) {
    worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { ctrl: ctrl.buffer, desc: desc.buffer, state: state.buffer, watch: watch.buffer, port: channel.port2, fd },
      transferList: [channel.port2],
      stdout: false,
      stderr: false,
      // None of the program's Node options: no preload (the runner's `--require` of writerPreload.cjs would start a
      // writer of the writer), no source maps to set up.
      execArgv: [],
    });
    worker.unref();
  }
  const w: WriterThread = { fd, maxQueuedBytes, maxPool, ctrl, desc, state, watch, port: channel.port1, worker, gone: false, onGone: null };
  const gone = (): void => {
    if (w.gone) return;
    w.gone = true;
    w.onGone?.();
  };
  worker?.on('error', gone);
  worker?.on('exit', gone);
  return w;
}

/** The writer the preload started for `fd` with the same bound, taken (once); null if there is none. */
function takeEarlyWriter(fd: number, maxQueuedBytes: number): WriterThread | null {
  const g = globalThis as { [EARLY_WRITER]?: WriterThread };
  const w = g[EARLY_WRITER];
  if (w === undefined) return null;
  delete g[EARLY_WRITER];
  return w.fd === fd && w.maxQueuedBytes === maxQueuedBytes ? w : null;
}

export class ThreadSink implements FrameSink {
  private readonly ctrl: Int32Array;
  private readonly desc: Int32Array;
  private readonly state: Int32Array;
  private readonly watch: Int32Array;
  private readonly port: MessageChannel['port1'];
  private readonly createdAt = performance.now();
  private readonly worker: Worker | null;
  /** Set once the writer is gone (or never started): this thread writes from then on. */
  private direct: FdSink | null = null;
  private writerGone = false;
  /** Called (from the event loop) when the writer thread has died: the step watch it ran is gone too. */
  onWriterGone: (() => void) | null = null;
  /** Row buffers by id; the writer frees one by zeroing its `state`. */
  private readonly pool: Pooled[] = [];
  private readonly maxPool: number;
  private readonly fd: number;
  private readonly maxQueuedBytes: number;
  /** The buffer lent to the recorder: a pool id, or `LENT_SCRATCH` (its rows will be dropped). */
  private lent = LENT_SCRATCH;
  private scratch: Float64Array | null = null;
  private nextOneOff = ONE_OFF_BASE;
  /** Descriptors published (mirrors ctrl[DW]). */
  private dw = 0;
  /** Frames that found the descriptor ring full, in order. */
  private pending: Frame[] = [];
  /** Copied frames published and maybe not written yet, in order, with their descriptor's number. */
  private published: { index: number; id: number; buf: Uint8Array }[] = [];
  /** True when the writer thread was started early, by the preload. */
  readonly startedEarly: boolean;

  /**
   * A sink on `fd`: its writer thread is the one the preload started for it if there is one, else one started now;
   * null if threads are not available (the caller then writes directly). `startWriter: false` makes a sink whose
   * writer never comes (for tests of the fallback).
   */
  static start(
    fd: number,
    maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
    options: { startWriter?: boolean; writerStartGraceMs?: number } = {},
  ): ThreadSink | null {
    try {
      const startWriter = options.startWriter !== false;
      const early = startWriter ? takeEarlyWriter(fd, maxQueuedBytes) : null;
      const writer = early ?? startWriterThread(fd, maxQueuedBytes, startWriter);
      return new ThreadSink(writer, early !== null, options.writerStartGraceMs ?? WRITER_START_GRACE_MS);
    } catch {
      return null;
    }
  }

  private constructor(
    writer: WriterThread,
    startedEarly: boolean,
    private readonly writerStartGraceMs: number,
  ) {
    this.fd = writer.fd;
    this.maxQueuedBytes = writer.maxQueuedBytes;
    this.maxPool = writer.maxPool;
    this.ctrl = writer.ctrl;
    this.desc = writer.desc;
    this.state = writer.state;
    this.watch = writer.watch;
    this.port = writer.port;
    this.worker = writer.worker;
    this.startedEarly = startedEarly;
    if (writer.worker === null) return;
    writer.onGone = () => {
      this.writerGone = true;
      this.onWriterGone?.();
    };
    // Gone before this sink existed (the preload's thread failed to start): this thread writes from the start.
    if (writer.gone) this.writerGone = true;
  }

  /** The step watch's shared array (`_setStepWatch`); nobody polls it before `startWatch`. */
  get watchArray(): Int32Array {
    return this.watch;
  }

  /** Has the writer thread poll the step watch from now on; `WATCH_READY` turns 1 once it does. */
  startWatch(): void {
    Atomics.store(this.ctrl, WATCH_ON, 1);
    Atomics.notify(this.ctrl, DW);
  }

  /** A buffer for up to `rows` rows, from index 0; the recorder must send it with `sendRows` before taking another. */
  takeRows(rows: number): Float64Array {
    const bytes = FRAME_HEADER_BYTES + rows * ROW_WIDTH * 8;
    this.settle();
    const n = this.pool.length;
    if (Atomics.load(this.ctrl, BROKEN) === 0) {
      // The first free one: the fewer buffers in use, the more of them stay in the processor's caches.
      for (let id = 0; id < n; id++) {
        if (Atomics.load(this.state, id) === 0 && this.pool[id].bytes.length >= bytes) return this.lend(id);
      }
      if (n < this.maxPool) return this.lend(this.addToPool(bytes));
    }
    // The host is behind by the whole pool, or gone: these rows will be dropped.
    this.lent = LENT_SCRATCH;
    if (this.scratch === null || this.scratch.length < rows * ROW_WIDTH) this.scratch = new Float64Array(rows * ROW_WIDTH);
    return this.scratch;
  }

  /** Sends rows [0, count) of the buffer last taken, as one events frame headed by `header`. False: dropped. */
  sendRows(header: Uint8Array, count: number): boolean {
    const id = this.lent;
    this.lent = LENT_SCRATCH;
    if (id === LENT_SCRATCH) return false;
    const length = FRAME_HEADER_BYTES + count * ROW_WIDTH * 8;
    const buf = this.pool[id].bytes;
    buf.set(header, 0);
    if (this.direct !== null) {
      // The writer died while the rows were being recorded.
      Atomics.store(this.state, id, 0);
      return this.direct.write([buf.subarray(0, length)], false);
    }
    if (Atomics.load(this.ctrl, BROKEN) === 1 || this.pending.length > 0 || this.dw - Atomics.load(this.ctrl, DR) >= DESC_SLOTS) {
      Atomics.store(this.state, id, 0);
      return false;
    }
    this.publish({ id, buf, offset: 0, length });
    return true;
  }

  write(parts: readonly Uint8Array[], essential: boolean): boolean {
    this.settle();
    if (this.direct !== null) return this.direct.write(parts, essential);
    if (Atomics.load(this.ctrl, BROKEN) === 1) return essential;
    const full = this.pending.length > 0 || this.dw - Atomics.load(this.ctrl, DR) >= DESC_SLOTS;
    if (full && !essential) return false;
    let total = 0;
    for (const p of parts) total += p.length;
    const copy = new Uint8Array(new SharedArrayBuffer(total));
    let at = 0;
    for (const p of parts) {
      copy.set(p, at);
      at += p.length;
    }
    const id = this.nextOneOff++;
    this.port.postMessage({ id, buffer: copy.buffer });
    const frame = { id, buf: copy, offset: 0, length: total };
    if (full) this.pending.push(frame);
    else this.publish(frame);
    return true;
  }

  /**
   * Moves frames that waited for room on to the writer (or the pipe). Called every few tens of milliseconds: frames
   * that have waited `writerStartGraceMs` for a writer that has not started are sent from this thread, and so is
   * everything after them (the writer, if it starts later, finds the work taken and stops).
   */
  tryDrain(): void {
    this.settle();
    if (
      this.direct === null &&
      this.dw > 0 &&
      performance.now() - this.createdAt >= this.writerStartGraceMs &&
      Atomics.compareExchange(this.ctrl, READY, 0, 2) === 0
    ) {
      this.takeOver();
      void this.worker?.terminate();
      this.onWriterGone?.();
    }
    if (this.direct !== null) this.direct.tryDrain();
    else this.movePending();
  }

  /**
   * Waits until everything accepted is written. `timeoutMs` bounds the wait for progress, not the whole drain: a
   * large backlog drains as long as the host keeps reading.
   */
  drain(timeoutMs: number): void {
    this.settle();
    const started = Date.now();
    let deadline = started + timeoutMs;
    while (this.direct === null && Atomics.load(this.ctrl, BROKEN) === 0) {
      this.movePending();
      const dr = Atomics.load(this.ctrl, DR);
      if (dr === this.dw && this.pending.length === 0) return;
      if (Date.now() - started >= Math.min(timeoutMs, WRITER_START_WAIT_MS) && Atomics.compareExchange(this.ctrl, READY, 0, 2) === 0) {
        // The writer never started (its failure is only reported through the event loop, which is not running), and
        // now never will write: this thread does.
        this.takeOver();
        break;
      }
      if (Date.now() >= deadline) return;
      Atomics.wait(this.ctrl, DR, dr, 5);
      if (Atomics.load(this.ctrl, DR) !== dr) deadline = Date.now() + timeoutMs;
      this.settle();
    }
    this.direct?.drain(timeoutMs);
  }

  /** Row buffers made so far (the pool grows only while the host is behind). */
  get rowBuffers(): number {
    return this.pool.length;
  }

  /** Bytes accepted and not yet written. */
  get pendingBytes(): number {
    if (this.direct !== null) return this.direct.pendingBytes;
    let n = 0;
    for (const f of this.pending) n += f.length;
    const dr = Atomics.load(this.ctrl, DR);
    for (let i = dr; i < this.dw; i++) n += this.desc[(i % DESC_SLOTS) * 3 + 2];
    return n - Atomics.load(this.ctrl, HEAD_DONE);
  }

  /** Takes over the writing if the writer died. */
  private settle(): void {
    if (this.writerGone && this.direct === null) this.takeOver();
  }

  private addToPool(bytes: number): number {
    const id = this.pool.length;
    const buffer = new SharedArrayBuffer(bytes);
    this.pool.push(pooled(buffer));
    this.port.postMessage({ id, buffer });
    return id;
  }

  private lend(id: number): Float64Array {
    Atomics.store(this.state, id, 1);
    this.lent = id;
    return this.pool[id].rows;
  }

  private publish(f: Frame): void {
    const k = (this.dw % DESC_SLOTS) * 3;
    this.desc[k] = f.id;
    this.desc[k + 1] = f.offset;
    this.desc[k + 2] = f.length;
    if (f.id >= ONE_OFF_BASE) {
      // Kept until written, to send again from here if the writer dies; written ones are let go.
      const dr = Atomics.load(this.ctrl, DR);
      let drop = 0;
      while (drop < this.published.length && this.published[drop].index < dr) drop++;
      if (drop > 0) this.published.splice(0, drop);
      this.published.push({ index: this.dw, id: f.id, buf: f.buf });
    }
    Atomics.store(this.ctrl, DW, ++this.dw);
    // The writer sets SLEEPING before it waits, and waits only if DW is unchanged: either it sees this frame or this
    // thread sees that it sleeps.
    if (Atomics.load(this.ctrl, SLEEPING) === 1) Atomics.notify(this.ctrl, DW, 1);
  }

  private movePending(): void {
    while (this.pending.length > 0 && this.dw - Atomics.load(this.ctrl, DR) < DESC_SLOTS) this.publish(this.pending.shift()!);
  }

  /**
   * The writer died: this thread sends, in order, what it had not written (from the first unwritten byte of the
   * oldest descriptor), then the frames that waited, then everything after.
   */
  private takeOver(): void {
    const direct = (this.direct = new FdSink(this.fd, this.maxQueuedBytes));
    if (Atomics.load(this.ctrl, BROKEN) === 1) return;
    const dr = Atomics.load(this.ctrl, DR);
    let skip = Atomics.load(this.ctrl, HEAD_DONE);
    const copied = new Map(this.published.map((p) => [p.id, p.buf]));
    const frames: Frame[] = [];
    for (let i = dr; i < this.dw; i++) {
      const k = (i % DESC_SLOTS) * 3;
      const id = this.desc[k];
      frames.push({ id, buf: id < ONE_OFF_BASE ? this.pool[id].bytes : copied.get(id)!, offset: this.desc[k + 1], length: this.desc[k + 2] });
    }
    frames.push(...this.pending);
    for (const f of frames) {
      direct.write([f.buf.subarray(f.offset + skip, f.offset + f.length)], true);
      skip = 0;
    }
    this.pending = [];
    this.published = [];
    // The sink copied what the pipe did not take: every row buffer is free again.
    this.state.fill(0);
  }
}

function pooled(buffer: ArrayBufferLike): Pooled {
  return { bytes: new Uint8Array(buffer), rows: new Float64Array(buffer, FRAME_HEADER_BYTES) };
}
