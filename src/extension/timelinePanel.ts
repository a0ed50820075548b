/**
 * Hosts the swimlane timeline webview (its page lives in `src/webview/`, built to `dist/webview.js`). The page says
 * `ready`; the host answers with a `snapshot` of the trace so far, then batched `events` deltas (at most four a
 * second) while the program runs, and `finished` at the end. Events go in the columnar form of eventColumns.ts, at
 * most `BATCH_EVENTS` per message, one message per turn of the host's event loop, so the host stays responsive and the
 * page folds one piece while the next is posted. Pieces that are whole batches of the session's `EventStore` are sent
 * as stored (a loaded trace needs no encoding); the newest events are encoded as they are sent. Clicks in the page
 * come back as `openSite`, the time cursor as `cursorChanged`. When the bundle is missing, a script-free text page lists the tasks instead.
 *
 * The same class serves the standalone timeline (which follows the latest run) and the `.cotrace` editor (one trace).
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { SourceSite } from '../contract/trace';
import {
  HostToWebviewMessage,
  MessageType,
  WebviewToHostMessage,
} from '../protocol/webviewMessages';
import { TIMELINE_VIEW_TYPE } from './commands';
import { BATCH_EVENTS } from './pure/eventStore';
import { Throttle } from './pure/throttle';
import { TraceSession } from './pure/traceSession';
import { makeNonce, placeholderHtml, timelineHtml } from './pure/webviewHtml';

/** Deltas to the page: at most four batches a second. */
const EVENTS_INTERVAL_MS = 250;
/** Most events per message (a few MB to post; about 50 ms to encode when not stored encoded). */
const PIECE_EVENTS = BATCH_EVENTS;
/** The text placeholder is rebuilt at most once a second. */
const PLACEHOLDER_INTERVAL_MS = 1000;

export const NO_TASKS_MESSAGE =
  'No tasks were recorded: the program ran, but did not use the coroutine-trace runtime. ' +
  'See "Writing a traced program" in the README.';

export interface TimelineHost {
  openSite(site: SourceSite): void;
  cursorChanged(session: TraceSession, t: number | null): void;
  taskSelected(session: TraceSession, task: number): void;
  /** This panel became the active editor: its session should be the one the tree shows. */
  activated(session: TraceSession): void;
}

export class TimelinePanel implements vscode.Disposable {
  /** The standalone panel, if open. */
  private static standalone: TimelinePanel | undefined;

  private session: TraceSession | undefined;
  private sessionListener: vscode.Disposable | undefined;
  private ready = false;
  /** How many of the session's events the page has. */
  private sent = 0;
  private finishedSent = false;
  /** The page has this session's snapshot, so deltas apply. */
  private snapshotSent = false;
  /** The snapshot carried the model's lanes: `sent` counts the session's other events (`others`), not all of them. */
  private lanesSent = false;
  private pendingReveal: number | undefined;
  /** A timer that sends the next piece of a big trace. */
  private pieceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly eventsThrottle = new Throttle(() => this.sendDeltas(), EVENTS_INTERVAL_MS);
  private readonly placeholderThrottle = new Throttle(() => this.renderPlaceholder(), PLACEHOLDER_INTERVAL_MS);
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly onDisposeCallbacks: Array<() => void> = [];
  private emptyMessage: string | undefined;
  private wasVisible = true;

  /** Where the page's files are; `dist/webview.js` may not exist yet. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  /** Shows the standalone timeline with `session`, creating the panel when needed. */
  static showStandalone(
    extensionUri: vscode.Uri,
    host: TimelineHost,
    session: TraceSession | undefined,
    options: { preserveFocus?: boolean } = {},
  ): TimelinePanel {
    const existing = TimelinePanel.standalone;
    if (existing && !existing.disposed) {
      existing.panel.reveal(undefined, options.preserveFocus);
      existing.setSession(session);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_VIEW_TYPE,
      'Coroutine Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
      TimelinePanel.webviewOptions(extensionUri),
    );
    return TimelinePanel.adoptStandalone(panel, extensionUri, host, session);
  }

  /** Makes `panel` (new, or revived after a restart by the serializer) the standalone timeline. */
  static adoptStandalone(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    host: TimelineHost,
    session: TraceSession | undefined,
  ): TimelinePanel {
    TimelinePanel.standalone?.dispose();
    const timeline = new TimelinePanel(panel, extensionUri, host, session);
    TimelinePanel.standalone = timeline;
    timeline.onDispose(() => {
      if (TimelinePanel.standalone === timeline) TimelinePanel.standalone = undefined;
    });
    return timeline;
  }

  static get current(): TimelinePanel | undefined {
    return TimelinePanel.standalone;
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly host: TimelineHost,
    session: TraceSession | undefined,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'coroutine-trace.svg');
    panel.webview.options = TimelinePanel.webviewOptions(extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHostMessage) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        const visible = e.webviewPanel.visible;
        if (visible && !this.wasVisible && this.hasBundle()) {
          // A hidden webview loses its page; the reloaded page says `ready` and gets a snapshot then. Send one now
          // too, for a page that survived (a duplicate snapshot only replaces the same data).
          this.ready = true;
          this.sendSnapshot();
        } else if (!visible) {
          this.ready = false;
        }
        this.wasVisible = visible;
        if (e.webviewPanel.active && this.session) this.host.activated(this.session);
      }),
    );
    this.setSession(session);
  }

  get traceSession(): TraceSession | undefined {
    return this.session;
  }

  /** Switches the panel to another trace (the standalone panel follows new runs). */
  setSession(session: TraceSession | undefined): void {
    if (session === this.session && this.session !== undefined) return;
    this.sessionListener?.dispose();
    this.session = session;
    this.emptyMessage = undefined;
    const base = session?.program.split(/[\\/]/).pop();
    this.panel.title = base ? `Timeline: ${base}` : 'Coroutine Timeline';
    this.sessionListener = session?.onDidChange(() => this.sessionChanged());
    this.ready = false;
    this.loadPage();
  }

  /** Shows `message` instead of a trace (nothing to show yet, or the trace could not be read). */
  showMessage(message: string): void {
    this.emptyMessage = message;
    this.post({ type: MessageType.Empty, message });
    if (!this.hasBundle()) this.renderPlaceholder();
  }

  /** Scrolls to and highlights the task's lane. */
  revealTask(task: number): void {
    this.panel.reveal(undefined, false);
    if (this.ready) this.post({ type: MessageType.RevealTask, task });
    else this.pendingReveal = task;
  }

  /** Sets (or clears) the page's time cursor. */
  setCursor(t: number | null): void {
    this.post({ type: MessageType.Cursor, t });
  }

  onDispose(callback: () => void): void {
    this.onDisposeCallbacks.push(callback);
  }

  private hasBundle(): boolean {
    return fs.existsSync(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js').fsPath);
  }

  /** Sets the page's HTML; the page then says `ready`. */
  private loadPage(): void {
    if (this.disposed) return;
    const webview = this.panel.webview;
    if (!this.hasBundle()) {
      this.renderPlaceholder();
      return;
    }
    const cssFile = vscode.Uri.joinPath(this.extensionUri, 'media', 'timeline.css');
    const html = timelineHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: fs.existsSync(cssFile.fsPath) ? webview.asWebviewUri(cssFile).toString() : undefined,
      title: this.panel.title,
    });
    webview.html = html;
  }

  private renderPlaceholder(): void {
    if (this.disposed || this.hasBundle()) return;
    const session = this.session;
    const model = session?.model();
    let message = this.emptyMessage;
    if (!message && session?.hasNoTasks) message = NO_TASKS_MESSAGE;
    if (!message && session?.error) message = session.error;
    if (!message && !session) message = 'No trace yet: run a program with "Run with Coroutine Trace", or open a .cotrace file.';
    this.panel.webview.html = placeholderHtml({
      cspSource: this.panel.webview.cspSource,
      title: this.panel.title,
      model,
      live: session?.live,
      message,
    });
  }

  private receive(message: WebviewToHostMessage): void {
    switch (message.type) {
      case MessageType.Ready:
        this.ready = true;
        this.sendSnapshot();
        return;
      case MessageType.OpenSite:
        this.host.openSite(message.site);
        return;
      case MessageType.CursorChanged:
        if (this.session) this.host.cursorChanged(this.session, message.t);
        return;
      case MessageType.TaskSelected:
        if (this.session) this.host.taskSelected(this.session, message.task);
        return;
      default: {
        const unknown: never = message;
        console.warn('coroutine-trace: unknown message from the timeline', unknown);
      }
    }
  }

  /** The whole trace so far, or why there is none. */
  private sendSnapshot(): void {
    const session = this.session;
    this.eventsThrottle.cancel();
    this.cancelPieces();
    this.finishedSent = false;
    this.snapshotSent = false;
    this.sent = 0;
    this.lanesSent = false;
    if (!session || !session.header) {
      this.post({
        type: MessageType.Empty,
        message:
          this.emptyMessage ??
          session?.error ??
          (session ? 'Starting…' : 'No trace yet: run a program with "Run with Coroutine Trace", or open a .cotrace file.'),
      });
      return;
    }
    this.snapshotSent = true;
    if (this.endedInMessage(session)) return;
    if (session.loading && session.events.stored === 0) {
      // A trace file still being read: the first piece follows once it is read (`sessionChanged`).
      this.snapshotSent = false;
      this.post({ type: MessageType.Empty, message: 'Loading the trace…' });
      return;
    }
    const lanes = session.lanes;
    // A finished trace goes as its model's lanes and the other events, which is all the page then folds.
    this.lanesSent = lanes !== undefined;
    const first = Math.min(this.available(session), PIECE_EVENTS);
    if (lanes !== undefined) {
      this.post({ type: MessageType.Snapshot, header: session.header, events: session.others.encoded(0, first), live: false, lanes });
    } else {
      this.post({
        type: MessageType.Snapshot,
        header: session.header,
        events: session.events.encoded(0, first),
        live: session.live,
        loading: session.loading,
      });
    }
    this.sent = first;
    this.sendPieces();
    if (this.pendingReveal !== undefined) {
      this.post({ type: MessageType.RevealTask, task: this.pendingReveal });
      this.pendingReveal = undefined;
    }
  }

  /**
   * Sends what the page does not have yet, a piece per turn of the event loop, then `finished` if the run is over.
   * Messages keep their order, so a reveal or a cursor posted meanwhile applies to the trace as far as it was sent.
   */
  private sendPieces(): void {
    if (this.pieceTimer !== undefined) return;
    const session = this.session;
    if (!session || !this.ready || !this.snapshotSent || this.disposed) return;
    const available = this.available(session);
    if (this.sent < available) {
      const to = Math.min(available, this.sent + PIECE_EVENTS);
      const source = this.lanesSent ? session.others : session.events;
      this.post({ type: MessageType.Events, events: source.encoded(this.sent, to) });
      this.sent = to;
    }
    if (this.sent < available) {
      this.pieceTimer = setTimeout(() => {
        this.pieceTimer = undefined;
        this.sendPieces();
      }, 0);
      return;
    }
    if (!session.growing && !this.finishedSent) {
      this.post({ type: MessageType.Finished });
      this.finishedSent = true;
    }
  }

  /**
   * A finished session that shows a message instead of a timeline: no tasks were recorded, or the trace file turned
   * out unreadable part way (why is shown rather than what was read). Posts it and returns true.
   */
  private endedInMessage(session: TraceSession): boolean {
    const failed = session.origin === 'file' && !session.loading ? session.error : undefined;
    if (!session.hasNoTasks && failed === undefined) return false;
    this.sent = session.events.length;
    this.post({ type: MessageType.Empty, message: failed ?? NO_TASKS_MESSAGE });
    this.finishedSent = true;
    return true;
  }

  /**
   * Events that can be sent now: all of a run's; of a trace file still loading, only its whole stored batches, so
   * each piece is one of them as stored (the rest follows as it is read).
   */
  private available(session: TraceSession): number {
    if (this.lanesSent) return session.others.length;
    return session.loading ? session.events.stored : session.events.length;
  }

  private sessionChanged(): void {
    const session = this.session;
    if (!session) return;
    if (!this.hasBundle()) {
      if (session.growing) this.placeholderThrottle.schedule();
      else this.renderPlaceholder();
      return;
    }
    if (!this.ready) return;
    if (!this.snapshotSent) {
      // The page showed "Starting…" (no header yet), or the run failed before it began.
      if (session.header || !session.live) this.sendSnapshot();
      return;
    }
    if (session.live) {
      this.eventsThrottle.schedule();
      return;
    }
    if (this.finishedSent) return;
    if (this.endedInMessage(session)) return;
    // The rest of the events, then `finished`.
    this.sendPieces();
  }

  private sendDeltas(): void {
    this.sendPieces();
  }

  private cancelPieces(): void {
    if (this.pieceTimer !== undefined) clearTimeout(this.pieceTimer);
    this.pieceTimer = undefined;
  }

  private post(message: HostToWebviewMessage): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.eventsThrottle.dispose();
    this.placeholderThrottle.dispose();
    this.cancelPieces();
    this.sessionListener?.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    for (const callback of this.onDisposeCallbacks) callback();
  }
}
