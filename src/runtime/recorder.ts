/**
 * The in-program half of tracing: events go into a preallocated float64 ring (a few ns each, no allocation), and
 * whole batches leave through a `FrameSink` off the hot path. The runtime knows nothing of where frames go.
 */
import { EventCode, FrameKind, ROW_WIDTH, WakeCode, WireStats, frameHeader } from '../contract/wire';

const SUSPENDED = EventCode['task.suspended'];
const RESUMED = EventCode['task.resumed'];

/** Where encoded frames go. `write` must never block; `drain` may block briefly (process exit). */
export interface FrameSink {
  /**
   * Sends one frame, given as consecutive parts (header, body). The parts are only valid during the call: what the
   * sink cannot send at once it copies (so the recorder reuses its row buffer, and a frame costs no allocation while
   * the host keeps up). Returns false if the frame was dropped because the sink is over its bound; `essential`
   * frames (strings, sites, stats) are kept whatever the bound, since surviving events refer to them.
   */
  write(parts: readonly Uint8Array[], essential: boolean): boolean;
  /** Pushes out everything still queued, waiting up to `timeoutMs`. */
  drain(timeoutMs: number): void;
  /**
   * Optional, for sinks that send rows without copying them: a buffer for up to `rows` rows (from index 0; its length
   * says how many it holds), which the recorder fills and then hands back with `sendRows` before it takes another.
   */
  takeRows?(rows: number): Float64Array;
  /** Sends rows [0, count) of the buffer last taken, after `header` (valid only during the call). False: dropped. */
  sendRows?(header: Uint8Array, count: number): boolean;
}

const DEFAULT_ROWS = 8192;
/** Rows in the first frames (see the constructor). */
const FIRST_FRAME_ROWS = 64;
const encoder = new TextEncoder();

export class Recorder {
  private rows: Float64Array;
  private n = 0;
  /** Rows the buffer holds now (a sink lending buffers may lend smaller ones than asked for). */
  private capacity: number;
  private readonly maxRows: number;
  private strings: string[] = [];
  private nextStringId = 1;
  private firstPendingString = 1;
  private readonly interned = new Map<string, number>();
  private sites: [number, string, number, number][] = [];
  droppedEvents = 0;
  /** Total events recorded (kept or dropped). */
  eventCount = 0;
  /** Row index of the last row, when it is a `task.suspended` that can still carry a yield resume (else -1). */
  private openSuspend = -1;
  /** Events in the ring beyond one per row (resumes carried by suspension rows). */
  private carried = 0;
  private readonly eventsHeader = frameHeader(FrameKind.Events, 0);
  private readonly eventsHeaderView = new DataView(this.eventsHeader.buffer);

  constructor(
    private readonly sink: FrameSink,
    capacityRows = DEFAULT_ROWS,
  ) {
    this.maxRows = capacityRows;
    this.rows = sink.takeRows !== undefined ? sink.takeRows(capacityRows) : new Float64Array(capacityRows * ROW_WIDTH);
    // The first frame is small: sending one early, while the code that records is still interpreted, gives V8
    // the feedback it needs to optimise that code with the sending path in it (found later, it deoptimises it).
    this.capacity = Math.min(capacityRows, FIRST_FRAME_ROWS, this.rows.length / ROW_WIDTH);
  }

  /**
   * Time (trace ms) of what `event`, `suspended` and `resumedByYield` record next: the caller sets it right before
   * the call (after anything that may record events itself, such as the program's own code). Hot paths pass time
   * this way because a float passed to (or returned from) a call V8 does not inline is boxed, a heap allocation per
   * event; a field write is not. NaN, not 0, to start with: the field holds floats from the start.
   */
  t = NaN;

  /** Records one event at time `t`. Columns are described in `contract/wire.ts`. */
  ev(code: number, t: number, a: number, b = 0, c = 0, d = 0, e = 0, f = 0): void {
    this.t = t;
    this.event(code, a, b, c, d, e, f);
  }

  /** Records one event at time `this.t`. */
  event(code: number, a: number, b = 0, c = 0, d = 0, e = 0, f = 0): void {
    if (this.n === this.capacity) this.flush();
    const r = this.rows;
    const i = this.n++ * ROW_WIDTH;
    r[i] = code;
    r[i + 1] = this.t;
    r[i + 2] = a;
    r[i + 3] = b;
    r[i + 4] = c;
    r[i + 5] = d;
    r[i + 6] = e;
    r[i + 7] = f;
    this.eventCount++;
  }

  /**
   * Records `task.suspended` at `this.t` (columns as `ev`'s). `e` may be UNTIL_NOW (a `sleep(0)`): the host's decoder
   * writes in the time.
   */
  suspended(task: number, reason: number, site: number, d: number, e: number): void {
    this.event(SUSPENDED, task, reason, site, d, e, 0);
    this.openSuspend = this.n - 1;
  }

  /**
   * Records `task.resumed` with cause `yield` at `this.t`. Right after another task's suspension at the same time (a
   * `sleep(0)` hand-over, the commonest pair in busy programs), it rides in that row's free column: one row for two
   * events (`contract/wire.ts`; the host's decoder gives it back its own row).
   */
  resumedByYield(task: number): void {
    const t = this.t;
    const j = this.openSuspend;
    if (j >= 0 && j === this.n - 1) {
      const i = j * ROW_WIDTH;
      const r = this.rows;
      if (r[i + 1] === t) {
        r[i + 7] = task;
        this.openSuspend = -1;
        this.carried++;
        this.eventCount++;
        return;
      }
    }
    this.event(RESUMED, task, WakeCode.yield);
  }

  /** A string used once (a result preview, printed text). 0 stands for null. */
  str(s: string | null | undefined): number {
    if (s === null || s === undefined) return 0;
    this.strings.push(s);
    return this.nextStringId++;
  }

  /** A string used many times (task and coroutine names, target lists): sent once. */
  intern(s: string): number {
    let id = this.interned.get(s);
    if (id === undefined) {
      id = this.str(s);
      this.interned.set(s, id);
    }
    return id;
  }

  /** Registers a site found by stack capture (positions as the running code sees them). */
  defineSite(id: number, file: string, line: number, column: number): void {
    this.sites.push([id, file, line, column]);
  }

  /** Ships everything buffered. Strings and sites go first: the events refer to them. */
  flush(): void {
    if (this.strings.length > 0) {
      this.sendJson(FrameKind.Strings, [this.firstPendingString, ...this.strings]);
      this.strings = [];
      this.firstPendingString = this.nextStringId;
    }
    if (this.sites.length > 0) {
      this.sendJson(FrameKind.Sites, this.sites);
      this.sites = [];
    }
    if (this.n > 0) {
      const bytes = this.n * ROW_WIDTH * 8;
      // One header for every events frame (sinks copy it before they return): no small buffer per frame.
      const header = this.eventsHeader;
      this.eventsHeaderView.setUint32(0, bytes, true);
      const sink = this.sink;
      let sent: boolean;
      if (sink.sendRows !== undefined) {
        // The rows go as they are; the next ones go to a fresh buffer.
        sent = sink.sendRows(header, this.n);
        this.rows = sink.takeRows!(this.maxRows);
      } else sent = sink.write([header, new Uint8Array(this.rows.buffer, this.rows.byteOffset, bytes)], false);
      this.capacity = Math.min(this.maxRows, this.rows.length / ROW_WIDTH);
      if (!sent) this.droppedEvents += this.n + this.carried;
      this.n = 0;
      this.carried = 0;
      this.openSuspend = -1;
    }
  }

  /** Flushes, sends the final statistics and waits (briefly) for the sink to empty: the program is ending. */
  close(stats: Omit<WireStats, 'droppedEvents'>, timeoutMs = 5000): void {
    this.flush();
    this.sendJson(FrameKind.Stats, { ...stats, droppedEvents: this.droppedEvents });
    this.sink.drain(timeoutMs);
  }

  private sendJson(kind: FrameKind, value: unknown): void {
    const payload = encoder.encode(JSON.stringify(value));
    this.sink.write([frameHeader(kind, payload.length), payload], true);
  }
}
