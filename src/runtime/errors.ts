/**
 * The runtime's exceptions. Each is an `Error` whose `name` is its class name, so `String(err)`, stack traces and
 * the trace's `error.name` read like asyncio's.
 */

/** Raised inside a task at the `await` where it was suspended when it was cancelled. Re-throw it after cleanup. */
export class CancelledError extends Error {
  constructor(message?: string | null) {
    super(message ?? '');
    this.name = 'CancelledError';
  }
}

/** A timeout expired (`waitFor`, `wait` has none: it returns the pending set instead). */
export class TimeoutError extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'TimeoutError';
  }
}

/** An operation is not allowed in the object's current state (e.g. `result()` of a pending task). */
export class InvalidStateError extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'InvalidStateError';
  }
}

/** Python's RuntimeError: misuse of the loop (no running loop, `run()` inside `run()`, a coroutine awaited twice). */
export class RuntimeError extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'RuntimeError';
  }
}

/** Several errors at once (`taskGroup`). `exceptions` holds them in the order they happened. */
export class ExceptionGroup extends AggregateError {
  readonly exceptions: unknown[];
  constructor(message: string, exceptions: unknown[]) {
    super(exceptions, message);
    this.name = 'ExceptionGroup';
    this.exceptions = exceptions;
  }
}

/** `getNowait()` on an empty queue. */
export class QueueEmpty extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'QueueEmpty';
  }
}

/** `putNowait()` on a full queue. */
export class QueueFull extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'QueueFull';
  }
}

/** No task can run, no timer is set and nothing outside the loop can wake a task: the program can never finish. */
export class DeadlockError extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'DeadlockError';
  }
}
