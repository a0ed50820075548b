/**
 * Writes a `.cotrace` file: the header line, then one event per line. Lines are batched into large writes; the file
 * is complete (and ends with a newline) once `close()` resolves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TraceEvent, TraceHeader } from '../contract/trace';

/** Text is handed to the file stream in pieces of about this many characters: few, large writes. */
const CHUNK_CHARS = 1 << 20;

/**
 * One event as a JSON line. The two events that make up most of a busy trace (a task suspending and resuming) are
 * written by hand, the rest by JSON.stringify; both give the same JSON object.
 */
export function eventToJson(e: TraceEvent): string {
  switch (e.type) {
    case 'task.resumed':
      if (e.cause === undefined) return `{"t":${e.t},"type":"task.resumed","task":${e.task}}`;
      return e.cause.by === undefined
        ? `{"t":${e.t},"type":"task.resumed","task":${e.task},"cause":{"kind":"${e.cause.kind}"}}`
        : `{"t":${e.t},"type":"task.resumed","task":${e.task},"cause":{"kind":"${e.cause.kind}","by":${e.cause.by}}}`;
    case 'task.suspended': {
      const r = e.reason;
      const site = e.site === null ? 'null' : siteJson(e.site);
      if (r.kind === 'sleep') {
        return `{"t":${e.t},"type":"task.suspended","task":${e.task},"reason":{"kind":"sleep","seconds":${r.seconds},"until":${r.until}},"site":${site}}`;
      }
      return `{"t":${e.t},"type":"task.suspended","task":${e.task},"reason":${JSON.stringify(r)},"site":${site}}`;
    }
    default:
      return JSON.stringify(e);
  }
}

const siteCache = new WeakMap<object, string>();
function siteJson(site: object): string {
  let s = siteCache.get(site);
  if (s === undefined) {
    s = JSON.stringify(site);
    siteCache.set(site, s);
  }
  return s;
}

export class TraceFileWriter {
  /** Lines not yet handed to the stream, each ending in a newline. */
  private text = '';
  private closed = false;

  private constructor(private readonly stream: fs.WriteStream) {}

  static async open(file: string, header: TraceHeader): Promise<TraceFileWriter> {
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const stream = fs.createWriteStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const writer = new TraceFileWriter(stream);
    writer.text = JSON.stringify(header) + '\n';
    return writer;
  }

  write(event: TraceEvent): void {
    this.writeLines(eventToJson(event) + '\n');
  }

  /** Whole lines, each ending in a newline (e.g. a batch from `RowNdjsonEncoder`). */
  writeLines(lines: string): void {
    if (this.closed) return;
    this.text += lines;
    if (this.text.length >= CHUNK_CHARS) {
      this.stream.write(this.text);
      this.text = '';
    }
  }

  /** Whole lines as UTF-8 (e.g. from `RowNdjsonEncoder`); the writer keeps `bytes` until they are written. */
  writeBytes(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.text.length > 0) {
      this.stream.write(this.text);
      this.text = '';
    }
    this.stream.write(bytes);
  }

  /** Resolves once the file has taken what it was given so far (for writers that produce faster than a disk). */
  room(): Promise<void> {
    if (this.closed || !this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(this.text, () => resolve());
      this.text = '';
    });
  }
}
