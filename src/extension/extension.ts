/**
 * Entry point of the extension host. Wires the run manager, the tree, the timeline panels, the `.cotrace` editor and
 * the commands; every registration is owned by `context.subscriptions`. Activation is lazy (the commands, the view
 * and the custom editor activate it).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import * as zlib from 'zlib';
import type { SourceSite } from '../contract/trace';
import { buildModel } from '../model/model';
import { parseTrace } from '../model/traceFileReader';
import { toChromeTrace } from '../model/chromeExport';
import { reportHtml } from '../report/reportHtml';
import { Command, HELP_ANCHOR, TIMELINE_VIEW_TYPE, TRACE_EDITOR_VIEW_TYPE, ViewId } from './commands';
import { openSite } from './navigation';
import { TraceSession } from './pure/traceSession';
import { RunManager } from './runManager';
import { SessionHub } from './sessionHub';
import { TaskTreeNode, TaskTreeProvider } from './taskTreeProvider';
import { TimelineHost, TimelinePanel } from './timelinePanel';
import { TraceEditorProvider, openTraceFile } from './traceEditor';
import { TraceStore } from './traceStore';
import { WarningDiagnostics } from './warningDiagnostics';

/** Workspace-state key: the trace the standalone timeline showed, to restore it after a restart. */
const TIMELINE_TRACE_KEY = 'coroutineTrace.timelineTrace';

/** What `activate` returns: used by the extension-host tests, not a public API. */
export interface CoroutineTraceApi {
  readonly hub: SessionHub;
  readonly runs: RunManager;
  readonly tree: TaskTreeProvider;
  /** The Problems panel's warnings. */
  readonly warnings: WarningDiagnostics;
  /** Runs a file; resolves with its session when the run has ended. */
  run(uri: vscode.Uri): Promise<TraceSession | undefined>;
  /** What the webview serializer does with a standalone timeline panel after a reload. */
  reviveTimeline(panel: vscode.WebviewPanel): Promise<void>;
  /** What Export… writes, without the pickers. */
  exportTrace(session: TraceSession, format: ExportFormat, target: vscode.Uri): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): CoroutineTraceApi {
  const hub = new SessionHub();
  const store = new TraceStore(context);
  const runs = new RunManager(hub, store);
  const tree = new TaskTreeProvider(hub);
  const treeView = vscode.window.createTreeView(ViewId.Tasks, { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(treeView);
  const warnings = new WarningDiagnostics();
  context.subscriptions.push(hub, runs, tree, treeView, warnings, tree.registerDecorations());

  const host: TimelineHost = {
    openSite: (site) => void openSite(site),
    cursorChanged: (session, t) => {
      if (hub.current !== session) hub.setCurrent(session);
      tree.setCursor(t ?? undefined);
    },
    taskSelected: (session, task) => {
      if (hub.current !== session) hub.setCurrent(session);
      void tree.revealTask(task);
    },
    activated: (session) => hub.setCurrent(session),
  };
  const editors = new TraceEditorProvider(context.extensionUri, host, (session) => warnings.trackTrace(session));

  /** Shows the standalone timeline for `session` and remembers its trace for the next window. */
  const showTimeline = (session: TraceSession | undefined, preserveFocus: boolean): TimelinePanel => {
    const existing = session ? editors.panelFor(session) : undefined;
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = TimelinePanel.showStandalone(context.extensionUri, host, session, { preserveFocus });
    void context.workspaceState.update(TIMELINE_TRACE_KEY, session?.tracePath);
    return panel;
  };

  /**
   * The standalone timeline, revived after a reload or a restart (the webview serializer): it shows the trace it
   * showed, read back from its file, and that trace's warnings go back into the Problems panel as after a fresh run
   * (until the program runs again).
   */
  const reviveTimeline = async (panel: vscode.WebviewPanel): Promise<void> => {
    const tracePath = context.workspaceState.get<string>(TIMELINE_TRACE_KEY);
    let session: TraceSession | undefined;
    let error: string | undefined;
    if (tracePath && fs.existsSync(tracePath)) {
      const document = await openTraceFile(vscode.Uri.file(tracePath), true);
      // A file that became unreadable shows why, not what could be read of it.
      session = document.error === undefined ? document.session : undefined;
      error = document.error;
    } else if (tracePath) {
      error = `The trace this timeline showed (${tracePath}) no longer exists.`;
    }
    const timeline = TimelinePanel.adoptStandalone(panel, context.extensionUri, host, session);
    if (error) timeline.showMessage(error);
    if (session) {
      // Not tied to the panel: a run's problems stay when its timeline is closed. (trackTrace, not trackRun, so a
      // .cotrace editor of the same program restored first keeps its own.)
      warnings.trackTrace(session);
      if (!hub.current) hub.setCurrent(session);
    }
  };

  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(TRACE_EDITOR_VIEW_TYPE, editors, {
      supportsMultipleEditorsPerDocument: false,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, { deserializeWebviewPanel: (panel) => reviveTimeline(panel) }),
    // A new run replaces what the standalone timeline shows, and opens it beside the editor; its warnings replace
    // those of the program's earlier runs in the Problems panel.
    runs.onDidStartRun((session) => {
      warnings.trackRun(session);
      showTimeline(session, true);
      void vscode.commands.executeCommand(`${ViewId.Tasks}.focus`).then(undefined, () => undefined);
    }),
  );

  const sessionForCommands = (): TraceSession | undefined => tree.currentSession ?? hub.current;

  const register = (id: Command, fn: (...args: any[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  register(Command.Run, (uri?: vscode.Uri) => {
    void runs.run(uri instanceof vscode.Uri ? uri : undefined);
  });
  register(Command.RunAgain, () => {
    const session = sessionForCommands();
    if (!session) return vscode.commands.executeCommand(Command.Run);
    void runs.run(vscode.Uri.file(session.program));
  });
  register(Command.Stop, (sessionId?: number) => runs.stop(typeof sessionId === 'number' ? sessionId : undefined));
  register(Command.OpenTimeline, () => {
    showTimeline(sessionForCommands(), false);
  });
  register(Command.OpenTraceFile, async () => {
    const session = sessionForCommands();
    const defaultUri = session?.tracePath ? vscode.Uri.file(path.dirname(session.tracePath)) : undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri,
      filters: { 'Coroutine traces': ['cotrace'], 'All files': ['*'] },
      openLabel: 'Open Trace',
    });
    if (picked?.[0]) await vscode.commands.executeCommand('vscode.openWith', picked[0], TRACE_EDITOR_VIEW_TYPE);
  });
  register(Command.Export, () => exportTrace(sessionForCommands(), context.extensionUri));
  register(Command.OpenSite, (site?: SourceSite) => (site ? openSite(site) : undefined));
  register(Command.GoToCreationSite, (node?: TaskTreeNode) => {
    const site = tree.creationSite(node);
    if (site) return openSite(site);
    void vscode.window.showInformationMessage('Coroutine Trace: the trace has no creation site for this task.');
  });
  register(Command.GoToCurrentAwait, (node?: TaskTreeNode) => {
    const site = tree.currentAwait(node);
    if (site) return openSite(site);
    void vscode.window.showInformationMessage('Coroutine Trace: this task has not stopped at an await (yet).');
  });
  register(Command.RevealInTimeline, (node?: TaskTreeNode) => {
    const task = tree.taskOf(node);
    const timeline = showTimeline(sessionForCommands(), false);
    if (task) timeline.revealTask(task.id);
  });
  register(Command.CopyTaskName, async (node?: TaskTreeNode) => {
    const task = tree.taskOf(node);
    if (task) await vscode.env.clipboard.writeText(task.name);
  });
  register(Command.ClearTimeCursor, () => {
    tree.setCursor(undefined);
    const session = sessionForCommands();
    (session ? editors.panelFor(session) : undefined)?.setCursor(null);
    TimelinePanel.current?.setCursor(null);
  });
  // With an anchor (the Problems panel's links to a warning kind), that section of the README.
  register(Command.ShowHelp, (anchor?: unknown) => showHelp(context.extensionUri, typeof anchor === 'string' && /^[\w-]+$/.test(anchor) ? anchor : HELP_ANCHOR));

  return {
    hub,
    runs,
    tree,
    warnings,
    run: (uri) => runs.run(uri),
    reviveTimeline,
    exportTrace: (session, format, target) => writeExport(session, format, target, context.extensionUri),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (running programs are stopped by RunManager.dispose).
}

async function exportTrace(session: TraceSession | undefined, extensionUri: vscode.Uri): Promise<void> {
  const model = session?.model();
  if (!session || !model || !session.header) {
    void vscode.window.showInformationMessage('Coroutine Trace: no trace to export. Run a program or open a trace file first.');
    return;
  }
  if (session.live) {
    void vscode.window.showInformationMessage('Coroutine Trace: the program is still running; export its trace once it has ended.');
    return;
  }
  if (session.loading) {
    void vscode.window.showInformationMessage('Coroutine Trace: the trace file is still being read; export it once it is open.');
    return;
  }
  const webviewJs = vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js');
  const hasTimeline = fs.existsSync(webviewJs.fsPath);
  const chrome = { label: 'Perfetto / Chrome trace (JSON)', detail: 'For ui.perfetto.dev or chrome://tracing.', ext: 'json' };
  const html = {
    label: 'HTML report',
    detail: hasTimeline ? 'One self-contained page with the timeline; opens in any browser, offline.' : 'Needs the timeline bundle (dist/webview.js), which this build lacks.',
    ext: 'html',
  };
  const pick = await vscode.window.showQuickPick([chrome, html], { placeHolder: 'Export the trace as…' });
  if (!pick) return;
  if (pick === html && !hasTimeline) {
    void vscode.window.showErrorMessage('Coroutine Trace: cannot write the HTML report: dist/webview.js is missing from this build.');
    return;
  }
  const base = path.basename(session.tracePath ?? session.program).replace(/\.(cotrace|[cm]?[jt]sx?)$/, '');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(session.program);
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(path.join(folder, `${base}.${pick.ext}`)),
    filters: pick === html ? { 'HTML report': ['html'] } : { 'Trace JSON': ['json'] },
    saveLabel: 'Export',
  });
  if (!target) return;
  try {
    await writeExport(session, pick === html ? 'html' : 'chrome', target, extensionUri);
  } catch (err) {
    void vscode.window.showErrorMessage(`Coroutine Trace: cannot write ${target.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  void vscode.window.showInformationMessage(`Coroutine Trace: exported ${path.basename(target.fsPath)}.`);
}

export type ExportFormat = 'chrome' | 'html';

/** Writes a finished session as Chrome/Perfetto JSON or as the standalone HTML report. */
export async function writeExport(session: TraceSession, format: ExportFormat, target: vscode.Uri, extensionUri: vscode.Uri): Promise<void> {
  const model = session.model();
  if (!session.header || !model) throw new Error('the session has no trace yet');
  // The views may hold only the first coroutineTrace.maxEvents events; the file has them all.
  const whole = session.omittedEvents > 0 && session.tracePath !== undefined && fs.existsSync(session.tracePath);
  const trace = whole
    ? parseTrace(fs.readFileSync(session.tracePath!, 'utf8'))
    : { header: session.header, events: session.events.slice(), truncated: session.truncated || !model.runFinished };
  let text: string;
  if (format === 'html') {
    const js = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')));
    // A session's own events come folded already (its lanes, made when it finished): no second fold of the trace.
    const lanes = whole ? undefined : session.lanes;
    text = reportHtml(trace, js, {
      gzip: (bytes) => zlib.gzipSync(bytes),
      folded: lanes === undefined ? undefined : { lanes, others: session.others.slice() },
    });
  } else {
    text = JSON.stringify(toChromeTrace(whole ? buildModel(trace.header, trace.events) : model));
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
}

/** Opens a section of the README (by default "Writing a traced program") in the Markdown preview. */
async function showHelp(extensionUri: vscode.Uri, anchor: string): Promise<void> {
  const readme = vscode.Uri.joinPath(extensionUri, 'README.md');
  try {
    await vscode.workspace.fs.stat(readme);
  } catch {
    void vscode.window.showInformationMessage(
      'Coroutine Trace: import the runtime (`import * as asyncio from "coroutine-trace"`) and start your program with `asyncio.run(main())`: only tasks of that runtime are recorded.',
    );
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', readme.with({ fragment: anchor }));
}
