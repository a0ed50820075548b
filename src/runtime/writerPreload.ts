/**
 * Loaded by the runner with `node --require` before a traced program's bundle (`dist/writerPreload.cjs`): starts the
 * trace's writer thread at once, so that it starts while Node loads and compiles the bundle (about 50 ms for a small
 * program on this machine) instead of beside the program's first steps, and leaves it for the runtime's tracing to
 * take (`ThreadSink.start`). Started without the preload (a bundle run by hand), the runtime starts the thread itself.
 * Does nothing unless `COROUTINE_TRACE_FD` names the pipe, and never fails the program: if the thread cannot start
 * here, the runtime tries again.
 */
import { isMainThread } from 'worker_threads';
import { EARLY_WRITER, WriterThread, startWriterThread, traceSinkSettings } from './threadSink';

function startEarly(): void {
  // Node preloads `--require` modules into worker threads too: only the program's own thread starts a writer.
  if (!isMainThread) return;
  const settings = traceSinkSettings(process.env);
  if (settings === null) return;
  try {
    (globalThis as { [EARLY_WRITER]?: WriterThread })[EARLY_WRITER] = startWriterThread(settings.fd, settings.maxQueuedBytes);
  } catch {
    // No threads here: the runtime finds none waiting and falls back as it would have.
  }
}

startEarly();
