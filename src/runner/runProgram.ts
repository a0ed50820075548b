/**
 * Runs a user program traced: bundles it (with site instrumentation), starts it in a child Node process with the
 * event pipe on fd 3, decodes the events as they arrive, maps sites to the original sources, and writes the NDJSON
 * trace. Shared by the command line and the extension: there is no second way to run a program.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import {
  ClockKind,
  SourceSite,
  TRACE_FORMAT,
  TRACE_SCHEMA_VERSION,
  TraceEvent,
  TraceHeader,
  RunFinishedEvent,
  WarningEvent,
} from '../contract/trace';
import { EventCode, ROW_WIDTH, WireDecoder } from '../contract/wire';
import { BundleResult, ProgramBuildError, bundleProgram } from './bundle';
import { TraceFileWriter } from './traceFileWriter';
import { RowNdjsonEncoder } from './rowNdjson';
import { ModelBuilder, TraceModel } from '../model/model';
import { analyzeTrace } from '../model/diagnostics';

/** Above this many events the whole-run diagnostics are skipped (the runtime's own warnings are still there). */
export const DEFAULT_MAX_ANALYZED_EVENTS = 2_000_000;

const WARNING_CODE = EventCode.warning;
/** The trace file gets the encoded lines in pieces of at least this many bytes. */
const WRITE_BYTES = 1 << 20;

export interface RunOptions {
  /** false: do not append the whole-run diagnostics (`model/diagnostics.ts`). Default true. */
  analyze?: boolean;
  maxAnalyzedEvents?: number;
  /** false: run the same bundle without recording anything (for comparisons). Default true. */
  trace?: boolean;
  /** The program's arguments (what follows `--`). */
  args?: string[];
  clock?: ClockKind;
  /** Where to write the trace; missing: no file (events only through `onEvent`). */
  tracePath?: string;
  /** Node binary for the program. Default: the Node running this code. */
  nodePath?: string;
  /** Extra environment for the program. */
  env?: Record<string, string>;
  cwd?: string;
  /** `inherit` (command line) passes the program's output through; `pipe` hands it to `onOutput`. */
  stdio?: 'inherit' | 'pipe';
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called with the header, then with every event as it is decoded (in batches, in order). */
  onHeader?: (header: TraceHeader) => void;
  onEvents?: (events: TraceEvent[]) => void;
  /** Largest number of bytes the program may queue for us before it drops events (default 256 MiB). */
  maxBufferBytes?: number;
  /**
   * true: the program sends its events to a file next to its bundle (its fd 3 is that file, not a pipe), and the host
   * decodes them into the trace once it has exited: while the program runs, the host does nothing at all, so it takes
   * no CPU from the program it measures. Default: true without `onEvents` (nobody watches live), false with it.
   */
  spool?: boolean;
  /** The runtime module the program's `coroutine-trace` import resolves to. Default: `findRuntimeEntry()`. */
  runtimeEntry?: string;
}

export interface RunResult {
  header: TraceHeader;
  finished: RunFinishedEvent;
  /** Every warning of the run: the runtime's and the whole-run diagnostics. */
  warnings: WarningEvent[];
  tracePath: string | null;
  eventCount: number;
  /**
   * The model of the whole trace as written (with the whole-run diagnostics' warnings), when the runner folded one for
   * them: the trace was analysed and had at most `maxAnalyzedEvents` events. Else undefined: read the file.
   */
  model?: TraceModel;
}

/** A run under way: its result, and a way to stop it. */
export interface RunningProgram {
  readonly result: Promise<RunResult>;
  /**
   * Ends the program and everything it started: `signal` (SIGTERM unless told) to its process group, SIGKILL after
   * `graceMs`.
   */
  stop(graceMs?: number, signal?: NodeJS.Signals): void;
  readonly pid: number | undefined;
}

/**
 * Node flags for the program: mapped stack traces, a young generation sized for many live coroutines, and an
 * optimising compiler that starts on hot code after an eighth of V8's usual interrupt budget: most traced programs
 * are short, and a short program spends much of its run in code V8 has not optimised yet (W2 in `npm run bench`:
 * about 12% less CPU, untraced and traced; W1 unchanged).
 */
export const PROGRAM_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=64', '--interrupt-budget=8448'];

/** Finds the built runtime bundle (`dist/runtime.mjs`) from wherever this code runs (dist/ or out/). */
export function findRuntimeEntry(): string {
  const candidates = [
    path.resolve(__dirname, 'runtime.mjs'),
    path.resolve(__dirname, '../dist/runtime.mjs'),
    path.resolve(__dirname, '../../dist/runtime.mjs'),
    path.resolve(__dirname, '../../../dist/runtime.mjs'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error('the coroutine-trace runtime is not built (run `npm run build`)');
  return found;
}

/**
 * `--require` of the preload that starts the trace's writer thread before Node loads the program's bundle
 * (`dist/writerPreload.cjs`, beside the runtime bundle; see runtime/writerPreload.ts), or nothing if it is not there.
 */
export function writerPreloadFlags(runtimeEntry: string): string[] {
  const preload = path.join(path.dirname(runtimeEntry), 'writerPreload.cjs');
  return fs.existsSync(preload) ? ['--require', preload] : [];
}

/** Bundles and starts `entryFile`. Build errors reject `result` with `ProgramBuildError`. */
export function startProgram(entryFile: string, options: RunOptions = {}): RunningProgram {
  let child: ChildProcess | null = null;
  let stopRequested = false;
  let killTimer: ReturnType<typeof setTimeout> | null = null;
  const stop = (graceMs = 1000, signal: NodeJS.Signals = 'SIGTERM'): void => {
    stopRequested = true;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, signal);
    if (killTimer !== null) clearTimeout(killTimer);
    killTimer = setTimeout(() => {
      if (child && child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
    }, graceMs);
    killTimer.unref();
  };

  const result = (async (): Promise<RunResult> => {
    const program = path.resolve(entryFile);
    const runtimeEntry = options.runtimeEntry ?? findRuntimeEntry();
    const bundle = await bundleProgram(program, { runtimeEntry });
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'coroutine-trace-'));
    const bundlePath = path.join(dir, path.basename(program).replace(/\.[cm]?[jt]sx?$/, '') + '.bundle.mjs');
    const mapText = JSON.stringify(bundle.map);
    await fs.promises.writeFile(`${bundlePath}.map`, mapText);
    await fs.promises.writeFile(bundlePath, `${bundle.code}\n//# sourceMappingURL=${path.basename(bundlePath)}.map\n`);

    const clock = options.clock ?? 'real';
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      version: TRACE_SCHEMA_VERSION,
      clock,
      program,
      startedAt: new Date().toISOString(),
    };
    if (options.args && options.args.length > 0) header.args = options.args;
    const tracing = options.trace !== false;
    const writer = tracing && options.tracePath ? await TraceFileWriter.open(options.tracePath, header) : null;
    options.onHeader?.(header);

    const resolveSite = makeSiteResolver(bundle, bundlePath);
    let lastT = 0;
    /** `lastT` in whole microseconds (events carry microsecond precision: `decodeRow`). */
    let lastMicros = 0;
    let eventCount = 0;
    let batch: TraceEvent[] = [];
    // The whole-run diagnostics need the model; folding it costs host time, so very large traces skip them.
    const maxAnalyzed = options.maxAnalyzedEvents ?? DEFAULT_MAX_ANALYZED_EVENTS;
    const warnings: WarningEvent[] = [];
    let analysis = tracing && options.analyze !== false ? new ModelBuilder(header) : null;
    // Event objects are made only when someone needs them: a live listener (the extension), the warnings, and the
    // model. Without a live listener, the rows are kept (with their clamped times) and folded once the run is over,
    // only if it stayed under `maxAnalyzed`: a large run never pays for a model it will not use.
    const live = options.onEvents !== undefined;
    let analysisRows: Float64Array[] | null = analysis !== null && !live ? [] : null;
    const decoder: WireDecoder = new WireDecoder(
      (id): SourceSite | null => resolveSite(id, decoder.dynamicSites),
      null,
      (rows, count) => {
        const end = count * ROW_WIDTH;
        // Rows kept for the model hold the clamped time in place of the raw one.
        const kept = analysisRows !== null ? rows.slice(0, end) : null;
        let i = 0;
        try {
          for (; i < end; i += ROW_WIDTH) {
            // Microsecond precision (as `decodeRow`), and never backwards: the file's order is the trace's order.
            let micros = Math.round(rows[i + 1] * 1000);
            let t = micros / 1000;
            if (t < lastT) {
              t = lastT;
              micros = lastMicros;
            }
            if (encoder !== null) encoder.add(rows, i, micros);
            if (live || rows[i] === WARNING_CODE) {
              const event = decoder.decodeRow(rows, i);
              event.t = t;
              if (event.type === 'warning') warnings.push(event);
              if (live) {
                batch.push(event);
                if (analysis !== null && eventCount < maxAnalyzed) analysis.add(event);
              }
            }
            if (kept !== null) kept[i + 1] = t;
            lastT = t;
            lastMicros = micros;
            eventCount++;
          }
        } finally {
          // Large writes; what came before a corrupt row is kept.
          if (encoder !== null && encoder.pendingBytes >= WRITE_BYTES) writer!.writeBytes(encoder.take());
          if (analysis !== null && eventCount > maxAnalyzed) {
            analysis = null;
            analysisRows = null;
          }
          if (analysisRows !== null && kept !== null && i > 0) analysisRows.push(i === end ? kept : kept.slice(0, i));
        }
      },
    );
    const encoder = writer !== null ? new RowNdjsonEncoder(decoder) : null;
    const deliver = (): void => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      options.onEvents?.(events);
    };

    let wireError = null as Error | null;
    if (stopRequested) throw new Error('stopped before the program started');
    const stdio = options.stdio ?? 'inherit';
    const spool = tracing && (options.spool ?? !live) ? Spool.open(path.join(dir, 'events.bin')) : null;
    const flags = tracing ? [...PROGRAM_NODE_FLAGS, ...writerPreloadFlags(runtimeEntry)] : PROGRAM_NODE_FLAGS;
    child = spawn(options.nodePath ?? process.execPath, [...flags, bundlePath, ...(options.args ?? [])], {
      cwd: options.cwd ?? path.dirname(program),
      env: {
        ...process.env,
        ...options.env,
        ELECTRON_RUN_AS_NODE: '1',
        ...(tracing ? { COROUTINE_TRACE_FD: '3' } : {}),
        COROUTINE_TRACE_CLOCK: clock,
        ...(options.maxBufferBytes ? { COROUTINE_TRACE_MAX_BUFFER: String(options.maxBufferBytes) } : {}),
      },
      stdio: [stdio === 'inherit' ? 'inherit' : 'ignore', stdio, stdio, spool !== null ? spool.fd : tracing ? 'pipe' : 'ignore'],
      detached: process.platform !== 'win32',
    });
    const started = child;
    if (stdio === 'pipe') {
      started.stdout?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.('stdout', text));
      started.stderr?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.('stderr', text));
    }
    const eventPipe = tracing && spool === null ? (started.stdio[3] as NodeJS.ReadableStream | null) : null;
    const feed = (chunk: Uint8Array): void => {
      if (wireError !== null) return;
      try {
        decoder.feed(chunk);
      } catch (err) {
        // A program that wrote garbage on fd 3 (or died mid-frame) must not take the host down.
        wireError = err instanceof Error ? err : new Error(String(err));
      }
    };
    let lastData = Date.now();
    const pipeClosed = new Promise<void>((resolve) => {
      if (!eventPipe) return resolve();
      eventPipe.on('data', (chunk: Buffer) => {
        lastData = Date.now();
        feed(chunk);
        deliver();
      });
      eventPipe.on('end', resolve);
      eventPipe.on('close', resolve);
      eventPipe.on('error', () => resolve());
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      started.on('error', reject);
      started.on('exit', (code, signal) => resolve({ code, signal }));
    });
    const { code, signal } = await exited.catch((err: unknown) => {
      spool?.discard();
      throw err;
    });
    // Grand-children may hold the pipe open; the program's own events are all in once it has exited and the
    // pipe is drained, so do not wait for them for long.
    // Read everything the program sent: the host may still be decoding a large backlog when the program exits.
    // Only a pipe that stays silent (a grandchild holding it open) ends the wait.
    await Promise.race([pipeClosed, pipeSilentFor(() => lastData, 2000)]);
    if (killTimer) clearTimeout(killTimer);
    if (spool !== null) {
      const spoolError = await spool.replay(feed, () => writer?.room());
      if (spoolError !== null && wireError === null) wireError = spoolError;
    }
    deliver();
    if (encoder !== null) writer!.writeBytes(encoder.take());
    const finished: RunFinishedEvent = {
      t: lastT,
      type: 'run.finished',
      exitCode: code,
      signal,
      pendingTasks: decoder.stats.pendingTasks,
      droppedEvents: decoder.stats.droppedEvents,
    };
    /** Warnings of this runner's own (not the program's), written after the program's events. */
    const ownWarnings: TraceEvent[] = [];
    if (wireError === null && eventCount > 0 && !decoder.statsReceived) {
      // The runtime sends its statistics last, at exit, after everything it recorded: without them the program was
      // killed (or could not hand its last events over) and the trace may lack its end.
      const warning: TraceEvent = {
        t: lastT,
        type: 'warning',
        kind: 'events-dropped',
        message:
          `the program ended without handing over its last events${signal ? ` (${signal})` : ''}: ` +
          `the trace may be missing what happened last`,
      };
      writer?.write(warning);
      warnings.push(warning);
      ownWarnings.push(warning);
      options.onEvents?.([warning]);
    }
    if (wireError !== null) {
      const warning: TraceEvent = {
        t: lastT,
        type: 'warning',
        kind: 'events-dropped',
        message: `the event stream from the program was unreadable after ${eventCount} events: ${wireError.message}`,
      };
      writer?.write(warning);
      warnings.push(warning);
      ownWarnings.push(warning);
      options.onEvents?.([warning]);
    }
    let model: TraceModel | undefined;
    if (analysis !== null && eventCount <= maxAnalyzed) {
      if (analysisRows !== null) {
        for (const rows of analysisRows) {
          for (let i = 0; i < rows.length; i += ROW_WIDTH) {
            const event = decoder.decodeRow(rows, i);
            event.t = rows[i + 1];
            analysis.add(event);
          }
        }
        analysisRows = null;
      }
      analysis.add(finished);
      const found = analyzeTrace(analysis.model()).map((w) => ({ ...w, t: lastT }));
      for (const w of found) writer?.write(w);
      warnings.push(...found);
      if (found.length > 0) options.onEvents?.(found);
      // The file has this runner's warnings and these before run.finished; folded after it, they still only add to
      // the model's warnings, in the file's order, so the model is the one the file gives.
      for (const w of ownWarnings) analysis.add(w);
      for (const w of found) analysis.add(w);
      model = analysis.model();
    }
    writer?.write(finished);
    options.onEvents?.([finished]);
    await writer?.close();
    void fs.promises.rm(dir, { recursive: true, force: true });
    return {
      header,
      finished,
      warnings,
      tracePath: writer ? path.resolve(options.tracePath!) : null,
      eventCount: eventCount + 1,
      model,
    };
  })();

  return {
    result,
    stop,
    get pid() {
      return child?.pid;
    },
  };
}

/**
 * The file the program writes its events to while it runs (as its fd 3), read back in large blocks once it has
 * exited. The host does nothing meanwhile: no read, no copy, no decoding next to the program it measures.
 */
class Spool {
  private constructor(
    readonly fd: number,
    private readonly file: string,
  ) {}

  /** Creates the file; null if it cannot be (the host then reads the events from a pipe as they come). */
  static open(file: string): Spool | null {
    try {
      return new Spool(fs.openSync(file, 'w+'), file);
    } catch {
      return null;
    }
  }

  /**
   * Hands everything the program wrote back to `feed`, in order, waiting for `room()` between blocks; removes the
   * file. Returns what went wrong reading it (then the trace ends where the reading stopped), or null.
   */
  async replay(feed: (chunk: Uint8Array) => void, room: () => Promise<void> | undefined): Promise<Error | null> {
    const block = Buffer.allocUnsafe(SPOOL_READ_BYTES);
    let error: Error | null = null;
    try {
      let at = 0;
      for (;;) {
        const n = fs.readSync(this.fd, block, 0, block.length, at);
        if (n === 0) break;
        feed(block.subarray(0, n));
        at += n;
        await room();
      }
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.discard();
    }
    return error === null ? null : new Error(`the events could not be read back from disk: ${error.message}`);
  }

  /** Closes and removes the file. */
  discard(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already closed.
    }
    fs.rmSync(this.file, { force: true });
  }
}

const SPOOL_READ_BYTES = 8 << 20;

/** Runs to completion; a convenience over `startProgram`. */
export function runProgram(entryFile: string, options: RunOptions = {}): Promise<RunResult> {
  return startProgram(entryFile, options).result;
}

/** Resolves once `lastActivity()` is older than `ms`. */
function pipeSilentFor(lastActivity: () => number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const idle = Date.now() - lastActivity();
      if (idle >= ms) resolve();
      else setTimeout(check, ms - idle).unref();
    };
    check();
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Site ids: positive ones are the bundle's table (assigned at bundle time), negative ones were found by stack
 * capture in the program and come with bundle positions, mapped here through the source map.
 */
function makeSiteResolver(
  bundle: BundleResult,
  bundlePath: string,
): (id: number, dynamic: Map<number, { file: string; line: number; column: number }>) => SourceSite | null {
  let traceMap: TraceMap | null = null;
  const cache = new Map<number, SourceSite | null>();
  return (id, dynamic) => {
    if (id > 0) return bundle.sites[id - 1] ?? null;
    let site = cache.get(id);
    if (site !== undefined) return site;
    const raw = dynamic.get(id);
    site = null;
    if (raw) {
      if (path.resolve(raw.file) === bundlePath) {
        traceMap ??= new TraceMap(bundle.map as unknown as ConstructorParameters<typeof TraceMap>[0]);
        const pos = originalPositionFor(traceMap, { line: raw.line, column: raw.column - 1 });
        if (pos.source && pos.line !== null && pos.column !== null) {
          site = { file: path.resolve(pos.source), line: pos.line, column: pos.column + 1 };
        }
      } else {
        site = { file: raw.file, line: raw.line, column: raw.column };
      }
    }
    cache.set(id, site);
    return site;
  };
}

export { ProgramBuildError };
