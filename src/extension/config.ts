/** Reads the `coroutineTrace.*` settings, with the defaults `package.json` documents. */
import * as vscode from 'vscode';
import { Setting } from './commands';

export interface RunSettings {
  nodePath: string;
  args: string[];
  env: Record<string, string>;
  virtualClock: boolean;
  traceDirectory: string;
  keepRuns: number;
  maxEvents: number;
  /** Longest step without yielding before a blocked-loop warning, in ms; 0: no check. */
  slowStepMs: number;
}

export const DEFAULT_KEEP_RUNS = 20;
export const DEFAULT_MAX_EVENTS = 1_000_000;
/** asyncio's `slow_callback_duration` (0.1 s). */
export const DEFAULT_SLOW_STEP_MS = 100;

export function readSettings(scope?: vscode.Uri): RunSettings {
  const c = vscode.workspace.getConfiguration(Setting.Section, scope);
  const args = c.get<unknown>(Setting.Args, []);
  const env = c.get<unknown>(Setting.Env, {});
  return {
    nodePath: String(c.get<string>(Setting.NodePath, '') ?? '').trim(),
    args: Array.isArray(args) ? args.map(String) : [],
    env: env && typeof env === 'object' && !Array.isArray(env) ? stringValues(env as Record<string, unknown>) : {},
    virtualClock: c.get<boolean>(Setting.VirtualClock, false) === true,
    traceDirectory: String(c.get<string>(Setting.TraceDirectory, '') ?? ''),
    keepRuns: nonNegativeInt(c.get<number>(Setting.KeepRuns, DEFAULT_KEEP_RUNS), DEFAULT_KEEP_RUNS),
    maxEvents: nonNegativeInt(c.get<number>(Setting.MaxEvents, DEFAULT_MAX_EVENTS), DEFAULT_MAX_EVENTS),
    slowStepMs: nonNegative(c.get<number>(Setting.SlowStepMs, DEFAULT_SLOW_STEP_MS), DEFAULT_SLOW_STEP_MS),
  };
}

function stringValues(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
