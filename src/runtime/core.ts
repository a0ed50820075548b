/**
 * The event loop, futures, tasks and lazy coroutines, with CPython asyncio's semantics.
 *
 * How JavaScript's `await` is made to behave like asyncio's:
 * - A task step runs user code until it awaits one of our awaitables. The engine then calls that awaitable's
 *   `then()` (one microtask later): that call is the suspension. Only then does the loop run the next ready handle,
 *   so exactly one task runs at a time and ready tasks run in the order they became ready, as in asyncio.
 * - Waking a task calls the resolve/reject functions the engine gave to `then()`; its code continues in a microtask.
 * - A step that never reaches one of our awaitables (it awaits a promise we do not own) is noticed by a watchdog that
 *   runs once the microtask queue is empty: the task is marked as waiting on something external.
 * - Code bundled by the runner calls `__ct_await(siteId, value)` right before each `await`: it names the site and
 *   wraps foreign promises into futures, so even those waits are attributed exactly.
 */
import { CancelledError, DeadlockError, InvalidStateError, RuntimeError } from './errors';
import type { Recorder } from './recorder';
import { EventCode, SuspendCode, UNTIL_NOW, WakeCode, WarningCode } from '../contract/wire';
import { PREVIEW_MAX, clipPreview } from '../contract/trace';
import { WATCH_IN_STEP, WATCH_LONG, WATCH_READY, WATCH_STEP } from './stepWatch';

// ---------------------------------------------------------------------------------------------------------------
// Tracing hooks. `REC` is null when the program runs untraced: every recording site tests it first.

export let REC: Recorder | null = null;
/** Resolves a site id for an API call when the bundler gave none (stack capture, cached per position). */
let captureSite: ((skipFn: Function) => number) | null = null;

export function setRecorder(rec: Recorder | null, siteCapture?: (skipFn: Function) => number): void {
  REC = rec;
  captureSite = siteCapture ?? null;
}

/** Site id of the instrumented API call being made now (set by `__ct_site`), consumed by the callee. */
let pendingCallSite = 0;

/** Forgets the call site set for an API call whose site is not recorded (sleep, put, get, ...). */
export function dropCallSite(): void {
  pendingCallSite = 0;
}

/**
 * Takes the call site for the API function `fn` that is being called now. When the bundler gave none (code it did
 * not instrument), the caller's frame is captured: only runtime entry points that record a site call this, never
 * runtime internals, so the capture happens at most once per user call.
 */
export function takeCallSite(fn: Function): number {
  const s = pendingCallSite;
  pendingCallSite = 0;
  if (s !== 0 || REC === null || captureSite === null) return s;
  return captureSite(fn);
}

/** Short, safe text for a user value (results, queue items). Never throws. Cheap for the common cases. */
export function preview(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'string':
      return clipPreview(JSON.stringify(value.length > PREVIEW_MAX ? value.slice(0, PREVIEW_MAX) : value));
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return clipPreview(value.toString());
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    default:
      break;
  }
  if (value === null) return 'null';
  try {
    if (value instanceof Error) return clipPreview(`${value.name}: ${value.message}`);
    if (value instanceof Task) return `<Task ${value.name}>`;
    if (value instanceof Coroutine) return String(value);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // BigInts and cycles: fall back to a replacer that copes with them.
      const seen = new WeakSet<object>();
      json = JSON.stringify(value, (_k, v: unknown) => {
        if (typeof v === 'bigint') return `${v}n`;
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
        }
        return v;
      });
    }
    return clipPreview(json ?? String(value));
  } catch {
    try {
      return clipPreview(Object.prototype.toString.call(value));
    } catch {
      return '?';
    }
  }
}

export function errorJson(err: unknown): string {
  if (err instanceof Error) {
    let stack: string | undefined;
    try {
      stack = err.stack;
    } catch {
      stack = undefined;
    }
    return JSON.stringify({ name: err.name, message: err.message, stack });
  }
  return JSON.stringify({ name: typeof err, message: preview(err) });
}

// ---------------------------------------------------------------------------------------------------------------
// Handles: entries of the ready queue and the timer heap.

/** A callback in the ready queue. Task steps are queued as the task itself (see `Task._resume`): no allocation. */
export class Handle {
  cancelled = false;
  constructor(
    readonly fn: (arg: any) => void,
    readonly arg: any,
  ) {}
  cancel(): void {
    this.cancelled = true;
  }
}

export class TimerHandle extends Handle {
  constructor(
    readonly when: number,
    readonly seq: number,
    fn: (arg: any) => void,
    arg: any,
  ) {
    super(fn, arg);
  }
}

/** What a queued task does when its turn comes. */
const enum Resume {
  None,
  /** First step. */
  Start,
  /** Its awaited future completed: deliver the outcome. */
  Wake,
  /** It yielded with `sleep(0)`: send the value. */
  Send,
}

function timerBefore(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

// ---------------------------------------------------------------------------------------------------------------
// The loop.

export type ClockKind = 'real' | 'virtual';

export interface LoopOptions {
  clock?: ClockKind;
}

let runningLoop: EventLoop | null = null;
let taskCounter = 0;

export function getRunningLoop(): EventLoop {
  if (runningLoop === null) throw new RuntimeError('no running event loop');
  return runningLoop;
}

export function _getRunningLoopOrNull(): EventLoop | null {
  return runningLoop;
}

/** Marks "no instrumented await is pending" (distinct from any value the program could await). */
export const NO_TARGET: unique symbol = Symbol('no await target');

/** How long the loop may run ready handles back to back before letting Node's own I/O in. */
const MACROTASK_SLICE_MS = 10;
/** Under the virtual clock, loop iterations in a row with tasks ready after which time moves to the next timer. */
const VIRTUAL_SPIN_ITERATIONS = 1000;
/** How often (ms of loop time, at most) a step start samples the run-queue wait for the blocked-loop check. */
const DELAY_SAMPLE_MS = 10;

/** Steps that average less than this (ms) between clock readings let the clock be read less often. */
const FAST_STEP_MS = 0.02;
/** Under this blocked-loop threshold (ms) the clock is read at every step: the step watch is too coarse for it. */
const MIN_SAMPLED_SLOW_STEP_MS = 25;
/** At most this many steps between two clock readings. */
const CLOCK_EVERY_MAX = 64;

/** The step watch (tracing only; its slots are described in stepWatch.ts). */
let stepWatch: Int32Array | null = null;
let startStepWatch: (() => void) | null = null;

/**
 * Installs how to start the step watch, whose array `_setStepWatch` gave the loop (it writes its step numbers there
 * from the first step): the loop calls `start` once, at the first short step, and samples the clock only once the
 * watch has set `WATCH_READY`.
 */
export function _setStepWatchStarter(start: (() => void) | null): void {
  startStepWatch = start;
}

export function _setStepWatch(shared: Int32Array | null): void {
  stepWatch = shared;
}

/** `performance.now()` at trace time 0. Set by the tracing bootstrap so events outside the loop share the scale. */
let timeEpoch: number | null = null;
export function setTimeEpoch(epoch: number): void {
  timeEpoch = epoch;
}

/** An array of `length` empty slots, all of one kind of element (a ring for `EventLoop.ready`). */
function emptyRing(length: number): (Handle | Task<any> | undefined)[] {
  const ring: (Handle | Task<any> | undefined)[] = [];
  for (let i = 0; i < length; i++) ring.push(undefined);
  return ring;
}

export class EventLoop {
  readonly clock: ClockKind;
  private readonly t0 = timeEpoch ?? performance.now();
  private vnow = 0;
  /**
   * The ready queue: a ring (its length a power of two) of handles and tasks, `readyCount` of them from `readyHead`.
   * A ring, not an array read from a moving head: that array grew by reallocation and was copied down every time its
   * head passed half its length, and with 100,000 tasks ready that was 20 MB of large arrays in a run of W1 in
   * `npm run bench` (old-generation allocations, which bring on a full collection sooner).
   */
  private ready: (Handle | Task<any> | undefined)[] = emptyRing(1024);
  private readyHead = 0;
  private readyCount = 0;
  /** How many of the ready handles the current iteration still runs (asyncio's `ntodo`). */
  private ntodo = 0;
  private timers: TimerHandle[] = [];
  private timerSeq = 0;
  /** The task whose step is running now (between its wake-up and its next suspension). */
  current: Task<any> | null = null;
  /** True while the synchronous part of a task step runs (the loop itself is on the stack). */
  private syncPhase = false;
  private pumping = false;
  private watchdogArmed = false;
  private nodeTimer: ReturnType<typeof setTimeout> | null = null;
  private immediatePending = false;
  private lastMacrotask = performance.now();
  private inTimerCallback = false;
  private forceTimeJump = false;
  private spinIterations = 0;
  /** Steps longer than this (ms, real clock) are reported as blocking the loop. 0: never. */
  slowStepMs = 100;
  /** The thread's run-queue wait so far (ms), where the platform tells (tracing.ts sets it): see `checkStep`. */
  private runQueueDelay: (() => number) | null = null;
  /** The run-queue wait sampled at a recent step start, and the step time from which the next sample is due. */
  private delaySample = 0;
  private nextDelaySample = Infinity;
  /** Tasks that failed, to report those whose exception nobody retrieved when the loop closes. */
  readonly failedTasks: Task<any>[] = [];
  closed = false;
  /**
   * False until `run()` lets the loop go. The main task must not take its first step inside `run()`'s own call: the
   * caller's code that follows (`await run(...)`) would then run while the main task is current, and its `await`
   * would be taken for the main task's.
   */
  started = false;
  /** Tasks not done yet, in creation order. */
  readonly liveTasks = new TaskList();
  /** Tasks the watchdog found waiting on something we do not own. */
  readonly stalled = new Set<Task<any>>();
  /** Foreign promises wrapped by `__ct_await` that have not settled. */
  externalPending = 0;
  /** Where the instrumented `await` about to happen is (a site id). What it awaits is kept on the task. */
  awaitSite = 0;
  /** Time of the current step's start (trace ms). */
  stepT = 0;
  /**
   * The last clock reading (trace ms), which is also where the last step ended (`_stepEnd`). A step starts when the
   * previous one ends, so the time read when a task suspends is also the next step's start: one clock read per step,
   * not two.
   */
  lastClock = 0;
  onDeadlock: ((waiting: Task<any>[]) => void) | null = null;

  constructor(options: LoopOptions = {}) {
    this.clock = options.clock ?? 'real';
  }

  /**
   * Time for an event recorded now: inside a task step, the step's start (the clock is read once per wake-up, not
   * per event; a step is short by design, and the next suspension reads the clock again).
   */
  eventTime(): number {
    return this.current !== null ? this.stepT : this.time();
  }

  /** Reads the clock and remembers the reading as the start of whatever step runs next. */
  _readClock(): number {
    return this.noteReading(this.time());
  }

  /** `t` was just read from the clock: it closes the steps since the last reading. */
  private noteReading(t: number): number {
    this.lastWindow = this.stepsSinceRead + 1;
    this.stepsSinceRead = 0;
    this.lastClock = t;
    return t;
  }

  // ---- clock sampling (traced runs, real clock) -------------------------------------------------------------------
  // Reading the clock costs about as much as a whole short task step, and a traced run reads it at the end of every
  // step. When steps are tiny (a hot loop of sleep(0)s), the end of most steps is taken to be the last reading and
  // the clock is read every `clockEvery` steps (doubling up to CLOCK_EVERY_MAX while steps average under
  // FAST_STEP_MS, back to 1 as soon as they do not). Timestamps then lose precision only below what a timeline can
  // show. A step that runs long inside such a stretch is caught by the step watch (the trace's writer thread, which
  // sees the step number stay the same, see runtime/threadSink.ts), which makes that step's end an exact reading:
  // blocked-loop warnings stay exact. Sampling starts only once the watch runs.
  private clockEvery = 1;
  private clockBudget = 1;
  /** Steps ended since the last clock reading (which is `lastClock`). */
  private stepsSinceRead = 0;
  /** Steps run so far (published to the step watch). */
  private stepNo = 0;
  /** How many steps the last clock reading closed: 1 means the current step's duration is exact. */
  private lastWindow = 1;

  /**
   * Ends the current step: `lastClock` is then the time it ended (sampled, see above). Returns whether the clock was
   * read; if not, the step ended at the reading it started from, so it took no measured time and `checkStep` has
   * nothing to judge. (Not the time itself: a float returned from a call V8 does not inline is a new heap number, an
   * allocation per step.)
   */
  _stepEnd(): boolean {
    const w = stepWatch;
    if (w !== null) w[WATCH_IN_STEP] = 0;
    if (this.clockEvery > 1 && w !== null && w[WATCH_LONG] !== this.stepNo && --this.clockBudget > 0) {
      this.stepsSinceRead++;
      return false;
    }
    const t = this.time();
    const avg = (t - this.lastClock) / (this.stepsSinceRead + 1);
    this.noteReading(t);
    if (this.clock === 'real' && avg < FAST_STEP_MS && (this.slowStepMs === 0 || this.slowStepMs >= MIN_SAMPLED_SLOW_STEP_MS)) {
      if (w !== null && w[WATCH_READY] === 1) this.clockEvery = Math.min(this.clockEvery * 2, CLOCK_EVERY_MAX);
      else if (startStepWatch !== null) {
        startStepWatch();
        startStepWatch = null;
      }
    } else this.clockEvery = 1;
    this.clockBudget = this.clockEvery;
    return true;
  }

  /** Loop time in milliseconds since the loop started. */
  time(): number {
    return this.clock === 'virtual' ? this.vnow : performance.now() - this.t0;
  }

  callSoon<A>(fn: (arg: A) => void, arg?: A): Handle {
    const h = new Handle(fn, arg);
    this.enqueue(h);
    return h;
  }

  /** Schedules `fn(arg)` `delayMs` from now. Timers with equal deadlines run in the order they were set. */
  callLater<A>(delayMs: number, fn: (arg: A) => void, arg?: A): TimerHandle {
    return this.callAt(this.time() + Math.max(0, delayMs), fn, arg);
  }

  callAt<A>(when: number, fn: (arg: A) => void, arg?: A): TimerHandle {
    const h = new TimerHandle(when, this.timerSeq++, fn as (arg: any) => void, arg);
    const heap = this.timers;
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!timerBefore(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
    if (!this.pumping && this.current === null) this.wake();
    return h;
  }

  private popTimer(): TimerHandle {
    const heap = this.timers;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && timerBefore(heap[l], heap[m])) m = l;
        if (r < heap.length && timerBefore(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }

  _scheduleTaskStart(task: Task<any>): void {
    task._resume = Resume.Start;
    this.enqueue(task);
  }

  /** Queues the wake-up of `task`, which suspended on `fut` (its resolve functions are on the task). */
  _scheduleTaskWake(task: Task<any>, fut: Future<any>): void {
    task._resume = Resume.Wake;
    task._resumeArg = fut;
    this.enqueue(task);
  }

  _scheduleTaskSend(task: Task<any>, value: unknown, onF: (v: any) => void, onR: (e: any) => void): void {
    task._resume = Resume.Send;
    task._resumeArg = value;
    task._onF = onF;
    task._onR = onR;
    this.enqueue(task);
  }

  /** Puts a handle or task at the back of the ready queue. */
  private enqueue(x: Handle | Task<any>): void {
    const n = this.readyCount;
    let ring = this.ready;
    if (n === ring.length) ring = this.growReady();
    ring[(this.readyHead + n) & (ring.length - 1)] = x;
    this.readyCount = n + 1;
  }

  /** Doubles the ready ring, its handles moved to the start in order. */
  private growReady(): (Handle | Task<any> | undefined)[] {
    const old = this.ready;
    const ring = emptyRing(old.length * 2);
    for (let i = 0; i < old.length; i++) ring[i] = old[(this.readyHead + i) & (old.length - 1)];
    this.ready = ring;
    this.readyHead = 0;
    return ring;
  }

  /** Runs ready handles until a task step is under way (its suspension calls `pump` again) or nothing is ready. */
  pump(): void {
    if (this.pumping || this.current !== null || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.ntodo === 0 && !this.startIteration()) return;
        const ring = this.ready;
        const at = this.readyHead;
        const h = ring[at]!;
        ring[at] = undefined;
        this.readyHead = (at + 1) & (ring.length - 1);
        this.readyCount--;
        this.ntodo--;
        if (h instanceof Handle) {
          if (!h.cancelled) this.runCallback(h);
          continue;
        }
        this.runTaskStep(h);
        if (this.current !== null) return;
      }
    } finally {
      this.pumping = false;
    }
  }

  private runCallback(h: Handle): void {
    this.inTimerCallback = h instanceof TimerHandle;
    try {
      h.fn!(h.arg);
    } catch (err) {
      reportCallbackError(err);
    } finally {
      this.inTimerCallback = false;
    }
  }

  /** True when the callback now running was a timer (for the wake cause of what it completes). */
  get firedByTimer(): boolean {
    return this.inTimerCallback;
  }

  /**
   * Starts one iteration as asyncio's `_run_once` does: waits if nothing is ready, moves due timers to the ready
   * queue, then fixes how many handles this iteration runs. Returns false when the loop must wait instead.
   */
  private startIteration(): boolean {
    // Cancelled timers stay in the heap until they reach the top: drop them there, so they neither keep the loop
    // waiting nor make virtual time jump.
    while (this.timers.length > 0 && this.timers[0].cancelled) this.popTimer();
    if (this.readyCount === 0) {
      if (this.timers.length === 0) {
        // Nothing scheduled: wait for the outside world. If nothing outside can wake us, Node says so with
        // 'beforeExit' and run() reports the deadlock.
        return false;
      }
      if (this.clock === 'real') {
        const delay = this.timers[0].when - this.time();
        if (delay > 0) {
          this.sleepUntilTimer(delay);
          return false;
        }
      } else {
        // Wait for the outside world, unless Node said it has nothing left to do (see `_nodeIsExiting`).
        if ((this.externalPending > 0 || this.stalled.size > 0) && !this.forceTimeJump) return false;
        this.forceTimeJump = false;
        // Virtual time: nothing can run before the next timer, so time jumps to it.
        this.vnow = Math.max(this.vnow, this.timers[0].when);
        this.spinIterations = 0;
      }
    } else {
      if (performance.now() - this.lastMacrotask > MACROTASK_SLICE_MS) {
        // Let Node deliver I/O, signals and timers of its own, then go on.
        this.yieldToNode();
        return false;
      }
      if (this.clock === 'virtual' && this.timers.length > 0 && ++this.spinIterations >= VIRTUAL_SPIN_ITERATIONS) {
        // Tasks that keep yielding (a polling loop) would stop virtual time forever; real time would pass while
        // they spin, so let it pass here too.
        this.vnow = Math.max(this.vnow, this.timers[0].when);
        this.spinIterations = 0;
      }
    }
    const now = this.noteReading(this.time());
    while (this.timers.length > 0 && this.timers[0].when <= now) {
      const t = this.popTimer();
      if (!t.cancelled) this.enqueue(t);
    }
    this.ntodo = this.readyCount;
    return this.ntodo > 0 || this.startIteration();
  }

  private sleepUntilTimer(delayMs: number): void {
    if (this.nodeTimer !== null) clearTimeout(this.nodeTimer);
    this.nodeTimer = setTimeout(() => {
      this.nodeTimer = null;
      this.lastMacrotask = performance.now();
      this.pump();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  private yieldToNode(): void {
    if (this.immediatePending) return;
    this.immediatePending = true;
    setImmediate(() => {
      this.immediatePending = false;
      this.lastMacrotask = performance.now();
      this.pump();
    });
  }

  /**
   * Something outside the loop made a handle ready: run it soon if the loop is idle. Soon, not now: generator tasks
   * step synchronously, and the code that completed a future or cancelled a task (a Node callback, a signal
   * handler) must finish before any task runs, as with asyncio's `call_soon`.
   */
  wake(): void {
    if (!this.started || this.pumping || this.current !== null || this.closed || this.wakePending) return;
    if (this.nodeTimer !== null) {
      clearTimeout(this.nodeTimer);
      this.nodeTimer = null;
    }
    this.wakePending = true;
    queueMicrotask(this.wakeJob);
  }

  private wakePending = false;
  private readonly wakeJob = (): void => {
    this.wakePending = false;
    this.pump();
  };


  /**
   * Node is about to exit with the loop idle: nothing in the program can wake any task again. Called by `run()` on
   * `beforeExit`. Tasks still waiting are deadlocked; the main task is failed with `DeadlockError`.
   */
  _nodeIsExiting(): boolean {
    if (this.closed || this.current !== null || this.readyCount > 0) return false;
    while (this.timers.length > 0 && this.timers[0].cancelled) this.popTimer();
    if (this.timers.length > 0) {
      // Virtual time waits for pending foreign promises before it jumps; Node having nothing left to do means they
      // wait on our timers (a plain async function sleeping, say), so jump now.
      if (this.clock !== 'virtual') return false;
      this.forceTimeJump = true;
      this.pump();
      return true;
    }
    const waiting = [...this.liveTasks];
    if (waiting.length === 0) return false;
    this.onDeadlock?.(waiting);
    return true;
  }

  // ---- task steps ------------------------------------------------------------------------------------------------

  private runTaskStep(task: Task<any>): void {
    const resume = task._resume;
    task._resume = Resume.None;
    if (task._state !== PENDING) return;
    this.current = task;
    task._awaitTarget = NO_TARGET;
    if (REC !== null) {
      this.stepT = this.lastClock;
      const w = stepWatch;
      if (w !== null) {
        w[WATCH_STEP] = ++this.stepNo;
        w[WATCH_IN_STEP] = 1;
      }
      if (this.stepT >= this.nextDelaySample) this.sampleRunQueueDelay();
    }
    if (!this.watchdogArmed) {
      this.watchdogArmed = true;
      setImmediate(this.watchdog);
    }
    this.syncPhase = true;
    try {
      switch (resume) {
        case Resume.Start:
          task._first();
          break;
        case Resume.Wake:
          task._wake();
          break;
        case Resume.Send:
          task._send();
          break;
        default:
          break;
      }
    } finally {
      this.syncPhase = false;
    }
  }

  /** Runs once the microtask queue is empty: a task still "running" then is waiting on a promise we do not own. */
  private readonly watchdog = (): void => {
    this.watchdogArmed = false;
    const task = this.current;
    if (task === null) return;
    this.stalled.add(task);
    if (REC !== null) {
      REC.ev(EventCode['task.suspended'], this._readClock(), task.id, SuspendCode.external, this.awaitSite);
    }
    this.awaitSite = 0;
    this.current = null;
    this.pump();
  };

  /**
   * Decides whether a `then()` call on `awaitable` is the current task suspending on it. Microtasks of code outside
   * the task (a plain awaiter's continuation) can run while a task step is under way, so "a step is under way" is not
   * enough. In order:
   * - a future made by runtime code for one task to await (`_owner`) suspends exactly that task, nobody else;
   * - if the task's instrumented `await` named what it awaits (`__ct_await`), only that suspends it;
   * - otherwise (code the bundler did not instrument) the running task is taken to be the caller, unless the call
   *   came synchronously from the loop itself.
   * A task the watchdog marked as stalled that comes back into the runtime is taken to be the caller.
   */
  _suspendingTask(awaitable: unknown): Task<any> | null {
    const task = this.current;
    if (task !== null) return this._isTaskAwait(awaitable) ? task : null;
    // A stalled task that was not bundled, coming back into the runtime, is taken to be the caller if it owns the
    // future or is the only one that could be. (Bundled tasks come back through `__ct_await`: see `_adoptStalled`.)
    const owner = awaitable instanceof Future ? awaitable._owner : undefined;
    let back: Task<any> | null = null;
    if (owner !== undefined) back = owner !== null && this.stalled.has(owner) ? owner : null;
    else back = this._soleStalled();
    if (back === null || back._instrumented) return null;
    this._resumeStalled(back);
    return back;
  }

  /** True when a `then()` call on `awaitable` now is a task's `await` (see `_suspendingTask`). No side effects. */
  _isTaskAwait(awaitable: unknown): boolean {
    const task = this.current;
    if (task === null || this.syncPhase) return false;
    // The await the task announced (`__ct_await`, or runtime code's `declareAwait`) is the only one that counts:
    // other `then` calls in its step come from promise chains it started.
    if (task._awaitTarget !== NO_TARGET) return task._awaitTarget === awaitable;
    // A future the runtime made for one task suspends that task only.
    const owner = awaitable instanceof Future ? awaitable._owner : undefined;
    if (owner !== undefined) return owner === task;
    // Bundled code announces every await, so an unannounced `then` is chaining; code the bundler did not see is
    // taken at its word.
    return !task._instrumented;
  }

  private _soleStalled(): Task<any> | null {
    if (this.pumping || this.stalled.size !== 1) return null;
    const [only] = this.stalled;
    return only;
  }

  private _resumeStalled(task: Task<any>): void {
    this.stalled.delete(task);
    this.current = task;
    task._awaitTarget = NO_TARGET;
    if (REC !== null) {
      this.stepT = this._readClock();
      if (this.stepT >= this.nextDelaySample) this.sampleRunQueueDelay();
      REC.ev(EventCode['task.resumed'], this.stepT, task.id, WakeCode.external);
    }
  }

  /** The one stalled task, running again: an instrumented `await` came from outside any step. */
  _adoptStalled(): Task<any> | null {
    const back = this._soleStalled();
    if (back !== null) this._resumeStalled(back);
    return back;
  }

  /**
   * A generator task awaits a thenable that is not a plain future: call its `then` as the engine's `await` would (the
   * task announced it as its await target), even though the loop is on the stack.
   */
  _thenAsTask(x: PromiseLike<unknown>, then: Function, onF: (v: unknown) => void, onR: (e: unknown) => void): void {
    const sync = this.syncPhase;
    this.syncPhase = false;
    try {
      then.call(x, onF, onR);
    } catch (err) {
      // A `then` that throws rejects the await.
      queueMicrotask(() => onR(err));
    } finally {
      this.syncPhase = sync;
    }
  }

  /** The current task has suspended: record it and run what is ready next. */
  _suspended(task: Task<any>, reasonCode: number, d: number, e: number): void {
    if (REC !== null) {
      if (this._stepEnd()) this.checkStep(task);
      REC.t = this.lastClock;
      REC.suspended(task.id, reasonCode, this.awaitSite, d, e);
    }
    this.awaitSite = 0;
    task._awaitTarget = NO_TARGET;
    this.current = null;
    this.pump();
  }

  /** Lets `checkStep` take the time the thread waited for a CPU off a long step (null: unknown, wall time only). */
  watchRunQueueDelay(read: (() => number) | null): void {
    this.runQueueDelay = read;
    this.nextDelaySample = read === null ? Infinity : 0;
  }

  /** At a step's start, at most every DELAY_SAMPLE_MS: one read of about 2 µs. */
  private sampleRunQueueDelay(): void {
    this.delaySample = this.runQueueDelay!();
    this.nextDelaySample = this.stepT + DELAY_SAMPLE_MS;
  }

  /**
   * A step that ran longer than `slowStepMs` without yielding blocked every other task meanwhile. Called once the
   * step has ended (`_stepEnd`): it ended at `lastClock`.
   */
  checkStep(task: Task<any>): void {
    const end = this.lastClock;
    const w = stepWatch;
    if (w !== null) w[WATCH_IN_STEP] = 0;
    const took = end - this.stepT;
    // Over a sampled stretch (several steps closed by one reading) the time is not this step's, unless the watch
    // saw this step run long (then its end was read exactly).
    const exact = this.lastWindow === 1 || (w !== null && w[WATCH_LONG] === this.stepNo);
    if (this.slowStepMs > 0 && this.clock === 'real' && took > this.slowStepMs && REC !== null && exact) {
      // Waiting for a CPU while another process had it is the machine's load, not the step's doing. The sample is at
      // most DELAY_SAMPLE_MS older than the step, so up to that much earlier waiting is taken off too.
      const waited = this.runQueueDelay !== null ? this.runQueueDelay() - this.delaySample : 0;
      if (took - waited <= this.slowStepMs) return;
      REC.ev(
        EventCode['warning'],
        end,
        WarningCode['blocked-loop'],
        task.id,
        this.awaitSite,
        REC.str(
          `${task.name} ran ${took.toFixed(1)} ms without yielding (from ${this.stepT.toFixed(1)} ms` +
            `${waited >= 1 ? `; ${waited.toFixed(1)} ms of it waiting for a CPU` : ''}); no other ` +
            `task could run meanwhile. Move blocking work off the loop or await between its parts.`,
        ),
      );
    }
  }

  /** A task's coroutine settled (returned or threw). */
  _taskSettled(task: Task<any>): void {
    if (REC !== null && this.current === task) this.checkStep(task);
    if (this.current === task) {
      this.current = null;
      this.awaitSite = 0;
      this.pump();
    } else {
      this.stalled.delete(task);
      this.wake();
    }
  }

  close(): void {
    this.closed = true;
    if (this.nodeTimer !== null) clearTimeout(this.nodeTimer);
    this.nodeTimer = null;
  }
}

/**
 * The tasks not done yet, in creation order: a list linked through the tasks themselves, so adding and removing one
 * allocates nothing (a program may hold hundreds of thousands). Iterating while tasks end is safe (spread it first
 * to iterate while tasks are added).
 */
export class TaskList implements Iterable<Task<any>> {
  size = 0;
  private first: Task<any> | null = null;
  private last: Task<any> | null = null;

  add(t: Task<any>): void {
    if (this.has(t)) return;
    t._livePrev = this.last;
    t._liveNext = null;
    if (this.last !== null) this.last._liveNext = t;
    else this.first = t;
    this.last = t;
    this.size++;
  }

  delete(t: Task<any>): boolean {
    if (!this.has(t)) return false;
    const prev = t._livePrev;
    const next = t._liveNext;
    if (prev !== null) prev._liveNext = next;
    else this.first = next;
    if (next !== null) next._livePrev = prev;
    else this.last = prev;
    t._livePrev = t._liveNext = null;
    this.size--;
    return true;
  }

  /** A task is in at most one list (its loop's): in this one if it has a predecessor here or is the first. */
  has(t: Task<any>): boolean {
    return t._livePrev !== null ? t._loop.liveTasks === this : this.first === t;
  }

  *[Symbol.iterator](): Iterator<Task<any>> {
    for (let t = this.first; t !== null; ) {
      const next = t._liveNext;
      yield t;
      t = next;
    }
  }
}

function reportCallbackError(err: unknown): void {
  // asyncio logs errors from callbacks and goes on; so do we.
  const text = err instanceof Error ? (err.stack ?? String(err)) : String(err);
  process.stderr.write(`Exception in callback: ${text}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Futures.

export const PENDING = 0;
export const FINISHED = 1;
export const FAILED = 2;
export const CANCELLED = 3;

type DoneCallback<F> = (fut: F) => void;

/** `Future._completedBy` of a future a timer completed (the callback of a timer runs outside any task). */
const COMPLETED_BY_TIMER = -1;

/**
 * What cancelling a future or task leaves behind, kept apart because most never are: a program may hold a hundred
 * thousand tasks, and each field on every one of them is copied by every young-generation collection they survive.
 */
class CancelState {
  /** The message of the last `cancel()`. */
  message: string | null = null;
  /** The `CancelledError` it finished with. */
  error: CancelledError | null = null;
  /** Tasks: cancellation requests not taken back (asyncio's `cancelling()`). */
  requests = 0;
  /** Tasks: the site of the last `cancel()` call. */
  site = 0;
  /** Tasks: a `CancelledError` was thrown in and the task has not ended since (for swallowed cancellations). */
  delivered = false;
}

/** A `then()` registration that is not a task suspending (code outside any task awaiting a future). */
class PlainWaiter {
  constructor(
    readonly onF: ((v: any) => void) | null,
    readonly onR: ((e: any) => void) | null,
  ) {}
}

/** Who is told when a future completes: a suspended task, a done callback, or a plain awaiter. */
type Waiter = Task<any> | DoneCallback<any> | PlainWaiter;

/**
 * asyncio's Future: a result that will be set later. Awaitable (it is a thenable), not a Promise. Callbacks and
 * woken tasks run from the loop's ready queue, never synchronously from `setResult`.
 */
export class Future<T = unknown> implements PromiseLike<T> {
  _state = PENDING;
  _result: T | undefined = undefined;
  _exception: unknown = undefined;
  /** What cancelling it left (its message, error, requests...): none until it is cancelled (see `CancelState`). */
  _cx: CancelState | null = null;
  /** True once somebody looked at the exception (for "exception never retrieved"). */
  _retrieved = false;
  /** Who is told on completion: none, one (the usual case: no array), or several in order. */
  private waiters: Waiter | Waiter[] | null = null;
  readonly _loop: EventLoop;
  /** How a task waiting on this future is described in the trace (a `SuspendCode`), with its arguments. */
  _waitKind: number = SuspendCode.future;
  _waitD = 0;
  _waitE = 0;
  /** Who completed it, for the woken task's `cause`. */
  _completedBy = 0;
  /**
   * For futures the runtime makes for one task to await (waiters of queues, locks, waitFor...): that task (`null`:
   * made outside any task). Only it suspends on this future. `undefined`: anyone may await it.
   */
  _owner: Task<any> | null | undefined = undefined;
  /** Scratch mark of `gather`, which tells its distinct children apart with it. */
  _gatherStamp = 0;

  constructor(loop?: EventLoop) {
    this._loop = loop ?? getRunningLoop();
  }

  done(): boolean {
    return this._state !== PENDING;
  }

  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  result(): T {
    switch (this._state) {
      case PENDING:
        throw new InvalidStateError('Result is not set.');
      case CANCELLED:
        throw this._makeCancelledError();
      case FAILED:
        this._retrieved = true;
        throw this._exception;
      default:
        return this._result as T;
    }
  }

  exception(): unknown {
    if (this._state === PENDING) throw new InvalidStateError('Exception is not set.');
    if (this._state === CANCELLED) throw this._makeCancelledError();
    this._retrieved = true;
    return this._state === FAILED ? this._exception : null;
  }

  /** The message of the last `cancel()` (null: none given, or never cancelled). */
  get _cancelMessage(): string | null {
    return this._cx !== null ? this._cx.message : null;
  }
  set _cancelMessage(message: string | null) {
    (this._cx ??= new CancelState()).message = message;
  }

  /** The `CancelledError` it finished with, once it did (tasks). */
  get _cancelledError(): CancelledError | null {
    return this._cx !== null ? this._cx.error : null;
  }
  set _cancelledError(error: CancelledError | null) {
    (this._cx ??= new CancelState()).error = error;
  }

  _makeCancelledError(): CancelledError {
    return this._cancelledError ?? new CancelledError(this._cancelMessage);
  }

  /** What awaiting this done, unsuccessful future throws; the exception counts as retrieved. */
  _failure(): unknown {
    this._retrieved = true;
    return this._state === CANCELLED ? this._makeCancelledError() : this._exception;
  }

  setResult(value: T): void {
    if (this._state !== PENDING) throw new InvalidStateError(`invalid state: ${stateName(this._state)}`);
    this._result = value;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  setException(exc: unknown): void {
    if (this._state !== PENDING) throw new InvalidStateError(`invalid state: ${stateName(this._state)}`);
    this._exception = exc;
    this._state = FAILED;
    this._scheduleCallbacks();
  }

  cancel(msg?: string | null): boolean {
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._cancelMessage = msg ?? null;
    this._scheduleCallbacks();
    return true;
  }

  addDoneCallback(fn: DoneCallback<this>): void {
    if (this._state !== PENDING) this._scheduleOne(fn);
    else this._addWaiter(fn);
  }

  removeDoneCallback(fn: DoneCallback<this>): number {
    const ws = this.waiters;
    if (ws === null) return 0;
    if (!Array.isArray(ws)) {
      if (ws !== fn) return 0;
      this.waiters = null;
      return 1;
    }
    const kept = ws.filter((w) => w !== fn);
    this.waiters = kept.length > 0 ? kept : null;
    return ws.length - kept.length;
  }

  /** Awaiting a future: the engine calls this. Suspends the running task, or registers plain callbacks. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const onF = typeof onfulfilled === 'function' ? onfulfilled : null;
    const onR = typeof onrejected === 'function' ? onrejected : null;
    const loop = this._loop;
    if (this._state !== PENDING) {
      // A task awaiting a done future does not yield (asyncio returns at once); the continuation is a microtask.
      if (loop._isTaskAwait(this)) {
        deliver(this, onF, onR);
        return undefined as unknown as PromiseLike<R1 | R2>;
      }
      return chained(this, onF, onR, (w) => queueMicrotask(() => deliver(this, w.onF, w.onR)));
    }
    const task = loop._suspendingTask(this);
    if (task === null) {
      // Not a task suspending: code outside the loop's tasks (or `.then` chaining). Behave like a promise.
      return chained(this, onF, onR, (w) => this._addWaiter(w));
    }
    this._suspendTask(task, onF, onR);
    // The engine ignores what `then` returns when it awaits.
    return undefined as unknown as PromiseLike<R1 | R2>;
  }

  /** `task` (running now) suspends until this pending future completes; then `onF`/`onR` get the outcome. */
  _suspendTask(task: Task<any>, onF: ((v: any) => void) | null, onR: ((e: any) => void) | null): void {
    task._onF = onF;
    task._onR = onR;
    this._addWaiter(task);
    task._futWaiter = this;
    if (task._mustCancel) {
      if (this.cancel(task._cancelMessage)) task._mustCancel = false;
    }
    this._loop._suspended(task, this._waitKind, this._waitD, this._waitE);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): PromiseLike<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): PromiseLike<T> {
    return this.then(
      (v) => {
        onfinally?.();
        return v;
      },
      (e) => {
        onfinally?.();
        throw e;
      },
    );
  }

  protected _scheduleCallbacks(): void {
    const loop = this._loop;
    const cur = loop.current;
    this._completedBy = loop.firedByTimer ? COMPLETED_BY_TIMER : cur !== null ? cur.id : 0;
    const ws = this.waiters;
    if (ws === null) return;
    this.waiters = null;
    if (!Array.isArray(ws)) this._scheduleOne(ws);
    else for (let i = 0; i < ws.length; i++) this._scheduleOne(ws[i]);
    if (cur === null) loop.wake();
  }

  private _addWaiter(w: Waiter): void {
    const ws = this.waiters;
    if (ws === null) this.waiters = w;
    else if (Array.isArray(ws)) ws.push(w);
    else this.waiters = [ws, w];
  }

  private _scheduleOne(w: Waiter): void {
    const loop = this._loop;
    if (w instanceof Task) loop._scheduleTaskWake(w, this);
    else if (w instanceof PlainWaiter) loop.callSoon(deliverFromLoop, { fut: this, w });
    else loop.callSoon(w, this);
  }
}

/** A promise settled by `fut` through `onF`/`onR`, as `Promise.prototype.then` would make. */
function chained<R>(
  fut: Future<any>,
  onF: ((v: any) => any) | null,
  onR: ((e: any) => any) | null,
  register: (w: PlainWaiter) => void,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    register(
      new PlainWaiter(
        (v) => {
          try {
            resolve(onF ? onF(v) : v);
          } catch (err) {
            reject(err);
          }
        },
        (e) => {
          if (!onR) return reject(e);
          try {
            resolve(onR(e));
          } catch (err) {
            reject(err);
          }
        },
      ),
    );
  });
}

function deliverFromLoop(x: { fut: Future<any>; w: PlainWaiter }): void {
  deliver(x.fut, x.w.onF, x.w.onR);
}

function deliver(fut: Future<any>, onF: ((v: any) => void) | null, onR: ((e: any) => void) | null): void {
  if (fut._state === FINISHED) {
    onF?.(fut._result);
  } else {
    const err = fut._failure();
    if (onR) onR(err);
  }
}

function stateName(s: number): string {
  return s === PENDING ? 'PENDING' : s === CANCELLED ? 'CANCELLED' : 'FINISHED';
}

// ---------------------------------------------------------------------------------------------------------------
// Lazy coroutines.

/**
 * What calling a `coroutine(fn)` function returns: nothing runs until it is awaited (then it runs inside the
 * awaiting task, as `await coro()` does in Python) or wrapped in a task. It can be awaited once.
 */
export class Coroutine<T = unknown> implements PromiseLike<T> {
  _started = false;
  /** The body is a generator function (`yield` where an async function would `await`): see `Task._genStep`. */
  readonly _isGen: boolean;
  constructor(
    readonly _fn: (...args: any[]) => T | PromiseLike<T> | Generator<unknown, T, unknown>,
    readonly _this: unknown,
    readonly _args: unknown[],
    isGen: boolean = Object.getPrototypeOf(_fn) === GeneratorFunctionPrototype,
  ) {
    this._isGen = isGen;
  }

  get name(): string {
    return this._fn.name;
  }

  toString(): string {
    return `<coroutine object ${this.name || '<anonymous>'}>`;
  }

  /** Runs the body; returns its promise. Used by tasks and by `then`. */
  _start(): Promise<T> {
    if (this._started) return Promise.reject(new RuntimeError('cannot reuse already awaited coroutine'));
    this._started = true;
    try {
      const r = this._call();
      if (this._isGen) return runGenerator(r as Generator<unknown, T, unknown>);
      return r instanceof Promise ? r : Promise.resolve(r as T);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * For awaitables the runtime defines as coroutines (sleep): the future a generator task can suspend on directly,
   * instead of calling `then` (null: use `then`).
   */
  _asFuture(_task: Task<any>): Future<T> | null {
    return null;
  }

  /** Starts a generator body (`_isGen`), for a task to drive. */
  _startGen(): Generator<unknown, T, unknown> {
    this._started = true;
    return this._call() as Generator<unknown, T, unknown>;
  }

  /** Calls the body (subclasses that keep their arguments in fields override it). */
  protected _call(): T | PromiseLike<T> | Generator<unknown, T, unknown> {
    return this._fn.apply(this._this, this._args);
  }

  /**
   * For runtime operations that usually finish without suspending (a queue's put into a queue with room, get from
   * one with items): does the whole operation now and returns its result, exactly as the body would have when it
   * did not suspend; `NOT_NOW` when the body must run. Only called on a coroutine that has not started; marks it
   * started when it returns a result. A generator task awaiting it then needs no generator (`Task._genStep`).
   */
  _tryNow(): unknown {
    return NOT_NOW;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    // Awaited inline: the body's own awaits are what suspend the task, so nothing is recorded here.
    // The body's awaits name their own targets; this coroutine is no longer what the task waits for.
    const task = runningLoop !== null ? runningLoop.current : null;
    if (task !== null && task._awaitTarget === this) task._awaitTarget = NO_TARGET;
    return this._start().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected) as Promise<T | R>;
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this._start().finally(onfinally);
  }
}

/** The arguments of a runtime coroutine whose body takes none (or keeps them in fields): one shared empty array. */
export const NO_ARGS: unknown[] = [];

/** `Coroutine._tryNow`'s answer when the operation has to run its body (it may suspend). */
export const NOT_NOW: unique symbol = Symbol('not now');

const GeneratorFunctionPrototype = Object.getPrototypeOf(function* () {
  /* the prototype of every generator function */
});
/** The continuation of a task suspended in a generator: `_genStep` is called directly, no closure. */
function GEN_K(): void {
  throw new RuntimeError('GEN_K is a marker, never called');
}

/** The shared awaitable of `sleep(0)` (set by api.ts), which generator tasks handle without calling its `then`. */
let yieldMarker: unknown = NO_TARGET;
export function _setYieldMarker(x: unknown): void {
  yieldMarker = x;
}

/** The prototype every generator object inherits `next`/`throw` from. */
const GeneratorPrototype = GeneratorFunctionPrototype.prototype;

function isGenerator(x: unknown): x is Generator<unknown, unknown, unknown> {
  return typeof x === 'object' && x !== null && GeneratorPrototype.isPrototypeOf(x);
}

/**
 * Runs a generator body as an async function would run it: each value it yields is awaited. Used when a generator
 * coroutine is awaited by code that is not a generator (a plain async function): tasks drive theirs directly.
 */
async function runGenerator<T>(gen: Generator<unknown, T, unknown>): Promise<T> {
  let throwing = false;
  let value: unknown = undefined;
  for (;;) {
    const r = throwing ? gen.throw(value) : gen.next(value);
    if (r.done) return r.value;
    try {
      const x = r.value;
      value = await (isGenerator(x) ? runGenerator(x) : x);
      throwing = false;
    } catch (err) {
      value = err;
      throwing = true;
    }
  }
}

/**
 * Makes `fn` behave like an `async def`: calling the result returns a lazy `Coroutine` that starts only when awaited
 * or wrapped in a task.
 */
export function coroutine<A extends unknown[], T>(
  fn: (...args: A) => Promise<T> | T,
): (...args: A) => Coroutine<T> {
  const isGen = Object.getPrototypeOf(fn) === GeneratorFunctionPrototype;
  const make = function (this: unknown, ...args: A): Coroutine<T> {
    return new Coroutine<T>(fn, this, args, isGen);
  };
  Object.defineProperty(make, 'name', { value: fn.name });
  return make;
}

// ---------------------------------------------------------------------------------------------------------------
// Tasks.

export type TaskSource<T> = Coroutine<T> | (() => PromiseLike<T> | T) | PromiseLike<T>;

export interface TaskOptions {
  name?: string;
}

/** A coroutine scheduled on the loop. Awaitable; `cancel()` raises `CancelledError` at its current `await`. */
export class Task<T = unknown> extends Future<T> {
  readonly id: number;
  /** Null: the default name, `Task-<id>`, made when asked for (most tasks are never asked). */
  private _name: string | null;
  _futWaiter: Future<any> | null = null;
  _mustCancel = false;
  /** What the loop does when this task's turn in the ready queue comes, and with what. */
  _resume = Resume.None;
  /** With `_resume`: the future that completed (Wake), or the value to send (Send). */
  _resumeArg: unknown = undefined;
  /** What the task's next instrumented `await` awaits (`__ct_await`), or NO_TARGET. */
  _awaitTarget: unknown = NO_TARGET;
  /** True once the task ran bundled (instrumented) code: from then on only announced awaits suspend it. */
  _instrumented = false;
  /** The resolve/reject functions of the `await` the task is suspended at. */
  _onF: ((v: any) => void) | null = null;
  _onR: ((e: any) => void) | null = null;
  /** Links of `EventLoop.liveTasks`. */
  _livePrev: Task<any> | null = null;
  _liveNext: Task<any> | null = null;
  /**
   * Until its first step, what the task runs (a `TaskSource`); then the generator it drives (generator coroutines,
   * see `_genStep`), or null. One field for both: the source is dropped once the task starts (its arguments need not
   * live as long as the task).
   */
  private _body: TaskSource<T> | Generator<unknown, unknown, unknown> | null;
  /** The generators that await `_body` inline (it runs inside them), outermost first. */
  private _genStack: Generator<unknown, unknown, unknown>[] | null = null;

  constructor(source: TaskSource<T>, options: TaskOptions = {}, loop?: EventLoop, site = 0, fixedName?: string) {
    super(loop);
    const l = this._loop;
    if (l.closed) throw new RuntimeError('Event loop is closed');
    this.id = ++taskCounter;
    this._name = options.name ?? fixedName ?? null;
    this._waitKind = SuspendCode.task;
    this._waitD = this.id;
    let eager = false;
    let coroName = '';
    this._body = source;
    if (source instanceof Coroutine || typeof source === 'function') {
      coroName = source.name;
    } else if (isGenerator(source)) {
      // A generator coroutine's function called directly (see `_genStep`).
      coroName = '';
    } else if (source instanceof Future) {
      throw new TypeError('a coroutine was expected, got a Future or Task');
    } else if (source !== null && typeof source === 'object' && typeof (source as PromiseLike<T>).then === 'function') {
      // Already running: the task can only wait for it. Attribution of its work is wrong, hence the warning.
      eager = true;
      coroName = '';
    } else {
      throw new TypeError(`a coroutine was expected, got ${preview(source)}`);
    }
    l.liveTasks.add(this);
    if (REC !== null) {
      const parent = l.current;
      REC.t = l.eventTime();
      REC.event(
        EventCode['task.created'],
        this.id,
        // Default names are not sent: the reader derives `Task-<id>` from a missing name (see contract/wire.ts).
        this._name !== null ? REC.str(this._name) : 0,
        parent !== null ? parent.id : 0,
        site,
        coroName ? REC.intern(coroName) : 0,
      );
      if (eager) {
        REC.ev(
          EventCode['warning'],
          l.eventTime(),
          0 /* eager-promise */,
          this.id,
          site,
          REC.str(
            `Task ${this.name} was created from a promise that had already started: its work before the first ` +
              `await ran outside the task. Pass coroutine(fn)(...) or a thunk () => fn(...) instead.`,
          ),
        );
      }
    }
    l._scheduleTaskStart(this);
    if (l.current === null) l.wake();
  }

  /** Cancellation requests not taken back (asyncio's `cancelling()`). */
  get _numCancelsRequested(): number {
    return this._cx !== null ? this._cx.requests : 0;
  }
  set _numCancelsRequested(n: number) {
    (this._cx ??= new CancelState()).requests = n;
  }

  /** Site of the last `cancel()` call on this task. */
  get _cancelSite(): number {
    return this._cx !== null ? this._cx.site : 0;
  }
  set _cancelSite(site: number) {
    (this._cx ??= new CancelState()).site = site;
  }

  /** A CancelledError was thrown into the coroutine and it has not ended since (for swallowed cancellations). */
  get _cancelDelivered(): boolean {
    return this._cx !== null && this._cx.delivered;
  }
  set _cancelDelivered(delivered: boolean) {
    (this._cx ??= new CancelState()).delivered = delivered;
  }

  get name(): string {
    return this._name ?? `Task-${this.id}`;
  }
  set name(value: string) {
    this._name = String(value);
  }
  getName(): string {
    return this.name;
  }
  setName(value: string): void {
    this._name = String(value);
  }

  /** Requests cancellation: `CancelledError` is raised in the task at the `await` where it is suspended. */
  override cancel(msg?: string | null): boolean {
    const site = takeCallSite(this.cancel);
    return this._cancel(msg, site);
  }

  _cancel(msg: string | null | undefined, site: number): boolean {
    this._retrieved = true;
    if (this._state !== PENDING) return false;
    this._numCancelsRequested++;
    if (site !== 0) this._cancelSite = site;
    const l = this._loop;
    if (REC !== null) {
      const by = l.current;
      REC.ev(
        EventCode['task.cancelRequested'],
        l.eventTime(),
        this.id,
        by !== null ? by.id : 0,
        REC.str(msg ?? null),
        site,
      );
    }
    const waiter = this._futWaiter;
    if (waiter !== null) {
      const ok = waiter instanceof Task ? waiter._cancel(msg, site) : waiter.cancel(msg);
      // The waiter may be a task that swallows the cancellation: keep it, we may cancel it again.
      if (ok) return true;
    }
    this._mustCancel = true;
    this._cancelMessage = msg ?? null;
    return true;
  }

  /** Number of pending cancellation requests (asyncio's `cancelling()`). */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /** Decrements the pending cancellation count; returns what is left (asyncio's `uncancel()`). */
  uncancel(): number {
    if (this._numCancelsRequested > 0) this._numCancelsRequested--;
    return this._numCancelsRequested;
  }

  override setResult(_value: T): never {
    throw new RuntimeError('Task does not support setResult()');
  }

  override setException(_exc: unknown): never {
    throw new RuntimeError('Task does not support setException()');
  }

  // ---- driven by the loop ---------------------------------------------------------------------------------------

  _first(): void {
    const l = this._loop;
    if (REC !== null) {
      REC.t = l.stepT;
      REC.event(EventCode['task.started'], this.id);
    }
    if (this._mustCancel) {
      // Cancelled before it ever ran: the body never starts (as throwing into an unstarted coroutine).
      this._mustCancel = false;
      this._finishCancelled(new CancelledError(this._cancelMessage));
      l._taskSettled(this);
      return;
    }
    const source = this._body as TaskSource<T>;
    this._body = null;
    let p: PromiseLike<T>;
    if (source instanceof Coroutine && source._isGen && !source._started) {
      try {
        this._body = source._startGen();
      } catch (err) {
        this._bodyRejected(err);
        return;
      }
      this._genStep(false, undefined);
      return;
    }
    if (isGenerator(source)) {
      this._body = source;
      this._genStep(false, undefined);
      return;
    }
    if (source instanceof Coroutine) p = source._start();
    else if (typeof source === 'function') {
      try {
        const r = source();
        p = r instanceof Promise ? r : Promise.resolve(r);
      } catch (err) {
        p = Promise.reject(err);
      }
    } else p = awaitExternal(source);
    p.then(
      (v) => this._bodyResolved(v),
      (e) => this._bodyRejected(e),
    );
  }

  /**
   * Drives a generator coroutine: runs it until it yields something to await, then suspends on that, as the engine's
   * `await` would, but synchronously and without promises. A task whose coroutines are all generators steps with no
   * microtask at all. `throwing`: `value` is an error to throw into the generator at its `yield`.
   */
  _genStep(throwing: boolean, value: unknown): void {
    let gen = this._body as Generator<unknown, unknown, unknown>;
    for (;;) {
      let r: IteratorResult<unknown, unknown>;
      try {
        r = throwing ? gen.throw(value) : gen.next(value);
      } catch (err) {
        const outer = this._genStack !== null ? this._genStack.pop() : undefined;
        if (outer === undefined) {
          this._body = null;
          this._bodyRejected(err);
          return;
        }
        gen = this._body = outer;
        throwing = true;
        value = err;
        continue;
      }
      if (r.done === true) {
        const outer = this._genStack !== null ? this._genStack.pop() : undefined;
        if (outer === undefined) {
          this._body = null;
          this._bodyResolved(r.value as T);
          return;
        }
        gen = this._body = outer;
        throwing = false;
        value = r.value;
        continue;
      }
      let x = r.value;
      if (x === yieldMarker) {
        // `sleep(0)`: to the back of the ready queue.
        const loop = this._loop;
        loop._scheduleTaskSend(this, undefined, GEN_K, GEN_K);
        loop._suspended(this, SuspendCode.sleep, 0, UNTIL_NOW);
        return;
      }
      if (x instanceof Coroutine) {
        if (x._isGen) {
          // Awaited inline: it runs in this task, as `await coro()` does in Python.
          if (x._started) {
            throwing = true;
            value = new RuntimeError('cannot reuse already awaited coroutine');
            continue;
          }
          if (this._awaitTarget === x) this._awaitTarget = NO_TARGET;
          // A runtime operation that can finish now (a queue put with room): no generator at all.
          const now = x._tryNow();
          if (now !== NOT_NOW) {
            throwing = false;
            value = now;
            continue;
          }
          let inner: Generator<unknown, unknown, unknown>;
          try {
            inner = x._startGen();
          } catch (err) {
            throwing = true;
            value = err;
            continue;
          }
          (this._genStack ??= []).push(gen);
          gen = this._body = inner;
          throwing = false;
          value = undefined;
          continue;
        }
        // Runtime awaitables that stand for a future (sleep) are handled as that future.
        const fut = x._asFuture(this);
        if (fut !== null) {
          if (this._awaitTarget === x) this._awaitTarget = fut;
          x = fut;
        }
      }
      if (x instanceof Future) {
        if (x._state === PENDING) {
          x._suspendTask(this, GEN_K, GEN_K);
          return;
        }
        // Awaiting a done future does not yield (asyncio returns at once).
        throwing = x._state !== FINISHED;
        value = throwing ? x._failure() : x._result;
        continue;
      }
      if (isGenerator(x)) {
        // A generator coroutine's function called directly (a named function expression calling itself): its
        // generator, awaited inline.
        (this._genStack ??= []).push(gen);
        gen = this._body = x;
        throwing = false;
        value = undefined;
        continue;
      }
      if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
        let then: unknown;
        try {
          then = (x as { then?: unknown }).then;
        } catch (err) {
          throwing = true;
          value = err;
          continue;
        }
        if (typeof then === 'function') {
          // Any other awaitable (sleep, an async-function coroutine, runtime awaitables): await it as the engine
          // would, calling its `then` with this task's continuations.
          this._awaitTarget = x;
          this._loop._thenAsTask(
            x as PromiseLike<unknown>,
            then as Function,
            (v) => this._genStep(false, v),
            (e) => this._genStep(true, e),
          );
          return;
        }
      }
      // `await value` of a plain value gives the value.
      throwing = false;
      value = x;
    }
  }


  _wake(): void {
    const fut = this._resumeArg as Future<any>;
    const onF = this._onF;
    const onR = this._onR;
    this._resumeArg = undefined;
    this._onF = this._onR = null;
    this._futWaiter = null;
    const st = fut._state;
    if (REC !== null) {
      const cause =
        st === CANCELLED
          ? WakeCode.cancel
          : fut._completedBy === COMPLETED_BY_TIMER
            ? WakeCode.timer
            : st === FAILED
              ? WakeCode.exception
              : WakeCode.result;
      REC.t = this._loop.stepT;
      REC.event(EventCode['task.resumed'], this.id, cause, Math.max(0, fut._completedBy));
    }
    let throwing: boolean;
    let value: unknown;
    if (this._mustCancel) {
      this._mustCancel = false;
      this._cancelDelivered = true;
      throwing = true;
      if (st !== FINISHED) fut._retrieved = true;
      value = st === CANCELLED ? fut._makeCancelledError() : new CancelledError(this._cancelMessage);
    } else {
      if (st === CANCELLED && this._numCancelsRequested > 0) this._cancelDelivered = true;
      throwing = st !== FINISHED;
      value = throwing ? fut._failure() : fut._result;
    }
    this._continue(onF, onR, throwing, value);
  }

  _send(): void {
    const value = this._resumeArg;
    const onF = this._onF;
    const onR = this._onR;
    this._resumeArg = undefined;
    this._onF = this._onR = null;
    this._futWaiter = null;
    if (REC !== null) {
      REC.t = this._loop.stepT;
      REC.resumedByYield(this.id);
    }
    if (this._mustCancel) {
      this._mustCancel = false;
      this._cancelDelivered = true;
      this._continue(onF, onR, true, new CancelledError(this._cancelMessage));
      return;
    }
    this._continue(onF, onR, false, value);
  }

  /** Hands the outcome of an await to the task's continuation: its generator, or the engine's resolve functions. */
  private _continue(
    onF: ((v: any) => void) | null,
    onR: ((e: any) => void) | null,
    throwing: boolean,
    value: unknown,
  ): void {
    if (onF === GEN_K) this._genStep(throwing, value);
    else if (throwing) onR?.(value);
    else onF?.(value);
  }

  _bodyResolved(value: T): void {
    if (this._mustCancel) {
      // Cancelled right before it returned.
      this._mustCancel = false;
      this._finishCancelled(new CancelledError(this._cancelMessage));
    } else {
      this._result = value;
      this._state = FINISHED;
      if (REC !== null) {
        this._loop._stepEnd();
        this.checkSwallowedCancel();
        // The preview first: it may run the program's code (toJSON, getters), which may record events of its own.
        const result = value === undefined ? REC.intern('undefined') : REC.str(preview(value));
        REC.t = this._loop.lastClock;
        REC.event(EventCode['task.done'], this.id, result);
      }
      this.finish();
    }
    this._loop._taskSettled(this);
  }

  _bodyRejected(err: unknown): void {
    if (err instanceof CancelledError) {
      this._finishCancelled(err);
    } else {
      this._exception = err;
      this._state = FAILED;
      this._loop.failedTasks.push(this);
      if (REC !== null) {
        this._loop._stepEnd();
        this.checkSwallowedCancel();
        REC.ev(EventCode['task.failed'], this._loop.lastClock, this.id, REC.str(errorJson(err)));
      }
      this.finish();
    }
    this._loop._taskSettled(this);
  }

  /**
   * A task that was cancelled (and did not `uncancel()`), had `CancelledError` thrown in, and still ended normally
   * caught the cancellation and went on instead of finishing: its canceller believes it stopped. Recorded at the end
   * of the task's last step (`lastClock`).
   */
  private checkSwallowedCancel(): void {
    if (!this._cancelDelivered || this._numCancelsRequested === 0 || REC === null) return;
    REC.ev(
      EventCode['warning'],
      this._loop.lastClock,
      WarningCode['swallowed-cancellation'],
      this.id,
      this._cancelSite,
      REC.str(
        `${this.name} caught CancelledError and went on instead of finishing. Re-throw it after cleanup ` +
          `(catch (e) { ...; throw e; }), or call uncancel() if ignoring the cancellation is intended.`,
      ),
    );
  }

  private _finishCancelled(err: CancelledError): void {
    this._cancelledError = err;
    this._cancelMessage = err.message || this._cancelMessage;
    this._state = CANCELLED;
    if (REC !== null) {
      REC.ev(EventCode['task.cancelled'], this._loop._readClock(), this.id, REC.str(err.message || null));
    }
    this.finish();
  }

  private finish(): void {
    this._loop.liveTasks.delete(this);
    this._futWaiter = null;
    // Completion callbacks (tasks awaiting this one) are scheduled through the loop, as asyncio does.
    this._scheduleCallbacks();
  }
}

/** A future that only `owner` may suspend on (see `EventLoop._suspendingTask`). */
export function ownedFuture<T>(loop: EventLoop, owner: Task<any> | null): Future<T> {
  const fut = new Future<T>(loop);
  fut._owner = owner;
  return fut;
}

/** A future that settles when a promise the runtime does not own settles. */
export function wrapExternal<T>(p: PromiseLike<T>, loop: EventLoop): Future<T> {
  const fut = new Future<T>(loop);
  fut._waitKind = SuspendCode.external;
  loop.externalPending++;
  p.then(
    (v) => {
      loop.externalPending--;
      if (fut._state === PENDING) fut.setResult(v);
    },
    (e) => {
      loop.externalPending--;
      if (fut._state !== PENDING) return;
      if (e instanceof CancelledError) fut.cancel(e.message);
      else fut.setException(e);
    },
  );
  return fut;
}

function awaitExternal<T>(p: PromiseLike<T>): Promise<T> {
  const loop = getRunningLoop();
  const fut = wrapExternal(p, loop);
  return (async () => await fut)();
}

// ---------------------------------------------------------------------------------------------------------------
// Hooks the bundler's instrumentation calls (see runner/instrument.ts).

function isOurs(v: unknown): boolean {
  return v instanceof Coroutine || v instanceof Future;
}

/** `await __ct_await(site, x)`: names the await's site, and turns foreign promises into futures we can follow. */
export function ctAwait<T>(site: number, value: T): T | Future<unknown> {
  const loop = runningLoop;
  if (loop === null) return value;
  const task = loop.current ?? loop._adoptStalled();
  if (task === null) return value;
  loop.awaitSite = site;
  task._instrumented = true;
  if (isOurs(value)) {
    task._awaitTarget = value;
    return value;
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    let then: unknown;
    try {
      then = (value as { then?: unknown }).then;
    } catch {
      return value;
    }
    if (typeof then === 'function') {
      const fut = wrapExternal(value as unknown as PromiseLike<unknown>, loop);
      fut._owner = task;
      task._awaitTarget = fut;
      return fut;
    }
  }
  task._awaitTarget = NO_TARGET;
  return value;
}

/**
 * `await x` in a generator coroutine (see runner/instrument.ts): when `x` is a runtime operation that can finish now
 * (a queue put with room, a get from a queue with items), does it and returns its result, so the generator goes on
 * without yielding, exactly as `Task._genStep` would have resumed it at once; otherwise returns `NOT_NOW` and keeps
 * what the generator must yield (what `__ct_await` gives) for `ctHeld`.
 */
export function ctNow(site: number, value: unknown): unknown {
  const loop = runningLoop;
  if (value instanceof Coroutine && loop !== null) {
    const task = loop.current;
    if (task !== null && value._isGen && !value._started) {
      const result = value._tryNow();
      if (result !== NOT_NOW) {
        // What `__ct_await` and `_genStep` leave behind when such an await does not suspend.
        loop.awaitSite = site;
        task._instrumented = true;
        task._awaitTarget = NO_TARGET;
        return result;
      }
    }
  }
  held = ctAwait(site, value);
  return NOT_NOW;
}

/** What the last `ctNow` that returned `NOT_NOW` kept, for the generator to yield. */
let held: unknown = undefined;
export function ctHeld(): unknown {
  const h = held;
  held = undefined;
  return h;
}

/**
 * `__ct_stmt(site, f(x));`: a call whose value the program throws away. A coroutine thrown away was never awaited
 * and its body never runs (Python warns "coroutine ... was never awaited" when it is collected; here the site is
 * known at once).
 */
export function ctStmt<T>(site: number, value: T): T {
  if (REC !== null && value instanceof Coroutine && !value._started) {
    const loop = runningLoop;
    const task = loop !== null ? loop.current : null;
    REC.ev(
      EventCode['warning'],
      loop !== null ? loop.eventTime() : 0,
      WarningCode['never-awaited'],
      task !== null ? task.id : 0,
      site,
      REC.str(
        `coroutine '${value.name || 'anonymous'}' was created but never awaited, so its body never ran. ` +
          `Await it, or pass it to createTask() to run it concurrently.`,
      ),
    );
  }
  return value;
}

/** `f(a, __ct_site(site, b))`: names the call site of the runtime call about to be made. */
export function ctSite<T>(site: number, value?: T): T | undefined {
  pendingCallSite = site;
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Loop lifecycle used by `run()`.

export function _setRunningLoop(loop: EventLoop | null): void {
  runningLoop = loop;
}

export function _resetTaskCounter(): void {
  taskCounter = 0;
}

export { DeadlockError };
