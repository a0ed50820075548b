/**
 * Typed messages between the extension host and the timeline webview (and the standalone HTML report, which plays
 * the host's part itself). The webview says `ready`; the host answers with a `snapshot` of the whole trace so far,
 * then sends `events` deltas while the program runs, and `finished` at the end. The webview never opens files: it
 * asks the host with `openSite`. Pure types: imported by both sides.
 *
 * Events travel in the columnar form of eventColumns.ts (a typed array and a short JSON text), never as arrays of
 * event objects: those cost seconds to clone for a big trace. A host may split a big snapshot into a `snapshot` with
 * the first events and `events` messages with the rest (the webview starts folding while the host still encodes).
 */
import type { SourceSite, TraceHeader } from '../contract/trace';
import type { EventColumns } from './eventColumns';
import type { ModelLanes } from '../model/modelLanes';

export const enum MessageType {
  // host → webview
  Snapshot = 'snapshot',
  Events = 'events',
  Finished = 'finished',
  Cursor = 'cursor',
  RevealTask = 'revealTask',
  Empty = 'empty',
  // webview → host
  Ready = 'ready',
  OpenSite = 'openSite',
  CursorChanged = 'cursorChanged',
  TaskSelected = 'taskSelected',
}

/** The whole trace so far. Replaces whatever the webview showed. */
export interface SnapshotMessage {
  type: MessageType.Snapshot;
  header: TraceHeader;
  events: EventColumns;
  /** True while the program still runs (more `events` will follow). */
  live: boolean;
  /**
   * A finished run whose trace file is still being read: more `events` follow, as they are read, then `finished`.
   * The webview waits for `finished` before it takes the trace as loaded, however long the pauses between them.
   */
  loading?: boolean;
  /**
   * A finished trace's tasks and lanes as the host's model holds them (src/model/modelLanes.ts): `events` and the
   * `events` messages after it then hold only the events that are not about a task's life, and the webview folds
   * just those. Only with `live` false and no `loading`.
   */
  lanes?: ModelLanes;
}

/** Events appended to the trace, in order. */
export interface EventsMessage {
  type: MessageType.Events;
  events: EventColumns;
}

export interface FinishedMessage {
  type: MessageType.Finished;
}

/** Set (or clear, with `null`) the time cursor, e.g. from the tree view. */
export interface CursorMessage {
  type: MessageType.Cursor;
  t: number | null;
}

/** Scroll the lane of `task` into view and highlight it. */
export interface RevealTaskMessage {
  type: MessageType.RevealTask;
  task: number;
}

/** Nothing to show: `message` says why (no trace yet, no tasks recorded). */
export interface EmptyMessage {
  type: MessageType.Empty;
  message: string;
}

export type HostToWebviewMessage =
  | SnapshotMessage
  | EventsMessage
  | FinishedMessage
  | CursorMessage
  | RevealTaskMessage
  | EmptyMessage;

export interface ReadyMessage {
  type: MessageType.Ready;
}

/** The user clicked something that has a source site: the host opens the editor there. */
export interface OpenSiteMessage {
  type: MessageType.OpenSite;
  site: SourceSite;
}

/** The user set or moved the time cursor (`null`: removed it). The tree view shows the states at that instant. */
export interface CursorChangedMessage {
  type: MessageType.CursorChanged;
  t: number | null;
}

export interface TaskSelectedMessage {
  type: MessageType.TaskSelected;
  task: number;
}

export type WebviewToHostMessage = ReadyMessage | OpenSiteMessage | CursorChangedMessage | TaskSelectedMessage;
