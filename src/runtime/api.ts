/**
 * asyncio's top-level functions: run, sleep, gather, waitFor, wait, asCompleted, shield, taskGroup, createTask.
 * Each follows CPython 3.11's implementation of the same name; comments say where JavaScript forces a difference.
 */
import {
  CANCELLED,
  Coroutine,
  EventLoop,
  FAILED,
  Future,
  NO_ARGS,
  PENDING,
  REC,
  Task,
  TaskOptions,
  TaskSource,
  TimerHandle,
  _getRunningLoopOrNull,
  ownedFuture,
  _resetTaskCounter,
  _setRunningLoop,
  getRunningLoop,
  takeCallSite,
  dropCallSite,
  wrapExternal,
  _setYieldMarker,
} from './core';
import { CancelledError, DeadlockError, ExceptionGroup, RuntimeError, TimeoutError } from './errors';
import { EventCode, SuspendCode, UNTIL_NOW, WarningCode, toMicros } from '../contract/wire';
import { _resetResourceCounter } from './sync';

export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

// ---------------------------------------------------------------------------------------------------------------
// run

export interface RunOptions {
  /** `real` (default) or `virtual`: with a virtual clock, time jumps to the next timer when nothing can run. */
  clock?: 'real' | 'virtual';
}

/** Hooks for the tracing bootstrap: told when a loop starts and ends. */
export const runHooks: {
  onLoopStart: ((loop: EventLoop) => void) | null;
  onLoopEnd: ((loop: EventLoop) => void) | null;
} = { onLoopStart: null, onLoopEnd: null };

/**
 * Runs `main` as the main task on a new event loop and resolves with its result. When it ends, the tasks still
 * pending are cancelled and awaited, then the loop closes (as `asyncio.run`). Call it once per program.
 */
export function run<T>(main: TaskSource<T>, options: RunOptions = {}): Promise<T> {
  const site = takeCallSite(run);
  if (_getRunningLoopOrNull() !== null) {
    throw new RuntimeError('asyncio.run() cannot be called from a running event loop');
  }
  const envClock = typeof process !== 'undefined' ? process.env.COROUTINE_TRACE_CLOCK : undefined;
  const clock = options.clock ?? (envClock === 'virtual' ? 'virtual' : 'real');
  _resetTaskCounter();
  _resetResourceCounter();
  const loop = new EventLoop({ clock });
  _setRunningLoop(loop);
  runHooks.onLoopStart?.(loop);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (mainTask: Task<T> | null, deadlock: DeadlockError | null): void => {
      if (settled) return;
      settled = true;
      if (mainTask !== null) mainTask._retrieved = true;
      reportUnretrieved(loop);
      loop.close();
      _setRunningLoop(null);
      process.off('beforeExit', onBeforeExit);
      runHooks.onLoopEnd?.(loop);
      if (deadlock !== null) reject(deadlock);
      else if (mainTask!._state === CANCELLED) reject(mainTask!._makeCancelledError());
      else if (mainTask!._state === FAILED) {
        mainTask!._retrieved = true;
        reject(mainTask!._exception);
      } else resolve(mainTask!._result as T);
    };
    const onBeforeExit = (): void => {
      loop.onDeadlock = (waiting) => {
        const list = waiting.map((t) => t.name).join(', ');
        const message = `deadlock: no task can run and nothing can wake one; still waiting: ${list}`;
        if (REC !== null) REC.ev(EventCode['warning'], loop.time(), WarningCode.deadlock, 0, 0, REC.str(message));
        finish(null, new DeadlockError(message));
      };
      loop._nodeIsExiting();
    };
    process.on('beforeExit', onBeforeExit);
    let mainTask: Task<T>;
    try {
      mainTask = new Task(main, {}, loop, site, 'main');
    } catch (err) {
      loop.close();
      _setRunningLoop(null);
      process.off('beforeExit', onBeforeExit);
      throw err;
    }
    mainTask.addDoneCallback(() => {
      const left = [...loop.liveTasks];
      if (left.length === 0) return finish(mainTask, null);
      for (const t of left) t._cancel(null, 0);
      const all = gatherFutures(loop, left, true, 0);
      all.addDoneCallback(() => finish(mainTask, null));
    });
    // The loop starts once run() has returned (see EventLoop.started), as if run() blocked until then.
    queueMicrotask(() => {
      loop.started = true;
      loop.wake();
    });
  });
}

/** asyncio logs "Task exception was never retrieved" when such a task is collected; we say it when the loop ends. */
function reportUnretrieved(loop: EventLoop): void {
  if (REC === null) return;
  for (const task of loop.failedTasks) {
    if (task._retrieved) continue;
    const err = task._exception;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    REC.ev(
      EventCode['warning'],
      loop.time(),
      WarningCode['exception-never-retrieved'],
      task.id,
      0,
      REC.str(
        `${task.name} failed (${what}) and nobody awaited it or asked for its exception. Await the task, gather it, ` +
          `or add a done callback that handles the error.`,
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// createTask, currentTask, allTasks, ensureFuture

/** Wraps a coroutine (or a thunk) in a task. It first runs when the creating code next yields to the loop. */
export function createTask<T>(source: TaskSource<T>, options?: TaskOptions): Task<T> {
  const site = takeCallSite(createTask);
  return new Task(source, options, getRunningLoop(), site);
}

/** The task running now, or null outside any task. */
export function currentTask(): Task<unknown> | null {
  const loop = _getRunningLoopOrNull();
  return loop === null ? null : loop.current;
}

/** The tasks of the running loop that are not done yet. */
export function allTasks(): Set<Task<unknown>> {
  return new Set(getRunningLoop().liveTasks);
}

function isFutureLike(x: unknown): x is Future<unknown> {
  return x instanceof Future;
}

/** A future for `aw`: futures and tasks as they are, coroutines and thunks as new tasks, promises wrapped. */
export function ensureFuture<T>(aw: Awaitable<T> | (() => PromiseLike<T>), site = takeCallSite(ensureFuture)): Future<T> {
  if (isFutureLike(aw)) return aw as Future<T>;
  const loop = getRunningLoop();
  if (aw instanceof Coroutine || typeof aw === 'function') return new Task(aw as TaskSource<T>, {}, loop, site);
  if (aw !== null && typeof aw === 'object' && typeof (aw as PromiseLike<T>).then === 'function') {
    return wrapExternal(aw as PromiseLike<T>, loop);
  }
  throw new TypeError('An asyncio.Future, a coroutine or an awaitable is required');
}

function targetsOf(futs: Iterable<Future<unknown>>): number {
  if (REC === null) return 0;
  const ids: number[] = [];
  for (const f of futs) if (f instanceof Task) ids.push(f.id);
  return REC.intern(JSON.stringify(ids));
}

/** Runtime coroutines put the user's `await` site back before each internal await, so every suspension has it. */
function userAwaitSite(): number {
  return getRunningLoop().awaitSite;
}

function restoreSite(site: number): void {
  getRunningLoop().awaitSite = site;
}

/** Runtime code is not instrumented: it names what its task is about to await, as `__ct_await` does for users. */
function declareAwait(me: Task<unknown> | null, target: unknown): void {
  if (me !== null) me._awaitTarget = target;
}

// ---------------------------------------------------------------------------------------------------------------
// sleep

function sleepBodyUnused(): never {
  throw new RuntimeError('sleep coroutines run through then()');
}

class SleepCoroutine<T> extends Coroutine<T> {
  constructor(
    readonly seconds: number,
    readonly value: T,
  ) {
    super(sleepBodyUnused, undefined, NO_ARGS);
  }

  override get name(): string {
    return 'sleep';
  }

  override _start(): Promise<T> {
    return (async (): Promise<T> => await (this as PromiseLike<T>))();
  }

  /** A generator task sleeping: the timer's future, which it suspends on directly (see `Task._genStep`). */
  override _asFuture(task: Task<any>): Future<T> | null {
    if (this._started || !(this.seconds > 0)) return null;
    this._started = true;
    return this.timerFuture(task._loop, task);
  }

  /** The future a sleep of `seconds` > 0 stands for: a timer completes it; a task waiting on it is sleeping. */
  private timerFuture(loop: EventLoop, owner: Task<any> | null | undefined): Future<T> {
    const fut = new SleepFuture<T>(loop, this.value);
    fut._owner = owner;
    const when = loop.time() + this.seconds * 1000;
    fut._waitKind = SuspendCode.sleep;
    fut._waitD = this.seconds;
    fut._waitE = toMicros(when);
    fut._timer = loop.callAt(when, wakeSleeper, fut);
    return fut;
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const onF = (typeof onfulfilled === 'function' ? onfulfilled : null) as ((v: T) => R1) | null;
    const onR = (typeof onrejected === 'function' ? onrejected : null) as ((e: unknown) => R2) | null;
    if (this._started) {
      const err = new RuntimeError('cannot reuse already awaited coroutine');
      return (onR ? Promise.resolve().then(() => onR(err)) : Promise.reject(err)) as PromiseLike<R1 | R2>;
    }
    this._started = true;
    const loop = getRunningLoop();
    if (!(this.seconds > 0)) {
      // sleep(0) is a bare yield: the task goes to the back of the ready queue.
      const task = loop._suspendingTask(this);
      if (task !== null) {
        loop._scheduleTaskSend(task, this.value, onF ?? noop, onR ?? noop);
        loop._suspended(task, SuspendCode.sleep, 0, UNTIL_NOW);
        return undefined as unknown as PromiseLike<R1 | R2>;
      }
      // Not a task's await (e.g. `.then` chaining): a promise that settles on the next loop iteration.
      return new Promise<R1 | R2>((resolve, reject) => {
        loop.callSoon(() => {
          try {
            resolve(onF ? onF(this.value) : (this.value as unknown as R1));
          } catch (err) {
            reject(err);
          }
        });
        if (loop.current === null) loop.wake();
      });
    }
    // The task awaiting this sleep owns its future and now awaits it; otherwise nobody suspends on it (a returning
    // stalled task is recognised by the loop when nothing runs).
    const awaiting = loop._isTaskAwait(this);
    const fut = this.timerFuture(loop, awaiting ? loop.current : loop.current === null ? undefined : null);
    if (awaiting) loop.current!._awaitTarget = fut;
    return fut.then(onF, onR);
  }
}

function noop(): void {}

/**
 * `sleep(0)` is by far the most frequent await in busy programs; it is one shared object. Unlike Python's, it may
 * be awaited more than once.
 */
class YieldCoroutine extends SleepCoroutine<undefined> {
  override then<R1 = undefined, R2 = never>(
    onfulfilled?: ((value: undefined) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    this._started = false;
    return super.then(onfulfilled, onrejected);
  }
}
const YIELD = new YieldCoroutine(0, undefined);
_setYieldMarker(YIELD);

/**
 * The future of a `sleep` longer than 0: its timer completes it with the sleep's value; cancelling it cancels the
 * timer. (The timer is a field of this kind of future only, not of every future and task.)
 */
class SleepFuture<T> extends Future<T> {
  _timer: TimerHandle | null = null;
  constructor(
    loop: EventLoop,
    readonly value: T,
  ) {
    super(loop);
  }

  override cancel(msg?: string | null): boolean {
    if (!super.cancel(msg)) return false;
    this._timer?.cancel();
    return true;
  }
}

function wakeSleeper<T>(fut: SleepFuture<T>): void {
  if (!fut.done()) fut.setResult(fut.value);
}

/** Suspends the current task for `seconds` (a float, as in asyncio), then resolves with `result`. */
export function sleep(seconds: number): Coroutine<void>;
export function sleep<T>(seconds: number, result: T): Coroutine<T>;
export function sleep<T>(seconds: number, result?: T): Coroutine<T | undefined> {
  dropCallSite();
  if (typeof seconds !== 'number' || Number.isNaN(seconds)) {
    throw new TypeError(`sleep() needs a number of seconds, got ${String(seconds)}`);
  }
  if (!(seconds > 0) && result === undefined) return YIELD as Coroutine<T | undefined>;
  return new SleepCoroutine(seconds, result);
}

// ---------------------------------------------------------------------------------------------------------------
// gather

export interface GatherOptions {
  returnExceptions?: boolean;
}

/** The future `gather` returns: cancelling it cancels every child. */
export class GatheringFuture<T> extends Future<T> {
  _cancelRequested = false;
  constructor(
    loop: EventLoop,
    readonly children: Future<unknown>[],
  ) {
    super(loop);
  }

  override cancel(msg?: string | null): boolean {
    if (this.done()) return false;
    let ret = false;
    for (const child of this.children) {
      if (child instanceof Task ? child._cancel(msg, 0) : child.cancel(msg)) ret = true;
    }
    if (ret) this._cancelRequested = true;
    return ret;
  }
}

function isGatherOptions(x: unknown): x is GatherOptions {
  return (
    x !== null &&
    typeof x === 'object' &&
    !(x instanceof Future) &&
    !(x instanceof Coroutine) &&
    typeof (x as { then?: unknown }).then !== 'function'
  );
}

type Awaited2<A> = A extends Awaitable<infer T> ? T : A extends () => PromiseLike<infer U> ? U : never;

/**
 * Runs the awaitables concurrently and resolves with their results in order. Without `returnExceptions` the first
 * error rejects the gather and the other children keep running; with it, errors (and `CancelledError`s) come back
 * as values. Coroutines are wrapped in tasks at once.
 */
export function gather<A extends readonly Awaitable<unknown>[]>(
  ...args: [...A] | [...A, GatherOptions]
): GatheringFuture<{ [K in keyof A]: Awaited2<A[K]> }>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  const site = takeCallSite(gather);
  let returnExceptions = false;
  if (args.length > 0 && isGatherOptions(args[args.length - 1])) {
    returnExceptions = !!(args.pop() as GatherOptions).returnExceptions;
  }
  const loop = getRunningLoop();
  // The same awaitable given twice is one child (as CPython's arg_to_fut). Futures are told apart by a stamp, which
  // is much cheaper than a map for a gather of many tasks; other awaitables (coroutines, promises) by a map.
  const stamp = ++gatherStamp;
  let argToFut: Map<unknown, Future<unknown>> | null = null;
  let nfuts = 0;
  const children: Future<unknown>[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let fut: Future<unknown> | undefined;
    if (arg instanceof Future) {
      fut = arg;
      if (fut._gatherStamp !== stamp) {
        fut._gatherStamp = stamp;
        nfuts++;
      }
    } else {
      fut = (argToFut ??= new Map()).get(arg);
      if (fut === undefined) {
        fut = ensureFuture(arg as Awaitable<unknown>, site);
        argToFut.set(arg, fut);
        fut._gatherStamp = stamp;
        nfuts++;
      }
    }
    children[i] = fut;
  }
  return gatherChildren(loop, children, nfuts, returnExceptions, stamp);
}

let gatherStamp = 0;

/** gather over futures that already exist (used by run() at shutdown). */
export function gatherFutures(
  loop: EventLoop,
  futs: Future<unknown>[],
  returnExceptions: boolean,
  _site: number,
): GatheringFuture<unknown[]> {
  const stamp = ++gatherStamp;
  let nfuts = 0;
  for (const f of futs) {
    if (f._gatherStamp !== stamp) {
      f._gatherStamp = stamp;
      nfuts++;
    }
  }
  return gatherChildren(loop, futs, nfuts, returnExceptions, stamp);
}

/** `children` are stamped with `stamp` (one gather's mark, see `gather`); `nfuts` of them are distinct. */
function gatherChildren(
  loop: EventLoop,
  children: Future<unknown>[],
  nfuts: number,
  returnExceptions: boolean,
  stamp: number,
): GatheringFuture<unknown[]> {
  const outer = new GatheringFuture<unknown[]>(loop, children);
  outer._waitKind = SuspendCode.gather;
  outer._waitD = targetsOf(children);
  if (children.length === 0) {
    outer.setResult([]);
    return outer;
  }
  let nfinished = 0;
  const onChildDone = (fut: Future<unknown>): void => {
    nfinished++;
    if (outer.done()) {
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!returnExceptions) {
      if (fut.cancelled()) {
        outer.setException(fut._makeCancelledError());
        return;
      }
      const exc = fut.exception();
      if (exc !== null) {
        outer.setException(exc);
        return;
      }
    }
    if (nfinished === nfuts) {
      const results = children.map((f) => {
        if (f.cancelled()) return new CancelledError(f._cancelMessage ?? '');
        const exc = f.exception();
        return exc !== null ? exc : f.result();
      });
      if (outer._cancelRequested) outer.setException(fut._makeCancelledError());
      else outer.setResult(results);
    }
  };
  // Each distinct child once: the first occurrence clears the stamp.
  const done: Future<unknown>[] = [];
  for (const f of children) {
    if (f._gatherStamp !== stamp) continue;
    f._gatherStamp = 0;
    if (f.done()) done.push(f);
    else f.addDoneCallback(onChildDone);
  }
  for (const f of done) onChildDone(f);
  return outer;
}

// ---------------------------------------------------------------------------------------------------------------
// waitFor

function releaseWaiter(waiter: Future<unknown>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

async function cancelAndWait(fut: Future<unknown>, site: number, me: Task<unknown> | null): Promise<void> {
  const loop = getRunningLoop();
  const waiter = ownedFuture<unknown>(loop, me);
  describeWaitOn(waiter, fut);
  const cb = (): void => releaseWaiter(waiter);
  fut.addDoneCallback(cb);
  try {
    if (fut instanceof Task) fut._cancel(null, site);
    else fut.cancel();
    restoreSite(site);
    await waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

function describeWaitOn(waiter: Future<unknown>, fut: Future<unknown>): void {
  if (fut instanceof Task) {
    waiter._waitKind = SuspendCode.task;
    waiter._waitD = fut.id;
  } else {
    waiter._waitKind = fut._waitKind;
    waiter._waitD = fut._waitD;
    waiter._waitE = fut._waitE;
  }
}

async function waitForImpl<T>(aw: Awaitable<T>, timeout: number | null | undefined, callSite: number): Promise<T> {
  const loop = getRunningLoop();
  const site = userAwaitSite();
  // The task this coroutine runs in: its waiters are its own (see EventLoop._suspendingTask).
  const me = loop.current;
  if (timeout === null || timeout === undefined) {
    // As CPython 3.11 (`return await fut`): a coroutine runs inline in the awaiting task, not in a task of its own.
    if (aw instanceof Coroutine) return await aw;
    const fut = ensureFuture(aw, callSite) as Future<T>;
    declareAwait(me, fut);
    return await fut;
  }
  if (timeout <= 0) {
    const fut = ensureFuture(aw, callSite) as Future<T>;
    if (fut.done()) return fut.result();
    await cancelAndWait(fut, site, me);
    try {
      return fut.result();
    } catch (exc) {
      if (exc instanceof CancelledError) throw new TimeoutError();
      throw exc;
    }
  }
  const waiter = ownedFuture<unknown>(loop, me);
  const timeoutHandle = loop.callLater(timeout * 1000, releaseWaiter, waiter);
  const cb = (): void => releaseWaiter(waiter);
  const fut = ensureFuture(aw, callSite) as Future<T>;
  describeWaitOn(waiter, fut);
  fut.addDoneCallback(cb);
  try {
    try {
      restoreSite(site);
      await waiter;
    } catch (err) {
      if (err instanceof CancelledError) {
        if (fut.done()) return fut.result();
        fut.removeDoneCallback(cb);
        await cancelAndWait(fut, site, me);
      }
      throw err;
    }
    if (fut.done()) return fut.result();
    fut.removeDoneCallback(cb);
    await cancelAndWait(fut, site, me);
    try {
      return fut.result();
    } catch (exc) {
      if (exc instanceof CancelledError) throw new TimeoutError();
      throw exc;
    }
  } finally {
    timeoutHandle.cancel();
  }
}

/**
 * Waits for `aw` with a timeout in seconds (`null`: no timeout). On timeout, cancels it, waits until it has
 * finished cancelling, and throws `TimeoutError`.
 */
export function waitFor<T>(aw: Awaitable<T>, seconds: number | null): Coroutine<T> {
  const site = takeCallSite(waitFor);
  return new Coroutine<T>(waitForImpl, undefined, [aw, seconds, site]);
}

// ---------------------------------------------------------------------------------------------------------------
// wait, asCompleted

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface WaitOptions {
  timeout?: number | null;
  returnWhen?: ReturnWhen;
}

export interface WaitResult<T> {
  done: Set<Future<T>>;
  pending: Set<Future<T>>;
}

function toFutureSet<T>(aws: Iterable<Awaitable<T>>, what: string, site: number): Set<Future<T>> {
  if (aws instanceof Future || aws instanceof Coroutine) {
    throw new TypeError(`expect an iterable of futures for ${what}(), not ${aws.constructor.name}`);
  }
  const out = new Set<Future<T>>();
  for (const aw of aws) {
    if (what === 'wait' && aw instanceof Coroutine) {
      throw new TypeError('Passing coroutines is forbidden, use tasks explicitly.');
    }
    out.add(ensureFuture(aw, site) as Future<T>);
  }
  return out;
}

async function waitImpl<T>(fs: Set<Future<T>>, timeout: number | null, returnWhen: ReturnWhen): Promise<WaitResult<T>> {
  const loop = getRunningLoop();
  const site = userAwaitSite();
  const waiter = ownedFuture<unknown>(loop, loop.current);
  waiter._waitKind = SuspendCode.wait;
  waiter._waitD = targetsOf(fs);
  const timeoutHandle = timeout !== null ? loop.callLater(timeout * 1000, releaseWaiter, waiter) : null;
  let counter = fs.size;
  const onCompletion = (f: Future<T>): void => {
    counter--;
    if (
      counter <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)
    ) {
      timeoutHandle?.cancel();
      if (!waiter.done()) waiter.setResult(undefined);
    }
  };
  for (const f of fs) f.addDoneCallback(onCompletion);
  try {
    restoreSite(site);
    await waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of fs) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<Future<T>>();
  const pending = new Set<Future<T>>();
  for (const f of fs) (f.done() ? done : pending).add(f);
  return { done, pending };
}

/**
 * Waits until the tasks/futures are done as `returnWhen` says (`ALL_COMPLETED` by default) or `timeout` seconds
 * pass, and resolves with `{ done, pending }`. Does not cancel anything and does not throw on timeout.
 */
export function wait<T>(aws: Iterable<Awaitable<T>>, options: WaitOptions = {}): Coroutine<WaitResult<T>> {
  const site = takeCallSite(wait);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(`Invalid returnWhen value: ${String(returnWhen)}`);
  }
  const fs = toFutureSet(aws, 'wait', site);
  if (fs.size === 0) throw new RangeError('Set of Tasks/Futures is empty.');
  return new Coroutine(waitImpl<T>, undefined, [fs, options.timeout ?? null, returnWhen]);
}

/**
 * Returns one awaitable per input; awaiting them in order gives the results in completion order (the first to
 * finish first). With `timeout` (seconds), the awaitables left when it expires throw `TimeoutError`.
 */
export function asCompleted<T>(aws: Iterable<Awaitable<T>>, options: { timeout?: number | null } = {}): Coroutine<T>[] {
  const site = takeCallSite(asCompleted);
  const loop = getRunningLoop();
  const todo = toFutureSet(aws, 'asCompleted', site);
  const targets = targetsOf(todo);
  // Boxed: a future resolved with a future would be adopted by `await`.
  type Box = { f: Future<T> | null };
  const completed: Box[] = [];
  const getters: Future<Box>[] = [];
  let timeoutHandle: ReturnType<EventLoop['callLater']> | null = null;
  const deliverOne = (f: Future<T> | null): void => {
    const g = getters.shift();
    if (g !== undefined) g.setResult({ f });
    else completed.push({ f });
  };
  const onCompletion = (f: Future<T>): void => {
    if (todo.size === 0) return;
    todo.delete(f);
    deliverOne(f);
    if (todo.size === 0) timeoutHandle?.cancel();
  };
  const onTimeout = (): void => {
    for (const f of todo) {
      f.removeDoneCallback(onCompletion);
      deliverOne(null);
    }
    todo.clear();
  };
  const n = todo.size;
  for (const f of todo) f.addDoneCallback(onCompletion);
  if (n > 0 && options.timeout !== null && options.timeout !== undefined) {
    timeoutHandle = loop.callLater(options.timeout * 1000, onTimeout);
  }
  const waitForOne = async (): Promise<T> => {
    let f: Future<T> | null;
    if (completed.length > 0) f = completed.shift()!.f;
    else {
      const g = ownedFuture<Box>(loop, loop.current);
      g._waitKind = SuspendCode.asCompleted;
      g._waitD = targets;
      getters.push(g);
      f = (await g).f;
    }
    if (f === null) throw new TimeoutError();
    return f.result();
  };
  return Array.from({ length: n }, () => new Coroutine<T>(waitForOne, undefined, []));
}

// ---------------------------------------------------------------------------------------------------------------
// shield

/** Protects `aw` from cancellation: cancelling the awaiting task cancels only the outer future. */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const site = takeCallSite(shield);
  const inner = ensureFuture(aw, site) as Future<T>;
  if (inner.done()) return inner;
  const outer = new Future<T>(inner._loop);
  describeWaitOn(outer, inner);
  const innerDone = (): void => {
    if (outer.cancelled()) {
      if (!inner.cancelled()) inner.exception();
      return;
    }
    if (inner.cancelled()) outer.cancel();
    else {
      const exc = inner.exception();
      if (exc !== null) outer.setException(exc);
      else outer.setResult(inner.result());
    }
  };
  const outerDone = (): void => {
    if (!inner.done()) inner.removeDoneCallback(innerDone);
  };
  inner.addDoneCallback(innerDone);
  outer.addDoneCallback(outerDone);
  return outer;
}

// ---------------------------------------------------------------------------------------------------------------
// taskGroup

/** asyncio.TaskGroup: tasks created through it are awaited when the body ends; a failure cancels the rest. */
export class TaskGroup {
  private entered = false;
  private exiting = false;
  private aborting = false;
  private parentTask: Task<unknown> | null = null;
  private parentCancelRequested = false;
  private readonly tasks = new Set<Task<unknown>>();
  private errors: unknown[] = [];
  private onCompletedFut: Future<unknown> | null = null;
  private readonly loop: EventLoop;

  constructor() {
    this.loop = getRunningLoop();
  }

  _enter(): void {
    this.entered = true;
    this.parentTask = this.loop.current;
    if (this.parentTask === null) throw new RuntimeError('TaskGroup cannot determine the parent task');
  }

  createTask<T>(source: TaskSource<T>, options?: TaskOptions): Task<T> {
    const site = takeCallSite(this.createTask);
    if (!this.entered) throw new RuntimeError('TaskGroup has not been entered');
    if (this.exiting && this.tasks.size === 0) throw new RuntimeError('TaskGroup is finished');
    if (this.aborting) throw new RuntimeError('TaskGroup is shutting down');
    const task = new Task(source, options, this.loop, site);
    task.addDoneCallback(this.onTaskDone as (t: Task<T>) => void);
    this.tasks.add(task as Task<unknown>);
    return task;
  }

  private abort(): void {
    this.aborting = true;
    for (const t of this.tasks) if (!t.done()) t._cancel(null, 0);
  }

  private readonly onTaskDone = (task: Task<unknown>): void => {
    this.tasks.delete(task);
    if (this.onCompletedFut !== null && this.tasks.size === 0 && !this.onCompletedFut.done()) {
      this.onCompletedFut.setResult(true);
    }
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this.errors.push(exc);
    if (this.parentTask!.done()) return;
    if (!this.aborting && !this.parentCancelRequested) {
      this.abort();
      this.parentCancelRequested = true;
      this.parentTask!._cancel(null, 0);
    }
  };

  async _exit(failed: boolean, exc: unknown): Promise<void> {
    this.exiting = true;
    const site = userAwaitSite();
    const me = this.loop.current;
    let propagateCancellation: CancelledError | null = failed && exc instanceof CancelledError ? exc : null;
    if (this.parentCancelRequested && this.parentTask!.uncancel() === 0) propagateCancellation = null;
    if (failed && !this.aborting) this.abort();
    while (this.tasks.size > 0) {
      if (this.onCompletedFut === null) {
        this.onCompletedFut = ownedFuture(this.loop, me);
        this.onCompletedFut._waitKind = SuspendCode.gather;
        this.onCompletedFut._waitD = targetsOf(this.tasks);
      }
      try {
        restoreSite(site);
        await this.onCompletedFut;
      } catch (err) {
        if (!(err instanceof CancelledError)) throw err;
        if (!this.aborting) {
          propagateCancellation = err;
          this.abort();
        }
      }
      this.onCompletedFut = null;
    }
    if (propagateCancellation !== null && this.errors.length === 0) throw propagateCancellation;
    if (failed && !(exc instanceof CancelledError)) this.errors.push(exc);
    if (this.errors.length > 0) {
      const errors = this.errors;
      this.errors = [];
      throw new ExceptionGroup('unhandled errors in a TaskGroup', errors);
    }
  }
}

/**
 * `async with asyncio.TaskGroup() as tg:` as a function: runs `body(tg)`, then waits for every task created with
 * `tg.createTask`. If any fails, the others are cancelled and the group rejects with an `ExceptionGroup`.
 */
export function taskGroup<T>(body: (tg: TaskGroup) => PromiseLike<T> | T): Coroutine<T> {
  dropCallSite();
  return new Coroutine<T>(async () => {
    const tg = new TaskGroup();
    tg._enter();
    let result: T | undefined;
    let failed = false;
    let exc: unknown;
    try {
      result = await body(tg);
    } catch (err) {
      failed = true;
      exc = err;
    }
    await tg._exit(failed, exc);
    return result as T;
  }, undefined, []);
}

export { PENDING };
