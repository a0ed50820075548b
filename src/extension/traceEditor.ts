/**
 * The read-only editor for `.cotrace` files: opening one (from the Explorer, or with Open Trace File…) loads it into
 * a session exactly like a finished run, shows its timeline in the editor, and makes it the tree's trace while the
 * editor is active.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { TraceFormatError } from '../model/traceFileReader';
import { readSettings } from './config';
import { TraceLoadCancelled, TraceLoadOptions, loadTraceBytes } from './pure/traceLoader';
import { TraceSession } from './pure/traceSession';
import { TimelineHost, TimelinePanel } from './timelinePanel';

export class TraceDocument implements vscode.CustomDocument {
  /** What lives as long as the document (its warnings in the Problems panel). */
  private readonly owned: vscode.Disposable[] = [];

  constructor(
    readonly uri: vscode.Uri,
    readonly session: TraceSession | undefined,
    /** Why the file could not be read, when it could not. */
    readonly error: string | undefined,
    /** The user stopped the opening (the error says so; nothing went wrong). */
    readonly cancelled = false,
  ) {}

  own(disposable: vscode.Disposable): void {
    this.owned.push(disposable);
  }

  /** Closed: the file was read whole, so only what it showed goes. */
  dispose(): void {
    for (const d of this.owned.splice(0)) d.dispose();
  }
}

/** Files at least this big are opened with a progress notification that can cancel the opening. */
export const PROGRESS_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Reads and parses a trace file into a finished session, a slice at a time (`loadTraceBytes`): the extension host
 * keeps running meanwhile. Never throws: a bad file gives `error`.
 */
export async function loadTraceFile(
  uri: vscode.Uri,
  options: Pick<TraceLoadOptions, 'onProgress' | 'isCancelled'> = {},
): Promise<TraceDocument> {
  const name = path.basename(uri.fsPath || uri.path);
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    const reason = err instanceof vscode.FileSystemError ? err.code : err instanceof Error ? err.message : String(err);
    return new TraceDocument(uri, undefined, `Cannot read ${name}: ${reason}`);
  }
  try {
    const session = await loadTraceBytes(bytes, {
      ...options,
      tracePath: uri.scheme === 'file' ? uri.fsPath : undefined,
      maxEvents: readSettings(uri).maxEvents,
    });
    return new TraceDocument(uri, session, undefined);
  } catch (err) {
    if (err instanceof TraceLoadCancelled) return new TraceDocument(uri, undefined, `Opening ${name} was cancelled.`, true);
    const reason = err instanceof TraceFormatError || err instanceof Error ? err.message : String(err);
    return new TraceDocument(uri, undefined, `${name} is not a readable coroutine trace: ${reason}`);
  }
}

/**
 * `loadTraceFile`, with a progress notification (percent read, a Cancel button) when the file is big enough to take
 * a while.
 */
export async function loadTraceFileWithProgress(uri: vscode.Uri): Promise<TraceDocument> {
  let size = 0;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    // loadTraceFile says why it cannot be read.
  }
  if (size < PROGRESS_FILE_BYTES) return loadTraceFile(uri);
  const name = path.basename(uri.fsPath || uri.path);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Coroutine Trace: opening ${name}`, cancellable: true },
    (progress, token) => {
      let reported = 0;
      return loadTraceFile(uri, {
        isCancelled: () => token.isCancellationRequested,
        onProgress: (fraction) => {
          const percent = Math.floor(fraction * 100);
          if (percent > reported) progress.report({ increment: percent - reported, message: `${percent}%` });
          reported = Math.max(reported, percent);
        },
      });
    },
  );
}

export class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider<TraceDocument> {
  /** Open editors by document, so Reveal in Timeline can find the one showing a session. */
  private readonly panels = new Set<TimelinePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: TimelineHost,
    /** Shows an opened trace's warnings in the Problems panel until the returned disposable is disposed. */
    private readonly showWarnings?: (session: TraceSession) => vscode.Disposable,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<TraceDocument> {
    const document = await loadTraceFileWithProgress(uri);
    if (document.error && !document.cancelled) void vscode.window.showErrorMessage(`Coroutine Trace: ${document.error}`);
    if (document.session && this.showWarnings) document.own(this.showWarnings(document.session));
    return document;
  }

  resolveCustomEditor(document: TraceDocument, webviewPanel: vscode.WebviewPanel): void {
    const timeline = new TimelinePanel(webviewPanel, this.extensionUri, this.host, document.session);
    if (document.error) timeline.showMessage(document.error);
    this.panels.add(timeline);
    timeline.onDispose(() => this.panels.delete(timeline));
    if (document.session) this.host.activated(document.session);
  }

  /** The editor showing `session`, if one is open. */
  panelFor(session: TraceSession): TimelinePanel | undefined {
    for (const panel of this.panels) if (panel.traceSession === session) return panel;
    return undefined;
  }
}
