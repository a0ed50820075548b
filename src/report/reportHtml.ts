/**
 * The standalone HTML report: one self-contained file that shows a trace with the same timeline as the VS Code panel,
 * in any browser, offline. It inlines the webview bundle (dist/webview.js, which carries its own stylesheet) and the
 * trace: as JSON, the header and the events in the columnar form the extension host sends the webview
 * (src/protocol/eventColumns.ts) without their number column; that column packed (src/protocol/packedNumbers.ts: laid
 * out by field in blocks of events, each value coded as a step from the field's previous one in one to five bytes, and
 * quick to unpack), gzipped when big, in base64. Each of the two texts is cut into pieces of `TEXT_PIECE` characters,
 * each piece the content of a `<template>` in a hidden element of its own: Chromium's HTML parser took 30-40 ms of
 * main-thread CPU per MB of one long `<script type="application/json">` element's text (about 0.4 s of a million
 * events' 12 MB), and 13-16 ms per MB of the same text in templates of 16-64 KB. A template's content is inert text,
 * never rendered; neither text has a `<` or `&` (see `jsonForHtml`) that the parser would read as markup.
 * The bundle finds them and plays the host's part itself. A Content Security Policy allows only the inline script with
 * this page's nonce, and nothing from the network.
 *
 * Pure (strings in, a string out), so the CLI's `report` command and the extension's Export… share it; the caller
 * reads the bundle from disk (`webview.js` next to `cli.js` / `extension.js` in dist/) and, for big traces, passes a
 * gzip function (`zlib.gzipSync`).
 */
import type { TraceEvent, TraceHeader } from '../contract/trace';
import { buildModel } from '../model/model';
import { LanesJson, ModelLanes, TASK_FIELDS, encodeModelLanes, isLifecycleEvent } from '../model/modelLanes';
import { EventColumns, encodeEventColumns } from '../protocol/eventColumns';
import { concatenated, packColumns, packNumbers } from '../protocol/packedNumbers';

export interface ReportTrace {
  header: TraceHeader;
  events: readonly TraceEvent[];
  /** The trace has no `run.finished` (the program was killed, or the file was cut). */
  truncated?: boolean;
}

export interface ReportOptions {
  /** The page title; default `Coroutine Trace: <program file name>`. */
  title?: string;
  /** The CSP nonce; default a fresh random one. Tests pass a fixed one. */
  nonce?: string;
  /**
   * Gzips bytes. When given, a packed number column bigger than `gzipAbove` bytes is embedded compressed: the page's
   * main thread then parses a third less HTML (about 0.25 s less for a million events), and the browser inflates the
   * column mostly off it.
   */
  gzip?: (bytes: Uint8Array) => Uint8Array;
  /** Size of the packed number column, in bytes, from which `gzip` is used. Default 1,000,000. */
  gzipAbove?: number;
  /**
   * Embed the model's tasks and lanes (src/model/modelLanes.ts) and only the other events, so the page does not fold
   * the lifecycle events again (default); false embeds every event, for the page to fold.
   */
  lanes?: boolean;
  /**
   * The trace already folded by the caller: its model's lanes (`encodeModelLanes`) and its events that are not
   * lifecycle events, in order, so the report does not fold it again (the extension's sessions keep both).
   */
  folded?: { lanes: ModelLanes; others: readonly TraceEvent[] };
}

/**
 * The events as embedded: an `EventColumns` without its `flat`, which is packed (packedNumbers.ts), gzipped when
 * `flatGzip`, and in base64 in the column element (`REPORT_COLUMN_ID`).
 */
export interface EmbeddedEvents extends Omit<EventColumns, 'flat'> {
  flatGzip: boolean;
  /** How many values `flat` has. */
  flatLength: number;
  /** With `lanes`: how many of the column's bytes (after inflating) are `flat`'s; the lanes' columns follow. */
  flatBytes?: number;
}

/**
 * The model's lanes as embedded: their four number columns packed (`packColumns`) after the events' in the column
 * element, each given as `[values, bytes]`; the JSON as it is.
 */
export interface EmbeddedLanes extends Omit<ModelLanes, 'tasks' | 'segments' | 'refs' | 'sleeps' | 'json'> {
  json: LanesJson;
  tasks: [number, number];
  segments: [number, number];
  refs: [number, number];
  sleeps: [number, number];
}

/** What the data block holds. */
export interface ReportData {
  header: TraceHeader;
  /** With `lanes`, only the events that are not lifecycle events. */
  events: EmbeddedEvents;
  lanes?: EmbeddedLanes;
  truncated?: boolean;
}

/**
 * The hidden element whose `<template>` children hold the `ReportData` JSON, in order; must match
 * `REPORT_DATA_ELEMENT_ID` in src/webview/host.ts (the webview bundle reads the trace from there).
 */
export const REPORT_DATA_ID = 'coroutine-trace-data';
/** The same for the packed number column's base64; must match `REPORT_COLUMN_ELEMENT_ID` in src/webview/host.ts. */
export const REPORT_COLUMN_ID = 'coroutine-trace-column';
/**
 * Characters per template at most: a multiple of 4, so that each piece of base64 decodes on its own (a piece of JSON
 * ends a character earlier rather than between the two halves of a surrogate pair).
 */
export const TEXT_PIECE = 1 << 16;

/**
 * The report page. `webviewJs` is the text of the built dist/webview.js.
 */
export function reportHtml(trace: ReportTrace, webviewJs: string, options: ReportOptions = {}): string {
  const nonce = options.nonce ?? randomNonce();
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('the nonce must be base64 or hex characters');
  const program = trace.header.program.split(/[\\/]/).pop() ?? trace.header.program;
  const title = options.title ?? `Coroutine Trace: ${program}`;
  let events = trace.events;
  let lanes: ModelLanes | undefined;
  if (options.lanes !== false && options.folded !== undefined) {
    ({ lanes, others: events } = options.folded);
  } else if (options.lanes !== false) {
    events = trace.events.filter((e) => !isLifecycleEvent(e));
    lanes = encodeModelLanes(buildModel(trace.header, trace.events), events.length);
  }
  const { flat, ...rest } = encodeEventColumns(events);
  let bytes = packNumbers(flat, rest.shapes);
  const data: ReportData = { header: trace.header, events: { ...rest, flatGzip: false, flatLength: flat.length } };
  if (lanes !== undefined) {
    // A segment's ref is the next one when it has one (the lanes number them in order): the column says only which
    // have one (a byte each, where the numbers took 3-4), and the page numbers them again.
    const flags = lanes.segments.slice();
    for (let at = 2; at < flags.length; at += 3) flags[at] = flags[at] >= 0 ? 1 : -1;
    const tasks = packColumns(lanes.tasks, TASK_FIELDS);
    const segments = packColumns(flags, 3);
    const refs = packColumns(lanes.refs, 3);
    const sleeps = packColumns(lanes.sleeps, 2);
    data.events.flatBytes = bytes.length;
    const { json, ...numbers } = lanes;
    data.lanes = {
      ...numbers,
      json: typeof json === 'string' ? (JSON.parse(json) as LanesJson) : json,
      tasks: [lanes.tasks.length, tasks.length],
      segments: [lanes.segments.length, segments.length],
      refs: [lanes.refs.length, refs.length],
      sleeps: [lanes.sleeps.length, sleeps.length],
    };
    bytes = concatenated([bytes, tasks, segments, refs, sleeps]);
  }
  const flatGzip = (data.events.flatGzip = options.gzip !== undefined && bytes.length > (options.gzipAbove ?? 1_000_000));
  const flatBase64 = toBase64(flatGzip ? options.gzip!(bytes) : bytes);
  if (trace.truncated) data.truncated = true;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The bundle's stylesheet is a constructed stylesheet, and it sets a few style properties from script: neither is
    // governed by style-src, so no inline styles are allowed at all.
    "style-src 'none'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Built from fixed parts and a checked nonce: nothing in it needs escaping.
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="generator" content="coroutine-trace report">',
    `<title>${escapeHtmlText(title)}</title>`,
    '</head>',
    '<body>',
    `<div id="coroutine-trace-timeline" aria-label="${escapeHtmlAttribute(title)}"></div>`,
    `<div id="${REPORT_DATA_ID}" hidden>${templates(jsonForHtml(data))}</div>`,
    `<div id="${REPORT_COLUMN_ID}" hidden>${templates(flatBase64)}</div>`,
    `<script nonce="${nonce}">${scriptForHtml(webviewJs)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * `text` (with no `<` or `&`) as `<template>` elements of at most `TEXT_PIECE` characters each, which put together
 * give it back. A piece never ends between the two halves of a surrogate pair: written as UTF-8, each half would
 * become a replacement character.
 */
export function templates(text: string): string {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + TEXT_PIECE);
    const next = text.charCodeAt(end);
    if (end < text.length && next >= 0xdc00 && next <= 0xdfff) end--;
    out.push(`<template>${text.slice(i, end)}</template>`);
    i = end;
  }
  return out.join('');
}

/**
 * JSON that is safe inside a `<script>` element or as the text of another: every `<` (and `>`, `&`) becomes a `\u`
 * escape, which JSON.parse reads back as the same character, so no task name or printed text can close the element,
 * open a comment or a tag, or be read as a character reference. (JSON has no raw control characters either.)
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Script text that is safe inline: `</script` and `<!--` cannot appear (they only ever occur inside string literals
 * of a bundle, where `<\/` and `<\!` mean the same), and the source-map comment goes (the map is not shipped).
 */
export function scriptForHtml(js: string): string {
  return js
    .replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n')
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--');
}

export function escapeHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeHtmlAttribute(text: string): string {
  return escapeHtmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Base64 of bytes, in pieces (no Buffer here: this module is pure). */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const piece = 0x8000;
  for (let i = 0; i < bytes.length; i += piece) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + piece) as unknown as number[]));
  }
  return btoa(parts.join(''));
}

function randomNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
