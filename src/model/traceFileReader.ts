/**
 * Reads `.cotrace` files (NDJSON: a header line, then one event per line) into typed events.
 *
 * Pure: no Node or VS Code imports, so the CLI, the extension host and the webview all use it. Validation is shallow
 * and table-driven (one field table per event type, checked against the contract at compile time), enough that the
 * model can fold the events without meeting a missing or mistyped field.
 */
import {
  RESOURCE_KINDS as WIRE_RESOURCE_KINDS,
  SUSPEND_KINDS as WIRE_SUSPEND_KINDS,
  WAKE_KINDS as WIRE_WAKE_KINDS,
  WARNING_KINDS as WIRE_WARNING_KINDS,
} from '../contract/wire';
import {
  TRACE_EVENT_TYPES,
  TRACE_FORMAT,
  TRACE_SCHEMA_VERSION,
  SuspendKind,
  TraceEvent,
  TraceEventType,
  TraceHeader,
  assertNever,
} from '../contract/trace';

/** A trace that cannot be read. `message` is one line and names the line of the file when there is one. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  constructor(
    /** The problem, without the line number. */
    readonly problem: string,
    /** 1-based line of the file, 0 when the problem is not on one line (an empty file). */
    readonly line: number,
  ) {
    super(line > 0 ? `line ${line}: ${problem}` : problem);
  }
}

export interface ParsedTrace {
  header: TraceHeader;
  events: TraceEvent[];
  /**
   * True when the trace does not end with `run.finished`: the program is still running, was killed, or the file was
   * cut. The events read so far are all returned; a final line cut in the middle (no newline, not JSON) is dropped.
   */
  truncated: boolean;
}

/** Parses a whole trace. Throws `TraceFormatError`; a missing `run.finished` is reported as `truncated`, not thrown. */
export function parseTrace(text: string): ParsedTrace {
  const reader = new TraceLineReader();
  const events = reader.push(text);
  const rest = reader.end();
  for (const event of rest) events.push(event);
  // `end()` has thrown for an empty input, so the header is there.
  return { header: reader.header!, events, truncated: !reader.finished };
}

/**
 * Incremental reader: feed text as it arrives (a live run's pipe, a big file read in chunks) and get the events of
 * every line completed so far. Chunks must be decoded text (use a `StringDecoder` or `setEncoding('utf8')` so a
 * multi-byte character split across chunks is not mangled). After an error the reader keeps throwing that error.
 */
export class TraceLineReader {
  private partial = '';
  private lineNo = 0;
  private lastT = -Infinity;
  private error: TraceFormatError | undefined;
  private sawRunFinished = false;
  private ended = false;
  private headerValue: TraceHeader | undefined;

  /** The header, once its line has been read. */
  get header(): TraceHeader | undefined {
    return this.headerValue;
  }

  /** True once `run.finished` (always the last event) has been read. */
  get finished(): boolean {
    return this.sawRunFinished;
  }

  /** Number of complete lines read so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Adds text; returns the events of the lines it completed (the header line is not an event, see `header`). */
  push(chunk: string): TraceEvent[] {
    if (this.error) throw this.error;
    if (this.ended) throw new Error('TraceLineReader.push() after end()');
    const out: TraceEvent[] = [];
    let text = this.partial + chunk;
    let from = 0;
    try {
      for (;;) {
        const nl = text.indexOf('\n', from);
        if (nl < 0) break;
        this.readLine(text.slice(from, nl), out);
        from = nl + 1;
      }
    } catch (e) {
      if (e instanceof TraceFormatError) this.error = e;
      throw e;
    }
    this.partial = from === 0 ? text : text.slice(from);
    text = '';
    return out;
  }

  /**
   * Ends the input: reads a last line that had no newline and returns its event, if any. A last line that is not JSON
   * is taken for a write cut short (the trace is then truncated), not an error. Throws for an empty input.
   */
  end(): TraceEvent[] {
    if (this.error) throw this.error;
    if (this.ended) return [];
    this.ended = true;
    const out: TraceEvent[] = [];
    const last = this.partial;
    this.partial = '';
    try {
      if (last.trim() !== '') {
        const cutShort = this.headerValue !== undefined && !this.sawRunFinished && !isJson(last);
        if (!cutShort) this.readLine(last, out);
      }
      if (!this.headerValue) throw new TraceFormatError('empty file: not a coroutine-trace file', 0);
    } catch (e) {
      if (e instanceof TraceFormatError) this.error = e;
      throw e;
    }
    return out;
  }

  private readLine(raw: string, out: TraceEvent[]): void {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    if (!this.headerValue) {
      this.headerValue = readHeader(line, this.lineNo);
      return;
    }
    const event = readEvent(line, this.lineNo);
    if (this.sawRunFinished) {
      throw new TraceFormatError(`${event.type} after run.finished (run.finished must be the last event)`, this.lineNo);
    }
    if (event.t < this.lastT) {
      throw new TraceFormatError(`t goes backwards (${event.t} after ${this.lastT})`, this.lineNo);
    }
    this.lastT = event.t;
    if (event.type === 'run.finished') this.sawRunFinished = true;
    out.push(event);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function readHeader(line: string, lineNo: number): TraceHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TraceFormatError('not a coroutine-trace file (the first line is not JSON)', lineNo);
  }
  if (!isObject(value) || value.format !== TRACE_FORMAT) {
    throw new TraceFormatError(`not a coroutine-trace file (the first line is not a "${TRACE_FORMAT}" header)`, lineNo);
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new TraceFormatError(`header has an invalid version ${show(version)}`, lineNo);
  }
  // Checked before the other fields: a newer header may legitimately look different.
  if (version > TRACE_SCHEMA_VERSION) {
    throw new TraceFormatError(
      `written by a newer version (schema ${version}); this reader supports up to ${TRACE_SCHEMA_VERSION}`,
      lineNo,
    );
  }
  if (value.clock !== 'real' && value.clock !== 'virtual') {
    throw new TraceFormatError(`header field 'clock' must be "real" or "virtual", got ${show(value.clock)}`, lineNo);
  }
  for (const field of ['program', 'startedAt'] as const) {
    if (typeof value[field] !== 'string') {
      throw new TraceFormatError(`header field '${field}' must be a string, got ${show(value[field])}`, lineNo);
    }
  }
  if (value.args !== undefined && !(Array.isArray(value.args) && value.args.every((a) => typeof a === 'string'))) {
    throw new TraceFormatError(`header field 'args' must be an array of strings`, lineNo);
  }
  return value as unknown as TraceHeader;
}

// ---------------------------------------------------------------------------------------------------------------------
// Field tables

/** How one field is checked. A `?` suffix: may be missing. `|null`: may be null. */
type Check =
  | 'time'
  | 'id'
  | 'id?'
  | 'id|null'
  | 'count'
  | 'count?'
  | 'number?'
  | 'number|null'
  | 'string'
  | 'string?'
  | 'string|null'
  | 'site|null'
  | 'site?'
  | 'reason'
  | 'cause?'
  | 'error'
  | 'resourceKind'
  | 'warningKind'
  | 'stream'
  | 'signalAction';

/** Every field of an event but `type`, each with its check: adding a field to the contract breaks the build here. */
type FieldTable<E> = { [F in Exclude<keyof E, 'type'>]-?: Check };
type FieldTables = { [K in TraceEventType]: FieldTable<Extract<TraceEvent, { type: K }>> };

const FIELDS: FieldTables = {
  'task.created': { t: 'time', task: 'id', name: 'string', parent: 'id|null', site: 'site|null', coroutine: 'string?' },
  'task.started': { t: 'time', task: 'id' },
  'task.suspended': { t: 'time', task: 'id', reason: 'reason', site: 'site|null' },
  'task.resumed': { t: 'time', task: 'id', cause: 'cause?' },
  'task.cancelRequested': { t: 'time', task: 'id', by: 'id|null', message: 'string|null', site: 'site|null' },
  'task.done': { t: 'time', task: 'id', result: 'string' },
  'task.failed': { t: 'time', task: 'id', error: 'error' },
  'task.cancelled': { t: 'time', task: 'id', message: 'string|null' },
  'resource.created': {
    t: 'time',
    resource: 'id',
    kind: 'resourceKind',
    name: 'string',
    site: 'site|null',
    capacity: 'number?',
  },
  'queue.put': { t: 'time', resource: 'id', task: 'id|null', size: 'count', item: 'string', seq: 'count' },
  'queue.get': { t: 'time', resource: 'id', task: 'id|null', size: 'count', item: 'string', seq: 'count' },
  'resource.acquired': { t: 'time', resource: 'id', task: 'id|null' },
  'resource.released': { t: 'time', resource: 'id', task: 'id|null' },
  'resource.signalled': { t: 'time', resource: 'id', task: 'id|null', action: 'signalAction', count: 'count?' },
  output: { t: 'time', task: 'id|null', stream: 'stream', text: 'string' },
  warning: { t: 'time', kind: 'warningKind', task: 'id?', site: 'site?', message: 'string' },
  'run.finished': {
    t: 'time',
    exitCode: 'number|null',
    signal: 'string|null',
    pendingTasks: 'count',
    droppedEvents: 'count',
  },
};

const EVENT_TYPES: ReadonlySet<string> = new Set(TRACE_EVENT_TYPES);
// The kinds the contract allows: the one list each, shared with the binary wire.
const RESOURCE_KINDS: ReadonlySet<string> = new Set(WIRE_RESOURCE_KINDS);
const WARNING_KINDS: ReadonlySet<string> = new Set(WIRE_WARNING_KINDS);
const SUSPEND_KINDS: ReadonlySet<string> = new Set(WIRE_SUSPEND_KINDS);
const WAKE_KINDS: ReadonlySet<string | null> = new Set(WIRE_WAKE_KINDS.filter((k) => k !== null));

function readEvent(line: string, lineNo: number): TraceEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new TraceFormatError(`not valid JSON (${firstLine(e instanceof Error ? e.message : String(e))})`, lineNo);
  }
  if (!isObject(value)) throw new TraceFormatError(`an event must be a JSON object, got ${show(value)}`, lineNo);
  const type = value.type;
  if (typeof type !== 'string') throw new TraceFormatError(`event has no 'type'`, lineNo);
  if (!EVENT_TYPES.has(type)) throw new TraceFormatError(`unknown event type ${show(type)}`, lineNo);
  const table = FIELDS[type as TraceEventType] as Record<string, Check>;
  for (const field in table) {
    const v = value[field];
    const problem = checkField(table[field], v);
    if (problem === undefined) continue;
    if (v === undefined) throw new TraceFormatError(`${type} is missing required field '${field}'`, lineNo);
    throw new TraceFormatError(`${type} field '${field}' ${problem}, got ${show(v)}`, lineNo);
  }
  return value as unknown as TraceEvent;
}

/** Returns what is wrong with the value, or undefined when it passes. */
function checkField(check: Check, v: unknown): string | undefined {
  switch (check) {
    case 'time':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number >= 0';
    case 'id':
      return isId(v) ? undefined : 'must be a positive integer';
    case 'id?':
      return v === undefined || isId(v) ? undefined : 'must be a positive integer';
    case 'id|null':
      return v === null || isId(v) ? undefined : 'must be a positive integer or null';
    case 'count':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'must be an integer >= 0';
    case 'count?':
      return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0)
        ? undefined
        : 'must be an integer >= 0';
    case 'number?':
      return v === undefined || (typeof v === 'number' && Number.isFinite(v)) ? undefined : 'must be a number';
    case 'number|null':
      return v === null || (typeof v === 'number' && Number.isFinite(v)) ? undefined : 'must be a number or null';
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string';
    case 'string?':
      return v === undefined || typeof v === 'string' ? undefined : 'must be a string';
    case 'string|null':
      return v === null || typeof v === 'string' ? undefined : 'must be a string or null';
    case 'site|null':
      return v === null || isSite(v) ? undefined : 'must be a {file, line, column} site or null';
    case 'site?':
      return v === undefined || v === null || isSite(v) ? undefined : 'must be a {file, line, column} site or null';
    case 'reason':
      return checkReason(v);
    case 'cause?':
      if (v === undefined) return undefined;
      return isObject(v) && typeof v.kind === 'string' && WAKE_KINDS.has(v.kind) && (v.by === undefined || isId(v.by))
        ? undefined
        : 'must be a wake cause {kind, by?}';
    case 'error':
      return isObject(v) &&
        typeof v.name === 'string' &&
        typeof v.message === 'string' &&
        (v.stack === undefined || typeof v.stack === 'string')
        ? undefined
        : 'must be an error {name, message, stack?}';
    case 'resourceKind':
      return typeof v === 'string' && RESOURCE_KINDS.has(v) ? undefined : 'must be a resource kind';
    case 'warningKind':
      return typeof v === 'string' && WARNING_KINDS.has(v) ? undefined : 'must be a warning kind';
    case 'stream':
      return v === 'stdout' || v === 'stderr' ? undefined : 'must be "stdout" or "stderr"';
    case 'signalAction':
      return v === 'set' || v === 'clear' || v === 'notify' ? undefined : 'must be "set", "clear" or "notify"';
    default:
      return assertNever(check, 'field check');
  }
}

function checkReason(v: unknown): string | undefined {
  if (!isObject(v) || typeof v.kind !== 'string') return 'must be a suspend reason {kind, ...}';
  if (!SUSPEND_KINDS.has(v.kind)) return `has an unknown kind ${show(v.kind)}`;
  const kind = v.kind as SuspendKind;
  switch (kind) {
    case 'sleep':
      return typeof v.seconds === 'number' && typeof v.until === 'number' ? undefined : 'must have seconds and until';
    case 'task':
      return isId(v.target) ? undefined : 'must have a task id in target';
    case 'gather':
    case 'wait':
    case 'asCompleted':
      return Array.isArray(v.targets) && v.targets.every(isId) ? undefined : 'must have task ids in targets';
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
      return isId(v.resource) ? undefined : 'must have a resource id';
    case 'future':
    case 'external':
      return undefined;
    default:
      return assertNever(kind, 'suspend reason kind');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isSite(v: unknown): boolean {
  return isObject(v) && typeof v.file === 'string' && typeof v.line === 'number' && typeof v.column === 'number';
}

/** A short, one-line rendering of a value for an error message. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? text.slice(0, 39) + '…' : text;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}
