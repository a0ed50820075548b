/**
 * Text renderings of a trace model for a terminal: the full summary (`coroutine-trace summary`) and the short report
 * the CLI prints after a run. Deterministic (no colours, no dates, no locale) so it can be golden-tested.
 *
 * Also holds the small labelling helpers (times, sites, suspend reasons) that the other exporters share.
 */
import { SourceSite, SuspendReason, TraceHeader, assertNever } from '../contract/trace';
import { ResourceEvent, ResourceInfo, Segment, TASK_STATES, TaskInfo, TaskState, TraceModel, finalStates, isTerminal } from './model';

export interface SummaryOptions {
  /** Columns of the swimlane chart. Default 60. */
  width?: number;
  /** Plain ASCII instead of box-drawing and block characters. */
  ascii?: boolean;
}

const DEFAULT_WIDTH = 60;
/** Lane labels longer than this are cut, so the chart stays on one line. */
const MAX_LABEL = 24;

/** One character per state in the swimlane chart. Terminal states are not drawn: the lane is blank after the end. */
type LiveState = Exclude<TaskState, 'done' | 'failed' | 'cancelled'>;
const CELL_UNICODE: Record<LiveState, string> = { running: '█', ready: '▓', waiting: '▒', sleeping: '░', pending: '·' };
const CELL_ASCII: Record<LiveState, string> = { running: '#', ready: '+', waiting: '~', sleeping: '.', pending: '-' };
/** Which state a cell shows when states tie, or when it only holds zero-length moments: the most active one. */
const CELL_PRIORITY: readonly LiveState[] = ['running', 'ready', 'waiting', 'sleeping', 'pending'];

interface Glyphs {
  cell: Record<LiveState, string>;
  branch: string;
  lastBranch: string;
  pipe: string;
  arrow: string;
  micro: string;
}
const UNICODE: Glyphs = { cell: CELL_UNICODE, branch: '├─ ', lastBranch: '└─ ', pipe: '│  ', arrow: '→', micro: 'µs' };
const ASCII: Glyphs = { cell: CELL_ASCII, branch: '+- ', lastBranch: '`- ', pipe: '|  ', arrow: '->', micro: 'us' };

/** The full text summary: run line, task tree, swimlane chart, warnings. Ends with a newline. */
export function renderSummary(model: TraceModel, opts: SummaryOptions = {}): string {
  const g = opts.ascii ? ASCII : UNICODE;
  const width = Math.max(10, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const lines: string[] = [];

  lines.push(runLine(model));
  lines.push(`duration ${formatTime(model.endTime, g.micro)}, ${taskCounts(model)}`);

  lines.push('');
  lines.push('Tasks');
  if (model.tasks.length === 0) lines.push('  (none)');
  for (const line of taskTree(model, g)) lines.push(line);

  if (model.resources.length > 0) {
    lines.push('');
    lines.push('Resources');
    for (const r of model.resources) lines.push(`  ${resourceLine(model, r)}`);
  }

  if (model.tasks.length > 0) {
    lines.push('');
    for (const line of swimlanes(model, width, g)) lines.push(line);
  }

  const problems = traceProblems(model);
  if (model.warnings.length > 0) {
    lines.push('');
    lines.push(`Warnings (${model.warnings.length})`);
    for (const w of model.warnings) lines.push(`  ${warningLine(model, w, g.micro)}`);
  }
  if (problems.length > 0) {
    lines.push('');
    lines.push('Trace problems');
    for (const p of problems) lines.push(`  ${p}`);
  }
  return lines.join('\n') + '\n';
}

/** The short report the CLI prints on stderr after a run. Ends with a newline. */
export function renderRunReport(model: TraceModel, tracePath: string): string {
  const lines: string[] = [];
  const finished = model.runFinished;
  let first = `coroutine-trace: ${taskCounts(model, true)} in ${formatTime(model.endTime)}`;
  first += finished ? `, ${exitText(model)}` : ', run did not finish (trace truncated)';
  lines.push(first);
  if (finished && finished.droppedEvents > 0) lines.push(`${finished.droppedEvents} events dropped: the trace is incomplete`);
  const n = model.warnings.length;
  lines.push(n === 0 ? 'no warnings' : `${n} warning${n === 1 ? '' : 's'}:`);
  for (const w of model.warnings) lines.push(`  ${warningLine(model, w, 'µs')}`);
  lines.push(`trace written to ${tracePath}`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------------
// Sections

function runLine(model: TraceModel): string {
  const head = `${baseName(model.header.program)} (${model.header.clock} clock)`;
  const finished = model.runFinished;
  if (!finished) return `${head}: trace truncated, no run.finished (still running, or killed)`;
  let text = `${head}: ${exitText(model)}`;
  if (finished.droppedEvents > 0) text += `, ${finished.droppedEvents} events dropped`;
  return text;
}

function exitText(model: TraceModel): string {
  const finished = model.runFinished;
  if (!finished) return 'not finished';
  if (finished.signal !== null) return `ended by ${finished.signal}`;
  if (finished.exitCode === null) return 'ended by a signal';
  return `exit code ${finished.exitCode}`;
}

/** `4 tasks: 1 cancelled, 1 failed, 2 done` (or in parentheses), states in `TASK_STATES` order. */
function taskCounts(model: TraceModel, parenthesised = false): string {
  const n = model.tasks.length;
  const counts = finalStates(model);
  const parts = TASK_STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const tasks = `${n} task${n === 1 ? '' : 's'}`;
  if (parts.length === 0) return tasks;
  return parenthesised ? `${tasks} (${parts.join(', ')})` : `${tasks}: ${parts.join(', ')}`;
}

/** `Queue-1 (queue, unbounded): 2 put, 2 got  (created 08-producer-consumer.ts:21)` */
function resourceLine(model: TraceModel, r: ResourceInfo): string {
  let kind: string = r.kind;
  if (r.capacity !== undefined) {
    const isQueue = r.kind === 'queue' || r.kind === 'priorityQueue' || r.kind === 'lifoQueue';
    kind += isQueue ? (r.capacity === 0 ? ', unbounded' : `, max ${r.capacity}`) : `, initial ${r.capacity}`;
  }
  const counts = new Map<string, number>();
  for (const e of r.events) {
    const verb = resourceVerb(e);
    counts.set(verb, (counts.get(verb) ?? 0) + 1);
  }
  const activity = counts.size ? [...counts].map(([verb, n]) => `${n} ${verb}`).join(', ') : 'unused';
  const site = r.site ? `  (created ${formatSite(model.header, r.site)})` : '';
  return `${r.name} (${kind}): ${activity}${site}`;
}

function resourceVerb(e: ResourceEvent): string {
  switch (e.type) {
    case 'queue.put':
      return 'put';
    case 'queue.get':
      return 'got';
    case 'resource.acquired':
      return 'acquired';
    case 'resource.released':
      return 'released';
    case 'resource.signalled':
      return e.action === 'set' ? 'set' : e.action === 'clear' ? 'cleared' : 'notified';
    default:
      return assertNever(e, 'resource event');
  }
}

function taskTree(model: TraceModel, g: Glyphs): string[] {
  const out: string[] = [];
  const visit = (task: TaskInfo, prefix: string, branch: string, childPrefix: string): void => {
    const site = task.site ? `  (created ${formatSite(model.header, task.site)})` : '';
    out.push(`${prefix}${branch}${taskLabel(task)}  ${endDetail(model, task, g)}${site}`);
    const children = task.children.map((id) => model.taskById.get(id)).filter((t): t is TaskInfo => !!t);
    children.forEach((child, i) => {
      const lastChild = i === children.length - 1;
      visit(child, prefix + childPrefix, lastChild ? g.lastBranch : g.branch, lastChild ? '   ' : g.pipe);
    });
  };
  for (const task of model.tasks) {
    const isRoot = task.parent === null || !model.taskById.has(task.parent);
    if (isRoot) visit(task, '', '', '');
  }
  return out;
}

/** How the task ended, or what it was doing when the trace ended. */
export function endDetail(model: TraceModel, task: TaskInfo, g: { arrow: string; micro: string } = UNICODE): string {
  const end = task.end;
  if (!end) {
    const current = task.lane.last()!;
    const what = current.reason ? `: ${describeReason(model, current.reason)}` : '';
    return `${task.state} (not finished)${what}`;
  }
  switch (end.state) {
    case 'done':
      return end.result === 'undefined' ? 'done' : `done ${g.arrow} ${end.result}`;
    case 'failed':
      return `failed: ${end.error.name}: ${end.error.message}`;
    case 'cancelled': {
      let text = 'cancelled';
      const request = end.request;
      if (request) {
        if (request.by !== null) text += ` by ${taskName(model, request.by)}`;
        text += ` at ${formatTime(request.t, g.micro)}`;
        if (request.site) text += ` (${formatSite(model.header, request.site)})`;
      }
      if (end.message !== null) text += `, message ${JSON.stringify(end.message)}`;
      return text;
    }
    default:
      return assertNever(end, 'task end');
  }
}

function swimlanes(model: TraceModel, width: number, g: Glyphs): string[] {
  const span = model.endTime;
  const labels = model.tasks.map((t) => clip(taskLabel(t), MAX_LABEL, g === ASCII ? '~' : '…'));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const out: string[] = [];
  out.push(`Timeline (0 to ${formatTime(span, g.micro)}, 1 column = ${formatTime(span / width, g.micro)})`);
  model.tasks.forEach((task, i) => {
    out.push(`${labels[i].padEnd(labelWidth)} |${laneCells(task, span, width, g)}| ${task.state}`);
  });
  const pad = ' '.repeat(labelWidth + 1);
  const mid = Math.floor(width / 2);
  out.push(`${pad}+${'-'.repeat(mid - 1)}+${'-'.repeat(width - mid)}+`);
  out.push(pad + axisLabels(span, width, mid, g.micro));
  const legend = CELL_PRIORITY.filter((s) => s !== 'ready').map((s) => `${g.cell[s]} ${s}`);
  out.push(`${pad}${legend.join('  ')}  (blank) not alive`);
  return out;
}

/**
 * One character per cell: the live state that covers most of the cell; a cell that only holds zero-length moments (a
 * virtual clock's instant steps) shows the most active of them. Time points on a cell boundary belong to the cell that
 * ends there, so an instant step at the end of a sleep does not spill into the next cell.
 */
function laneCells(task: TaskInfo, span: number, width: number, g: Glyphs): string {
  const overlap: Array<Partial<Record<LiveState, number>>> = Array.from({ length: width }, () => ({}));
  const moments: Array<Set<LiveState>> = Array.from({ length: width }, () => new Set());
  const cellOf = (t: number): number => {
    if (span <= 0) return 0;
    return Math.min(width - 1, Math.max(0, Math.ceil((t / span) * width) - 1));
  };
  for (const segment of task.segments) {
    const state = segment.state;
    if (isTerminal(state)) continue;
    if (segment.end <= segment.start) {
      moments[cellOf(segment.start)].add(state);
      continue;
    }
    const first = Math.max(0, Math.floor((segment.start / span) * width));
    const lastCell = cellOf(segment.end);
    for (let i = first; i <= lastCell && i < width; i++) {
      const a = (i * span) / width;
      const b = ((i + 1) * span) / width;
      const covered = Math.min(b, segment.end) - Math.max(a, segment.start);
      if (covered > 0) overlap[i][state] = (overlap[i][state] ?? 0) + covered;
    }
  }
  let text = '';
  for (let i = 0; i < width; i++) {
    let best: LiveState | undefined;
    for (const state of CELL_PRIORITY) {
      const v = overlap[i][state] ?? 0;
      if (v > 0 && (best === undefined || v > (overlap[i][best] ?? 0))) best = state;
    }
    if (best === undefined) best = CELL_PRIORITY.find((s) => moments[i].has(s));
    text += best === undefined ? ' ' : g.cell[best];
  }
  return text;
}

/** `0` under the left edge, the middle time under the middle tick, the end time ending under the right edge. */
function axisLabels(span: number, width: number, mid: number, micro: string): string {
  const chars = Array.from({ length: width + 2 }, () => ' ');
  const put = (at: number, text: string): void => {
    for (let i = 0; i < text.length && at + i < chars.length; i++) chars[at + i] = text[i];
  };
  const endLabel = formatTime(span, micro);
  const midLabel = formatTime((span * mid) / width, micro);
  const midAt = mid - Math.floor(midLabel.length / 2);
  put(0, '0');
  if (span > 0) {
    const endAt = width + 2 - endLabel.length;
    if (midAt > 2 && midAt + midLabel.length < endAt - 1) put(midAt, midLabel);
    put(endAt, endLabel);
  }
  return chars.join('').trimEnd();
}

function warningLine(model: TraceModel, w: TraceModel['warnings'][number], micro: string): string {
  let where = `at ${formatTime(w.t, micro)}`;
  if (w.task !== undefined) where += ` in ${taskName(model, w.task)}`;
  if (w.site) where += ` (${formatSite(model.header, w.site)})`;
  return `[${w.kind}] ${where}: ${oneLine(w.message)}`;
}

function traceProblems(model: TraceModel): string[] {
  const out: string[] = [];
  for (const a of model.anomalies) out.push(`event ${a.index + 1} at ${formatTime(a.t)}: ${a.message}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Labels shared by the renderers

/** `Task-2 (worker_1)`: the name, and the coroutine when it says more. */
export function taskLabel(task: TaskInfo): string {
  return task.coroutine && task.coroutine !== task.name ? `${task.name} (${task.coroutine})` : task.name;
}

export function taskName(model: TraceModel, id: number): string {
  return model.taskById.get(id)?.name ?? `task ${id}`;
}

export function resourceName(model: TraceModel, id: number): string {
  return model.resourceById.get(id)?.name ?? `resource ${id}`;
}

/** `sleep 1 s`, `await Task-2`, `gather [Task-2, Task-3]`, `queue.get Queue-1`, `lock Lock-1`, `await future`. */
export function describeReason(model: TraceModel, reason: SuspendReason): string {
  switch (reason.kind) {
    case 'sleep':
      return `sleep ${reason.seconds} s`;
    case 'task':
      return `await ${taskName(model, reason.target)}`;
    case 'gather':
    case 'wait':
    case 'asCompleted':
      return `${reason.kind} [${reason.targets.map((id) => taskName(model, id)).join(', ')}]`;
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
      return `${reason.kind} ${resourceName(model, reason.resource)}`;
    case 'future':
      return 'await future';
    case 'external':
      return 'await external promise';
    default:
      return assertNever(reason, 'suspend reason');
  }
}

/** The state a segment shows, with its reason: `sleeping: sleep 1 s`. */
export function describeSegment(model: TraceModel, segment: Segment): string {
  return segment.reason ? `${segment.state}: ${describeReason(model, segment.reason)}` : segment.state;
}

/** `file:line`, the file relative to the program's folder when it is inside it (or near it). */
export function formatSite(header: TraceHeader, site: SourceSite): string {
  return `${relativePath(dirName(header.program), site.file)}:${site.line}`;
}

/**
 * Milliseconds for people: `0 s`, `850 µs`, `33.33 ms`, `2 s`, `1.001 s` (at most 3 decimals of a second, 2 of a
 * millisecond, trailing zeros dropped).
 */
export function formatTime(ms: number, micro = 'µs'): string {
  if (ms === 0) return '0 s';
  const abs = Math.abs(ms);
  if (abs >= 1000) return `${trimZeros((ms / 1000).toFixed(3))} s`;
  if (abs >= 1) return `${trimZeros(ms.toFixed(2))} ms`;
  return `${trimZeros((ms * 1000).toFixed(1))} ${micro}`;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `to` relative to the folder `fromDir`, with `/` separators; `to` unchanged when they share no root. */
export function relativePath(fromDir: string, to: string): string {
  const norm = (p: string): string => p.replace(/\\/g, '/');
  const from = norm(fromDir).split('/');
  const target = norm(to).split('/');
  const isAbsolute = (parts: string[]): boolean => parts[0] === '' || /^[A-Za-z]:$/.test(parts[0]);
  if (!isAbsolute(from) || !isAbsolute(target) || from[0].toLowerCase() !== target[0].toLowerCase()) return norm(to);
  const a = from.filter((p, i) => i === 0 || p !== '');
  const b = target.filter((p, i) => i === 0 || p !== '');
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  const up = a.length - common;
  return [...Array<string>(up).fill('..'), ...b.slice(common)].join('/');
}

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? path.slice(0, i + 1) || '.' : path.slice(0, i);
}

function clip(text: string, max: number, ellipsis: string): string {
  return text.length <= max ? text : text.slice(0, max - 1) + ellipsis;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
