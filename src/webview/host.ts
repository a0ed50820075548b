/**
 * Who the timeline talks to. Inside VS Code: the extension host, through `acquireVsCodeApi()` (messages, and
 * `setState` to survive a hidden panel or a restart). Inside the standalone report: a small adapter that plays the
 * host's part with the trace embedded in the page, and shows `file:line` where VS Code would open an editor.
 */
import type { TraceEvent, TraceHeader } from '../contract/trace';
import { CompactEvents, decodeEvents } from '../report/compactTrace';
import { HostToWebviewMessage, MessageType, WebviewToHostMessage } from '../protocol/webviewMessages';

export interface WebviewHost {
  /** `vscode`: sites open in the editor. `report`: there is no editor; the timeline shows the site instead. */
  readonly kind: 'vscode' | 'report';
  post(message: WebviewToHostMessage): void;
  /** Starts delivering host messages (call after the view is ready for them, then post `ready`). */
  listen(handler: (message: HostToWebviewMessage) => void): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The object VS Code injects into webviews. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

/** The id of the `<script type="application/json">` element the report embeds its trace in. */
export const REPORT_DATA_ELEMENT_ID = 'coroutine-trace-data';

/** The report's trace: the header and every event (decoded from the embedded compact form). */
export interface ReportData {
  header: TraceHeader;
  events: TraceEvent[];
  /** Set when the trace file had no `run.finished` (the program was killed or is still running). */
  truncated?: boolean;
}

/** What the report embeds (see src/report/reportHtml.ts): the events as plain objects or in compact form. */
interface EmbeddedReportData {
  header: TraceHeader;
  events?: TraceEvent[];
  compact?: CompactEvents;
  truncated?: boolean;
}

export class VsCodeHost implements WebviewHost {
  readonly kind = 'vscode';
  constructor(private readonly api: VsCodeApi) {}
  post(message: WebviewToHostMessage): void {
    this.api.postMessage(message);
  }
  listen(handler: (message: HostToWebviewMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as HostToWebviewMessage | undefined;
      if (data && typeof data === 'object' && typeof data.type === 'string') handler(data);
    });
  }
  getState(): unknown {
    return this.api.getState();
  }
  setState(state: unknown): void {
    this.api.setState(state);
  }
}

/** Plays the extension host for the standalone report. */
export class ReportHost implements WebviewHost {
  readonly kind = 'report';
  private handler: ((message: HostToWebviewMessage) => void) | null = null;
  private state: unknown;
  private readonly storageKey: string;

  constructor(private readonly data: ReportData) {
    this.storageKey = `coroutine-trace:${data.header.program}:${data.header.startedAt}`;
    try {
      const saved = window.localStorage?.getItem(this.storageKey);
      this.state = saved ? JSON.parse(saved) : undefined;
    } catch {
      // Storage can be unavailable (file:// in some browsers, privacy settings): state then lasts for the page.
      this.state = undefined;
    }
  }

  post(message: WebviewToHostMessage): void {
    switch (message.type) {
      case MessageType.Ready:
        // Asynchronously, as a real host would answer. The page says `ready` once; the events are not kept twice.
        queueMicrotask(() => {
          const events = this.data.events;
          this.data.events = [];
          this.handler?.({ type: MessageType.Snapshot, header: this.data.header, events, live: false });
          this.handler?.({ type: MessageType.Finished });
        });
        return;
      case MessageType.OpenSite:
      case MessageType.CursorChanged:
      case MessageType.TaskSelected:
        // No editor and no tree view here: the timeline shows sites itself (see `kind`).
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  listen(handler: (message: HostToWebviewMessage) => void): void {
    this.handler = handler;
  }

  getState(): unknown {
    return this.state;
  }

  setState(state: unknown): void {
    this.state = state;
    try {
      window.localStorage?.setItem(this.storageKey, JSON.stringify(state));
    } catch {
      // see the constructor
    }
  }
}

/** Reads the report's embedded trace, or null when the page is not a report. */
export function readReportData(doc: Document = document): ReportData | null {
  const element = doc.getElementById(REPORT_DATA_ELEMENT_ID);
  if (!element) return null;
  performance.mark('coroutine-trace:report-parse-start');
  const data = JSON.parse(element.textContent ?? 'null') as EmbeddedReportData | null;
  // The text can be large (tens of megabytes for a million events): let it go once parsed.
  element.remove();
  if (!data || typeof data !== 'object' || !data.header) throw new Error('the report has no trace data');
  const events = data.compact ? decodeEvents(data.compact) : data.events;
  if (!Array.isArray(events)) throw new Error('the report has no trace events');
  performance.mark('coroutine-trace:report-parsed');
  const out: ReportData = { header: data.header, events };
  if (data.truncated) out.truncated = true;
  return out;
}

/** The host this page runs under: VS Code when it injected its API, else the report's embedded trace. */
export function connectHost(): WebviewHost {
  if (typeof window.acquireVsCodeApi === 'function') return new VsCodeHost(window.acquireVsCodeApi());
  const data = readReportData();
  if (data) return new ReportHost(data);
  throw new Error('no host: not inside VS Code and no embedded trace');
}
