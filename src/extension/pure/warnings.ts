/**
 * The trace's `warning` events as the editor shows them: one problem per warning, at a source site, with the other
 * sites involved (the tasks of a deadlock at their current awaits, where a cancelled task was suspended, ...), the
 * README section that explains it, and the rows of the tree's Warnings group. Pure: `../warningDiagnostics.ts` turns
 * problems into `vscode.Diagnostic`s and `../taskTreeProvider.ts` into tree items.
 *
 * Where a warning without a site goes: on its task's creation site when it names a task (an exception never
 * retrieved is reported at the `createTask` of the task that failed); a deadlock the runtime reported without a site
 * goes to the main task's current await; anything else (events dropped) to line 1 of the program, so the Problems
 * panel holds every warning. The runtime's bare deadlock warning is left out when the analysis explained the same
 * deadlock with its wait-for chain (one deadlock, one problem).
 */
import { SourceSite, TraceHeader, WarningEvent, WarningKind, assertNever } from '../../contract/trace';
import { dependencies, describeWait } from '../../model/diagnostics';
import type { Segment, TaskInfo, TraceModel } from '../../model/model';
import { formatSite, taskName } from '../../model/summary';
import { callSpan, EditorPosition, toEditorPosition } from './positions';
import { siteFromStack } from './taskTree';

/** The `source` of every diagnostic the extension reports for a warning. */
export const WARNING_SOURCE = 'Coroutine Trace';

/** How each kind is named in the tree. Keyed by kind, so a new kind does not compile until it has a title. */
const TITLES: Record<WarningKind, string> = {
  'eager-promise': 'Task started from a plain promise',
  'exception-never-retrieved': 'Exception never retrieved',
  'pending-at-exit': 'Pending at exit',
  'never-awaited': 'Never awaited',
  'blocked-loop': 'Blocked loop',
  deadlock: 'Deadlock',
  'swallowed-cancellation': 'Swallowed cancellation',
  'swallowed-errors': 'Swallowed errors',
  'busy-loop': 'Busy loop',
  'queue-orphaned': 'Queue with no consumer or producer left',
  'events-dropped': 'Events dropped',
};

export function warningTitle(kind: WarningKind): string {
  return TITLES[kind];
}

/**
 * The README heading that explains a kind (the "Diagnostics" section has one subsection per kind, named after it;
 * dropped events are explained under "How tracing stays cheap").
 */
export function warningAnchor(kind: WarningKind): string {
  return kind === 'events-dropped' ? 'how-tracing-stays-cheap' : kind;
}

export interface RelatedSite {
  site: SourceSite;
  message: string;
}

/** Why the problem is where it is. */
export type ProblemPlacement =
  /** The warning's own site. */
  | 'site'
  /** The warning had no site: its task's creation site. */
  | 'creation'
  /** A deadlock without a site: where the main task waits. */
  | 'await'
  /** Nothing to point at: line 1 of the program. */
  | 'program';

export interface WarningProblem {
  /** Index of the warning in `model.warnings`: stable while a live trace grows, so a key for tree items. */
  index: number;
  warning: WarningEvent;
  kind: WarningKind;
  /** The task it is about, when it is about one. */
  task: number | undefined;
  /** Where it is shown (1-based). */
  site: SourceSite;
  placement: ProblemPlacement;
  /** What happened and what to do: the warning's own message. */
  message: string;
  /** The other places involved, in a useful order. */
  related: RelatedSite[];
  /** README anchor (no `#`). */
  anchor: string;
}

export interface ProblemOptions {
  /** Only the warnings at or before this time (the timeline's cursor); all when undefined. */
  at?: number;
}

/** Every warning of the trace as a problem, in trace order, duplicates and subsumed warnings left out. */
export function warningProblems(model: TraceModel, options: ProblemOptions = {}): WarningProblem[] {
  const problems: WarningProblem[] = [];
  const seen = new Set<string>();
  const explainedDeadlock = model.warnings.some((w) => w.kind === 'deadlock' && w.site);
  model.warnings.forEach((warning, index) => {
    if (options.at !== undefined && warning.t > options.at) return;
    if (warning.kind === 'deadlock' && !warning.site && warning.task === undefined && explainedDeadlock) return;
    const placed = place(model, warning);
    const key = `${warning.kind}\0${placed.site.file}\0${placed.site.line}\0${placed.site.column}\0${warning.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const problem: WarningProblem = {
      index,
      warning,
      kind: warning.kind,
      task: warning.task,
      site: placed.site,
      placement: placed.placement,
      message: warning.message,
      related: [],
      anchor: warningAnchor(warning.kind),
    };
    problem.related = relatedSites(model, problem);
    problems.push(problem);
  });
  return problems;
}

function place(model: TraceModel, warning: WarningEvent): { site: SourceSite; placement: ProblemPlacement } {
  if (warning.site) return { site: warning.site, placement: 'site' };
  const task = warning.task !== undefined ? model.taskById.get(warning.task) : undefined;
  if (task?.site) return { site: task.site, placement: 'creation' };
  if (warning.kind === 'deadlock') {
    const root = mainTask(model);
    const waitsAt = root ? lastSuspended(root)?.site : undefined;
    if (waitsAt) return { site: waitsAt, placement: 'await' };
  }
  return { site: { file: model.header.program, line: 1, column: 1 }, placement: 'program' };
}

// ---------------------------------------------------------------------------------------------------------------------
// Related locations

function relatedSites(model: TraceModel, problem: WarningProblem): RelatedSite[] {
  const task = problem.task !== undefined ? model.taskById.get(problem.task) : undefined;
  switch (problem.kind) {
    case 'deadlock':
      return deadlockRelated(model, task ?? mainTask(model), problem.site);
    case 'pending-at-exit':
      return task ? pendingRelated(model, task) : [];
    case 'swallowed-cancellation':
      return task ? swallowedRelated(model, task, problem) : [];
    case 'exception-never-retrieved':
      return task ? failureRelated(model, task) : [];
    case 'queue-orphaned':
      return task ? queueRelated(model, task) : [];
    case 'eager-promise':
    case 'never-awaited':
    case 'blocked-loop':
    case 'swallowed-errors':
    case 'busy-loop':
    case 'events-dropped':
      return [];
    default:
      return assertNever(problem.kind, 'warning kind');
  }
}

/**
 * Every task of a deadlock at its current await: the wait-for chain from the main task first (in chain order), then
 * the other tasks stuck with it. The main task is left out when the problem already sits at its await.
 */
function deadlockRelated(model: TraceModel, root: TaskInfo | undefined, shownAt: SourceSite): RelatedSite[] {
  if (!root) return [];
  const order: TaskInfo[] = [];
  const seen = new Set<number>();
  for (let task: TaskInfo | undefined = root; task && !seen.has(task.id); ) {
    seen.add(task.id);
    order.push(task);
    const reason = stuckReason(task);
    if (!reason) break;
    task = dependencies(model, reason)
      .map((id) => model.taskById.get(id))
      .find((d) => d !== undefined && d.endedAt === undefined);
  }
  for (const task of model.tasks) if (!seen.has(task.id) && task.endedAt === undefined) order.push(task);
  const related: RelatedSite[] = [];
  for (const task of order) {
    const segment = lastSuspended(task);
    const reason = stuckReason(task);
    const site = segment?.site ?? task.site;
    if (!site || (task === root && sameSite(site, shownAt))) continue;
    const what = reason ? describeWait(model, reason) : task.startedAt === undefined ? 'never started' : 'cannot go on';
    related.push({ site, message: `${task.name} ${what}` });
  }
  return related;
}

/** Where the task was when the main task returned (or the program ended), and where the main task returned. */
function pendingRelated(model: TraceModel, task: TaskInfo): RelatedSite[] {
  const root = mainTask(model);
  const mainEnd = root?.endedAt;
  const related: RelatedSite[] = [];
  const at = lastSuspended(task, mainEnd);
  if (at?.site) {
    related.push({
      site: at.site,
      message:
        root && mainEnd !== undefined
          ? `${task.name} was suspended here when ${root.name} returned`
          : `${task.name} was still waiting here when the program ended`,
    });
  }
  if (root && mainEnd !== undefined && root !== task) {
    const returned = lastSuspended(root, mainEnd)?.site ?? root.site;
    if (returned) related.push({ site: returned, message: `${root.name} returned after this, without awaiting ${task.name}` });
  }
  return related;
}

/** Where the task was suspended when `cancel()` raised `CancelledError` in it (and the `cancel()` call). */
function swallowedRelated(model: TraceModel, task: TaskInfo, problem: WarningProblem): RelatedSite[] {
  const t = problem.warning.t;
  const request = [...task.cancelRequests].reverse().find((r) => r.t <= t);
  const before = request?.t ?? t;
  const suspended = task.segments.filter((s) => isSuspended(s) && s.start <= before);
  // The wait the cancellation woke, else the last one before the cancel() (several events share a time).
  const segment = [...suspended].reverse().find((s) => s.wake?.kind === 'cancel') ?? suspended[suspended.length - 1];
  const related: RelatedSite[] = [];
  if (segment?.site) related.push({ site: segment.site, message: `${task.name} was suspended here when cancel() raised CancelledError in it` });
  if (request?.site && !sameSite(request.site, problem.site)) {
    const by = request.by === null ? '' : ` by ${taskName(model, request.by)}`;
    related.push({ site: request.site, message: `cancel() called here${by}` });
  }
  return related;
}

/** Where the task's error was thrown (the top user frame of its stack). */
function failureRelated(model: TraceModel, task: TaskInfo): RelatedSite[] {
  const end = task.end;
  if (end?.state !== 'failed' || !end.error.stack) return [];
  const site = siteFromStack(end.error.stack, model.header.program);
  return site ? [{ site, message: `${task.name} failed here: ${end.error.name}: ${end.error.message}` }] : [];
}

/** The queue a stuck getter waits on, where it was created. */
function queueRelated(model: TraceModel, task: TaskInfo): RelatedSite[] {
  const reason = stuckReason(task);
  if (reason?.kind !== 'queue.get') return [];
  const queue = model.resourceById.get(reason.resource);
  return queue?.site ? [{ site: queue.site, message: `${queue.name} was created here` }] : [];
}

// ---------------------------------------------------------------------------------------------------------------------
// Per task and for the tree

/** The problems about each task, by task id. */
export function problemsByTask(problems: readonly WarningProblem[]): Map<number, WarningProblem[]> {
  const byTask = new Map<number, WarningProblem[]>();
  for (const p of problems) {
    if (p.task === undefined) continue;
    let list = byTask.get(p.task);
    if (!list) byTask.set(p.task, (list = []));
    list.push(p);
  }
  return byTask;
}

/** One row of the tree's Warnings group. */
export interface WarningRow {
  label: string;
  description: string;
  tooltip: string;
  /** Where a click goes: where the problem is shown. */
  site: SourceSite;
}

/** `Deadlock` with `deadlock.ts:20 · main awaits …` beside it; the tooltip has the whole message and the related sites. */
export function warningRow(model: TraceModel, problem: WarningProblem): WarningRow {
  const where = formatSite(model.header, problem.site);
  const about = problem.task !== undefined ? `${taskName(model, problem.task)} · ` : '';
  return {
    label: warningTitle(problem.kind),
    description: `${about}${where} · ${problem.message}`,
    tooltip: problemText(model.header, problem),
    site: problem.site,
  };
}

/** The problem as text: title, message, where, and the related sites. */
export function problemText(header: TraceHeader, problem: WarningProblem): string {
  const lines = [`${warningTitle(problem.kind)} (${problem.kind}) at ${formatSite(header, problem.site)}`, problem.message];
  for (const r of problem.related) lines.push(`  ${formatSite(header, r.site)}: ${r.message}`);
  return lines.join('\n');
}

/** Lines added to a task's tooltip: its warnings. */
export function taskWarningsText(problems: readonly WarningProblem[]): string {
  return problems.map((p) => `⚠ ${warningTitle(p.kind)}: ${p.message}`).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// Editor ranges

export interface EditorRange {
  start: EditorPosition;
  end: EditorPosition;
}

/**
 * The range a problem underlines: the call at the site (`notify('ada')`, `await asyncio.gather(a, b)`), else the
 * rest of its line; an empty range at the site when the line's text is not known.
 */
export function problemRange(site: SourceSite, lineText: string | undefined): EditorRange {
  const start = toEditorPosition(site);
  if (lineText === undefined) return { start, end: start };
  const character = Math.min(start.character, lineText.length);
  const span = callSpan(lineText, character);
  if (span.end > span.start) {
    return { start: { line: start.line, character: span.start }, end: { line: start.line, character: span.end } };
  }
  const rest = lineText.trimEnd().length;
  return { start: { line: start.line, character }, end: { line: start.line, character: Math.max(character, rest) } };
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function mainTask(model: TraceModel): TaskInfo | undefined {
  return model.tasks.find((t) => t.parent === null);
}

function isSuspended(segment: Segment): boolean {
  return segment.state === 'sleeping' || segment.state === 'waiting';
}

/** The last sleeping/waiting segment that started at or before `at` (any time when undefined). */
function lastSuspended(task: TaskInfo, at?: number): Segment | undefined {
  for (let i = task.segments.length - 1; i >= 0; i--) {
    const s = task.segments[i];
    if (at !== undefined && s.start > at) continue;
    if (isSuspended(s)) return s;
  }
  return undefined;
}

/** What an unfinished task is stuck on at the end of the trace. */
function stuckReason(task: TaskInfo): Segment['reason'] {
  if (task.endedAt !== undefined) return undefined;
  const last = task.segments[task.segments.length - 1];
  return last && isSuspended(last) ? last.reason : undefined;
}

function sameSite(a: SourceSite, b: SourceSite): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}
