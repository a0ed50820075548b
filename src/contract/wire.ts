/**
 * The binary wire between the traced program (child process) and the host that writes the trace file.
 *
 * The program buffers events as rows of 8 float64s in a preallocated array (a few ns per event, no objects, no
 * JSON) and ships them in frames; the host turns frames back into `TraceEvent` objects. Users never see this format:
 * trace files are NDJSON (`trace.ts`). Pure code: typed arrays and TextEncoder/TextDecoder only.
 *
 * Frame: 8-byte header (u32 little-endian payload length, u8 frame kind, 3 bytes zero), then the payload.
 * - EVENTS: rows of `ROW_WIDTH` float64 (little-endian). Column 0 is the event type code (index in
 *   `TRACE_EVENT_TYPES`), column 1 is `t`, columns 2..7 depend on the type (see `decodeRow`). Strings are ids into
 *   the STRINGS table, except a queue item that is a number: string id -1 and the number itself in column 7. A
 *   `task.created` without a name string (id 0) is a task with the default name `Task-<id>`. A `task.suspended` row
 *   may carry a second event in its column 7: the id of a task that resumed right after it, at the same `t`, with
 *   cause `yield` (the `sleep(0)` hand-over of busy loops, one row instead of two); the decoder gives that
 *   `task.resumed` its own row before anything reads the rows. A `sleep(0)` suspension's `until` (column 6) may be
 *   `UNTIL_NOW`: its own `t`, to the microsecond, which the decoder writes in at the same point (rounding there, not
 *   in the program, where it is the hottest event).
 * - STRINGS: JSON `[firstId, s1, s2, ...]`: strings `firstId`, `firstId + 1`, ... Id 0 means "none" (null).
 * - SITES: JSON `[[id, file, line, column], ...]`: call sites found at run time by stack capture (negative ids),
 *   positions as the program saw them (the bundle), 1-based. Positive ids are the bundle-time site table.
 * - STATS: JSON `{ pendingTasks, droppedEvents }`, the program's last word before it exits.
 * Strings and sites are always sent before the events that use them.
 */

import {
  ErrorInfo,
  ResourceKind,
  SourceSite,
  SuspendKind,
  SuspendReason,
  TRACE_EVENT_TYPES,
  TraceEvent,
  TraceEventType,
  WakeCause,
  WarningKind,
  assertNever,
} from './trace';

export const ROW_WIDTH = 8;
export const FRAME_HEADER_BYTES = 8;

export const enum FrameKind {
  Events = 1,
  Strings = 2,
  Sites = 3,
  Stats = 4,
}

/** Event type codes: the index of the type in `TRACE_EVENT_TYPES`. */
export const EventCode = Object.fromEntries(TRACE_EVENT_TYPES.map((type, i) => [type, i])) as Record<
  TraceEventType,
  number
>;

export const SUSPEND_KINDS: readonly SuspendKind[] = [
  'sleep',
  'task',
  'gather',
  'wait',
  'asCompleted',
  'queue.get',
  'queue.put',
  'queue.join',
  'lock',
  'semaphore',
  'event',
  'condition',
  'future',
  'external',
];
export const SuspendCode = Object.fromEntries(SUSPEND_KINDS.map((k, i) => [k, i])) as Record<SuspendKind, number>;

/** Wake causes; code 0 is "unknown" (the field is left out). */
export const WAKE_KINDS: readonly (WakeCause['kind'] | null)[] = [
  null,
  'timer',
  'result',
  'exception',
  'cancel',
  'yield',
  'external',
];
export const WakeCode = Object.fromEntries(WAKE_KINDS.map((k, i) => [k ?? 'none', i])) as Record<
  WakeCause['kind'] | 'none',
  number
>;

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'queue',
  'priorityQueue',
  'lifoQueue',
  'lock',
  'semaphore',
  'boundedSemaphore',
  'event',
  'condition',
];
export const ResourceCode = Object.fromEntries(RESOURCE_KINDS.map((k, i) => [k, i])) as Record<ResourceKind, number>;

export const WARNING_KINDS: readonly WarningKind[] = [
  'eager-promise',
  'exception-never-retrieved',
  'pending-at-exit',
  'never-awaited',
  'blocked-loop',
  'deadlock',
  'swallowed-cancellation',
  'swallowed-errors',
  'busy-loop',
  'queue-orphaned',
  'events-dropped',
];
const SUSPENDED = EventCode['task.suspended'];
const RESUMED = EventCode['task.resumed'];
const SLEEP = SuspendCode.sleep;

export const WarningCode = Object.fromEntries(WARNING_KINDS.map((k, i) => [k, i])) as Record<WarningKind, number>;

export const SIGNAL_ACTIONS = ['set', 'clear', 'notify'] as const;
export const STREAMS = ['stdout', 'stderr'] as const;

/** A time in ms, to the microsecond: how the trace writes times (and a short number is cheap to write). */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The `until` of a `sleep(0)` suspension on the wire: the suspension's own time (the decoder writes it in). */
export const UNTIL_NOW = -1;

export function frameHeader(kind: FrameKind, payloadBytes: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  new DataView(h.buffer).setUint32(0, payloadBytes, true);
  h[4] = kind;
  return h;
}

export interface WireStats {
  pendingTasks: number;
  droppedEvents: number;
}

/** Turns a site id into a site; the host owns the bundle's site table and the source map. */
export type SiteResolver = (id: number) => SourceSite | null;

/**
 * Receives the rows of one EVENTS frame: `count` rows of `ROW_WIDTH` float64s from index 0 of `rows`. The array is
 * the decoder's scratch space (or a view of the received chunk): read it during the call, never keep it.
 */
export type RowHandler = (rows: Float64Array, count: number) => void;

/**
 * Reassembles frames from a byte stream and decodes them. Feed it chunks as they arrive; it keeps partial frames.
 * `onEvent` receives events in order; `onRows` (if given) receives the raw rows of each events frame first, for hosts
 * that turn rows into text without making event objects (`decodeRow` makes one on demand).
 *
 * A frame that lies whole inside a chunk is decoded in place (viewed as float64 when its payload is 8-byte aligned,
 * else copied once into an aligned scratch buffer); a frame spanning chunks is copied once into the scratch buffer as
 * its bytes arrive. Chunks are never concatenated.
 */
export class WireDecoder {
  /** Header bytes of a frame whose header was split across chunks. */
  private readonly headerBytes = new Uint8Array(FRAME_HEADER_BYTES);
  private headerHave = 0;
  /** The frame being reassembled: its kind and payload length (-1: none), and how much of the payload is in. */
  private partialKind = 0;
  private partialLength = -1;
  private partialHave = 0;
  /** Aligned scratch space: the payload of a frame spanning chunks, or an unaligned events payload. */
  private scratch = new ArrayBuffer(1 << 16);
  private scratchBytes = new Uint8Array(this.scratch);
  private readonly strings: (string | null)[] = [null];
  private readonly textDecoder = new TextDecoder();
  /** Dynamic sites as the program reported them (bundle positions); the host maps them. */
  readonly dynamicSites = new Map<number, { file: string; line: number; column: number }>();
  stats: WireStats = { pendingTasks: 0, droppedEvents: 0 };
  /** True once the program's closing statistics arrived: what it recorded before them is all in. */
  statsReceived = false;
  eventCount = 0;
  /** Rows completed by `completeRows`. */
  private expandedRows = new Float64Array(0);

  constructor(
    private readonly resolveSite: SiteResolver,
    private readonly onEvent: ((event: TraceEvent) => void) | null,
    private readonly onRows: RowHandler | null = null,
  ) {}

  feed(chunk: Uint8Array): void {
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      if (this.partialLength >= 0) {
        // Continue a frame whose payload spans chunks.
        const take = Math.min(this.partialLength - this.partialHave, n - off);
        this.ensureScratch(this.partialHave + take, this.partialHave);
        this.scratchBytes.set(chunk.subarray(off, off + take), this.partialHave);
        this.partialHave += take;
        off += take;
        if (this.partialHave === this.partialLength) {
          const length = this.partialLength;
          this.partialLength = -1;
          this.decodeFrame(this.partialKind as FrameKind, this.scratchBytes.subarray(0, length));
        }
        continue;
      }
      let length: number;
      let kind: number;
      if (this.headerHave > 0 || n - off < FRAME_HEADER_BYTES) {
        // A header split across chunks.
        const take = Math.min(FRAME_HEADER_BYTES - this.headerHave, n - off);
        this.headerBytes.set(chunk.subarray(off, off + take), this.headerHave);
        this.headerHave += take;
        off += take;
        if (this.headerHave < FRAME_HEADER_BYTES) return;
        this.headerHave = 0;
        length = readU32(this.headerBytes, 0);
        kind = this.headerBytes[4];
      } else {
        length = readU32(chunk, off);
        kind = chunk[off + 4];
        off += FRAME_HEADER_BYTES;
      }
      if (kind < FrameKind.Events || kind > FrameKind.Stats) {
        throw new Error(`corrupt event stream: unknown frame kind ${kind}`);
      }
      if (n - off >= length) {
        this.decodeFrame(kind as FrameKind, chunk.subarray(off, off + length));
        off += length;
      } else {
        this.partialKind = kind;
        this.partialLength = length;
        this.partialHave = 0;
      }
    }
  }

  /** Bytes received that do not yet form a whole frame (a program killed mid-write leaves some). */
  get leftoverBytes(): number {
    return this.headerHave + (this.partialLength >= 0 ? FRAME_HEADER_BYTES + this.partialHave : 0);
  }

  /**
   * Makes the scratch buffer hold at least `bytes`, keeping its first `keep` bytes. It grows as bytes arrive, not to
   * the length a header announces, so a corrupt length costs no more memory than the bytes actually sent.
   */
  private ensureScratch(bytes: number, keep = 0): void {
    if (this.scratch.byteLength >= bytes) return;
    const grown = new ArrayBuffer(Math.max(bytes, this.scratch.byteLength * 2));
    const grownBytes = new Uint8Array(grown);
    if (keep > 0) grownBytes.set(this.scratchBytes.subarray(0, keep));
    this.scratch = grown;
    this.scratchBytes = grownBytes;
  }

  private decodeFrame(kind: FrameKind, payload: Uint8Array): void {
    switch (kind) {
      case FrameKind.Events: {
        let count = (payload.length / (ROW_WIDTH * 8)) | 0;
        if (count === 0) return;
        let rows: Float64Array;
        if (payload.byteOffset % 8 === 0) {
          rows = new Float64Array(payload.buffer, payload.byteOffset, count * ROW_WIDTH);
        } else {
          // Float64Array views need 8-byte alignment; the payload's offset in the chunk is arbitrary.
          this.ensureScratch(count * ROW_WIDTH * 8);
          this.scratchBytes.set(payload.subarray(0, count * ROW_WIDTH * 8));
          rows = new Float64Array(this.scratch, 0, count * ROW_WIDTH);
        }
        const expanded = this.completeRows(rows, count);
        if (expanded !== null) {
          rows = expanded;
          count = expanded.length / ROW_WIDTH;
        }
        this.eventCount += count;
        this.onRows?.(rows, count);
        const onEvent = this.onEvent;
        if (onEvent !== null) for (let i = 0; i < count * ROW_WIDTH; i += ROW_WIDTH) onEvent(this.decodeRow(rows, i));
        return;
      }
      case FrameKind.Strings: {
        const arr = JSON.parse(this.textDecoder.decode(payload)) as [number, ...string[]];
        const first = arr[0];
        for (let i = 1; i < arr.length; i++) this.strings[first + i - 1] = arr[i] as string;
        return;
      }
      case FrameKind.Sites: {
        const arr = JSON.parse(this.textDecoder.decode(payload)) as [number, string, number, number][];
        for (const [id, file, line, column] of arr) this.dynamicSites.set(id, { file, line, column });
        return;
      }
      case FrameKind.Stats:
        this.stats = JSON.parse(this.textDecoder.decode(payload)) as WireStats;
        this.statsReceived = true;
        return;
      default:
        throw new Error(`corrupt event stream: unknown frame kind ${kind as number}`);
    }
  }

  /**
   * Gives each yield resume carried by a `task.suspended` row (column 7) its own `task.resumed` row right after it,
   * and each `sleep(0)` suspension whose `until` is UNTIL_NOW its own time; null when the frame has neither. The
   * result is this decoder's (reused) space, valid until the next frame (the frame itself is left as it was).
   */
  private completeRows(rows: Float64Array, count: number): Float64Array | null {
    let carried = 0;
    let untilNow = 0;
    for (let i = 0; i < count * ROW_WIDTH; i += ROW_WIDTH) {
      if (rows[i] !== SUSPENDED) continue;
      if (rows[i + 7] !== 0) carried++;
      if (rows[i + 6] === UNTIL_NOW && rows[i + 3] === SLEEP) untilNow++;
    }
    if (carried === 0 && untilNow === 0) return null;
    const need = (count + carried) * ROW_WIDTH;
    if (this.expandedRows.length < need) {
      this.expandedRows = new Float64Array(Math.max(need, this.expandedRows.length * 2));
    }
    const out = this.expandedRows;
    let o = 0;
    for (let i = 0; i < count * ROW_WIDTH; i += ROW_WIDTH, o += ROW_WIDTH) {
      for (let k = 0; k < ROW_WIDTH; k++) out[o + k] = rows[i + k];
      if (rows[i] !== SUSPENDED) continue;
      if (rows[i + 6] === UNTIL_NOW && rows[i + 3] === SLEEP) out[o + 6] = toMicros(rows[i + 1]);
      const resumed = rows[i + 7];
      if (resumed !== 0) {
        out[o + 7] = 0;
        o += ROW_WIDTH;
        out[o] = RESUMED;
        out[o + 1] = rows[i + 1];
        out[o + 2] = resumed;
        out[o + 3] = WakeCode.yield;
        for (let k = 4; k < ROW_WIDTH; k++) out[o + k] = 0;
      }
    }
    return out.subarray(0, need);
  }

  /** String `id` of the STRINGS table; null for 0 (and for an id never sent). */
  str(id: number): string | null {
    return id === 0 ? null : (this.strings[id] ?? null);
  }

  /** The site with id `id`, null for 0. */
  site(id: number): SourceSite | null {
    return id === 0 ? null : this.resolveSite(id);
  }

  /** The event in row `i` (an index into `r`, a multiple of `ROW_WIDTH`). */
  decodeRow(r: Float64Array, i: number): TraceEvent {
    const type = TRACE_EVENT_TYPES[r[i]];
    // Microsecond precision is all a trace needs; shorter numbers make smaller, faster files.
    const t = Math.round(r[i + 1] * 1000) / 1000;
    const a = r[i + 2];
    const b = r[i + 3];
    const c = r[i + 4];
    const d = r[i + 5];
    const e = r[i + 6];
    switch (type) {
      case 'task.created': {
        const ev: TraceEvent = { t, type, task: a, name: this.str(b) ?? `Task-${a}`, parent: c || null, site: this.site(d) };
        const coroutine = this.str(e);
        if (coroutine) ev.coroutine = coroutine;
        return ev;
      }
      case 'task.started':
        return { t, type, task: a };
      case 'task.suspended':
        return { t, type, task: a, reason: this.reason(b, d, e), site: this.site(c) };
      case 'task.resumed': {
        const ev: TraceEvent = { t, type, task: a };
        const kind = WAKE_KINDS[b];
        if (kind) ev.cause = c ? { kind, by: c } : { kind };
        return ev;
      }
      case 'task.cancelRequested':
        return { t, type, task: a, by: b || null, message: this.str(c), site: this.site(d) };
      case 'task.done':
        return { t, type, task: a, result: this.str(b) ?? 'undefined' };
      case 'task.failed':
        return { t, type, task: a, error: JSON.parse(this.str(b) ?? '{"name":"Error","message":""}') as ErrorInfo };
      case 'task.cancelled':
        return { t, type, task: a, message: this.str(b) };
      case 'resource.created': {
        const ev: TraceEvent = {
          t,
          type,
          resource: a,
          kind: RESOURCE_KINDS[b],
          name: this.str(c) ?? `Resource-${a}`,
          site: this.site(d),
        };
        if (!Number.isNaN(e)) ev.capacity = e;
        return ev;
      }
      case 'queue.put':
      case 'queue.get':
        // A numeric item travels in column 7 (d = -1), so the program makes no string for it.
        return { t, type, resource: a, task: b || null, size: c, item: d === -1 ? String(r[i + 7]) : (this.str(d) ?? ''), seq: e };
      case 'resource.acquired':
      case 'resource.released':
        return { t, type, resource: a, task: b || null };
      case 'resource.signalled': {
        const ev: TraceEvent = { t, type, resource: a, task: b || null, action: SIGNAL_ACTIONS[c] };
        if (!Number.isNaN(d)) ev.count = d;
        return ev;
      }
      case 'output':
        return { t, type, task: a || null, stream: STREAMS[b], text: this.str(c) ?? '' };
      case 'warning': {
        const ev: TraceEvent = { t, type, kind: WARNING_KINDS[a], message: this.str(d) ?? '' };
        if (b) ev.task = b;
        if (c) ev.site = this.site(c);
        return ev;
      }
      case 'run.finished':
        return { t, type, exitCode: a, signal: null, pendingTasks: b, droppedEvents: c };
      case undefined:
        throw new Error(`corrupt event stream: unknown event code ${r[i]}`);
      default:
        return assertNever(type, 'event type');
    }
  }

  private reason(code: number, d: number, e: number): SuspendReason {
    const kind = SUSPEND_KINDS[code];
    switch (kind) {
      case 'sleep':
        return { kind, seconds: d, until: e };
      case 'task':
        return { kind, target: d };
      case 'gather':
      case 'wait':
      case 'asCompleted':
        return { kind, targets: JSON.parse(this.str(d) ?? '[]') as number[] };
      case 'queue.get':
      case 'queue.put':
      case 'queue.join':
      case 'lock':
      case 'semaphore':
      case 'event':
      case 'condition':
        return { kind, resource: d };
      case 'future':
      case 'external':
        return { kind };
      case undefined:
        throw new Error(`corrupt event stream: unknown suspend reason ${code}`);
      default:
        return assertNever(kind, 'suspend reason');
    }
  }
}

function readU32(bytes: Uint8Array, off: number): number {
  return (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16)) + bytes[off + 3] * 0x1000000;
}
