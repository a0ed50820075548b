/**
 * The wait-for arrows of a deadlock: when the trace reports one, every task still waiting points at each task it
 * waits for (the tasks it awaits, the holders of the lock it wants, the producers of the queue it reads), at the time
 * the deadlock was found. A cycle among them is the deadlock. Pure; the renderer draws them in the warning colour.
 */
import { dependencies, describeWait } from '../model/diagnostics';
import type { TaskInfo, TraceModel } from '../model/model';

export interface WaitForArrow {
  from: number;
  to: number;
  /** When the deadlock was found. */
  t: number;
  /** `a-to-b waits for lock ledger held by b-to-a`. */
  what: string;
}

/** The arrows of the last deadlock the trace reports; none when it reports none. */
export function deadlockArrows(model: TraceModel): WaitForArrow[] {
  let t: number | undefined;
  for (const w of model.warnings) if (w.kind === 'deadlock') t = w.t;
  if (t === undefined) return [];
  const arrows: WaitForArrow[] = [];
  for (const task of model.tasks) {
    const reason = stuckOn(task);
    if (!reason) continue;
    const what = `${task.name} ${describeWait(model, reason)}`;
    for (const to of dependencies(model, reason)) {
      if (to === task.id || model.taskById.get(to)?.endedAt !== undefined) continue;
      arrows.push({ from: task.id, to, t, what });
    }
  }
  return arrows;
}

/** What an unfinished task waits on at the end of the trace. */
function stuckOn(task: TaskInfo) {
  if (task.endedAt !== undefined) return undefined;
  const last = task.segments[task.segments.length - 1];
  return last && (last.state === 'waiting' || last.state === 'sleeping') ? last.reason : undefined;
}
