/**
 * Writes a `.cotrace` file: the header line, then one event per line. Lines are batched into large writes; the file
 * is complete (and ends with a newline) once `close()` resolves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TraceEvent, TraceHeader } from '../contract/trace';

const CHUNK_CHARS = 1 << 20;

export class TraceFileWriter {
  private buffer = '';
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
    writer.buffer = JSON.stringify(header) + '\n';
    return writer;
  }

  write(event: TraceEvent): void {
    if (this.closed) return;
    this.buffer += JSON.stringify(event) + '\n';
    if (this.buffer.length >= CHUNK_CHARS) {
      this.stream.write(this.buffer);
      this.buffer = '';
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(this.buffer, () => resolve());
      this.buffer = '';
    });
  }
}
