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
  /** The trace, once its header is read (it may still be loading: `session.loading`). */
  session: TraceSession | undefined;
  /** Why the file could not be read, when it could not. */
  error: string | undefined;
  /** The user stopped the opening (the error says so; nothing went wrong). */
  cancelled = false;
  /** Settles once the file is read whole, or could not be (then `error` says why). Never rejects. */
  loaded: Promise<void> = Promise.resolve();
  /** Closed: a load still under way stops at its next slice. */
  disposed = false;
  /** What lives as long as the document (its warnings in the Problems panel). */
  private readonly owned: vscode.Disposable[] = [];

  constructor(readonly uri: vscode.Uri) {}

  own(disposable: vscode.Disposable): void {
    this.owned.push(disposable);
  }

  /** Closed: what it showed goes, and the file stops loading if it still was. */
  dispose(): void {
    this.disposed = true;
    for (const d of this.owned.splice(0)) d.dispose();
  }
}

/** Files at least this big are opened with a progress notification that can cancel the opening. */
export const PROGRESS_FILE_BYTES = 8 * 1024 * 1024;

type LoadOptions = Pick<TraceLoadOptions, 'onProgress' | 'isCancelled'>;

/**
 * Starts reading and parsing a trace file a slice at a time (`loadTraceBytes`): the extension host keeps running
 * meanwhile. The document gets its session as soon as the header is read, and `opened` resolves then (or when the
 * load ends without one), so the trace can be shown while it fills; `document.loaded` settles at the end. A file that
 * cannot be read gives `error` (and a session that had started is finished with it).
 */
function startLoading(uri: vscode.Uri, options: LoadOptions): { document: TraceDocument; opened: Promise<void> } {
  const document = new TraceDocument(uri);
  const name = path.basename(uri.fsPath || uri.path);
  let resolveOpened!: () => void;
  const opened = new Promise<void>((resolve) => (resolveOpened = resolve));
  const fail = (error: string, cancelled = false): void => {
    document.error = error;
    document.cancelled = cancelled;
    document.session?.finish(error);
  };
  document.loaded = (async (): Promise<void> => {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (err) {
      const reason = err instanceof vscode.FileSystemError ? err.code : err instanceof Error ? err.message : String(err);
      return fail(`Cannot read ${name}: ${reason}`);
    }
    try {
      await loadTraceBytes(bytes, {
        ...options,
        isCancelled: () => document.disposed || (options.isCancelled?.() ?? false),
        tracePath: uri.scheme === 'file' ? uri.fsPath : undefined,
        maxEvents: readSettings(uri).maxEvents,
        onSession: (session) => {
          document.session = session;
          resolveOpened();
        },
      });
    } catch (err) {
      if (err instanceof TraceLoadCancelled) return fail(`Opening ${name} was cancelled.`, true);
      const reason = err instanceof TraceFormatError || err instanceof Error ? err.message : String(err);
      return fail(`${name} is not a readable coroutine trace: ${reason}`);
    }
  })().finally(resolveOpened);
  return { document, opened };
}

/**
 * Opens a trace file with a progress notification (percent read, a Cancel button) when it is big enough to take a
 * while. Resolves once the document has its session (its header is read) or the load has ended: with
 * `whole`, only once the file is read whole.
 */
export async function openTraceFile(uri: vscode.Uri, whole = false): Promise<TraceDocument> {
  let size = 0;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    // The load says why it cannot be read.
  }
  // A big file's notification lasts as long as its load; its Cancel button and percentage are wired in when it shows.
  let token: vscode.CancellationToken | undefined;
  let report: ((percent: number) => void) | undefined;
  const started = startLoading(uri, {
    isCancelled: () => token?.isCancellationRequested ?? false,
    onProgress: (fraction) => report?.(Math.floor(fraction * 100)),
  });
  if (size >= PROGRESS_FILE_BYTES) {
    const name = path.basename(uri.fsPath || uri.path);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Coroutine Trace: opening ${name}`, cancellable: true },
      (progress, cancellation) => {
        token = cancellation;
        let reported = 0;
        report = (percent) => {
          if (percent > reported) progress.report({ increment: percent - reported, message: `${percent}%` });
          reported = Math.max(reported, percent);
        };
        return started.document.loaded;
      },
    );
  }
  await (whole ? started.document.loaded : started.opened);
  return started.document;
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

  /**
   * Opens the editor as soon as the trace's header is read: the timeline and the tree fill while the rest loads (a
   * million events take seconds to parse). A file that turns out unreadable part way shows why instead.
   */
  async openCustomDocument(uri: vscode.Uri): Promise<TraceDocument> {
    const document = await openTraceFile(uri);
    void document.loaded.then(() => {
      // The editor shows why too: its timeline, through the session finished with the error (or, when the file had
      // no header, resolveCustomEditor).
      if (document.error && !document.cancelled) void vscode.window.showErrorMessage(`Coroutine Trace: ${document.error}`);
    });
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
