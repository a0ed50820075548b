/**
 * What the "Coroutine Tasks" tree shows, as plain data: tasks grouped by state (at the end of the trace, or at a
 * time cursor), each task's one-line description, tooltip, icon, its events, and the site a click opens. Pure: the
 * tree provider in `../taskTreeProvider.ts` only turns these into `TreeItem`s. States come from the model
 * (`segmentAt`); nothing here re-derives them from events.
 */
import { SourceSite, SuspendReason, TraceEvent, assertNever } from '../../contract/trace';
import { Segment, TaskInfo, TaskState, TraceModel, segmentAt } from '../../model/model';
import { describeReason, formatSite, formatTime, resourceName, taskLabel, taskName } from '../../model/summary';

/** The tree's top-level groups, in display order. `ready` tasks show under Pending ("ready to resume"). */
export type TaskGroupId = 'running' | 'pending' | 'sleeping' | 'waiting' | 'cancelled' | 'failed' | 'done';

export interface TaskGroupInfo {
  id: TaskGroupId;
  label: string;
  /** What the group holds, for its tooltip. */
  meaning: string;
}

export const TASK_GROUPS: readonly TaskGroupInfo[] = [
  { id: 'running', label: 'Running', meaning: 'running now' },
  { id: 'pending', label: 'Pending', meaning: 'created and not yet started, or ready to resume' },
  { id: 'sleeping', label: 'Sleeping', meaning: 'in sleep()' },
  { id: 'waiting', label: 'Waiting', meaning: 'waiting on a task, gather, queue, lock, event, condition or promise' },
  { id: 'cancelled', label: 'Cancelled', meaning: 'ended by cancellation' },
  { id: 'failed', label: 'Failed', meaning: 'ended with an error' },
  { id: 'done', label: 'Done', meaning: 'returned' },
];

export function groupOf(state: TaskState): TaskGroupId {
  switch (state) {
    case 'running':
    case 'pending':
    case 'sleeping':
    case 'waiting':
    case 'cancelled':
    case 'failed':
    case 'done':
      return state;
    case 'ready':
      return 'pending';
    default:
      return assertNever(state, 'task state');
  }
}

/** A codicon id and a theme colour id per state. */
export interface StateIcon {
  codicon: string;
  color: string;
}

export function stateIcon(state: TaskState): StateIcon {
  switch (state) {
    case 'running':
      return { codicon: 'play-circle', color: 'charts.green' };
    case 'ready':
      return { codicon: 'debug-continue', color: 'charts.yellow' };
    case 'pending':
      return { codicon: 'circle-large-outline', color: 'charts.yellow' };
    case 'sleeping':
      return { codicon: 'watch', color: 'charts.blue' };
    case 'waiting':
      return { codicon: 'debug-pause', color: 'charts.purple' };
    case 'cancelled':
      return { codicon: 'circle-slash', color: 'charts.orange' };
    case 'failed':
      return { codicon: 'error', color: 'charts.red' };
    case 'done':
      return { codicon: 'pass', color: 'testing.iconPassed' };
    default:
      return assertNever(state, 'task state');
  }
}

export function groupIcon(group: TaskGroupId): StateIcon {
  return stateIcon(group);
}

/** A task as the tree shows it at one instant. */
export interface TaskAt {
  task: TaskInfo;
  state: TaskState;
  /** The segment in force at that instant. */
  segment: Segment;
}

export interface TaskGroup extends TaskGroupInfo {
  tasks: TaskAt[];
}

/** The task at `at` (the end of the trace when undefined); undefined when it did not exist yet. */
export function taskAt(task: TaskInfo, at?: number): TaskAt | undefined {
  const segment = at === undefined ? task.lane.last() : segmentAt(task, at);
  if (!segment) return undefined;
  return { task, state: segment.state, segment };
}

/** Non-empty groups in display order, tasks in creation order. At a cursor, tasks created later are left out. */
export function groupTasks(model: TraceModel, at?: number): TaskGroup[] {
  const byGroup = new Map<TaskGroupId, TaskAt[]>();
  for (const task of model.tasks) {
    const view = taskAt(task, at);
    if (!view) continue;
    const id = groupOf(view.state);
    let list = byGroup.get(id);
    if (!list) byGroup.set(id, (list = []));
    list.push(view);
  }
  return TASK_GROUPS.filter((g) => byGroup.has(g.id)).map((g) => ({ ...g, tasks: byGroup.get(g.id)! }));
}

/** `Running 2 · Sleeping 1 · Done 3`: the non-empty groups and their counts, for the status bar. */
export function countsText(model: TraceModel, at?: number): string {
  return groupTasks(model, at)
    .map((g) => `${g.tasks.length} ${g.label.toLowerCase()}`)
    .join(', ');
}

export function taskTreeLabel(task: TaskInfo): string {
  return taskLabel(task);
}

/** What a suspended task waits for, the way the tree says it: `sleep 2 s`, `awaiting Task-3`, `queue.get Queue-1`. */
export function waitText(model: TraceModel, reason: SuspendReason): string {
  if (reason.kind === 'task') return `awaiting ${taskName(model, reason.target)}`;
  return describeReason(model, reason);
}

/**
 * One line: what the task is doing at that instant, or how it ended. `sleep 2 s · crawl.ts:9`, `awaiting Task-3 ·
 * crawl.ts:12`, `cancelled by main · crawl.ts:31`, `ZeroDivisionError`, `→ 42`.
 */
export function taskDescription(model: TraceModel, view: TaskAt): string {
  const { task, segment } = view;
  const at = (site: SourceSite | null | undefined): string => (site ? ` · ${formatSite(model.header, site)}` : '');
  switch (view.state) {
    case 'running':
      return `since ${formatTime(segment.start)}`;
    case 'ready':
      return 'ready to resume';
    case 'pending':
      return `not started${at(task.site)}`;
    case 'sleeping':
    case 'waiting':
      return segment.reason ? `${waitText(model, segment.reason)}${at(segment.site)}` : view.state;
    case 'done': {
      const end = task.end;
      return end?.state === 'done' && end.result !== 'undefined' ? `→ ${end.result}` : '';
    }
    case 'failed': {
      const end = task.end;
      return end?.state === 'failed' ? end.error.name : 'failed';
    }
    case 'cancelled': {
      const end = task.end;
      if (end?.state !== 'cancelled') return '';
      const request = end.request;
      let text = 'cancelled';
      if (request && request.by !== null) text += ` by ${taskName(model, request.by)}`;
      if (end.message !== null) text += `: ${JSON.stringify(end.message)}`;
      return text + at(request?.site);
    }
    default:
      return assertNever(view.state, 'task state');
  }
}

/** Plain-text tooltip: name and coroutine, state, creation site and parent, times, error or cancel details. */
export function taskTooltip(model: TraceModel, view: TaskAt, cursor?: number): string {
  const { task } = view;
  const lines: string[] = [];
  const site = (s: SourceSite | null | undefined): string => (s ? formatSite(model.header, s) : 'unknown site');
  lines.push(task.coroutine && task.coroutine !== task.name ? `${task.name} (coroutine ${task.coroutine})` : task.name);
  const stateLine = cursor === undefined ? view.state : `${view.state} at ${formatTime(cursor)}`;
  const detail = taskDescription(model, view);
  lines.push(detail ? `${stateLine}: ${detail}` : stateLine);
  const parent = task.parent === null ? '' : ` by ${taskName(model, task.parent)}`;
  lines.push(`created at ${formatTime(task.createdAt)}${parent} (${site(task.site)})`);
  lines.push(task.startedAt === undefined ? 'never started' : `started at ${formatTime(task.startedAt)}`);
  const end = task.end;
  if (end) {
    lines.push(`ended ${end.state} at ${formatTime(end.t)} (ran ${formatTime(end.t - task.createdAt)} after creation)`);
    if (end.state === 'failed') lines.push(`${end.error.name}: ${end.error.message}`);
    if (end.state === 'cancelled' && end.request?.site) lines.push(`cancel() called at ${site(end.request.site)}`);
  } else if (model.runFinished) {
    lines.push('not finished when the program ended');
  }
  if (task.children.length > 0) {
    lines.push(`children: ${task.children.map((id) => taskName(model, id)).join(', ')}`);
  }
  return lines.join('\n');
}

/** The last `await` where the task stopped, at or before `at` (the end of the trace when undefined). */
export function currentAwaitSite(task: TaskInfo, at?: number): SourceSite | null {
  for (let i = task.segments.length - 1; i >= 0; i--) {
    const s = task.segments[i];
    if (at !== undefined && s.start > at) continue;
    if ((s.state === 'sleeping' || s.state === 'waiting') && s.site) return s.site;
  }
  return null;
}

/**
 * Where a click on a task goes: where it is suspended at that instant, else where it ended (a failed task: the top
 * user frame of its error's stack), else its last `await`, else where it was created.
 */
export function taskJumpSite(model: TraceModel, view: TaskAt, at?: number): SourceSite | null {
  const { task, segment } = view;
  if ((segment.state === 'sleeping' || segment.state === 'waiting') && segment.site) return segment.site;
  if (segment.state === 'failed' && task.end?.state === 'failed' && task.end.error.stack) {
    const fromStack = siteFromStack(task.end.error.stack, model.header.program);
    if (fromStack) return fromStack;
  }
  if (segment.state === 'pending' && task.startedAt === undefined) return task.site;
  return currentAwaitSite(task, at) ?? task.site;
}

/**
 * The first stack frame in user code: `at fn (/abs/file.ts:17:9)` or `at /abs/file.ts:17:9`. Frames in the
 * program's folder win; frames in `node_modules` or Node's internals never count.
 */
export function siteFromStack(stack: string, program: string): SourceSite | null {
  const frames: SourceSite[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s*at\s+(?:.*?\s+\()?(.+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(file.slice('file://'.length));
    if (file.startsWith('node:') || /[\\/]node_modules[\\/]/.test(file) || !/[\\/]/.test(file)) continue;
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  const dir = program.replace(/[\\/][^\\/]*$/, '');
  return frames.find((f) => f.file.startsWith(dir + '/') || f.file.startsWith(dir + '\\')) ?? frames[0] ?? null;
}

/** Which task an event belongs to, when it belongs to one. */
export function eventTask(event: TraceEvent): number | null {
  switch (event.type) {
    case 'task.created':
    case 'task.started':
    case 'task.suspended':
    case 'task.resumed':
    case 'task.cancelRequested':
    case 'task.done':
    case 'task.failed':
    case 'task.cancelled':
      return event.task;
    case 'queue.put':
    case 'queue.get':
    case 'resource.acquired':
    case 'resource.released':
    case 'resource.signalled':
    case 'output':
      return event.task;
    case 'warning':
      return event.task ?? null;
    case 'resource.created':
    case 'run.finished':
      return null;
    default:
      return assertNever(event, 'trace event');
  }
}

/** An event as a tree row: `sleep 1 s`, with `0 s · file.ts:9` beside it, and where a click goes. */
export interface EventRow {
  label: string;
  description: string;
  site: SourceSite | null;
}

export function describeEvent(model: TraceModel, event: TraceEvent): EventRow {
  const row = (label: string, site: SourceSite | null | undefined = null): EventRow => ({
    label,
    description: site ? `${formatTime(event.t)} · ${formatSite(model.header, site)}` : formatTime(event.t),
    site: site ?? null,
  });
  switch (event.type) {
    case 'task.created':
      return row(event.parent === null ? 'created' : `created by ${taskName(model, event.parent)}`, event.site);
    case 'task.started':
      return row('started');
    case 'task.suspended':
      return row(waitText(model, event.reason), event.site);
    case 'task.resumed': {
      const cause = event.cause;
      if (!cause) return row('resumed');
      const by = cause.by !== undefined ? ` by ${taskName(model, cause.by)}` : '';
      return row(`resumed (${cause.kind}${by})`);
    }
    case 'task.cancelRequested': {
      const by = event.by === null ? '' : ` by ${taskName(model, event.by)}`;
      const msg = event.message === null ? '' : `: ${JSON.stringify(event.message)}`;
      return row(`cancel requested${by}${msg}`, event.site);
    }
    case 'task.done':
      return row(event.result === 'undefined' ? 'done' : `done → ${event.result}`);
    case 'task.failed':
      return row(`failed: ${event.error.name}: ${event.error.message}`, siteFromStack(event.error.stack ?? '', model.header.program));
    case 'task.cancelled':
      return row(event.message === null ? 'cancelled' : `cancelled: ${JSON.stringify(event.message)}`);
    case 'queue.put':
      return row(`put ${event.item} into ${resourceName(model, event.resource)} (size ${event.size})`);
    case 'queue.get':
      return row(`got ${event.item} from ${resourceName(model, event.resource)} (size ${event.size})`);
    case 'resource.acquired':
      return row(`acquired ${resourceName(model, event.resource)}`);
    case 'resource.released':
      return row(`released ${resourceName(model, event.resource)}`);
    case 'resource.signalled':
      return row(`${event.action} ${resourceName(model, event.resource)}`);
    case 'resource.created':
      return row(`${event.kind} ${event.name} created`, event.site);
    case 'output':
      return row(`${event.stream}: ${event.text.replace(/\s+$/, '')}`);
    case 'warning':
      return row(`warning (${event.kind}): ${event.message}`, event.site);
    case 'run.finished':
      return row('run finished');
    default:
      return assertNever(event, 'trace event');
  }
}
