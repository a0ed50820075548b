/**
 * Words for what the timeline shows: the hover tooltip of every hit, the one-line announcements the keyboard focus
 * makes for screen readers, and the per-task state summary of the accessible table. Pure.
 */
import type { SourceSite, WakeCause } from '../contract/trace';
import { assertNever } from '../contract/trace';
import type { Edge, ResourceInfo, Segment, TaskInfo, TraceModel } from '../model/model';
import { describeReason, endDetail, formatSite, formatTime, resourceName, taskName } from '../model/summary';
import type { BlockedSpan } from '../model/blockedLoop';
import { blockedOverlayOf, delaysDuring, spanOfStep } from './blockedOverlay';
import { deadlockArrowsOf } from './deadlockArrows';
import type { Hit } from './hitTest';
import { segmentSite } from './hitTest';
import { taskLabel } from './layout';

export interface TooltipContent {
  title: string;
  /** Label / value pairs, in display order. */
  rows: Array<[string, string]>;
}

/** How far a tooltip's output preview goes. */
const OUTPUT_PREVIEW = 300;
const MAX_LISTED = 8;

export function describeHit(model: TraceModel, hit: Hit, live = false): TooltipContent | null {
  const site = (s: SourceSite | null | undefined): string => (s ? formatSite(model.header, s) : '(unknown)');
  switch (hit.kind) {
    case 'axis':
      return { title: formatTime(hit.t), rows: [['', 'Click to set the time cursor; drag to scrub']] };
    case 'label': {
      const task = hit.task;
      const rows: Array<[string, string]> = [
        ['task', `#${task.id}${task.coroutine ? ` ${task.coroutine}()` : ''}`],
        ['state', endDetail(model, task)],
        ['created', `${formatTime(task.createdAt)}${task.parent !== null ? ` by ${taskName(model, task.parent)}` : ''}`],
        ['site', site(task.site)],
      ];
      if (task.children.length > 0) rows.push(['children', String(task.children.length)]);
      return { title: taskLabel(task), rows };
    }
    case 'resourceLabel':
      return { title: hit.resource.name, rows: resourceRows(model, hit.resource, null) };
    case 'resource':
      return { title: hit.resource.name, rows: resourceRows(model, hit.resource, hit.t) };
    case 'segment':
      return describeSegment(model, hit.task, hit.index, live);
    case 'end': {
      const task = hit.task;
      const end = task.end!;
      const rows: Array<[string, string]> = [
        ['state', end.state],
        ['at', formatTime(end.t)],
        ['lived', formatTime(end.t - task.createdAt)],
      ];
      if (end.state === 'done') rows.push(['result', end.result]);
      else if (end.state === 'failed') {
        rows.push(['error', `${end.error.name}: ${end.error.message}`]);
        const stackLine = firstStackFrame(end.error.stack);
        if (stackLine) rows.push(['where', stackLine]);
      } else {
        const request = end.request;
        if (request) {
          rows.push(['cancelled by', request.by !== null ? taskName(model, request.by) : '(outside any task)']);
          rows.push(['requested', formatTime(request.t)]);
          if (request.site) rows.push(['site', site(request.site)]);
        }
        if (end.message !== null) rows.push(['message', JSON.stringify(end.message)]);
      }
      return { title: `${taskLabel(task)}: ${end.state}`, rows };
    }
    case 'output': {
      const shown = hit.events.slice(0, MAX_LISTED);
      const text = shown.map((e) => `${e.stream === 'stderr' ? '[stderr] ' : ''}${e.text.replace(/\n$/, '')}`).join('\n');
      const rows: Array<[string, string]> = [
        ['task', taskLabel(hit.task)],
        ['at', formatTime(hit.events[0].t)],
        ['text', clip(text, OUTPUT_PREVIEW)],
      ];
      if (hit.events.length > shown.length) rows.push(['', `and ${hit.events.length - shown.length} more`]);
      return { title: hit.events.length === 1 ? 'Output' : `Output (${hit.events.length} writes)`, rows };
    }
    case 'warning': {
      const shown = hit.events.slice(0, MAX_LISTED);
      const rows: Array<[string, string]> = [];
      if (hit.task) rows.push(['task', taskLabel(hit.task)]);
      for (const w of shown) {
        rows.push([w.kind, `${formatTime(w.t)}: ${w.message}`]);
        if (w.site) rows.push(['site', site(w.site)]);
        const span = w.kind === 'blocked-loop' ? blockedOverlayOf(model).spans.find((s) => s.warning === w) : undefined;
        if (span) rows.push(['blocked loop', blockedText(model, span)]);
      }
      if (hit.events.length > shown.length) rows.push(['', `and ${hit.events.length - shown.length} more`]);
      return { title: hit.events.length === 1 ? 'Warning' : `Warnings (${hit.events.length})`, rows };
    }
    case 'arrow':
      return describeEdge(model, hit.edge);
    case 'deadlock': {
      const { arrow } = hit;
      const cycle = reaches(model, arrow.to, arrow.from);
      return {
        title: arrow.what,
        rows: [
          ['deadlock', `found at ${formatTime(arrow.t)}: ${cycle ? 'this edge is part of the wait-for cycle' : 'this edge leads into the deadlock'}`],
          ...(arrow.site ? ([['site', site(arrow.site)]] as Array<[string, string]>) : []),
        ],
      };
    }
    case 'lane': {
      const task = hit.task;
      const before = hit.t < task.createdAt;
      return {
        title: taskLabel(task),
        rows: [['', before ? `not created yet (created at ${formatTime(task.createdAt)})` : endDetail(model, task)]],
      };
    }
    default:
      return assertNever(hit, 'hit');
  }
}

export function describeSegment(model: TraceModel, task: TaskInfo, index: number, live = false): TooltipContent {
  const segment: Segment = task.segments[index];
  const open = index === task.segments.length - 1;
  const rows: Array<[string, string]> = [
    ['task', `${taskLabel(task)} #${task.id}`],
    ['state', segment.state === 'pending' ? 'pending (created, not yet started)' : segment.state],
    ['start', formatTime(segment.start)],
    ['end', open && live ? `${formatTime(segment.end)} (still ${segment.state})` : formatTime(segment.end)],
    ['duration', formatTime(segment.end - segment.start)],
  ];
  if (segment.reason) {
    let reason = describeReason(model, segment.reason);
    if (segment.reason.kind === 'sleep') reason += ` (until ${formatTime(segment.reason.until)})`;
    rows.push(['reason', reason]);
  }
  if (segment.wake) rows.push(['woken by', describeWake(model, segment.wake)]);
  const blocked = blockedOverlayOf(model);
  if (blocked.spans.length > 0) {
    if (segment.state === 'running') {
      const span = spanOfStep(blocked, task.id, segment.start, segment.end);
      if (span) rows.push(['blocked loop', blockedText(model, span)]);
    }
    for (const d of delaysDuring(blocked, task.id, segment.start, segment.end)) {
      rows.push([
        'delayed',
        `ready at ${formatTime(d.readyAt)}, ran at ${formatTime(d.ranAt)} (${formatTime(d.ranAt - d.readyAt)} late): ` +
          `${taskName(model, d.span.task)} blocked the loop`,
      ]);
    }
  }
  const site = segmentSite(task, index);
  if (site) rows.push(['site', formatSite(model.header, site)]);
  return { title: `${task.name}: ${segment.state}`, rows };
}

export function describeWake(model: TraceModel, wake: WakeCause): string {
  const by = wake.by !== undefined ? ` of ${taskName(model, wake.by)}` : '';
  switch (wake.kind) {
    case 'timer':
      return 'its timer';
    case 'result':
      return `the result${by}`;
    case 'exception':
      return `an exception${by}`;
    case 'cancel':
      return `cancellation${wake.by !== undefined ? ` by ${taskName(model, wake.by)}` : ''}`;
    case 'yield':
      return 'the next loop turn';
    case 'external':
      return 'an external promise';
    default:
      return assertNever(wake.kind, 'wake kind');
  }
}

export function describeEdge(model: TraceModel, edge: Edge): TooltipContent {
  const from = taskName(model, edge.from);
  const to = taskName(model, edge.to);
  const site = (s: SourceSite | null): Array<[string, string]> => (s ? [['site', formatSite(model.header, s)]] : []);
  switch (edge.kind) {
    case 'create':
      return { title: `${from} created ${to}`, rows: [['at', formatTime(edge.t)], ...site(edge.site)] };
    case 'await':
      return {
        title: `${from} awaits ${to}`,
        rows: [
          ['from', formatTime(edge.start)],
          ['until', edge.open ? `${formatTime(edge.end)} (still waiting)` : formatTime(edge.end)],
          ['duration', formatTime(edge.end - edge.start)],
          ['reason', describeReason(model, edge.reason)],
          ...site(edge.site),
        ],
      };
    case 'cancel':
      return {
        title: `${from} cancelled ${to}`,
        rows: [
          ['at', formatTime(edge.t)],
          ...(edge.message !== null ? ([['message', JSON.stringify(edge.message)]] as Array<[string, string]>) : []),
          ...site(edge.site),
        ],
      };
    case 'queue':
      return {
        title: `${from} → ${to} through ${resourceName(model, edge.resource)}`,
        rows: [
          ['item', `#${edge.seq}: ${edge.item}`],
          ['put', formatTime(edge.start)],
          ['got', formatTime(edge.end)],
          ['in queue', formatTime(edge.end - edge.start)],
        ],
      };
    default:
      return assertNever(edge, 'edge');
  }
}

function resourceRows(model: TraceModel, resource: ResourceInfo, t: number | null): Array<[string, string]> {
  const rows: Array<[string, string]> = [['kind', resource.kind]];
  if (resource.capacity !== undefined) rows.push(['capacity', resource.capacity === 0 ? 'unbounded' : String(resource.capacity)]);
  if (resource.site) rows.push(['site', formatSite(model.header, resource.site)]);
  if (t !== null) {
    rows.push(['at', formatTime(t)]);
    const level = resourceLevelAt(resource, t);
    if (level) rows.push([level[0], level[1]]);
  }
  rows.push(['events', String(resource.events.length)]);
  return rows;
}

/** What a resource looked like at `t`: queue size, lock holder, event flag. */
export function resourceLevelAt(resource: ResourceInfo, t: number): [string, string] | null {
  let size = 0;
  let holders: number[] = [];
  let flag = false;
  for (const e of resource.events) {
    if (e.t > t) break;
    switch (e.type) {
      case 'queue.put':
      case 'queue.get':
        size = e.size;
        break;
      case 'resource.acquired':
        if (e.task !== null) holders.push(e.task);
        break;
      case 'resource.released':
        holders = holders.filter((h) => h !== e.task);
        break;
      case 'resource.signalled':
        if (e.action === 'set') flag = true;
        else if (e.action === 'clear') flag = false;
        break;
      default:
        assertNever(e, 'resource event');
    }
  }
  switch (resource.kind) {
    case 'queue':
    case 'priorityQueue':
    case 'lifoQueue':
      return ['items', String(size)];
    case 'lock':
    case 'semaphore':
    case 'boundedSemaphore':
    case 'condition':
      return ['held by', holders.length === 0 ? 'nobody' : holders.map((h) => `#${h}`).join(', ')];
    case 'event':
      return ['set', flag ? 'yes' : 'no'];
    default:
      return assertNever(resource.kind, 'resource kind');
  }
}

/** One line for a screen reader: the title and the rows, joined. */
export function announce(content: TooltipContent): string {
  const parts = content.rows.map(([k, v]) => (k ? `${k} ${v}` : v));
  return [content.title, ...parts].join('; ');
}

/** The accessible table's summary of a task's life: `pending 0 s; running 0 s–0 s; sleeping 0 s–2 s (sleep 2 s); done`. */
export function stateHistory(model: TraceModel, task: TaskInfo, max = 12): string {
  const parts: string[] = [];
  const segments = task.segments;
  for (let i = 0; i < segments.length && parts.length < max; i++) {
    const s = segments[i];
    if (s.state === 'done' || s.state === 'failed' || s.state === 'cancelled') {
      parts.push(`${s.state} at ${formatTime(s.start)}`);
      continue;
    }
    const reason = s.reason ? ` (${describeReason(model, s.reason)})` : '';
    parts.push(`${s.state} ${formatTime(s.start)} to ${formatTime(s.end)}${reason}`);
  }
  if (segments.length > max) parts.push(`and ${segments.length - max} more`);
  return parts.join('; ');
}

function firstStackFrame(stack: string | undefined): string | null {
  if (!stack) return null;
  const line = stack.split('\n').find((l) => /^\s+at /.test(l));
  return line ? line.trim() : null;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** True if the deadlock's wait-for arrows lead from task `from` to task `to`. */
function reaches(model: TraceModel, from: number, to: number): boolean {
  const arrows = deadlockArrowsOf(model);
  const seen = new Set<number>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) return true;
    for (const a of arrows) {
      if (a.from === at && !seen.has(a.to)) {
        seen.add(a.to);
        queue.push(a.to);
      }
    }
  }
  return false;
}

/** `ran 400 ms without yielding (16 ms–416 ms); delayed heartbeat, Task-4` */
function blockedText(model: TraceModel, span: BlockedSpan): string {
  const names = span.delayed.slice(0, MAX_LISTED).map((d) => taskName(model, d.task));
  if (span.delayed.length > names.length) names.push(`and ${span.delayed.length - names.length} more`);
  const ran = `ran ${formatTime(span.end - span.start)} without yielding (${formatTime(span.start)}–${formatTime(span.end)})`;
  return `${ran}; ${names.length > 0 ? `delayed ${names.join(', ')}` : 'no task was ready meanwhile'}`;
}
