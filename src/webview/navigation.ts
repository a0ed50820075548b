/**
 * Keyboard navigation along a lane: every segment, output write, warning and the end marker of a task, in time order,
 * so `[` and `]` can step through all of them and Enter can open each one's site. Pure.
 */
import type { TaskInfo } from '../model/model';
import { NOT_DRAWN, segmentCategory } from './categories';
import type { Hit } from './hitTest';
import type { TaskMarks } from './session';

export type LaneItem =
  | { kind: 'segment'; index: number; t: number }
  | { kind: 'output'; index: number; t: number }
  | { kind: 'warning'; index: number; t: number }
  | { kind: 'end'; t: number };

const ORDER: Record<LaneItem['kind'], number> = { segment: 0, output: 1, warning: 2, end: 3 };

export function laneItems(task: TaskInfo, marks: TaskMarks | undefined): LaneItem[] {
  const items: LaneItem[] = [];
  task.segments.forEach((s, index) => {
    if (segmentCategory(s) !== NOT_DRAWN) items.push({ kind: 'segment', index, t: s.start });
  });
  marks?.output.forEach((e, index) => items.push({ kind: 'output', index, t: e.t }));
  marks?.warnings.forEach((e, index) => items.push({ kind: 'warning', index, t: e.t }));
  if (task.end) items.push({ kind: 'end', t: task.end.t });
  // Stable sort: at equal times, segments (in their order) come before the marks.
  return items.sort((a, b) => a.t - b.t || ORDER[a.kind] - ORDER[b.kind]);
}

export function sameItem(a: LaneItem, b: LaneItem): boolean {
  return a.kind === b.kind && (a.kind === 'end' || (b.kind !== 'end' && a.index === b.index));
}

/** The item after (`step` 1) or before (-1) `current`; the first or last when there is no current item. */
export function stepItem(items: readonly LaneItem[], current: LaneItem | null, step: 1 | -1): LaneItem | null {
  if (items.length === 0) return null;
  if (!current) return step > 0 ? items[0] : items[items.length - 1];
  const i = items.findIndex((item) => sameItem(item, current));
  if (i < 0) return step > 0 ? items[0] : items[items.length - 1];
  const j = Math.max(0, Math.min(items.length - 1, i + step));
  return items[j];
}

/** The item nearest time `t` (what the keyboard starts from after the view moved). */
export function itemAt(items: readonly LaneItem[], t: number): LaneItem | null {
  let best: LaneItem | null = null;
  for (const item of items) {
    if (item.t <= t) best = item;
    else break;
  }
  return best ?? items[0] ?? null;
}

/** The hit an item stands for (for the tooltip, the announcement and Enter). */
export function itemHit(row: number, task: TaskInfo, marks: TaskMarks | undefined, item: LaneItem): Hit {
  switch (item.kind) {
    case 'segment':
      return { kind: 'segment', row, task, index: item.index, segment: task.segments[item.index] };
    case 'output':
      return { kind: 'output', row, task, events: [marks!.output[item.index]] };
    case 'warning':
      return { kind: 'warning', row, task, events: [marks!.warnings[item.index]] };
    case 'end':
      return { kind: 'end', row, task };
  }
}

/** The time span an item covers, to scroll it into view. */
export function itemSpan(task: TaskInfo, item: LaneItem): [number, number] {
  if (item.kind === 'segment') {
    const s = task.segments[item.index];
    return [s.start, s.end];
  }
  return [item.t, item.t];
}
