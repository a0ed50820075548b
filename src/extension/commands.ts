/**
 * Every command, view, context key and setting id the extension contributes, in one place. `package.json` declares
 * the same ids; the extension-host tests check that each declared command is registered.
 */
export const enum Command {
  Run = 'coroutineTrace.run',
  RunAgain = 'coroutineTrace.runAgain',
  Stop = 'coroutineTrace.stop',
  OpenTimeline = 'coroutineTrace.openTimeline',
  OpenTraceFile = 'coroutineTrace.openTraceFile',
  Export = 'coroutineTrace.export',
  GoToCreationSite = 'coroutineTrace.goToCreationSite',
  GoToCurrentAwait = 'coroutineTrace.goToCurrentAwait',
  RevealInTimeline = 'coroutineTrace.revealInTimeline',
  CopyTaskName = 'coroutineTrace.copyTaskName',
  ClearTimeCursor = 'coroutineTrace.clearTimeCursor',
  /** Opens a source site (tree item clicks); not in the palette. */
  OpenSite = 'coroutineTrace.openSite',
  /** Opens the README's "Writing a traced program" section. */
  ShowHelp = 'coroutineTrace.showHelp',
}

export const ALL_COMMANDS: readonly Command[] = [
  Command.Run,
  Command.RunAgain,
  Command.Stop,
  Command.OpenTimeline,
  Command.OpenTraceFile,
  Command.Export,
  Command.GoToCreationSite,
  Command.GoToCurrentAwait,
  Command.RevealInTimeline,
  Command.CopyTaskName,
  Command.ClearTimeCursor,
  Command.OpenSite,
  Command.ShowHelp,
];

export const enum ViewId {
  Container = 'coroutineTrace',
  Tasks = 'coroutineTrace.tasks',
}

/** The timeline webview panel (also the serializer's view type). */
export const TIMELINE_VIEW_TYPE = 'coroutineTrace.timeline';
/** The read-only custom editor for `.cotrace` files. */
export const TRACE_EDITOR_VIEW_TYPE = 'coroutineTrace.traceViewer';

export const enum ContextKey {
  /** True while any program runs. */
  Running = 'coroutineTrace.running',
  /** What the tree has: `none` (no trace yet), `tasks`, `noTasks` (the run recorded none), `error`. */
  TreeContent = 'coroutineTrace.treeContent',
  /** True while a time cursor from the timeline is applied to the tree. */
  CursorSet = 'coroutineTrace.cursorSet',
  /** True when the tree shows a trace (so Run Again / Export apply). */
  HasTrace = 'coroutineTrace.hasTrace',
}

export const enum Setting {
  Section = 'coroutineTrace',
  NodePath = 'nodePath',
  Args = 'args',
  Env = 'env',
  VirtualClock = 'virtualClock',
  TraceDirectory = 'traceDirectory',
  KeepRuns = 'keepRuns',
  MaxEvents = 'maxEvents',
  SlowStepMs = 'slowStepMs',
}

/** The README section the "no tasks recorded" message links to. */
export const HELP_ANCHOR = 'writing-a-traced-program';
