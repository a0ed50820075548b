/**
 * One trace as the extension shows it, live or loaded from a file: the header, the events so far and the model folded
 * from them. The tree, the timeline and the status bar all read the same session, so a trace opened from disk and a
 * live run look the same. Pure (no `vscode`): change listeners are plain callbacks, and consumers throttle themselves.
 */
import { TraceEvent, TraceHeader } from '../../contract/trace';
import { ModelBuilder, TraceModel } from '../../model/model';
import { LanesEncoder, ModelLanes, isLifecycleEvent } from '../../model/modelLanes';
import { EventStore } from './eventStore';

export type SessionOrigin = 'run' | 'file';

/** How long each slice of encoding a finished session's lanes may take on the host's thread (ms). */
const LANES_SLICE_MS = 8;
/** Segments encoded between looks at the clock. */
const LANES_STEP_SEGMENTS = 2000;
/** Runs `work` after the events waiting now (Node's extension host; a timer elsewhere, as in the benchmark's worker). */
const later: (work: () => void) => void =
  typeof setImmediate === 'function' ? (work) => void setImmediate(work) : (work) => void setTimeout(work, 0);

export interface TraceSessionOptions {
  origin: SessionOrigin;
  /** The program (a run starts before its header arrives) or the trace file's program. */
  program: string;
  /** Where the trace is (or will be) written. */
  tracePath?: string;
  /**
   * Most events kept for the views (warnings and `run.finished` always are); later ones are still in the trace file.
   * 0 or missing: no limit.
   */
  maxEvents?: number;
}

export type SessionListener = (session: TraceSession) => void;

let nextSessionId = 1;

export class TraceSession {
  readonly id = nextSessionId++;
  readonly origin: SessionOrigin;
  readonly program: string;
  tracePath: string | undefined;
  /** Events kept for the views, in trace order (mostly encoded, see `EventStore`). */
  readonly events = new EventStore();
  /**
   * Of those, the ones that are not about a task's life (`isLifecycleEvent`): what the timeline of a finished trace is
   * sent beside the model's lanes (`lanes`).
   */
  readonly others = new EventStore();
  /** Events not kept because of `maxEvents` (0: the views show the whole trace). */
  omittedEvents = 0;
  /** Bumped on every change, so consumers can tell whether they are up to date. */
  version = 0;
  /** The trace file was cut short (no `run.finished`), when loaded from a file. */
  truncated = false;
  /** One line, when the run could not start or the trace could not be read. */
  error: string | undefined;

  private headerValue: TraceHeader | undefined;
  private builder: ModelBuilder | undefined;
  private liveValue: boolean;
  private loadingValue = false;
  private readonly maxEvents: number;
  private readonly listeners = new Set<SessionListener>();
  private modelCache: { version: number; model: TraceModel } | undefined;
  private lanesEncoder: LanesEncoder | undefined;

  constructor(options: TraceSessionOptions) {
    this.origin = options.origin;
    this.program = options.program;
    this.tracePath = options.tracePath;
    this.maxEvents = options.maxEvents && options.maxEvents > 0 ? Math.floor(options.maxEvents) : Infinity;
    this.liveValue = options.origin === 'run';
  }

  /** A finished session from a parsed trace file. */
  static fromTrace(
    header: TraceHeader,
    events: readonly TraceEvent[],
    options: Omit<TraceSessionOptions, 'origin' | 'program'> & { truncated?: boolean },
  ): TraceSession {
    const session = TraceSession.ofFile(header, options);
    session.truncated = options.truncated ?? false;
    session.addEvents(events);
    session.finish();
    return session;
  }

  /** The session of a trace file whose header has been read: its events are added as they are read, then `finish`. */
  static ofFile(header: TraceHeader, options: Omit<TraceSessionOptions, 'origin' | 'program'>): TraceSession {
    const session = new TraceSession({ ...options, origin: 'file', program: header.program });
    session.loadingValue = true;
    session.setHeader(header);
    return session;
  }

  get header(): TraceHeader | undefined {
    return this.headerValue;
  }

  /** True while the program runs (more events may come). */
  get live(): boolean {
    return this.liveValue;
  }

  /**
   * True while a trace file is still being read into the session (`ofFile` until `finish`): more events will come,
   * but it is a finished run, shown as one (not followed as a live one).
   */
  get loading(): boolean {
    return this.loadingValue;
  }

  /** More events may come: the program runs or the file is being read. */
  get growing(): boolean {
    return this.liveValue || this.loadingValue;
  }

  setHeader(header: TraceHeader): void {
    this.headerValue = header;
    this.builder = new ModelBuilder(header);
    for (const event of this.events) this.builder.add(event);
    this.changed();
  }

  addEvents(events: readonly TraceEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      // The last event always gets in, so a capped trace still ends with `run.finished`; so do warnings (few, and
      // the whole-run ones come last), so the Problems panel and the tree list them all.
      if (this.events.length >= this.maxEvents && event.type !== 'run.finished' && event.type !== 'warning') {
        this.omittedEvents++;
        continue;
      }
      this.events.push(event);
      if (!isLifecycleEvent(event)) this.others.push(event);
      this.builder?.add(event);
    }
    this.changed();
  }

  finish(error?: string): void {
    if (error !== undefined) this.error = error;
    this.liveValue = false;
    this.loadingValue = false;
    // Encoded once, from now on, in slices between the host's other work (a million events' lanes take most of a
    // second): a timeline opened on the finished trace is sent them rather than every event to fold.
    const model = this.model();
    if (model !== undefined && this.lanesEncoder === undefined) {
      const encoder = (this.lanesEncoder = new LanesEncoder(model, this.others.length));
      const slice = (): void => {
        const until = performance.now() + LANES_SLICE_MS;
        while (!encoder.step(LANES_STEP_SEGMENTS)) {
          if (performance.now() >= until) {
            later(slice);
            return;
          }
        }
      };
      later(slice);
    }
    this.changed();
  }

  /**
   * The finished trace's tasks and lanes (src/model/modelLanes.ts); undefined while it grows or without a header.
   * Read before the slices that encode them are done, the rest is done at once.
   */
  get lanes(): ModelLanes | undefined {
    const encoder = this.lanesEncoder;
    if (this.growing || encoder === undefined) return undefined;
    while (!encoder.step(Infinity));
    return encoder.result;
  }

  /** The lanes are encoded (reading `lanes` costs nothing more). */
  get lanesReady(): boolean {
    return this.lanesEncoder?.result !== undefined;
  }

  /** The model so far; undefined before the header arrived. Cached per version. */
  model(): TraceModel | undefined {
    if (!this.builder) return undefined;
    if (this.modelCache?.version !== this.version) this.modelCache = { version: this.version, model: this.builder.model() };
    return this.modelCache.model;
  }

  /** Indexes into `events` of a task's own events, in order. */
  eventsOf(task: number): readonly number[] {
    return this.events.eventsOf(task);
  }

  /** True once the run ended and no task was recorded: the program did not use the runtime. */
  get hasNoTasks(): boolean {
    const model = this.model();
    return !this.growing && model !== undefined && model.tasks.length === 0;
  }

  onDidChange(listener: SessionListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener(this);
  }
}
