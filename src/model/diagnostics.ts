/**
 * Diagnostics computed from a finished trace: pure functions over the model. The runtime records what only it can
 * see (never-awaited coroutines, swallowed cancellations, blocked steps, exceptions never retrieved, the deadlock
 * itself); these add what needs the whole run: tasks pending at exit, the deadlock's wait-for chain, busy loops,
 * and queues that can never be served. The runner appends them to the trace before `run.finished`.
 */
import type { SourceSite, SuspendReason, WarningEvent } from '../contract/trace';
import { assertNever } from '../contract/trace';
import type { ResourceInfo, Segment, TaskInfo, TraceModel } from './model';
import { formatTime } from './summary';

/** Consecutive `sleep(0)` yields with nothing else done in between that make a busy loop. */
export const BUSY_LOOP_YIELDS = 500;
/** Under a real clock, a step longer than this between two yields did some work: not a busy loop. */
export const BUSY_STEP_MS = 0.2;
/**
 * Under a real clock, a run of at least BUSY_LOOP_MIN_YIELDS yields that has spun this long (ms) is a busy loop too,
 * with fewer than BUSY_LOOP_YIELDS yields: on a loaded machine a process may get so little CPU that it polls only a
 * few hundred times in the time it would otherwise poll thousands of times.
 */
export const BUSY_LOOP_MS = 100;
export const BUSY_LOOP_MIN_YIELDS = 100;

export interface DiagnosticsOptions {
  busyLoopYields?: number;
}

/** Warnings the trace's events imply, beyond those the runtime recorded. `t` is the end of the run. */
export function analyzeTrace(model: TraceModel, options: DiagnosticsOptions = {}): WarningEvent[] {
  const t = model.endTime;
  return [
    ...pendingAtExit(model),
    ...deadlockChain(model),
    ...busyLoops(model, options.busyLoopYields ?? BUSY_LOOP_YIELDS, model.header.clock === 'real'),
    ...orphanedQueues(model),
  ].map((w) => ({ t, type: 'warning' as const, ...w }));
}

type Finding = Omit<WarningEvent, 't' | 'type'>;

function main(model: TraceModel): TaskInfo | undefined {
  return model.tasks.find((task) => task.parent === null);
}

function lastSegment(task: TaskInfo): Segment | undefined {
  return task.lane.last();
}

/** Still pending when the main task returned (asyncio.run then cancels them), or when the program ended. */
function pendingAtExit(model: TraceModel): Finding[] {
  const root = main(model);
  if (root === undefined) return [];
  const mainEnd = root.endedAt;
  const findings: Finding[] = [];
  for (const task of model.tasks) {
    if (task === root) continue;
    if (mainEnd !== undefined) {
      // asyncio.run's clean-up cancels with no task behind the cancel, after main ended.
      const end = task.end;
      const cancelledByRun = end?.state === 'cancelled' && end.request?.by === null && end.request.t >= mainEnd;
      if (task.endedAt === undefined || cancelledByRun) {
        findings.push({
          kind: 'pending-at-exit',
          task: task.id,
          site: task.site,
          message:
            `${task.name} was still pending when ${root.name} returned, so asyncio.run cancelled it. Await it ` +
            `(or gather it) before main returns, or cancel it yourself if stopping it is intended.`,
        });
      }
    } else if (task.endedAt === undefined && model.runFinished !== null) {
      findings.push({
        kind: 'pending-at-exit',
        task: task.id,
        site: task.site,
        message: `${task.name} was still pending when the program ended (${root.name} never returned).`,
      });
    }
  }
  return findings;
}

/** What a suspended task waits for, with the tasks behind it: `waits for lock ledger held by b-to-a`. */
export function describeWait(model: TraceModel, reason: SuspendReason): string {
  switch (reason.kind) {
    case 'task':
      return `awaits ${taskName(model, reason.target)}`;
    case 'gather':
    case 'wait':
    case 'asCompleted':
      return `awaits ${reason.targets.map((id) => taskName(model, id)).join(', ')}`;
    case 'lock':
    case 'semaphore': {
      const holders = holdersOf(model.resourceById.get(reason.resource));
      const name = resourceName(model, reason.resource);
      return holders.length > 0
        ? `waits for ${reason.kind} ${name} held by ${holders.map((id) => taskName(model, id)).join(', ')}`
        : `waits for ${reason.kind} ${name}, which nobody holds`;
    }
    case 'queue.get': {
      const name = resourceName(model, reason.resource);
      const producers = liveProducers(model, reason.resource);
      return producers.length > 0
        ? `waits on queue ${name} for ${producers.map((id) => taskName(model, id)).join(', ')}`
        : `waits on queue ${name}, which has no producer left`;
    }
    case 'queue.put':
      return `waits for room in queue ${resourceName(model, reason.resource)}`;
    case 'queue.join':
      return `waits for queue ${resourceName(model, reason.resource)} to be processed`;
    case 'event':
      return `waits for event ${resourceName(model, reason.resource)}, which nobody sets`;
    case 'condition':
      return `waits on condition ${resourceName(model, reason.resource)}, which nobody notifies`;
    case 'sleep':
      return `sleeps`;
    case 'future':
      return 'awaits a future nobody completes';
    case 'external':
      return 'awaits a promise that never settles';
    default:
      return assertNever(reason, 'suspend reason');
  }
}

/** The tasks a waiting task depends on, to follow the chain (lock holders and queue producers included). */
export function dependencies(model: TraceModel, reason: SuspendReason): number[] {
  switch (reason.kind) {
    case 'task':
      return [reason.target];
    case 'gather':
    case 'wait':
    case 'asCompleted':
      return reason.targets;
    case 'lock':
    case 'semaphore':
      return holdersOf(model.resourceById.get(reason.resource));
    case 'queue.get':
      return liveProducers(model, reason.resource);
    default:
      return [];
  }
}

/** When the runtime found a deadlock: the wait-for chain from the main task, ending in a cycle or a dead end. */
function deadlockChain(model: TraceModel): Finding[] {
  const found = model.warnings.find((w) => w.kind === 'deadlock');
  const root = main(model);
  if (found === undefined || root === undefined) return [];
  const steps: string[] = [];
  const related: number[] = [];
  const seen = new Set<number>();
  let task: TaskInfo | undefined = root;
  let cycle = false;
  let firstWait: Segment | undefined;
  while (task !== undefined) {
    if (seen.has(task.id)) {
      cycle = true;
      break;
    }
    seen.add(task.id);
    related.push(task.id);
    const seg = lastSegment(task);
    if (seg === undefined || seg.reason === undefined || task.endedAt !== undefined) break;
    firstWait ??= seg;
    steps.push(`${task.name} ${describeWait(model, seg.reason)}`);
    const next = dependencies(model, seg.reason).map((id) => model.taskById.get(id)).find((d) => d && d.endedAt === undefined);
    task = next;
  }
  if (steps.length === 0) return [];
  const chain = steps.join(' → ') + (cycle && task ? ` → back to ${task.name}: a cycle` : '');
  return [
    {
      kind: 'deadlock',
      task: root.id,
      site: firstWait?.site ?? null,
      message: `deadlock: ${chain}. Nothing can wake any of them, so the run was stopped.`,
    },
  ];
}

/**
 * A task that yields with sleep(0) many times in a row and does nothing else in between (a polling loop). On a real
 * clock, a step longer than BUSY_STEP_MS did some work; a run of yields is busy when, over its last `threshold`
 * yields (or all of them, if fewer), at most a fifth of the steps before them worked (a few may be the process being
 * descheduled). Judged over the last `threshold` yields, not since the run began: a slow start (code not yet
 * compiled, a loaded machine) does not hide the spinning that follows. It takes `threshold` yields, or on a real
 * clock BUSY_LOOP_MIN_YIELDS yields over BUSY_LOOP_MS: a loaded machine may leave the poller few turns.
 */
function busyLoops(model: TraceModel, threshold: number, timed: boolean): Finding[] {
  const findings: Finding[] = [];
  /** Whether the step before each of the run's last `threshold` yields worked (a ring). */
  const worked = new Uint8Array(threshold);
  const minYields = Math.min(threshold, BUSY_LOOP_MIN_YIELDS);
  for (const task of model.tasks) {
    let run = 0;
    /** Steps among the ring's that worked. */
    let working = 0;
    /** The step since the last yield took time. */
    let stepWorked = false;
    /** The run's first yield (its index in the task's segments). */
    let runFirst = 0;
    let site: SourceSite | null | undefined;
    const segments = task.segments;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg.state === 'running') {
        if (timed && seg.end - seg.start > BUSY_STEP_MS) stepWorked = true;
        continue;
      }
      const zeroSleep = isZeroSleep(seg);
      const sameSite = site === undefined || sameLine(seg.site, site);
      if (!zeroSleep || !sameSite) {
        run = working = 0;
        worked.fill(0);
      }
      if (!zeroSleep) {
        stepWorked = false;
        continue;
      }
      if (run === 0) runFirst = i;
      const slot = run % threshold;
      working += (stepWorked ? 1 : 0) - worked[slot];
      worked[slot] = stepWorked ? 1 : 0;
      stepWorked = false;
      run++;
      site = seg.site;
      const spun = seg.start - segments[runFirst].start;
      const enough = run >= threshold || (timed && run >= minYields && spun >= BUSY_LOOP_MS);
      if (enough && working <= Math.min(run, threshold) / 5) {
        findings.push(busyLoopFinding(task, runFirst, timed));
        break;
      }
    }
  }
  return findings;
}

/**
 * The finding for the busy loop of `task` whose first yield is its segment `first`: it counts the run's yields to its
 * end, where the task stopped polling (or ended).
 */
function busyLoopFinding(task: TaskInfo, first: number, timed: boolean): Finding {
  const segments = task.segments;
  const site = segments[first].site;
  let yields = 0;
  let last = first;
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.state === 'running') continue;
    const sameRun = isZeroSleep(seg) && sameLine(seg.site, site);
    if (!sameRun) break;
    yields++;
    last = i;
  }
  return {
    kind: 'busy-loop',
    task: task.id,
    site: site ?? null,
    message:
      `${task.name} yielded with sleep(0) ${yields} times in a row` +
      (timed ? ` over ${formatTime(segments[last].start - segments[first].start)}` : '') +
      ` from the same await, doing nothing in between: a busy loop that keeps the loop spinning. ` +
      `Wait for what it polls instead (an Event, a Queue, a Future).`,
  };
}

function isZeroSleep(seg: Segment): boolean {
  return seg.reason?.kind === 'sleep' && seg.reason.seconds === 0;
}

/** Both sites on the same line of the same file (or both missing). */
function sameLine(a: SourceSite | null | undefined, b: SourceSite | null | undefined): boolean {
  return a?.line === b?.line && a?.file === b?.file;
}

/** Queues left with items nobody can take, or with a getter nobody can serve. */
function orphanedQueues(model: TraceModel): Finding[] {
  if (model.runFinished === null) return [];
  const findings: Finding[] = [];
  for (const queue of model.resources) {
    if (queue.kind !== 'queue' && queue.kind !== 'priorityQueue' && queue.kind !== 'lifoQueue') continue;
    const stuckGetters = model.tasks.filter((task) => {
      const seg = lastSegment(task);
      return task.endedAt === undefined && seg?.reason?.kind === 'queue.get' && seg.reason.resource === queue.id;
    });
    if (stuckGetters.length > 0 && liveProducers(model, queue.id).length === 0) {
      for (const task of stuckGetters) {
        findings.push({
          kind: 'queue-orphaned',
          task: task.id,
          site: lastSegment(task)?.site ?? null,
          message: `${task.name} waits on ${queue.name}, but no task that could put into it is left: the get can never be served.`,
        });
      }
    }
    const left = itemsLeft(queue);
    if (left > 0 && liveConsumers(model, queue.id).length === 0) {
      findings.push({
        kind: 'queue-orphaned',
        site: queue.site,
        message: `${queue.name} still holds ${left} item${left === 1 ? '' : 's'} that no task is left to take.`,
      });
    }
  }
  return findings;
}

function itemsLeft(queue: ResourceInfo): number {
  let n = 0;
  for (const e of queue.events) {
    if (e.type === 'queue.put') n++;
    else if (e.type === 'queue.get') n--;
  }
  return n;
}

/** Unfinished tasks that have put into the queue. */
function liveProducers(model: TraceModel, queueId: number): number[] {
  return liveActors(model, queueId, 'queue.put');
}

function liveConsumers(model: TraceModel, queueId: number): number[] {
  const ids = new Set(liveActors(model, queueId, 'queue.get'));
  for (const task of model.tasks) {
    const seg = lastSegment(task);
    if (task.endedAt === undefined && seg?.reason?.kind === 'queue.get' && seg.reason.resource === queueId) ids.add(task.id);
  }
  return [...ids];
}

function liveActors(model: TraceModel, queueId: number, type: 'queue.put' | 'queue.get'): number[] {
  const queue = model.resourceById.get(queueId);
  if (queue === undefined) return [];
  const ids = new Set<number>();
  for (const e of queue.events) {
    if (e.type === type && e.task !== null && model.taskById.get(e.task)?.endedAt === undefined) ids.add(e.task);
  }
  return [...ids];
}

/** Tasks holding a lock or semaphore at the end of the trace. */
function holdersOf(resource: ResourceInfo | undefined): number[] {
  if (resource === undefined) return [];
  const held: number[] = [];
  for (const e of resource.events) {
    if (e.type === 'resource.acquired' && e.task !== null) held.push(e.task);
    else if (e.type === 'resource.released') {
      const i = e.task !== null && held.includes(e.task) ? held.indexOf(e.task) : 0;
      held.splice(i, 1);
    }
  }
  return held;
}

function taskName(model: TraceModel, id: number): string {
  return model.taskById.get(id)?.name ?? `Task #${id}`;
}

function resourceName(model: TraceModel, id: number): string {
  return model.resourceById.get(id)?.name ?? `resource #${id}`;
}
