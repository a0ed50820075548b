/**
 * Loads a trace file's bytes into a finished session a slice at a time, and lets the event loop run between slices.
 * A million events is about 120 MB of text and some seconds of parsing and folding: read in one go, it would stop
 * the extension host (every extension) that long, with nothing to show for it. A slice at a time, the host stays
 * responsive, the caller can show how far it got, and the user can give up. The session is the one
 * `TraceSession.fromTrace` makes of the whole file. Pure (no `vscode`).
 */
import { TraceLineReader } from '../../model/traceFileReader';
import { TraceSession } from './traceSession';

/** Bytes decoded and parsed between two turns of the event loop: some tens of milliseconds of work. */
export const LOAD_SLICE_BYTES = 2 * 1024 * 1024;

export interface TraceLoadOptions {
  tracePath?: string;
  /** As `TraceSessionOptions.maxEvents`. */
  maxEvents?: number;
  sliceBytes?: number;
  /** Told the fraction of the file read so far (0 to 1) after each slice. */
  onProgress?: (fraction: number) => void;
  /** Asked before each slice: true stops the load (it then rejects with `TraceLoadCancelled`). */
  isCancelled?: () => boolean;
  /**
   * Told the session as soon as the header is read, while the rest still loads (`session.loading`), so it can be
   * shown as it fills. When the load then fails or is cancelled, the session is finished with the reason as its
   * `error` before the promise rejects.
   */
  onSession?: (session: TraceSession) => void;
}

/** The load was stopped by `isCancelled`. */
export class TraceLoadCancelled extends Error {
  constructor() {
    super('opening the trace was cancelled');
    this.name = 'TraceLoadCancelled';
  }
}

/**
 * A finished session of the trace in `bytes` (UTF-8 NDJSON). Rejects with the reader's `TraceFormatError` for a file
 * that is not a readable trace, and with `TraceLoadCancelled` when told to stop.
 */
export async function loadTraceBytes(bytes: Uint8Array, options: TraceLoadOptions = {}): Promise<TraceSession> {
  const sliceBytes = Math.max(1, options.sliceBytes ?? LOAD_SLICE_BYTES);
  const decoder = new TextDecoder('utf-8');
  const reader = new TraceLineReader();
  let session: TraceSession | undefined;
  const take = (events: ReturnType<TraceLineReader['push']>): void => {
    if (session === undefined && reader.header !== undefined) {
      session = TraceSession.ofFile(reader.header, { tracePath: options.tracePath, maxEvents: options.maxEvents });
      options.onSession?.(session);
    }
    if (events.length > 0) session!.addEvents(events);
  };
  try {
    for (let at = 0; at < bytes.length; at += sliceBytes) {
      if (options.isCancelled?.()) throw new TraceLoadCancelled();
      const end = Math.min(bytes.length, at + sliceBytes);
      take(reader.push(decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length })));
      options.onProgress?.(end / bytes.length);
      if (end < bytes.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    take(reader.end());
  } catch (err) {
    session?.finish(err instanceof Error ? err.message : String(err));
    throw err;
  }
  // `end()` has thrown for an input without a header, so there is a session.
  session!.truncated = !reader.finished;
  session!.finish();
  return session!;
}
