/**
 * What colour a segment is painted in. The model has one `waiting` state; the timeline splits it by what the task
 * waits for (another task, a queue or lock, an external promise), because that is what users look for in the picture.
 * Pure: no DOM.
 */
import { SuspendReason, assertNever } from '../contract/trace';
import { SEGMENT_CODE_LIMIT, Segment, TaskState, codeReasonKind, codeState } from '../model/model';

/** Paint categories of lane bars, as small integers so the renderer can index arrays with them. */
export const enum Category {
  Running = 0,
  /** Created or woken, not yet running (the model's `pending`, and `ready`). */
  Ready = 1,
  Sleeping = 2,
  /** Awaiting a task, several tasks (`gather`, `wait`, `asCompleted`) or a runtime future. */
  WaitTask = 3,
  /** Blocked on a queue, lock, semaphore, event or condition. */
  WaitSync = 4,
  /** Awaiting a promise the runtime does not own. */
  WaitExternal = 5,
}

export const CATEGORY_COUNT = 6;

/** Terminal segments are not bars: the lane is empty after the end marker. */
export const NOT_DRAWN = -1;

/** The CSS custom property (see styles.ts) and legend text of each category, in `Category` order. */
export const CATEGORY_INFO: ReadonlyArray<{ cssVar: string; label: string }> = [
  { cssVar: '--ct-running', label: 'running' },
  { cssVar: '--ct-ready', label: 'ready (created or woken, not yet running)' },
  { cssVar: '--ct-sleeping', label: 'sleeping' },
  { cssVar: '--ct-wait-task', label: 'waiting on a task / gather' },
  { cssVar: '--ct-wait-sync', label: 'waiting on a queue, lock, event or condition' },
  { cssVar: '--ct-wait-external', label: 'waiting on an external promise' },
];

/**
 * Which category wins a pixel that only holds zero-length moments, or a tie: the most active first, so an instant
 * step of a virtual clock shows as running rather than disappearing.
 */
export const CATEGORY_PRIORITY: readonly Category[] = [
  Category.Running,
  Category.Ready,
  Category.WaitTask,
  Category.WaitSync,
  Category.WaitExternal,
  Category.Sleeping,
];

export function reasonCategory(reason: SuspendReason): Category {
  switch (reason.kind) {
    case 'sleep':
      return Category.Sleeping;
    case 'task':
    case 'gather':
    case 'wait':
    case 'asCompleted':
    case 'future':
      return Category.WaitTask;
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
      return Category.WaitSync;
    case 'external':
      return Category.WaitExternal;
    default:
      return assertNever(reason, 'suspend reason');
  }
}

/** The category a segment is painted in, or `NOT_DRAWN` for terminal states. */
export function segmentCategory(segment: Segment): Category | typeof NOT_DRAWN {
  const state: TaskState = segment.state;
  switch (state) {
    case 'running':
      return Category.Running;
    case 'pending':
    case 'ready':
      return Category.Ready;
    case 'sleeping':
    case 'waiting':
      if (segment.reason) return reasonCategory(segment.reason);
      return state === 'sleeping' ? Category.Sleeping : Category.WaitExternal;
    case 'done':
    case 'failed':
    case 'cancelled':
      return NOT_DRAWN;
    default:
      return assertNever(state, 'task state');
  }
}

/** The category a task's label swatch shows for its current (or final) state. */
export function stateCategory(state: TaskState): Category | typeof NOT_DRAWN {
  return segmentCategory({ start: 0, end: 0, state });
}

/** The category of every segment code (`segmentCode` in model.ts: a state and a reason kind), for the columns. */
const CATEGORY_BY_CODE: Int8Array = (() => {
  const table = new Int8Array(SEGMENT_CODE_LIMIT);
  for (let code = 0; code < SEGMENT_CODE_LIMIT; code++) {
    const kind = codeReasonKind(code);
    // Only the reason's kind decides its category.
    const reason = kind === undefined ? undefined : ({ kind } as SuspendReason);
    table[code] = segmentCategory({ start: 0, end: 0, state: codeState(code), reason });
  }
  return table;
})();

/** `segmentCategory` of the segment with this code. */
export function codeCategory(code: number): Category | typeof NOT_DRAWN {
  return CATEGORY_BY_CODE[code];
}
