/**
 * The `coroutine-trace` command line: run a program traced, summarise a trace, export it.
 * Every user error ends with one line on stderr and exit code 2, never a stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { TRACE_FILE_EXTENSION, TraceEvent } from '../contract/trace';
import { parseTrace, TraceFormatError, TraceLineReader } from '../model/traceFileReader';
import { buildModel, ModelBuilder, TraceModel } from '../model/model';
import { renderRunReport, renderSummary } from '../model/summary';
import { toChromeTrace } from '../model/chromeExport';
import { ProgramBuildError, RunResult, startProgram } from '../runner/runProgram';
import { reportHtml } from '../report/reportHtml';

const USAGE = `usage:
  coroutine-trace run FILE.ts [--virtual-clock] [--out TRACE${TRACE_FILE_EXTENSION}] [--quiet] [--strict] [--no-trace] [-- program args]
  coroutine-trace summary TRACE [--width N] [--ascii]
  coroutine-trace export TRACE --format chrome -o OUT.json
  coroutine-trace report TRACE -o REPORT.html
  coroutine-trace --help | --version`;

/** A problem with what the user asked for: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const EXIT_USAGE = 2;
/** The program deadlocked: no task could run and nothing could wake one. */
export const EXIT_DEADLOCK = 3;
/** `--strict`: the program succeeded but the run had warnings. */
export const EXIT_STRICT = 4;

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
  rest: string[];
}

function parseArgs(argv: string[], valued: ReadonlySet<string>, known: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (!known.has(name) && !valued.has(name)) throw new UsageError(`unknown option ${name}`);
      if (valued.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        flags.set(name, value);
      } else flags.set(name, true);
    } else positional.push(a);
  }
  return { positional, flags, rest };
}

function readTraceFile(file: string): ReturnType<typeof parseTrace> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw readError(file, err);
  }
  try {
    return parseTrace(text);
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

function readError(file: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${file}: file not found`);
  if (code === 'EISDIR') return new UsageError(`${file}: is a directory, not a trace file`);
  return new UsageError(`${file}: cannot read (${code ?? String(err)})`);
}

/** Bytes of a trace file read, parsed and folded at a time by `readTraceModel`. */
const FOLD_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The model of a trace file, read a piece at a time and folded as it is read, keeping no event: for the commands that
 * need only the model. Read whole and parsed into events before folding, a trace held all its events at once (the
 * benchmark's W1, 2.3 million events in 280 MB: 980 MB of memory, against 700 MB folded as read, in about the same
 * time), and a file over 512 MB could not be read at all (longer than a JavaScript string can be).
 */
function readTraceModel(file: string): { model: TraceModel; truncated: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw readError(file, err);
  }
  const reader = new TraceLineReader();
  const decoder = new TextDecoder('utf-8');
  const buffer = Buffer.allocUnsafe(FOLD_CHUNK_BYTES);
  let builder: ModelBuilder | undefined;
  const fold = (events: TraceEvent[]): void => {
    if (builder === undefined && reader.header !== undefined) builder = new ModelBuilder(reader.header);
    for (const event of events) builder!.add(event);
  };
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, buffer.length, null);
      } catch (err) {
        throw readError(file, err);
      }
      if (n === 0) break;
      fold(reader.push(decoder.decode(buffer.subarray(0, n), { stream: true })));
    }
    fold(reader.push(decoder.decode()));
    fold(reader.end());
  } catch (err) {
    if (err instanceof TraceFormatError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  // `end()` has thrown for a file without a header, so there is a builder.
  return { model: builder!.model(), truncated: !reader.finished };
}

function warnIfTruncated(file: string, truncated: boolean, stderr: NodeJS.WritableStream): void {
  if (truncated) stderr.write(`coroutine-trace: warning: ${file} is truncated (no run.finished); showing what it has\n`);
}

function defaultTracePath(program: string): string {
  const base = path.basename(program).replace(/\.[cm]?[jt]sx?$/, '');
  return path.join(process.cwd(), '.coroutine-trace', `${base}${TRACE_FILE_EXTENSION}`);
}

async function cmdRun(argv: string[], io: Io): Promise<number> {
  const { positional, flags, rest } = parseArgs(argv, new Set(['--out', '-o']), new Set(['--virtual-clock', '--quiet', '--no-trace', '--strict']));
  if (positional.length !== 1) throw new UsageError('run needs exactly one program file');
  const file = positional[0];
  if (!fs.existsSync(file)) throw new UsageError(`${file}: file not found`);
  if (fs.statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, not a program`);
  const out = (flags.get('--out') ?? flags.get('-o') ?? defaultTracePath(file)) as string;
  const trace = !flags.has('--no-trace');
  const running = startProgram(file, {
    trace,
    clock: flags.has('--virtual-clock') ? 'virtual' : 'real',
    tracePath: out,
    args: rest,
    cwd: process.cwd(),
  });
  // The program runs in its own process group (so that stopping it reaches what it started), so Ctrl-C in a terminal,
  // or a SIGTERM from a supervisor or a test's timeout, reaches only this process: pass it on and wait for the program
  // to unwind, instead of dying and leaving it running. A second signal kills it at once.
  let signalled: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals): void => {
    running.stop(signalled === undefined ? FORWARD_GRACE_MS : 0, signalled === undefined ? signal : 'SIGKILL');
    signalled ??= signal;
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  let result: RunResult;
  try {
    result = await running.result;
  } catch (err) {
    if (signalled !== undefined) return 128 + SIGNAL_NUMBERS[signalled];
    if (err instanceof ProgramBuildError) throw new UsageError(err.message);
    throw err;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
  if (trace && !flags.has('--quiet')) {
    // The runner's own model when it made one (runs up to DEFAULT_MAX_ANALYZED_EVENTS); else the file's, folded.
    const model = result.model ?? readTraceModel(out).model;
    io.stderr.write(renderRunReport(model, displayPath(out)));
  }
  const { exitCode, signal } = result.finished;
  if (result.warnings.some((w) => w.kind === 'deadlock')) return EXIT_DEADLOCK;
  if (flags.has('--strict') && exitCode === 0 && result.warnings.length > 0) {
    const n = result.warnings.length;
    io.stderr.write(`coroutine-trace: --strict: ${n} warning${n === 1 ? '' : 's'}, exit code ${EXIT_STRICT}\n`);
    return EXIT_STRICT;
  }
  if (exitCode !== null) return exitCode;
  return 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1);
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** After a forwarded signal, how long the program has to unwind (it takes 300 ms) before it is killed. */
const FORWARD_GRACE_MS = 2000;

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function cmdSummary(argv: string[], io: Io): number {
  const { positional, flags } = parseArgs(argv, new Set(['--width']), new Set(['--ascii']));
  if (positional.length !== 1) throw new UsageError('summary needs exactly one trace file');
  const width = flags.has('--width') ? Number(flags.get('--width')) : undefined;
  if (width !== undefined && (!Number.isInteger(width) || width < 10 || width > 1000)) {
    throw new UsageError('--width must be a whole number from 10 to 1000');
  }
  const trace = readTraceModel(positional[0]);
  warnIfTruncated(positional[0], trace.truncated, io.stderr);
  const text = renderSummary(trace.model, { width, ascii: flags.has('--ascii') });
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

function cmdExport(argv: string[], io: Io): number {
  const { positional, flags } = parseArgs(argv, new Set(['--format', '-o', '--out']), new Set());
  if (positional.length !== 1) throw new UsageError('export needs exactly one trace file');
  const format = flags.get('--format') ?? 'chrome';
  if (format !== 'chrome' && format !== 'perfetto') {
    throw new UsageError(`unknown export format '${String(format)}' (supported: chrome)`);
  }
  const out = (flags.get('-o') ?? flags.get('--out')) as string | undefined;
  if (!out) throw new UsageError('export needs -o OUT.json');
  const trace = readTraceModel(positional[0]);
  warnIfTruncated(positional[0], trace.truncated, io.stderr);
  const json = JSON.stringify(toChromeTrace(trace.model));
  try {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, json);
  } catch (err) {
    throw new UsageError(`${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  io.stderr.write(`coroutine-trace: wrote ${displayPath(out)} (open it in https://ui.perfetto.dev or chrome://tracing)\n`);
  return 0;
}

function cmdReport(argv: string[], io: Io): number {
  const { positional, flags } = parseArgs(argv, new Set(['-o', '--out']), new Set());
  if (positional.length !== 1) throw new UsageError('report needs exactly one trace file');
  const out = (flags.get('-o') ?? flags.get('--out')) as string | undefined;
  if (!out) throw new UsageError('report needs -o REPORT.html');
  const trace = readTraceFile(positional[0]);
  warnIfTruncated(positional[0], trace.truncated, io.stderr);
  // The timeline's browser bundle sits next to this file in dist/.
  const bundle = path.join(__dirname, 'webview.js');
  let webviewJs: string;
  try {
    webviewJs = fs.readFileSync(bundle, 'utf8');
  } catch {
    throw new UsageError(`${bundle}: the timeline bundle is missing (run npm run build)`);
  }
  const html = reportHtml(trace, webviewJs, { gzip: (bytes) => zlib.gzipSync(bytes) });
  try {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, html);
  } catch (err) {
    throw new UsageError(`${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  io.stderr.write(`coroutine-trace: wrote ${displayPath(out)} (open it in a browser)\n`);
  return 0;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs one command; returns the exit code. Never throws for user errors. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(rest, io);
      case 'summary':
        return cmdSummary(rest, io);
      case 'export':
        return cmdExport(rest, io);
      case 'report':
        return cmdReport(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(`${readVersion()}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`coroutine-trace: ${err.message}\n`);
      if (/^(no command|unknown command|unknown option)/.test(err.message)) io.stderr.write(`${USAGE}\n`);
      return EXIT_USAGE;
    }
    // Not the user's fault: still one line, with what we know.
    io.stderr.write(`coroutine-trace: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(fs.readFileSync(path.resolve(__dirname, candidate), 'utf8')) as { version: string }).version;
    } catch {
      // try the next
    }
  }
  return 'unknown';
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
