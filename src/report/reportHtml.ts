/**
 * The standalone HTML report: one self-contained file that shows a trace with the same timeline as the VS Code panel,
 * in any browser, offline. It inlines the webview bundle (dist/webview.js, which carries its own stylesheet) and the
 * trace as JSON in a `<script type="application/json">` block: the header, and the events in the compact form of
 * compactTrace.ts, which a big trace carries gzipped and in base64 (the browser reads every byte of the page, so a
 * million events load faster and the file is a quarter of the size). The bundle finds that block and plays the host's
 * part itself. A Content Security Policy allows only the inline script with this page's nonce, and nothing from the
 * network.
 *
 * Pure (strings in, a string out), so the CLI's `report` command and the extension's Export… share it; the caller
 * reads the bundle from disk (`webview.js` next to `cli.js` / `extension.js` in dist/) and, for big traces, passes a
 * gzip function (`(text) => zlib.gzipSync(text).toString('base64')`).
 */
import type { TraceEvent, TraceHeader } from '../contract/trace';
import { CompactEvents, encodeEvents } from './compactTrace';

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
   * Gzips text and returns it in base64. When given, events whose compact JSON is longer than `gzipAbove` are
   * embedded compressed (read back with the browser's DecompressionStream).
   */
  gzipBase64?: (text: string) => string;
  /** Compact JSON length from which `gzipBase64` is used. Default 1,000,000 characters. */
  gzipAbove?: number;
}

/** What the data block holds. Exactly one of `compact` and `compactGzipBase64` is present. */
export interface ReportData {
  header: TraceHeader;
  compact?: CompactEvents;
  /** `compact` as JSON, gzipped, in base64. */
  compactGzipBase64?: string;
  truncated?: boolean;
}

/** Must match `REPORT_DATA_ELEMENT_ID` in src/webview/host.ts (the webview bundle reads the trace from there). */
export const REPORT_DATA_ID = 'coroutine-trace-data';

/**
 * The report page. `webviewJs` is the text of the built dist/webview.js.
 */
export function reportHtml(trace: ReportTrace, webviewJs: string, options: ReportOptions = {}): string {
  const nonce = options.nonce ?? randomNonce();
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('the nonce must be base64 or hex characters');
  const program = trace.header.program.split(/[\\/]/).pop() ?? trace.header.program;
  const title = options.title ?? `Coroutine Trace: ${program}`;
  // The events in compact form (compactTrace.ts): a third of the bytes to tokenize and parse; gzipped when big.
  const compact = encodeEvents(trace.events);
  const data: ReportData = { header: trace.header };
  const compactJson = options.gzipBase64 ? JSON.stringify(compact) : '';
  if (options.gzipBase64 && compactJson.length > (options.gzipAbove ?? 1_000_000)) {
    data.compactGzipBase64 = options.gzipBase64(compactJson);
    if (!/^[A-Za-z0-9+/=]*$/.test(data.compactGzipBase64)) throw new Error('gzipBase64 must return base64');
  } else {
    data.compact = compact;
  }
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
    `<script type="application/json" id="${REPORT_DATA_ID}">${jsonForHtml(data)}</script>`,
    `<script nonce="${nonce}">${scriptForHtml(webviewJs)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * JSON that is safe inside a `<script>` element: every `<` (and `>`, `&`) becomes a `\u` escape, which JSON.parse reads
 * back as the same character, so no task name or printed text can close the element or open a comment.
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

function randomNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
