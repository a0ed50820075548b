/**
 * Who the timeline talks to. Inside VS Code: the extension host, through `acquireVsCodeApi()` (messages, and
 * `setState` to survive a hidden panel or a restart). Inside the standalone report: a small adapter that plays the
 * host's part with the trace embedded in the page, and shows `file:line` where VS Code would open an editor.
 */
import type { TraceHeader } from '../contract/trace';
import { CompactEventReader, CompactEvents } from '../report/compactTrace';
import type { ReportData as EmbeddedReportData } from '../report/reportHtml';
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

/** The report's trace, as embedded (see src/report/reportHtml.ts). */
export type ReportData = EmbeddedReportData;

/** Events the report hands over per message while it decodes a big trace. */
const REPORT_PIECE = 25_000;

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

/**
 * Plays the extension host for the standalone report: answers `ready` with a snapshot of the embedded trace. A big
 * trace is decoded and handed over in pieces (a snapshot, then deltas, then `finished`), one piece per task, so the
 * timeline folds each piece while the next is decoded and the decoded events do not pile up in memory.
 */
export class ReportHost implements WebviewHost {
  readonly kind = 'report';
  private handler: ((message: HostToWebviewMessage) => void) | null = null;
  private state: unknown;
  private readonly storageKey: string;
  private data: ReportData | null;

  constructor(data: ReportData) {
    this.data = data;
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
        this.sendTrace();
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

  /** The page says `ready` once; the data is handed over and then let go. */
  private sendTrace(): void {
    const data = this.data;
    if (!data) return;
    this.data = null;
    const header = data.header;
    const send = (m: HostToWebviewMessage): void => this.handler?.(m);
    if (data.compactGzipBase64 !== undefined) {
      gunzipJson<CompactEvents>(data.compactGzipBase64).then(
        (compact) => this.sendPieces(header, compact),
        (err: unknown) => send({ type: MessageType.Empty, message: `The report's data cannot be read: ${String(err)}` }),
      );
      return;
    }
    if (!data.compact) {
      send({ type: MessageType.Empty, message: 'The report holds no events.' });
      return;
    }
    this.sendPieces(header, data.compact);
  }

  private sendPieces(header: TraceHeader, compact: CompactEvents): void {
    const send = (m: HostToWebviewMessage): void => this.handler?.(m);
    const reader = new CompactEventReader(compact);
    const channel = new MessageChannel();
    let first = true;
    channel.port1.onmessage = () => {
      const events = reader.read(REPORT_PIECE);
      if (first) send({ type: MessageType.Snapshot, header, events, live: false });
      else send({ type: MessageType.Events, events });
      first = false;
      if (reader.done) {
        send({ type: MessageType.Finished });
        channel.port1.close();
        performance.mark('coroutine-trace:report-decoded');
      } else {
        channel.port2.postMessage(null);
      }
    };
    channel.port2.postMessage(null);
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
  const data = JSON.parse(element.textContent ?? 'null') as ReportData | null;
  performance.mark('coroutine-trace:report-parsed');
  // The text can be large (tens of megabytes for a million events): let it go once parsed.
  element.remove();
  if (!data || typeof data !== 'object' || !data.header || !(data.compact || data.compactGzipBase64 !== undefined)) {
    throw new Error('the report has no trace data');
  }
  return data;
}

/** Parses gzipped, base64-encoded JSON with the browser's own decompressor. */
async function gunzipJson<T>(base64: string): Promise<T> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('this browser has no DecompressionStream (use a current Chrome, Edge, Firefox or Safari)');
  }
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const text = await new Response(stream).text();
  performance.mark('coroutine-trace:report-inflated');
  return JSON.parse(text) as T;
}

/** The host this page runs under: VS Code when it injected its API, else the report's embedded trace. */
export function connectHost(): WebviewHost {
  if (typeof window.acquireVsCodeApi === 'function') return new VsCodeHost(window.acquireVsCodeApi());
  const data = readReportData();
  if (data) return new ReportHost(data);
  throw new Error('no host: not inside VS Code and no embedded trace');
}
