/**
 * Writes a `.cotrace` file: the header line, then one event per line. Lines are batched into large writes; the file
 * is complete (and ends with a newline) once `close()` resolves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TraceEvent, TraceHeader } from '../contract/trace';

const CHUNK_LINES = 8192;

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
  private lines: string[] = [];
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
    writer.lines.push(JSON.stringify(header));
    return writer;
  }

  write(event: TraceEvent): void {
    if (this.closed) return;
    this.lines.push(eventToJson(event));
    if (this.lines.length >= CHUNK_LINES) {
      this.stream.write(this.lines.join('\n') + '\n');
      this.lines = [];
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(this.lines.length > 0 ? this.lines.join('\n') + '\n' : '', () => resolve());
      this.lines = [];
    });
  }
}
