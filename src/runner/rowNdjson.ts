/**
 * Trace file lines straight from wire rows, as UTF-8 bytes: the host's hot path. A busy program sends millions of
 * events; making an event object per row, `JSON.stringify`-ing it and joining the lines cost the host more than the
 * program spent running. The events that make up almost every busy trace (tasks created, started, suspended, resumed
 * and done; queue puts and gets; lock acquire and release) are written here from the row's numbers into one byte
 * buffer; every other event goes through `decodeRow` + `eventToJson`. Either way the line is byte for byte what
 * `eventToJson(decodeRow(row))` gives (unit-tested against it).
 */
import { EventCode, SUSPEND_KINDS, SuspendCode, WAKE_KINDS, WireDecoder } from '../contract/wire';
import { TraceEvent } from '../contract/trace';
import { eventToJson } from './traceFileWriter';

const C_CREATED = EventCode['task.created'];
const C_STARTED = EventCode['task.started'];
const C_SUSPENDED = EventCode['task.suspended'];
const C_RESUMED = EventCode['task.resumed'];
const C_DONE = EventCode['task.done'];
const C_PUT = EventCode['queue.put'];
const C_GET = EventCode['queue.get'];
const C_ACQUIRED = EventCode['resource.acquired'];
const C_RELEASED = EventCode['resource.released'];
const SLEEP = SuspendCode.sleep;

/** Largest `t` in microseconds written by the fast path; beyond it (or for NaN) the general path writes the line. */
const MAX_FAST_MICROS = 1e15;
/** Whole numbers below this are written digit by digit; others (fractions, negatives, huge) by `String`. */
const MAX_DIGITS_INT = 2 ** 53;
/** Bytes the fixed parts of one fast-path line can take, beyond its site and strings (generous). */
const LINE_RESERVE = 512;
const INITIAL_BYTES = 1 << 20;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const SUSPENDED = ascii(',"type":"task.suspended","task":');
const SLEEP_SECONDS = ascii(',"reason":{"kind":"sleep","seconds":');
const UNTIL = ascii(',"until":');
const SITE = ascii(',"site":');
const RESUMED = ascii(',"type":"task.resumed","task":');
const BY = ascii(',"by":');
const STARTED = ascii(',"type":"task.started","task":');
const CREATED = ascii(',"type":"task.created","task":');
const NAME = ascii(',"name":');
const PARENT = ascii(',"parent":');
const COROUTINE = ascii(',"coroutine":');
const DONE = ascii(',"type":"task.done","task":');
const RESULT = ascii(',"result":');
const PUT = ascii(',"type":"queue.put","resource":');
const GET = ascii(',"type":"queue.get","resource":');
const ACQUIRED = ascii(',"type":"resource.acquired","resource":');
const RELEASED = ascii(',"type":"resource.released","resource":');
const TASK = ascii(',"task":');
const SIZE = ascii(',"size":');
const ITEM = ascii(',"item":');
const SEQ = ascii(',"seq":');
const NULL = ascii('null');
const END_LINE = ascii('}\n');
const END_2_LINE = ascii('}}\n');

/** `,"reason":{"kind":"…"` (closed by the caller), for the reasons written from the row; null for the others. */
const REASON_OPEN: readonly (Uint8Array | null)[] = SUSPEND_KINDS.map((kind) => {
  switch (kind) {
    case 'task':
      return ascii(`,"reason":{"kind":"task","target":`);
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
      return ascii(`,"reason":{"kind":"${kind}","resource":`);
    case 'future':
    case 'external':
      return ascii(`,"reason":{"kind":"${kind}"}`);
    default:
      return null;
  }
});
/** Reasons whose JSON is only their kind (no number follows). */
const KIND_ONLY: readonly boolean[] = SUSPEND_KINDS.map((kind) => kind === 'future' || kind === 'external');
/** `,"cause":{"kind":"…"` by wake code; null for "unknown" (no cause field). */
const WAKE_OPEN: readonly (Uint8Array | null)[] = WAKE_KINDS.map((kind) => (kind ? ascii(`,"cause":{"kind":"${kind}"`) : null));

const textEncoder = new TextEncoder();

export class RowNdjsonEncoder {
  private buf = new Uint8Array(INITIAL_BYTES);
  private pos = 0;
  /** `JSON.stringify(site)` as bytes, by site id (a site id always resolves to the same site). */
  private readonly siteBytes = new Map<number, Uint8Array>();
  /** The same for the bundle's sites (small positive ids) and 0, in an array: a map of numbers is slower. */
  private readonly bundleSiteBytes: Uint8Array[] = [];
  /** `,"site":…}\n` by bundle site id. */
  private readonly bundleSiteEnd: Uint8Array[] = [];

  constructor(private readonly decoder: WireDecoder) {}

  /** Bytes encoded and not yet taken. */
  get pendingBytes(): number {
    return this.pos;
  }

  /** The lines encoded so far; the encoder starts a new buffer (the returned one may be written asynchronously). */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(Math.max(INITIAL_BYTES, this.pos > this.buf.length / 2 ? this.buf.length : 0));
    this.pos = 0;
    return out;
  }

  /**
   * Appends the line (with its newline) for row `i` of `r`, its `t` being `micros / 1000`: the runner's clamped
   * time. Throws on a corrupt row, as `decodeRow` does, having appended nothing.
   */
  add(r: Float64Array, i: number, micros: number): void {
    if (!(micros >= 0 && micros <= MAX_FAST_MICROS)) return this.general(r, i, micros / 1000);
    const code = r[i];
    const a = r[i + 2];
    this.ensure(LINE_RESERVE);
    const start = this.pos;
    switch (code) {
      case C_SUSPENDED: {
        const reason = r[i + 3];
        let open: Uint8Array | null | undefined = null;
        if (reason !== SLEEP) {
          open = REASON_OPEN[reason];
          if (!open) break; // lists of targets, or a corrupt code: the general path
        }
        this.lineStart(micros, SUSPENDED);
        // eventToJson writes a suspension's task, seconds and until with template literals (non-finite: NaN...).
        this.templateNumber(a);
        if (reason === SLEEP) {
          this.bytes(SLEEP_SECONDS);
          this.templateNumber(r[i + 5]);
          this.bytes(UNTIL);
          this.templateNumber(r[i + 6]);
          this.byte(0x7d); // }
        } else {
          this.bytes(open!);
          if (!KIND_ONLY[reason]) {
            this.jsonNumber(r[i + 5]);
            this.byte(0x7d); // }
          }
        }
        this.siteEnd(r[i + 4]);
        return;
      }
      case C_RESUMED: {
        this.lineStart(micros, RESUMED);
        this.templateNumber(a);
        const wake = WAKE_OPEN[r[i + 3]];
        if (wake === null || wake === undefined) {
          this.bytes(END_LINE);
          return;
        }
        this.bytes(wake);
        const by = r[i + 4];
        if (by) {
          this.bytes(BY);
          this.templateNumber(by);
        }
        this.bytes(END_2_LINE);
        return;
      }
      case C_STARTED:
        this.lineStart(micros, STARTED);
        this.jsonNumber(a);
        this.bytes(END_LINE);
        return;
      case C_CREATED: {
        const d = this.decoder;
        this.lineStart(micros, CREATED);
        this.jsonNumber(a);
        this.bytes(NAME);
        this.string(d.str(r[i + 3]) ?? `Task-${a}`);
        this.bytes(PARENT);
        this.taskOrNull(r[i + 4]);
        this.bytes(SITE);
        this.site(r[i + 5]);
        const coroutine = d.str(r[i + 6]);
        if (coroutine) {
          this.bytes(COROUTINE);
          this.string(coroutine);
        }
        this.bytes(END_LINE);
        return;
      }
      case C_DONE:
        this.lineStart(micros, DONE);
        this.jsonNumber(a);
        this.bytes(RESULT);
        this.string(this.decoder.str(r[i + 3]) ?? 'undefined');
        this.bytes(END_LINE);
        return;
      case C_PUT:
      case C_GET: {
        this.lineStart(micros, code === C_PUT ? PUT : GET);
        this.jsonNumber(a);
        this.bytes(TASK);
        this.taskOrNull(r[i + 3]);
        this.bytes(SIZE);
        this.jsonNumber(r[i + 4]);
        this.bytes(ITEM);
        const d = r[i + 5];
        if (d === -1) {
          // A numeric item: `String(number)` inside quotes.
          this.byte(0x22);
          this.templateNumber(r[i + 7]);
          this.byte(0x22);
        } else {
          this.string(this.decoder.str(d) ?? '');
        }
        this.bytes(SEQ);
        this.jsonNumber(r[i + 6]);
        this.bytes(END_LINE);
        return;
      }
      case C_ACQUIRED:
      case C_RELEASED:
        this.lineStart(micros, code === C_ACQUIRED ? ACQUIRED : RELEASED);
        this.jsonNumber(a);
        this.bytes(TASK);
        this.taskOrNull(r[i + 3]);
        this.bytes(END_LINE);
        return;
      default:
        break;
    }
    this.pos = start;
    this.general(r, i, micros / 1000);
  }

  /** Every other event: the object and `eventToJson`, as the trace file has always been written. */
  private general(r: Float64Array, i: number, t: number): void {
    const event: TraceEvent = this.decoder.decodeRow(r, i);
    event.t = t;
    this.text(eventToJson(event) + '\n');
  }

  private lineStart(micros: number, type: Uint8Array): void {
    const buf = this.buf;
    const p = this.pos;
    // {"t":
    buf[p] = 0x7b;
    buf[p + 1] = 0x22;
    buf[p + 2] = 0x74;
    buf[p + 3] = 0x22;
    buf[p + 4] = 0x3a;
    this.pos = p + 5;
    this.millis(micros);
    this.bytes(type);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  private byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Short constant bytes (room ensured by the caller). */
  private bytes(src: Uint8Array): void {
    const n = src.length;
    if (n > 24) {
      this.buf.set(src, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) buf[p + k] = src[k];
    this.pos = p + n;
  }

  /** A whole number in [0, 2^53), in decimal (room for 16 digits ensured by the caller). */
  private digits(n: number): void {
    if (n < 0x80000000) {
      this.smallDigits(n | 0);
      return;
    }
    // Above 2^31: the high part, then the low 9 digits with their zeros.
    const high = Math.floor(n / 1e9);
    this.digits(high);
    let low = (n - high * 1e9) | 0;
    const buf = this.buf;
    let p = this.pos + 9;
    this.pos = p;
    for (let k = 0; k < 9; k++) {
      const q = (low / 10) | 0;
      buf[--p] = 0x30 + (low - q * 10);
      low = q;
    }
  }

  /** A whole number in [0, 2^31): integer division only. */
  private smallDigits(n: number): void {
    const len =
      n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    const buf = this.buf;
    let p = this.pos + len;
    this.pos = p;
    do {
      const q = (n / 10) | 0;
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n !== 0);
  }

  /** `String(micros / 1000)` for whole microseconds in [0, 1e15]: at most 15 significant digits, so exactly the
   * shortest decimal of the nearest double, which is what `String` prints. Trailing zeros of the fraction go. */
  private millis(micros: number): void {
    const whole = Math.floor(micros / 1000);
    const frac = (micros - whole * 1000) | 0;
    this.digits(whole);
    if (frac === 0) return;
    const buf = this.buf;
    buf[this.pos++] = 0x2e; // .
    const d1 = (frac / 100) | 0;
    const d2 = ((frac / 10) | 0) - d1 * 10;
    const d3 = frac - d1 * 100 - d2 * 10;
    buf[this.pos++] = 0x30 + d1;
    if (d2 !== 0 || d3 !== 0) buf[this.pos++] = 0x30 + d2;
    if (d3 !== 0) buf[this.pos++] = 0x30 + d3;
  }

  /** A number as `JSON.stringify` writes it: non-finite numbers are `null`. */
  private jsonNumber(x: number): void {
    if (x >= 0 && x < MAX_DIGITS_INT && Math.floor(x) === x) this.digits(x);
    else if (Number.isFinite(x)) this.decimal(x);
    else this.bytes(NULL);
  }

  /** A number as a template literal writes it (`NaN`, `Infinity` as such). */
  private templateNumber(x: number): void {
    if (x >= 0 && x < MAX_DIGITS_INT && Math.floor(x) === x) this.digits(x);
    else this.decimal(x);
  }

  /**
   * `String(x)` for a number that is not a small whole number. V8's `String` of a fraction costs 0.4-1.2 µs (more
   * than the rest of the line); many times (`until`) are the double nearest to a whole number of nanoseconds
   * (`m / 1e6` ms), written here from the digits of `m`: with `m` below 1e15 that decimal has at most 15 significant
   * digits, so it is `x`'s shortest representation, which is what `String` prints. Others go to `String`.
   */
  private decimal(x: number): void {
    if (x > 0 && x < MAX_FAST_MICROS / 1e6) {
      const m = Math.round(x * 1e6);
      if (m / 1e6 === x) {
        const whole = Math.floor(m / 1e6);
        let frac = (m - whole * 1e6) | 0;
        this.digits(whole);
        const buf = this.buf;
        buf[this.pos++] = 0x2e; // .
        let div = 100000;
        while (frac !== 0) {
          const d = (frac / div) | 0;
          buf[this.pos++] = 0x30 + d;
          frac -= d * div;
          div = (div / 10) | 0;
        }
        return;
      }
    }
    this.text(String(x));
  }

  /** A task id field that is null when the column is 0 (`b || null`). */
  private taskOrNull(x: number): void {
    if (x) this.jsonNumber(x);
    else this.bytes(NULL);
  }

  /** A JSON string. */
  private string(s: string): void {
    this.text(JSON.stringify(s));
  }

  /** Any text, as UTF-8. */
  private text(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        this.pos = p;
        this.pos += textEncoder.encodeInto(s.slice(k), buf.subarray(p)).written;
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** `,"site":…}` and the newline: how a suspension's line ends. */
  private siteEnd(id: number): void {
    let bytes = id >= 0 && id < 0x40000000 ? this.bundleSiteEnd[id] : undefined;
    if (bytes === undefined) {
      const site = this.decoder.site(id);
      bytes = textEncoder.encode(`,"site":${site === null ? 'null' : JSON.stringify(site)}}\n`);
      if (id >= 0 && id < 0x40000000 && (id | 0) === id) this.bundleSiteEnd[id] = bytes;
    }
    this.ensure(bytes.length);
    this.bytes(bytes);
  }

  private site(id: number): void {
    let bytes = id >= 0 && id < 0x40000000 ? this.bundleSiteBytes[id] : this.siteBytes.get(id);
    if (bytes === undefined) {
      const site = this.decoder.site(id);
      bytes = textEncoder.encode(site === null ? 'null' : JSON.stringify(site));
      if (id >= 0 && id < 0x40000000 && (id | 0) === id) this.bundleSiteBytes[id] = bytes;
      else this.siteBytes.set(id, bytes);
    }
    this.ensure(bytes.length);
    this.bytes(bytes);
  }
}
