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
 *   `task.created` without a name string (id 0) is a task with the default name `Task-<id>`.
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
export const WarningCode = Object.fromEntries(WARNING_KINDS.map((k, i) => [k, i])) as Record<WarningKind, number>;

export const SIGNAL_ACTIONS = ['set', 'clear', 'notify'] as const;
export const STREAMS = ['stdout', 'stderr'] as const;

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
 * Reassembles frames from a byte stream and decodes them. Feed it chunks as they arrive; it keeps partial frames.
 * `onEvent` receives events in order.
 */
export class WireDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly strings: (string | null)[] = [null];
  private readonly textDecoder = new TextDecoder();
  /** Dynamic sites as the program reported them (bundle positions); the host maps them. */
  readonly dynamicSites = new Map<number, { file: string; line: number; column: number }>();
  stats: WireStats = { pendingTasks: 0, droppedEvents: 0 };
  eventCount = 0;

  constructor(
    private readonly resolveSite: SiteResolver,
    private readonly onEvent: (event: TraceEvent) => void,
  ) {}

  feed(chunk: Uint8Array): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < FRAME_HEADER_BYTES) return;
    let buf = this.pending.length === 1 ? this.pending[0] : concat(this.pending, this.pendingBytes);
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const view = new DataView(buf.buffer, buf.byteOffset + off, FRAME_HEADER_BYTES);
      const len = view.getUint32(0, true);
      const kind = buf[off + 4] as FrameKind;
      if (buf.length - off - FRAME_HEADER_BYTES < len) break;
      this.decodeFrame(kind, buf.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len));
      off += FRAME_HEADER_BYTES + len;
    }
    buf = buf.subarray(off);
    this.pending = buf.length ? [buf] : [];
    this.pendingBytes = buf.length;
  }

  /** Bytes received that do not yet form a whole frame (a program killed mid-write leaves some). */
  get leftoverBytes(): number {
    return this.pendingBytes;
  }

  private decodeFrame(kind: FrameKind, payload: Uint8Array): void {
    switch (kind) {
      case FrameKind.Events: {
        // Copy to an aligned buffer: the payload's offset in the chunk is arbitrary (and a Node Buffer's
        // `slice` would not copy).
        const aligned = new Uint8Array(payload.length - (payload.length % 8));
        aligned.set(payload.subarray(0, aligned.length));
        const rows = new Float64Array(aligned.buffer);
        for (let i = 0; i + ROW_WIDTH <= rows.length; i += ROW_WIDTH) {
          this.eventCount++;
          this.onEvent(this.decodeRow(rows, i));
        }
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
        return;
      default:
        throw new Error(`corrupt event stream: unknown frame kind ${kind as number}`);
    }
  }

  private str(id: number): string | null {
    return id === 0 ? null : (this.strings[id] ?? null);
  }

  private site(id: number): SourceSite | null {
    return id === 0 ? null : this.resolveSite(id);
  }

  private decodeRow(r: Float64Array, i: number): TraceEvent {
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

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
