/**
 * Lane layout: which lanes the timeline shows, in which order and how deep. One lane per task, in creation order
 * with children right under their parent (a pre-order walk of the creation tree, siblings in creation order), minus
 * what the filter hides and what collapsed parents fold away; then, optionally, one lane per queue or lock. Pure.
 */
import type { ResourceInfo, TaskInfo, TaskState, TraceModel } from '../model/model';
import { isTerminal } from '../model/model';

export interface TaskFilter {
  /** A name substring (case-insensitive), or `/regex/flags`. Empty: every name. */
  text: string;
  /** Keep tasks whose current state is one of these. Empty: every state. */
  states: readonly TaskState[];
  /** Hide tasks that have ended (done, failed, cancelled). */
  hideFinished: boolean;
}

export const NO_FILTER: TaskFilter = { text: '', states: [], hideFinished: false };

export interface CompiledFilter {
  /** True when the filter lets every task through. */
  all: boolean;
  test(task: TaskInfo): boolean;
  /** Why the text is not a valid regular expression (the filter then matches nothing). */
  error?: string;
}

/** Compiles a filter once per layout; `test` is then called for every task. */
export function compileFilter(filter: TaskFilter): CompiledFilter {
  const text = filter.text.trim();
  let nameTest: ((task: TaskInfo) => boolean) | null = null;
  let error: string | undefined;
  const regex = /^\/(.+)\/([a-z]*)$/.exec(text);
  if (regex) {
    try {
      const re = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
      nameTest = (task) => re.test(task.name) || (task.coroutine !== undefined && re.test(task.coroutine));
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      nameTest = () => false;
    }
  } else if (text !== '') {
    const needle = text.toLowerCase();
    nameTest = (task) =>
      task.name.toLowerCase().includes(needle) ||
      (task.coroutine !== undefined && task.coroutine.toLowerCase().includes(needle)) ||
      `#${task.id}` === needle;
  }
  const states = filter.states.length > 0 ? new Set(filter.states) : null;
  const hideFinished = filter.hideFinished;
  const all = nameTest === null && states === null && !hideFinished;
  return {
    all,
    error,
    test(task) {
      if (hideFinished && isTerminal(task.state)) return false;
      if (states && !states.has(task.state)) return false;
      return nameTest === null || nameTest(task);
    },
  };
}

export interface TaskRow {
  kind: 'task';
  task: TaskInfo;
  /** Indentation level: 0 for tasks without a (known) parent. */
  depth: number;
  /** It has children that the filter lets through (so it can be collapsed). */
  hasChildren: boolean;
  collapsed: boolean;
  /** Lanes folded into this one by collapsing it. */
  hiddenDescendants: number;
  /** Shown only because a descendant matches the filter (the label is drawn dimmed). */
  context: boolean;
}

export interface ResourceRow {
  kind: 'resource';
  resource: ResourceInfo;
}

export type LaneRow = TaskRow | ResourceRow;

export interface LaneLayout {
  rows: LaneRow[];
  /**
   * Row index of each task id: its own lane, the lane of the collapsed ancestor that folds it, or -1 when the filter
   * hides it. Indexed by task id (ids are small positive integers).
   */
  rowOfTask: Int32Array;
  /** Tasks the filter lets through (with their context ancestors), before collapsing. */
  shownTasks: number;
  filterError?: string;
  /** How many of the model's tasks it lays out (the model's task list grows; see `extendLayout`). */
  taskCount: number;
  /** Parents of those tasks that were not tasks of the model (their children are roots until they come). */
  unknownParents: ReadonlySet<number>;
}

export interface LayoutOptions {
  filter: TaskFilter;
  collapsed: ReadonlySet<number>;
  showResources: boolean;
}

export function layoutLanes(model: TraceModel, options: LayoutOptions): LaneLayout {
  const tasks = model.tasks;
  let maxId = 0;
  for (const task of tasks) if (task.id > maxId) maxId = task.id;
  const rowOfTask = new Int32Array(maxId + 1).fill(-1);
  const filter = compileFilter(options.filter);

  // 0: hidden, 1: context (an ancestor of a match), 2: matches.
  const shown = new Uint8Array(maxId + 1);
  let shownTasks = 0;
  if (filter.all) shown.fill(2);
  else {
    for (const task of tasks) if (filter.test(task)) shown[task.id] = 2;
    // Parents are created before their children, so one backwards pass marks every ancestor.
    for (let i = tasks.length - 1; i >= 0; i--) {
      const task = tasks[i];
      if (shown[task.id] !== 0 && task.parent !== null && task.parent <= maxId && shown[task.parent] === 0) {
        shown[task.parent] = 1;
      }
    }
  }

  const rows: LaneRow[] = [];
  // Iterative pre-order walk (a chain of ten thousand nested tasks must not overflow the stack).
  const stackTask: number[] = [];
  const stackDepth: number[] = [];
  const stackFold: number[] = []; // row of the collapsed ancestor folding this subtree, -1 for none
  for (let i = tasks.length - 1; i >= 0; i--) {
    const task = tasks[i];
    const isRoot = task.parent === null || !model.taskById.has(task.parent);
    if (isRoot && shown[task.id] !== 0) {
      stackTask.push(task.id);
      stackDepth.push(0);
      stackFold.push(-1);
    }
  }
  while (stackTask.length > 0) {
    const id = stackTask.pop()!;
    const depth = stackDepth.pop()!;
    const fold = stackFold.pop()!;
    const task = model.taskById.get(id)!;
    shownTasks++;
    let childFold = fold;
    if (fold >= 0) {
      rowOfTask[id] = fold;
      (rows[fold] as TaskRow).hiddenDescendants++;
    } else {
      let hasChildren = false;
      for (const child of task.children) {
        if (shown[child] !== 0) {
          hasChildren = true;
          break;
        }
      }
      const collapsed = hasChildren && options.collapsed.has(id);
      const row: TaskRow = {
        kind: 'task',
        task,
        depth,
        hasChildren,
        collapsed,
        hiddenDescendants: 0,
        context: shown[id] === 1,
      };
      rowOfTask[id] = rows.length;
      if (collapsed) childFold = rows.length;
      rows.push(row);
    }
    const children = task.children;
    for (let c = children.length - 1; c >= 0; c--) {
      const child = children[c];
      if (child <= maxId && shown[child] !== 0 && model.taskById.has(child)) {
        stackTask.push(child);
        stackDepth.push(depth + 1);
        stackFold.push(childFold);
      }
    }
  }

  if (options.showResources) {
    for (const resource of model.resources) rows.push({ kind: 'resource', resource });
  }
  const unknownParents = new Set<number>();
  for (const task of tasks) if (task.parent !== null && !model.taskById.has(task.parent)) unknownParents.add(task.parent);
  const layout: LaneLayout = { rows, rowOfTask, shownTasks, taskCount: tasks.length, unknownParents };
  if (filter.error !== undefined) layout.filterError = filter.error;
  return layout;
}

/**
 * The layout of `model` once tasks were added to it, from `previous`, the layout of its first `previous.taskCount`
 * tasks with the same options, when the new lanes all go at the end of the tasks' (the resource lanes after them are
 * laid out again): no filter, nothing collapsed, and each new task a root or the child of a task on the path from a
 * root to the last lane (a pre-order walk puts it last). Then it is what `layoutLanes` gives, for the cost of the new lanes rather than of ten thousand; `previous`
 * is taken over (its rows grow). Null when a whole layout is needed.
 */
export function extendLayout(previous: LaneLayout, model: TraceModel, options: LayoutOptions): LaneLayout | null {
  const tasks = model.tasks;
  const from = previous.taskCount;
  if (options.collapsed.size > 0 || !compileFilter(options.filter).all || tasks.length < from) return null;
  const rows = previous.rows;
  // Resource lanes come after the tasks': they are laid out again after the new task lanes.
  let resourceRows = 0;
  while (resourceRows < rows.length && rows[rows.length - 1 - resourceRows].kind === 'resource') resourceRows++;
  if (resourceRows > 0 && !options.showResources) return null;
  if (rows.length - resourceRows !== from) return null; // some task was not given a lane of its own
  rows.length = from;
  // The path from a root to the last lane, by depth: a new task goes last when its parent is on it.
  const path: number[] = [];
  if (rows.length > 0) {
    const last = rows[rows.length - 1];
    if (last.kind !== 'task') return null;
    for (let id: number | null = last.task.id; id !== null; ) {
      path.push(id);
      const task = model.taskById.get(id);
      id = task && task.parent !== null && model.taskById.has(task.parent) ? task.parent : null;
    }
    path.reverse();
  }
  let maxId = previous.rowOfTask.length - 1;
  for (let i = from; i < tasks.length; i++) if (tasks[i].id > maxId) maxId = tasks[i].id;
  let rowOfTask = previous.rowOfTask;
  if (maxId >= rowOfTask.length) {
    rowOfTask = new Int32Array(maxId + 1).fill(-1);
    rowOfTask.set(previous.rowOfTask);
  }
  let unknownParents = previous.unknownParents;
  for (let i = from; i < tasks.length; i++) {
    const task = tasks[i];
    // A task that an earlier one named as its parent: that one moves under it.
    if (unknownParents.has(task.id)) return null;
    let depth = 0;
    if (task.parent !== null) {
      if (!model.taskById.has(task.parent)) {
        if (unknownParents === previous.unknownParents) unknownParents = new Set(unknownParents);
        (unknownParents as Set<number>).add(task.parent);
      } else {
        const parentRow = task.parent < rowOfTask.length ? rowOfTask[task.parent] : -1;
        const parent = parentRow >= 0 ? rows[parentRow] : undefined;
        if (parent === undefined || parent.kind !== 'task' || path[parent.depth] !== task.parent) return null;
        depth = parent.depth + 1;
        parent.hasChildren = true;
      }
    }
    path.length = depth;
    path.push(task.id);
    rowOfTask[task.id] = rows.length;
    rows.push({ kind: 'task', task, depth, hasChildren: false, collapsed: false, hiddenDescendants: 0, context: false });
  }
  if (options.showResources) for (const resource of model.resources) rows.push({ kind: 'resource', resource });
  return { rows, rowOfTask, shownTasks: previous.shownTasks + (tasks.length - from), taskCount: tasks.length, unknownParents };
}

/** The label text of a task lane: `name (coroutine)` when the coroutine's name adds something. */
export function taskLabel(task: TaskInfo): string {
  return task.coroutine && task.coroutine !== task.name ? `${task.name} (${task.coroutine})` : task.name;
}
