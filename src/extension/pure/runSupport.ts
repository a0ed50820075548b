/**
 * Small decisions a run makes that need no VS Code: which Node to use, where the trace goes and what it is called,
 * which old traces to delete, what the status bar says, and the one-line cause of a crash.
 */
import { TRACE_FILE_EXTENSION } from '../../contract/trace';

// ---------------------------------------------------------------------------------------------------------------------
// Node

export interface NodeChoice {
  /** The executable to start. */
  path: string;
  /** Why this one: the setting, `node` found on PATH, or the editor's own runtime (run as Node). */
  source: 'setting' | 'path' | 'editor';
}

export interface NodeLookup {
  /** `coroutineTrace.nodePath`, trimmed; empty for unset. */
  setting: string;
  /** The PATH variable. */
  pathEnv: string | undefined;
  platform: NodeJS.Platform;
  /** The editor's runtime (`process.execPath`), run with ELECTRON_RUN_AS_NODE=1 when nothing else is found. */
  execPath: string;
  isExecutableFile(file: string): boolean;
}

/** Thrown when `coroutineTrace.nodePath` names something that is not there. */
export class NodeNotFoundError extends Error {
  override readonly name = 'NodeNotFoundError';
}

export function chooseNode(lookup: NodeLookup): NodeChoice {
  const { setting } = lookup;
  if (setting) {
    const isPath = /[\\/]/.test(setting);
    const found = isPath ? (lookup.isExecutableFile(setting) ? setting : undefined) : searchPath(setting, lookup);
    if (!found) {
      throw new NodeNotFoundError(
        isPath
          ? `Node.js was not found at ${setting} (setting coroutineTrace.nodePath)`
          : `'${setting}' was not found on PATH (setting coroutineTrace.nodePath)`,
      );
    }
    return { path: found, source: 'setting' };
  }
  const onPath = searchPath('node', lookup);
  if (onPath) return { path: onPath, source: 'path' };
  return { path: lookup.execPath, source: 'editor' };
}

function searchPath(name: string, lookup: NodeLookup): string | undefined {
  const win = lookup.platform === 'win32';
  const sep = win ? ';' : ':';
  const names = win && !/\.(exe|cmd|bat)$/i.test(name) ? [`${name}.exe`, name] : [name];
  for (const dir of (lookup.pathEnv ?? '').split(sep)) {
    if (!dir) continue;
    for (const n of names) {
      const candidate = `${dir.replace(/[\\/]+$/, '')}${win ? '\\' : '/'}${n}`;
      if (lookup.isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Environment

/** The variable the runtime reads for the blocked-loop threshold (`src/runtime/tracing.ts`). */
export const SLOW_STEP_ENV = 'COROUTINE_TRACE_SLOW_STEP_MS';

/**
 * The environment added to the program's: `coroutineTrace.slowStepMs` as `COROUTINE_TRACE_SLOW_STEP_MS`, then
 * `coroutineTrace.env`, which wins (a variable set there by hand is the more deliberate choice).
 */
export function programEnv(settings: { env: Record<string, string>; slowStepMs: number }): Record<string, string> {
  return { [SLOW_STEP_ENV]: String(settings.slowStepMs), ...settings.env };
}

// ---------------------------------------------------------------------------------------------------------------------
// Trace files

/** `07-cancel-timeout.20251126-090500-123.cotrace`: the program's base name and the local start time. */
export function traceFileName(program: string, startedAt: Date): string {
  const base = program.split(/[\\/]/).pop()!.replace(/\.[cm]?[jt]sx?$/, '') || 'program';
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const d = startedAt;
  const stamp =
    `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-` +
    `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${p(d.getMilliseconds(), 3)}`;
  return `${base}.${stamp}${TRACE_FILE_EXTENSION}`;
}

const RUN_TRACE_NAME = /^.+\.\d{8}-\d{6}-\d{3}\.cotrace$/;

/** True for names `traceFileName` makes: only those are ever deleted by `keepRuns`. */
export function isRunTraceName(name: string): boolean {
  return RUN_TRACE_NAME.test(name);
}

/**
 * The run traces to delete so that `keep` remain: the oldest first-made ones (by modification time, then name).
 * Files the user put there under other names are never touched.
 */
export function tracesToDelete(files: ReadonlyArray<{ name: string; mtimeMs: number }>, keep: number): string[] {
  const runs = files.filter((f) => isRunTraceName(f.name));
  runs.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  return runs.slice(Math.max(0, Math.floor(keep))).map((f) => f.name);
}

/**
 * The folder for run traces: the setting with `${workspaceFolder}` and `~` expanded, relative paths taken from the
 * workspace folder; the extension's storage when the setting is empty (or relative with no folder open).
 */
export function resolveTraceDirectory(
  setting: string,
  ctx: { workspaceFolder: string | undefined; home: string; storage: string },
): string {
  let dir = setting.trim();
  if (!dir) return ctx.storage;
  if (ctx.workspaceFolder !== undefined) dir = dir.split('${workspaceFolder}').join(ctx.workspaceFolder);
  else if (dir.includes('${workspaceFolder}')) return ctx.storage;
  if (dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\')) dir = ctx.home + dir.slice(1);
  const absolute = dir.startsWith('/') || dir.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(dir);
  if (absolute) return dir;
  if (ctx.workspaceFolder === undefined) return ctx.storage;
  return `${ctx.workspaceFolder.replace(/[\\/]+$/, '')}/${dir.replace(/^\.[\\/]/, '')}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Status and errors

/**
 * `07-cancel-timeout.ts 2.4 s · 1 running, 2 sleeping`, the time counted from the program's start; while the file is
 * still being bundled (`elapsedMs` null), `07-cancel-timeout.ts building…`.
 */
export function statusText(programBase: string, elapsedMs: number | null, counts: string): string {
  if (elapsedMs === null) return `${programBase} building…`;
  const seconds = elapsedMs < 10_000 ? (elapsedMs / 1000).toFixed(1) : String(Math.floor(elapsedMs / 1000));
  return counts ? `${programBase} ${seconds} s · ${counts}` : `${programBase} ${seconds} s`;
}

/** Keeps the last `max` characters of a stream, to explain a crash with the program's own last words. */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 8192) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(-this.max);
  }
  get value(): string {
    return this.text.length > this.max ? this.text.slice(-this.max) : this.text;
  }
}

/**
 * The line of a crashed program's stderr that says why: the last `SomeError: message` line (Node prints the uncaught
 * error after the source excerpt), else the last non-empty line that is not a stack frame.
 */
export function crashCause(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd());
  const errorLine = /^(?:Uncaught )?[A-Za-z_$][\w$.]*(?:Error|Exception)(?: \[[A-Z_]+\])?(?::.*)?$/;
  for (let i = lines.length - 1; i >= 0; i--) if (errorLine.test(lines[i])) return lines[i];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line && !line.startsWith('at ') && !/^Node\.js v\d/.test(line) && line !== '^') return line;
  }
  return undefined;
}
