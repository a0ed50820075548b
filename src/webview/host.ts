/**
 * Who the timeline talks to. Inside VS Code: the extension host, through `acquireVsCodeApi()` (messages, and
 * `setState` to survive a hidden panel or a restart). Inside the standalone report: a small adapter that plays the
 * host's part with the trace embedded in the page, and shows `file:line` where VS Code would open an editor.
 */
import { EVENT_COLUMNS_FORMAT, EventColumns } from '../protocol/eventColumns';
import { concatenated, unpackColumns, unpackNumbers } from '../protocol/packedNumbers';
import type { EmbeddedEvents, EmbeddedLanes, ReportData as EmbeddedReportData } from '../report/reportHtml';
import { MODEL_LANES_FORMAT, ModelLanes, TASK_FIELDS } from '../model/modelLanes';
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

/** The id of the element whose `<template>` children hold the report's trace as JSON, in pieces. */
export const REPORT_DATA_ELEMENT_ID = 'coroutine-trace-data';
/** The same for the base64 of its packed number column. */
export const REPORT_COLUMN_ELEMENT_ID = 'coroutine-trace-column';

/** The report's trace, as embedded (see src/report/reportHtml.ts), and the base64 of its packed number column. */
export interface ReportData extends EmbeddedReportData {
  flatBase64: string[];
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

/**
 * Plays the extension host for the standalone report: answers `ready` with a snapshot of the embedded trace (the same
 * columnar batch the extension host sends; the timeline decodes and folds it in slices), then `finished`.
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
    embeddedColumns(data.events, data.flatBase64, data.lanes).then(
      ({ events, lanes }) => {
        performance.mark('coroutine-trace:report-decoded');
        send(lanes ? { type: MessageType.Snapshot, header, events, live: false, lanes } : { type: MessageType.Snapshot, header, events, live: false });
        send({ type: MessageType.Finished });
      },
      (err: unknown) => send({ type: MessageType.Empty, message: `The report's data cannot be read: ${String(err)}` }),
    );
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
  if (!doc.getElementById(REPORT_DATA_ELEMENT_ID)) return null;
  performance.mark('coroutine-trace:report-parse-start');
  const data = JSON.parse(templateTexts(doc, REPORT_DATA_ELEMENT_ID).join('')) as EmbeddedReportData | null;
  performance.mark('coroutine-trace:report-parsed');
  if (!data || typeof data !== 'object' || !data.header || typeof data.events?.flatLength !== 'number') {
    throw new Error('the report has no trace data');
  }
  return { ...data, flatBase64: templateTexts(doc, REPORT_COLUMN_ELEMENT_ID) };
}

/**
 * The texts of the `<template>` children of element `id`, in order; the element goes (the texts can be tens of
 * megabytes).
 */
function templateTexts(doc: Document, id: string): string[] {
  const element = doc.getElementById(id);
  if (!element) throw new Error('the report has no trace data');
  const texts: string[] = [];
  for (const piece of Array.from(element.children)) {
    if (!(piece instanceof HTMLTemplateElement)) throw new Error('the report has no trace data');
    texts.push(piece.content.textContent ?? '');
  }
  element.remove();
  return texts;
}

/**
 * The embedded events as a batch: the number column back from its pieces of base64 (and gzip) and unpacked.
 */
export async function embeddedColumns(
  embedded: EmbeddedEvents,
  flatBase64: readonly string[],
  embeddedLanes?: EmbeddedLanes,
): Promise<{ events: EventColumns; lanes?: ModelLanes }> {
  const { flatGzip, flatLength, flatBytes, ...rest } = embedded;
  const pieces = flatBase64.map(fromBase64);
  performance.mark('coroutine-trace:report-base64-decoded');
  let bytes: Uint8Array;
  if (flatGzip) {
    if (typeof DecompressionStream === 'undefined') {
      throw new Error('this browser has no DecompressionStream (use a current Chrome, Edge, Firefox or Safari)');
    }
    bytes = await gunzip(pieces);
    performance.mark('coroutine-trace:report-inflated');
  } else bytes = concatenated(pieces);
  if (!Array.isArray(rest.shapes) || !Number.isInteger(rest.count)) throw new Error('the report has no trace data');
  let lanes: ModelLanes | undefined;
  let eventBytes = bytes;
  if (embeddedLanes !== undefined) {
    if (!Number.isInteger(flatBytes) || flatBytes! > bytes.length) throw new Error('the report has no trace data');
    eventBytes = bytes.subarray(0, flatBytes);
    let at = flatBytes!;
    const column = ([values, length]: [number, number], stride: number): Float64Array => {
      if (!(Number.isInteger(length) && length >= 0 && at + length <= bytes.length)) throw new Error('the lanes are cut');
      const out = unpackColumns(bytes.subarray(at, at + length), stride, values);
      at += length;
      return out;
    };
    const tasks = column(embeddedLanes.tasks, TASK_FIELDS);
    const segments = column(embeddedLanes.segments, 3);
    const refValues = column(embeddedLanes.refs, 3);
    const refs = new Int32Array(refValues.length);
    for (let k = 0; k < refValues.length; k++) {
      const v = refValues[k];
      if ((v | 0) !== v) throw new Error('the lanes’ refs are not whole numbers');
      refs[k] = v;
    }
    // The report marks which segments have a ref (1, else -1): they are numbered in order (see reportHtml.ts).
    let ref = 0;
    for (let k = 2; k < segments.length; k += 3) segments[k] = segments[k] > 0 ? ref++ : -1;
    if (ref !== refs.length / 3) throw new Error('the lanes’ refs do not match their segments');
    const sleeps = column(embeddedLanes.sleeps, 2);
    if (at !== bytes.length) throw new Error('the report has bytes after its lanes');
    lanes = { ...embeddedLanes, format: MODEL_LANES_FORMAT, tasks, segments, refs, sleeps };
  }
  const flat = unpackNumbers(eventBytes, rest.shapes, rest.count, flatLength);
  performance.mark('coroutine-trace:report-unpacked');
  const events: EventColumns = { ...rest, format: EVENT_COLUMNS_FORMAT, flat };
  return lanes ? { events, lanes } : { events };
}

/**
 * Gzipped bytes (one array, or the pieces of one stream in order) inflated: written to a DecompressionStream at once
 * and read back a chunk at a time, then put together (through a Blob's stream and a Response, a million events'
 * column took half as long again).
 */
export async function gunzip(input: Uint8Array | readonly Uint8Array[]): Promise<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const pieces = input instanceof Uint8Array ? [input] : input;
  // The writes queue up in the stream, which inflates them in order as the reads below take its output.
  const written = Promise.all(pieces.map((piece) => writer.write(piece as Uint8Array<ArrayBuffer>))).then(() => writer.close());
  written.catch(() => undefined); // a broken stream is reported by the reads below
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  await written;
  return concatenated(chunks, total);
}

/** Bytes from base64: natively where the browser can (Uint8Array.fromBase64, several times quicker). */
function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
  if (typeof native === 'function') return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The host this page runs under: VS Code when it injected its API, else the report's embedded trace. */
export function connectHost(): WebviewHost {
  if (typeof window.acquireVsCodeApi === 'function') return new VsCodeHost(window.acquireVsCodeApi());
  const data = readReportData();
  if (data) return new ReportHost(data);
  throw new Error('no host: not inside VS Code and no embedded trace');
}
