/**
 * Coalesces bursts of changes into at most one call per interval: a live run can deliver thousands of event batches a
 * second, and the tree, the status bar and the timeline each want a few updates a second at most.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class Throttle {
  private handle: unknown = undefined;
  private last = -Infinity;
  private disposed = false;

  constructor(
    private readonly fn: () => void,
    private readonly intervalMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Asks for a call: now-ish if the last one was long enough ago, else at the end of the interval. */
  schedule(): void {
    if (this.disposed || this.handle !== undefined) return;
    const wait = Math.max(0, this.last + this.intervalMs - this.timers.now());
    this.handle = this.timers.setTimeout(() => this.fire(), wait);
  }

  /** Calls now if a call is pending (e.g. when the run ends, so the final state shows at once). */
  flush(): void {
    if (this.handle === undefined) return;
    this.timers.clearTimeout(this.handle);
    this.fire();
  }

  /** Drops a pending call. */
  cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private fire(): void {
    this.handle = undefined;
    if (this.disposed) return;
    this.last = this.timers.now();
    this.fn();
  }
}
