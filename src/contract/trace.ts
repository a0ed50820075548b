/**
 * The trace contract: every event the runtime records, field by field.
 *
 * A trace file (`.cotrace`) is NDJSON: one `TraceHeader` line, then one `TraceEvent` per line in time order. The
 * runtime writes it (through the recorder and the runner); the model, the CLI, the extension and the webview only
 * read it. Pure data: no imports, no Node or VS Code APIs, so every bundle can use it.
 *
 * Conventions that hold for every event:
 * - `t` is milliseconds since the run started, a float, on the run's clock (`header.clock`): wall time for `real`,
 *   the loop's simulated time for `virtual`. Events are written in non-decreasing `t`.
 * - Task ids (`task`, `parent`, `target`, `by`) are small positive integers, unique within one trace, in creation
 *   order. `null` means "no task": code that ran outside any task (before `run()`, in a plain callback).
 * - Resource ids (`resource`) are positive integers unique within one trace, a separate space from task ids.
 * - `site` is a 1-based position in the user's original source file (not the bundle). `null` means the runtime could
 *   not attribute the event to user code (e.g. it came from a library that was not bundled with source maps).
 * - Strings that preview user values (`result`, `item`) are at most `PREVIEW_MAX` characters, cut with `…`.
 */

/** Bumped on any change that an older reader would misread. Readers reject traces with a larger version. */
export const TRACE_SCHEMA_VERSION = 1;
export const TRACE_FORMAT = 'coroutine-trace';
/** File extension the product writes and the extension opens. */
export const TRACE_FILE_EXTENSION = '.cotrace';
/** Longest preview of a user value (`task.done.result`, queue `item`), in characters. */
export const PREVIEW_MAX = 80;

export type ClockKind = 'real' | 'virtual';

/** First line of every trace. */
export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: number;
  clock: ClockKind;
  /** Absolute path of the program that was run (the `.ts`/`.js` entry file). */
  program: string;
  /** Wall-clock time the run started, ISO 8601. `t = 0` of every event is this instant. */
  startedAt: string;
  /** Program arguments after `--`, if any. Missing means none. */
  args?: string[];
}

/** A 1-based position in the user's original source. `column` counts UTF-16 code units, as editors do, from 1. */
export interface SourceSite {
  file: string;
  line: number;
  column: number;
}

/** Why a task stopped running. `kind` says what it waits for; the other fields identify it. */
export type SuspendReason =
  /** `sleep(seconds)`. `until` is the wake-up time in trace milliseconds. `seconds: 0` is a bare yield. */
  | { kind: 'sleep'; seconds: number; until: number }
  /** Awaiting one task. */
  | { kind: 'task'; target: number }
  /** Awaiting several tasks at once (`gather`, `wait`, one step of `asCompleted`). */
  | { kind: 'gather' | 'wait' | 'asCompleted'; targets: number[] }
  /** Blocked on a queue (`get` on an empty queue, `put` on a full one, `join` until all items are done). */
  | { kind: 'queue.get' | 'queue.put' | 'queue.join'; resource: number }
  /** Blocked on a synchronisation primitive. */
  | { kind: 'lock' | 'semaphore' | 'event' | 'condition'; resource: number }
  /** Awaiting a runtime future that is not a task (`waitFor`'s waiter, `shield`, a `Future` made by user code). */
  | { kind: 'future' }
  /** Awaiting a promise the runtime does not own (I/O, a timer of Node's, a plain async function's promise). */
  | { kind: 'external' };

export type SuspendKind = SuspendReason['kind'];

/** What made a suspended task ready again. `by` is the task whose action did it, when there was one. */
export interface WakeCause {
  kind: 'timer' | 'result' | 'exception' | 'cancel' | 'yield' | 'external';
  by?: number;
}

export type ResourceKind =
  | 'queue'
  | 'priorityQueue'
  | 'lifoQueue'
  | 'lock'
  | 'semaphore'
  | 'boundedSemaphore'
  | 'event'
  | 'condition';

export interface ErrorInfo {
  /** The error's class name (`Error.name`), e.g. `RangeError`, `CancelledError`. */
  name: string;
  message: string;
  /** Stack as text, with positions mapped to the original sources where possible. Missing if the value had none. */
  stack?: string;
}

export type WarningKind =
  | 'eager-promise'
  | 'exception-never-retrieved'
  | 'pending-at-exit'
  | 'never-awaited'
  | 'blocked-loop'
  | 'deadlock'
  | 'swallowed-cancellation'
  | 'swallowed-errors'
  | 'busy-loop'
  | 'queue-orphaned'
  | 'events-dropped';

interface EventBase {
  /** Milliseconds since the run started, on the run's clock. */
  t: number;
}

/** A task was created (`createTask`, `run`'s main task, a child of `gather`/`waitFor`/`taskGroup`...). */
export interface TaskCreatedEvent extends EventBase {
  type: 'task.created';
  task: number;
  /** `Task-N` unless the program named it; `main` for the task `run()` starts. */
  name: string;
  /** The task that was running when this one was created; `null` for the main task. */
  parent: number | null;
  /** The call that created it (`createTask(...)`, `gather(...)`, `run(...)`). */
  site: SourceSite | null;
  /** Name of the coroutine function, when it has one. Missing for anonymous functions. */
  coroutine?: string;
}

/** A task ran for the first time. */
export interface TaskStartedEvent extends EventBase {
  type: 'task.started';
  task: number;
}

/** A running task stopped at an `await` and gave the loop back. */
export interface TaskSuspendedEvent extends EventBase {
  type: 'task.suspended';
  task: number;
  reason: SuspendReason;
  /** The `await` expression in user code where it stopped. */
  site: SourceSite | null;
}

/** A suspended task ran again. Always follows a `task.suspended` for the same task. */
export interface TaskResumedEvent extends EventBase {
  type: 'task.resumed';
  task: number;
  /** Missing when the runtime does not know (e.g. an external promise settled). */
  cause?: WakeCause;
}

/** `task.cancel()` was called on a task that was not done yet. */
export interface TaskCancelRequestedEvent extends EventBase {
  type: 'task.cancelRequested';
  task: number;
  /** The task that called `cancel()`, `null` if it was called outside any task. */
  by: number | null;
  /** The `msg` argument, `null` if none was given. */
  message: string | null;
  /** The `cancel()` call (or the runtime call that cancelled on the program's behalf, e.g. `waitFor`). */
  site: SourceSite | null;
}

/** A task returned. */
export interface TaskDoneEvent extends EventBase {
  type: 'task.done';
  task: number;
  /** Short preview of the returned value (`undefined` when it returned nothing). */
  result: string;
}

/** A task ended by throwing something other than `CancelledError`. */
export interface TaskFailedEvent extends EventBase {
  type: 'task.failed';
  task: number;
  error: ErrorInfo;
}

/** A task ended cancelled (it let `CancelledError` escape, or was cancelled before it started). */
export interface TaskCancelledEvent extends EventBase {
  type: 'task.cancelled';
  task: number;
  /** The cancel message, `null` if none. */
  message: string | null;
}

/** A queue, lock, semaphore, event or condition was created. */
export interface ResourceCreatedEvent extends EventBase {
  type: 'resource.created';
  resource: number;
  kind: ResourceKind;
  /** `Queue-N`, `Lock-N`, ... unless the program named it. */
  name: string;
  site: SourceSite | null;
  /** Queues only: the bound, 0 for unbounded. Semaphores: the initial value. Missing otherwise. */
  capacity?: number;
}

/** An item entered a queue (`put` or `putNowait`). */
export interface QueuePutEvent extends EventBase {
  type: 'queue.put';
  resource: number;
  /** The task that put it, `null` outside any task. */
  task: number | null;
  /** Items in the queue after the put. */
  size: number;
  item: string;
  /** Sequence number of the item in this queue (1, 2, ...), so a `queue.get` can be linked to its `queue.put`. */
  seq: number;
}

/** An item left a queue (`get` or `getNowait`). */
export interface QueueGetEvent extends EventBase {
  type: 'queue.get';
  resource: number;
  task: number | null;
  /** Items in the queue after the get. */
  size: number;
  item: string;
  /** The `seq` of the `queue.put` that brought this item. */
  seq: number;
}

/** A lock or semaphore was acquired, or a condition's lock taken. */
export interface ResourceAcquiredEvent extends EventBase {
  type: 'resource.acquired';
  resource: number;
  task: number | null;
}

/** A lock or semaphore was released. */
export interface ResourceReleasedEvent extends EventBase {
  type: 'resource.released';
  resource: number;
  task: number | null;
}

/** An event was set or cleared, or a condition notified. */
export interface ResourceSignalledEvent extends EventBase {
  type: 'resource.signalled';
  resource: number;
  task: number | null;
  action: 'set' | 'clear' | 'notify';
  /** Condition `notify(n)`: how many waiters it may wake. Missing otherwise. */
  count?: number;
}

/** Text the program wrote to stdout or stderr, attributed to the task that was running. */
export interface OutputEvent extends EventBase {
  type: 'output';
  task: number | null;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Something the runtime or the analysis thinks the user should know. */
export interface WarningEvent extends EventBase {
  type: 'warning';
  kind: WarningKind;
  task?: number;
  site?: SourceSite | null;
  message: string;
}

/** Always the last event of a trace. */
export interface RunFinishedEvent extends EventBase {
  type: 'run.finished';
  /** The process's exit code, `null` if it was ended by a signal. */
  exitCode: number | null;
  /** The signal that ended it (`SIGINT`, `SIGTERM`, `SIGKILL`), `null` otherwise. */
  signal: string | null;
  /** Tasks created but not finished when the program ended. */
  pendingTasks: number;
  /** Events the recorder could not keep because the host fell behind. 0 means the trace is complete. */
  droppedEvents: number;
}

export type TraceEvent =
  | TaskCreatedEvent
  | TaskStartedEvent
  | TaskSuspendedEvent
  | TaskResumedEvent
  | TaskCancelRequestedEvent
  | TaskDoneEvent
  | TaskFailedEvent
  | TaskCancelledEvent
  | ResourceCreatedEvent
  | QueuePutEvent
  | QueueGetEvent
  | ResourceAcquiredEvent
  | ResourceReleasedEvent
  | ResourceSignalledEvent
  | OutputEvent
  | WarningEvent
  | RunFinishedEvent;

export type TraceEventType = TraceEvent['type'];

/** Every event type, in a stable order (used for validation and for the binary wire). */
export const TRACE_EVENT_TYPES: readonly TraceEventType[] = [
  'task.created',
  'task.started',
  'task.suspended',
  'task.resumed',
  'task.cancelRequested',
  'task.done',
  'task.failed',
  'task.cancelled',
  'resource.created',
  'queue.put',
  'queue.get',
  'resource.acquired',
  'resource.released',
  'resource.signalled',
  'output',
  'warning',
  'run.finished',
];

/** Ends every `switch` over a union: fails to compile when a member is not handled. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Cuts a preview to `PREVIEW_MAX` characters. */
export function clipPreview(text: string): string {
  return text.length <= PREVIEW_MAX ? text : text.slice(0, PREVIEW_MAX - 1) + '…';
}
