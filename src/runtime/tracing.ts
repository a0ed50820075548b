/**
 * Tracing inside the traced program. The runner starts the program with `COROUTINE_TRACE_FD` naming the pipe to
 * the host; when the runtime is loaded with it set, this installs the recorder, attributes output to tasks, and makes
 * sure every buffered event leaves the process however it ends (normal exit, uncaught error, unhandled rejection,
 * `process.exit()`, SIGINT/SIGTERM/SIGHUP). Without the variable the runtime runs untraced and this does nothing.
 */
import {
  EventLoop,
  REC,
  _getRunningLoopOrNull,
  _setStepWatch,
  _setStepWatchStarter,
  setRecorder,
  setTimeEpoch,
} from './core';
import { runHooks } from './api';
import { FdSink } from './fdSink';
import { ThreadSink, traceSinkSettings } from './threadSink';
import { openRunQueueDelay } from './runQueueDelay';
import { Recorder } from './recorder';
import { EventCode } from '../contract/wire';

const FLUSH_INTERVAL_MS = 50;
/** After SIGINT/SIGTERM, how long cancelled tasks may unwind before the process dies of the signal. */
const SIGNAL_GRACE_MS = 300;

let installed = false;

export function installTracingFromEnv(): void {
  if (installed || typeof process === 'undefined') return;
  if (!process.env.COROUTINE_TRACE_FD) return;
  const settings = traceSinkSettings(process.env);
  // Child processes of the program are not traced into our pipe.
  delete process.env.COROUTINE_TRACE_FD;
  if (settings === null) return;
  const { fd, maxQueuedBytes } = settings;
  installed = true;

  const epoch = performance.now();
  setTimeEpoch(epoch);
  // Frames leave from a writer thread (no system call or copy on the program's thread); without threads, from here.
  const threadSink = ThreadSink.start(fd, maxQueuedBytes);
  const sink: FdSink | ThreadSink = threadSink ?? new FdSink(fd, maxQueuedBytes);
  const rec = new Recorder(sink);
  setRecorder(rec, makeSiteCapture(rec));

  let lastLoop: EventLoop | null = null;
  let runQueueDelay: (() => number) | null | undefined;
  const slowStepMs = Number(process.env.COROUTINE_TRACE_SLOW_STEP_MS ?? '100');
  runHooks.onLoopStart = (loop) => {
    lastLoop = loop;
    if (Number.isFinite(slowStepMs) && slowStepMs >= 0) loop.slowStepMs = slowStepMs;
    // A loaded machine makes steps long on the wall clock: the blocked-loop check takes CPU waits off (Linux).
    if (loop.clock === 'real' && loop.slowStepMs > 0) loop.watchRunQueueDelay((runQueueDelay ??= openRunQueueDelay()));
  };
  const now = (): number => {
    const loop = _getRunningLoopOrNull() ?? lastLoop;
    return loop !== null ? loop.time() : performance.now() - epoch;
  };

  captureOutput(rec, now);
  // The writer thread runs the step watch. The loop gets its array at once, so the code that keeps it up to date runs
  // (and is optimised) from the first step, not from when the watch starts. Without the thread (or once it is gone),
  // no watch: the loop reads the clock at every step.
  if (threadSink !== null) {
    _setStepWatch(threadSink.watchArray);
    _setStepWatchStarter(() => threadSink.startWatch());
    threadSink.onWriterGone = () => _setStepWatch(null);
  }

  const timer = setInterval(() => {
    rec.flush();
    sink.tryDrain();
  }, FLUSH_INTERVAL_MS);
  timer.unref();

  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    const loop = _getRunningLoopOrNull() ?? lastLoop;
    rec.close({ pendingTasks: loop !== null ? loop.liveTasks.size : 0 });
  };
  process.on('exit', close);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const die = (): void => {
      close();
      // Die of the same signal, as the program would have without us.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    const onSignal = (): void => {
      const loop = _getRunningLoopOrNull();
      if (stopping || loop === null || loop.liveTasks.size === 0) return die();
      // As asyncio.run does on Ctrl-C: cancel the tasks and let them unwind (their finally blocks run, the trace
      // shows them cancelled), then die of the signal. What is still running after a short grace is cut off.
      stopping = true;
      process.on('unhandledRejection', () => undefined); // run() rejecting with CancelledError is expected now
      for (const task of [...loop.liveTasks]) task._cancel(`stopped by ${signal}`, 0);
      loop.wake();
      setTimeout(die, SIGNAL_GRACE_MS);
    };
    process.on(signal, onSignal);
  }
}

/** Mirrors everything written to stdout/stderr into `output` events, attributed to the task running now. */
function captureOutput(rec: Recorder, now: () => number): void {
  const streams: [NodeJS.WriteStream, number][] = [
    [process.stdout, 0],
    [process.stderr, 1],
  ];
  for (const [stream, code] of streams) {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      try {
        const text =
          typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
        if (text.length > 0 && REC !== null) {
          const task = _getRunningLoopOrNull()?.current ?? null;
          rec.ev(EventCode['output'], now(), task !== null ? task.id : 0, code, rec.str(text));
        }
      } catch {
        // Recording must never break the program's output.
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  }
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/**
 * The fallback for runtime calls the bundler did not instrument: the caller's frame, captured once per distinct
 * position (~2 µs) and given a negative site id that the host maps through the source map.
 */
function makeSiteCapture(rec: Recorder): (skipFn: Function) => number {
  const ids = new Map<string, number>();
  let next = -1;
  return (skipFn) => {
    const savedPrepare = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    let frame: CallSiteLike | undefined;
    try {
      Error.stackTraceLimit = 1;
      Error.prepareStackTrace = (_e, frames) => frames;
      const holder: { stack?: CallSiteLike[] } = {};
      Error.captureStackTrace(holder, skipFn);
      frame = holder.stack?.[0];
    } finally {
      Error.prepareStackTrace = savedPrepare;
      Error.stackTraceLimit = savedLimit;
    }
    const file = frame?.getFileName();
    const line = frame?.getLineNumber();
    const column = frame?.getColumnNumber();
    if (!file || !line || !column || file.startsWith('node:')) return 0;
    const key = `${file}:${line}:${column}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = next--;
      ids.set(key, id);
      rec.defineSite(id, file.startsWith('file://') ? new URL(file).pathname : file, line, column);
    }
    return id;
  };
}
