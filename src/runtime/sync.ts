/**
 * Queues and synchronisation primitives with asyncio's semantics (CPython 3.11 `queues.py` and `locks.py`):
 * waiters are futures woken in FIFO order; a cancelled waiter passes its wake-up on. Each primitive is a traced
 * resource: created with a site, and its puts, gets, acquisitions and signals are events.
 */
import {
  Coroutine,
  Future,
  NO_ARGS,
  NOT_NOW,
  REC,
  Task,
  _getRunningLoopOrNull,
  dropCallSite,
  getRunningLoop,
  ownedFuture,
  preview,
  takeCallSite,
} from './core';
import { CancelledError, QueueEmpty, QueueFull, RuntimeError } from './errors';
import { EventCode, ResourceCode, SuspendCode } from '../contract/wire';
import type { ResourceKind } from '../contract/trace';

let resourceCounter = 0;

export function _resetResourceCounter(): void {
  resourceCounter = 0;
}

function now(): number {
  const loop = _getRunningLoopOrNull();
  return loop !== null ? loop.eventTime() : 0;
}

/** Records a queue put/get. Numbers travel as numbers (no string made in the program); see `contract/wire.ts`. */
function traceQueueEvent(code: number, queue: number, size: number, item: unknown, seq: number): void {
  const rec = REC!;
  // The preview first: it may run the program's code (toJSON, getters), which may record events of its own.
  const numeric = typeof item === 'number';
  const text = numeric ? -1 : rec.str(preview(item));
  // The loop looked up once for the time and the task (W2 of `npm run bench` records 600,000 of these); the time is
  // set on the recorder, not passed (see `Recorder.event`).
  const loop = _getRunningLoopOrNull();
  const task = loop !== null ? loop.current : null;
  rec.t = loop !== null ? loop.eventTime() : 0;
  rec.event(code, queue, task !== null ? task.id : 0, size, text, seq, numeric ? item : 0);
}

function currentTaskId(): number {
  const loop = _getRunningLoopOrNull();
  const t = loop !== null ? loop.current : null;
  return t !== null ? t.id : 0;
}

/** Identity and trace bookkeeping shared by every primitive. */
abstract class Resource {
  readonly id: number;
  readonly name: string;

  constructor(kind: ResourceKind, label: string, site: number, capacity: number | undefined, name?: string) {
    this.id = ++resourceCounter;
    this.name = name ?? `${label}-${this.id}`;
    if (REC !== null) {
      REC.ev(
        EventCode['resource.created'],
        now(),
        this.id,
        ResourceCode[kind],
        REC.intern(this.name),
        site,
        capacity === undefined ? NaN : capacity,
      );
    }
  }

  /** A future the running task (only it) waits on, described as waiting on this resource. */
  protected waiter<T>(kind: number): Future<T> {
    const loop = getRunningLoop();
    const fut = ownedFuture<T>(loop, loop.current);
    fut._waitKind = kind;
    fut._waitD = this.id;
    return fut;
  }
}

function wakeupNext(waiters: Future<unknown>[]): void {
  while (waiters.length > 0) {
    const w = waiters.shift()!;
    if (!w.done()) {
      w.setResult(undefined);
      break;
    }
  }
}

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export interface ResourceOptions {
  /** Shown in the trace instead of `Queue-N`, `Lock-N`, ... */
  name?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Queues

/** A FIFO queue for producers and consumers. `maxsize <= 0` means unbounded. */
export class Queue<T> extends Resource {
  readonly maxsize: number;
  private readonly getters: Future<unknown>[] = [];
  private readonly putters: Future<unknown>[] = [];
  private readonly joiners: Future<unknown>[] = [];
  private unfinished = 0;
  private seq = 0;

  constructor(maxsize = 0, options: ResourceOptions = {}) {
    super(...Queue.describe(new.target), takeCallSite(new.target), maxsize, options.name);
    this.maxsize = maxsize;
    this._init();
  }

  private static describe(cls: Function): [ResourceKind, string] {
    if (cls === PriorityQueue) return ['priorityQueue', 'PriorityQueue'];
    if (cls === LifoQueue) return ['lifoQueue', 'LifoQueue'];
    return ['queue', 'Queue'];
  }

  // Storage: overridden by PriorityQueue and LifoQueue. Each item keeps the sequence number of its put (the trace
  // links a get to its put by it); `_get` leaves the number of the item it returns in `gotSeq`.
  protected items: T[] = [];
  protected seqs: number[] = [];
  protected gotSeq = 0;
  private head = 0;
  protected _init(): void {}
  protected _put(item: T, seq: number): void {
    this.items.push(item);
    this.seqs.push(seq);
  }
  protected _get(): T {
    const h = this.head;
    const item = this.items[h];
    this.gotSeq = this.seqs[h];
    this.items[h] = undefined as T;
    this.head = h + 1;
    if (h >= 64 && h * 2 > this.items.length) {
      this.items = this.items.slice(h + 1);
      this.seqs = this.seqs.slice(h + 1);
      this.head = 0;
    }
    return item;
  }

  qsize(): number {
    return this.items.length - this.head;
  }
  empty(): boolean {
    return this.qsize() === 0;
  }
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** Puts `item`, waiting while the queue is full. */
  put(item: T): Coroutine<void> {
    dropCallSite();
    return new QueuePut(this, item);
  }

  /** @internal */
  *putImpl(item: T): Generator<unknown, void, unknown> {
    while (this.full()) {
      const putter = this.waiter(SuspendCode['queue.put']);
      this.putters.push(putter);
      try {
        yield putter;
      } catch (err) {
        putter.cancel();
        removeItem(this.putters, putter);
        if (!this.full() && !putter.cancelled()) wakeupNext(this.putters);
        throw err;
      }
    }
    this._putNow(item);
  }

  /** Puts `item` now; throws `QueueFull` if there is no room. */
  putNowait(item: T): void {
    dropCallSite();
    if (this.full()) throw new QueueFull();
    this._putNow(item);
  }

  /** @internal `putNowait` once the caller knows there is room. */
  _putNow(item: T): void {
    const seq = ++this.seq;
    this._put(item, seq);
    this.unfinished++;
    if (REC !== null) traceQueueEvent(EventCode['queue.put'], this.id, this.qsize(), item, seq);
    wakeupNext(this.getters);
  }

  /** Removes and returns an item, waiting while the queue is empty. */
  get(): Coroutine<T> {
    dropCallSite();
    return new QueueGet(this);
  }

  /** @internal */
  *getImpl(): Generator<unknown, T, unknown> {
    while (this.empty()) {
      const getter = this.waiter(SuspendCode['queue.get']);
      this.getters.push(getter);
      try {
        yield getter;
      } catch (err) {
        getter.cancel();
        removeItem(this.getters, getter);
        if (!this.empty() && !getter.cancelled()) wakeupNext(this.getters);
        throw err;
      }
    }
    return this._getNow();
  }

  /** Removes and returns an item now; throws `QueueEmpty` if there is none. */
  getNowait(): T {
    dropCallSite();
    if (this.empty()) throw new QueueEmpty();
    return this._getNow();
  }

  /** @internal `getNowait` once the caller knows there is an item. */
  _getNow(): T {
    const item = this._get();
    if (REC !== null) traceQueueEvent(EventCode['queue.get'], this.id, this.qsize(), item, this.gotSeq);
    wakeupNext(this.putters);
    return item;
  }

  /** Marks one item taken with `get` as processed (for `join`). */
  taskDone(): void {
    dropCallSite();
    if (this.unfinished <= 0) throw new RangeError('taskDone() called too many times');
    this.unfinished--;
    if (this.unfinished === 0 && this.joiners.length > 0) {
      const js = this.joiners.splice(0);
      for (const j of js) if (!j.done()) j.setResult(undefined);
    }
  }

  /** Waits until every item put has been marked done with `taskDone`. */
  join(): Coroutine<void> {
    dropCallSite();
    return new Coroutine(this.joinImpl, this, []);
  }

  private *joinImpl(): Generator<unknown, void, unknown> {
    if (this.unfinished === 0) return;
    const fut = this.waiter(SuspendCode['queue.join']);
    this.joiners.push(fut);
    try {
      yield fut;
    } finally {
      removeItem(this.joiners, fut);
    }
  }
}

/** Compares queue items as Python compares them: numbers and strings by value, arrays (tuples) element by element. */
export function compareItems(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareItems(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(`cannot order queue items ${preview(a)} and ${preview(b)}`);
}

/** Retrieves the smallest item first (`compareItems` order; use `[priority, data]` tuples). */
export class PriorityQueue<T> extends Queue<T> {
  private heap: { item: T; seq: number }[] = [];
  protected override _put(item: T, seq: number): void {
    const heap = this.heap;
    heap.push({ item, seq });
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareItems(heap[i].item, heap[p].item) >= 0) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  }
  protected override _get(): T {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && compareItems(heap[l].item, heap[m].item) < 0) m = l;
        if (r < heap.length && compareItems(heap[r].item, heap[m].item) < 0) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    this.gotSeq = top.seq;
    return top.item;
  }
  override qsize(): number {
    return this.heap.length;
  }
}

/** Retrieves the most recently added item first. */
export class LifoQueue<T> extends Queue<T> {
  protected override _get(): T {
    this.gotSeq = this.seqs.pop()!;
    return this.items.pop()!;
  }
  override qsize(): number {
    return this.items.length;
  }
}

/** `await queue.put(item)`: a task with room in the queue puts without a generator (`Coroutine._tryNow`). */
class QueuePut<T> extends Coroutine<void> {
  constructor(
    private readonly queue: Queue<T>,
    private readonly item: T,
  ) {
    super(queue.putImpl, queue, NO_ARGS, true);
  }
  override get name(): string {
    return 'Queue.put';
  }
  protected override _call(): Generator<unknown, void, unknown> {
    return this.queue.putImpl(this.item);
  }
  override _tryNow(): unknown {
    const q = this.queue;
    if (q.full()) return NOT_NOW;
    this._started = true;
    q._putNow(this.item);
    return undefined;
  }
}

/** `await queue.get()`: a task finding an item takes it without a generator (`Coroutine._tryNow`). */
class QueueGet<T> extends Coroutine<T> {
  constructor(private readonly queue: Queue<T>) {
    super(queue.getImpl, queue, NO_ARGS, true);
  }
  override get name(): string {
    return 'Queue.get';
  }
  override _tryNow(): unknown {
    const q = this.queue;
    if (q.empty()) return NOT_NOW;
    this._started = true;
    return q._getNow();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lock, Event, Condition, Semaphore

function traceHolder(code: number, resource: number): void {
  if (REC !== null) REC.ev(code, now(), resource, currentTaskId());
}

/** A mutual-exclusion lock. `await lock.acquire()` ... `lock.release()` (in `finally`). */
export class Lock extends Resource {
  private readonly waiters: Future<unknown>[] = [];
  private isLocked = false;

  constructor(options: ResourceOptions = {}) {
    super('lock', 'Lock', takeCallSite(Lock), undefined, options.name);
  }

  locked(): boolean {
    return this.isLocked;
  }

  acquire(): Coroutine<true> {
    dropCallSite();
    return new Coroutine(this.acquireImpl, this, []);
  }

  private *acquireImpl(): Generator<unknown, true, unknown> {
    if (!this.isLocked && this.waiters.every((w) => w.cancelled())) {
      this.isLocked = true;
      traceHolder(EventCode['resource.acquired'], this.id);
      return true;
    }
    const fut = this.waiter(SuspendCode.lock);
    this.waiters.push(fut);
    try {
      try {
        yield fut;
      } finally {
        removeItem(this.waiters, fut);
      }
    } catch (err) {
      if (err instanceof CancelledError && !this.isLocked) this.wakeUpFirst();
      throw err;
    }
    this.isLocked = true;
    traceHolder(EventCode['resource.acquired'], this.id);
    return true;
  }

  release(): void {
    dropCallSite();
    if (!this.isLocked) throw new RuntimeError('Lock is not acquired.');
    this.isLocked = false;
    traceHolder(EventCode['resource.released'], this.id);
    this.wakeUpFirst();
  }

  private wakeUpFirst(): void {
    const fut = this.waiters[0];
    if (fut !== undefined && !fut.done()) fut.setResult(true);
  }
}

/** A flag tasks can wait for. */
export class Event extends Resource {
  private readonly waiters: Future<unknown>[] = [];
  private value = false;

  constructor(options: ResourceOptions = {}) {
    super('event', 'Event', takeCallSite(Event), undefined, options.name);
  }

  isSet(): boolean {
    return this.value;
  }

  set(): void {
    dropCallSite();
    if (this.value) return;
    this.value = true;
    if (REC !== null) REC.ev(EventCode['resource.signalled'], now(), this.id, currentTaskId(), 0, NaN);
    for (const fut of this.waiters) if (!fut.done()) fut.setResult(true);
  }

  clear(): void {
    dropCallSite();
    if (this.value && REC !== null) {
      REC.ev(EventCode['resource.signalled'], now(), this.id, currentTaskId(), 1, NaN);
    }
    this.value = false;
  }

  wait(): Coroutine<true> {
    dropCallSite();
    return new Coroutine(this.waitImpl, this, []);
  }

  private *waitImpl(): Generator<unknown, true, unknown> {
    if (this.value) return true;
    const fut = this.waiter(SuspendCode.event);
    this.waiters.push(fut);
    try {
      yield fut;
      return true;
    } finally {
      removeItem(this.waiters, fut);
    }
  }
}

/** A condition variable over a lock: `wait()` releases the lock until notified, then takes it back. */
export class Condition extends Resource {
  private readonly lock: Lock;
  private readonly waiters: Future<unknown>[] = [];

  constructor(lock?: Lock, options: ResourceOptions = {}) {
    super('condition', 'Condition', takeCallSite(Condition), undefined, options.name);
    this.lock = lock ?? new Lock({ name: `${this.name}.lock` });
  }

  locked(): boolean {
    return this.lock.locked();
  }
  acquire(): Coroutine<true> {
    return this.lock.acquire();
  }
  release(): void {
    this.lock.release();
  }

  wait(): Coroutine<true> {
    dropCallSite();
    return new Coroutine(this.waitImpl, this, []);
  }

  private *waitImpl(): Generator<unknown, true, unknown> {
    if (!this.locked()) throw new RuntimeError('cannot wait on un-acquired lock');
    this.release();
    try {
      const fut = this.waiter(SuspendCode.condition);
      this.waiters.push(fut);
      try {
        yield fut;
        return true;
      } finally {
        removeItem(this.waiters, fut);
      }
    } finally {
      // The lock must be taken back even if the wait was cancelled.
      let cancelled = false;
      for (;;) {
        try {
          yield this.acquire();
          break;
        } catch (err) {
          if (err instanceof CancelledError) cancelled = true;
          else throw err;
        }
      }
      if (cancelled) throw new CancelledError();
    }
  }

  /** Waits until `predicate()` is true, re-checking after each notification. */
  waitFor<R>(predicate: () => R): Coroutine<R> {
    dropCallSite();
    return new Coroutine(function* (this: Condition): Generator<unknown, R, unknown> {
      let result = predicate();
      while (!result) {
        yield this.wait();
        result = predicate();
      }
      return result;
    }, this, []);
  }

  notify(n = 1): void {
    dropCallSite();
    if (!this.locked()) throw new RuntimeError('cannot notify on un-acquired lock');
    if (REC !== null) REC.ev(EventCode['resource.signalled'], now(), this.id, currentTaskId(), 2, n);
    let idx = 0;
    for (const fut of this.waiters) {
      if (idx >= n) break;
      if (!fut.done()) {
        idx++;
        fut.setResult(false);
      }
    }
  }

  notifyAll(): void {
    this.notify(this.waiters.length);
  }
}

/** A counter of available slots: `acquire` waits while it is zero. */
export class Semaphore extends Resource {
  private readonly waiters: Future<unknown>[] = [];
  protected value: number;

  constructor(value = 1, options: ResourceOptions = {}) {
    if (value < 0) throw new RangeError('Semaphore initial value must be >= 0');
    const bounded = new.target === BoundedSemaphore;
    super(
      bounded ? 'boundedSemaphore' : 'semaphore',
      bounded ? 'BoundedSemaphore' : 'Semaphore',
      takeCallSite(new.target),
      value,
      options.name,
    );
    this.value = value;
  }

  locked(): boolean {
    return this.value === 0 || this.waiters.some((w) => !w.cancelled());
  }

  acquire(): Coroutine<true> {
    dropCallSite();
    return new Coroutine(this.acquireImpl, this, []);
  }

  private *acquireImpl(): Generator<unknown, true, unknown> {
    if (!this.locked()) {
      this.value--;
      traceHolder(EventCode['resource.acquired'], this.id);
      return true;
    }
    const fut = this.waiter(SuspendCode.semaphore);
    this.waiters.push(fut);
    try {
      try {
        yield fut;
      } finally {
        removeItem(this.waiters, fut);
      }
    } catch (err) {
      if (err instanceof CancelledError && !fut.cancelled()) {
        this.value++;
        this.wakeUpNext();
      }
      throw err;
    }
    if (this.value > 0) this.wakeUpNext();
    traceHolder(EventCode['resource.acquired'], this.id);
    return true;
  }

  release(): void {
    dropCallSite();
    this.value++;
    traceHolder(EventCode['resource.released'], this.id);
    this.wakeUpNext();
  }

  private wakeUpNext(): void {
    for (const fut of this.waiters) {
      if (!fut.done()) {
        this.value--;
        fut.setResult(true);
        return;
      }
    }
  }
}

/** A semaphore that refuses to be released more often than acquired. */
export class BoundedSemaphore extends Semaphore {
  private readonly bound: number;
  constructor(value = 1, options: ResourceOptions = {}) {
    super(value, options);
    this.bound = value;
  }
  override release(): void {
    if (this.value >= this.bound) throw new RangeError('BoundedSemaphore released too many times');
    super.release();
  }
}

export { Task };
