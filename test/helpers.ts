/** Shared helpers for tests that run programs through the real CLI and runner. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseTrace } from '../src/model/traceFileReader';
import type { TraceEvent, TraceHeader } from '../src/contract/trace';

/** The repository root (tests run from out/test/...). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function tempDir(prefix = 'ct-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` and captures everything. */
export function cli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface TracedRun extends CliRun {
  header: TraceHeader;
  events: TraceEvent[];
  tracePath: string;
}

/** Runs a program traced with the CLI (virtual clock unless told otherwise) and reads its trace back. */
export function runTraced(
  program: string,
  options: { real?: boolean; env?: Record<string, string>; args?: string[] } = {},
): TracedRun {
  const tracePath = path.join(tempDir(), 'trace.cotrace');
  const args = ['run', path.resolve(ROOT, program), '--out', tracePath, '--quiet'];
  if (!options.real) args.splice(2, 0, '--virtual-clock');
  if (options.args) args.push('--', ...options.args);
  const run = cli(args, { env: options.env });
  const trace = parseTrace(fs.readFileSync(tracePath, 'utf8'));
  return { ...run, header: trace.header, events: trace.events, tracePath };
}

/** The 1-based line of the first line of `file` containing `snippet`. */
export function lineOf(file: string, snippet: string): number {
  const lines = fs.readFileSync(path.resolve(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(snippet));
  if (i < 0) throw new Error(`${snippet} not found in ${file}`);
  return i + 1;
}

export function taskIdByName(events: TraceEvent[], name: string): number {
  const e = events.find((x) => x.type === 'task.created' && x.name === name);
  if (!e || e.type !== 'task.created') throw new Error(`no task named ${name}`);
  return e.task;
}
