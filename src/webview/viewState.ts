/**
 * What the timeline remembers across a hidden panel, a reload of the webview and a restart of VS Code (through
 * `vscode.setState`): zoom and pan, filter, collapsed lanes, arrow toggles. Read back defensively: the state may come
 * from an older version of the webview. Pure.
 */
import type { TaskState } from '../model/model';
import { TASK_STATES } from '../model/model';
import { NO_FILTER, TaskFilter } from './layout';
import { ALL_ARROWS, ARROW_KINDS, ArrowToggles } from './scene';
import type { ViewMode } from './viewport';

export const VIEW_STATE_VERSION = 1;

export interface ViewState {
  version: typeof VIEW_STATE_VERSION;
  /** The trace the zoom, pan, cursor and collapsed lanes belong to (`TraceSession.traceKey`). */
  traceKey: string;
  view: { start: number; pxPerMs: number; mode: ViewMode } | null;
  scrollTop: number;
  cursor: number | null;
  collapsed: number[];
  focusedTask: number | null;
  /** These apply to any trace. */
  filter: TaskFilter;
  arrows: ArrowToggles;
  showResources: boolean;
  showTable: boolean;
}

export function defaultViewState(): ViewState {
  return {
    version: VIEW_STATE_VERSION,
    traceKey: '',
    view: null,
    scrollTop: 0,
    cursor: null,
    collapsed: [],
    focusedTask: null,
    filter: { ...NO_FILTER, states: [] },
    arrows: { ...ALL_ARROWS },
    showResources: true,
    showTable: false,
  };
}

/** A valid state from whatever `getState()` returned (undefined, an older shape, garbage). */
export function sanitizeViewState(raw: unknown): ViewState {
  const state = defaultViewState();
  if (!isObject(raw) || raw.version !== VIEW_STATE_VERSION) return state;
  if (typeof raw.traceKey === 'string') state.traceKey = raw.traceKey;
  const view = raw.view;
  if (
    isObject(view) &&
    isFiniteNumber(view.start) &&
    isFiniteNumber(view.pxPerMs) &&
    view.pxPerMs > 0 &&
    (view.mode === 'fit' || view.mode === 'follow' || view.mode === 'free')
  ) {
    state.view = { start: view.start, pxPerMs: view.pxPerMs, mode: view.mode };
  }
  if (isFiniteNumber(raw.scrollTop) && raw.scrollTop >= 0) state.scrollTop = raw.scrollTop;
  if (isFiniteNumber(raw.cursor)) state.cursor = raw.cursor;
  if (Array.isArray(raw.collapsed)) state.collapsed = raw.collapsed.filter(isId);
  if (isId(raw.focusedTask)) state.focusedTask = raw.focusedTask;
  const filter = raw.filter;
  if (isObject(filter)) {
    if (typeof filter.text === 'string') state.filter.text = filter.text.slice(0, 500);
    if (Array.isArray(filter.states)) {
      state.filter.states = filter.states.filter((s): s is TaskState => TASK_STATES.includes(s as TaskState));
    }
    if (typeof filter.hideFinished === 'boolean') state.filter.hideFinished = filter.hideFinished;
  }
  const arrows = raw.arrows;
  if (isObject(arrows)) {
    for (const kind of ARROW_KINDS) {
      if (typeof arrows[kind] === 'boolean') state.arrows[kind] = arrows[kind] as boolean;
    }
  }
  if (typeof raw.showResources === 'boolean') state.showResources = raw.showResources;
  if (typeof raw.showTable === 'boolean') state.showTable = raw.showTable;
  return state;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
