/** Fixture access for the webview tests (they run from out/test/webview, the fixtures stay in the source tree). */
import * as fs from 'fs';
import * as path from 'path';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { Edge, buildModel, TraceModel } from '../../src/model/model';
import { parseTrace } from '../../src/model/traceFileReader';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');

export function trace(name: string): { header: TraceHeader; events: TraceEvent[] } {
  return parseTrace(fs.readFileSync(path.join(TRACES, name), 'utf8'));
}

export function model(name: string): TraceModel {
  const { header, events } = trace(name);
  return buildModel(header, events);
}

export const HEADER: TraceHeader = {
  format: 'coroutine-trace',
  version: 1,
  clock: 'virtual',
  program: '/p/prog.ts',
  startedAt: '2026-01-01T00:00:00.000Z',
};

export function site(line: number, column = 1): { file: string; line: number; column: number } {
  return { file: '/p/prog.ts', line, column };
}

/** Everything a view reads from a model, as plain data (maps and the live builder left out): models compare equal. */
export function snapshotOf(m: TraceModel): unknown {
  return JSON.parse(
    JSON.stringify({
      tasks: m.tasks,
      resources: m.resources,
      output: m.output,
      warnings: m.warnings,
      anomalies: m.anomalies,
      endTime: m.endTime,
      runFinished: m.runFinished,
      eventCount: m.eventCount,
    }),
  );
}

/** An edge as one comparable line. */
export function edgeKey(e: Edge): string {
  switch (e.kind) {
    case 'create':
    case 'cancel':
      return `${e.kind} ${e.from}->${e.to} @${e.t}`;
    case 'await':
      return `await ${e.from}->${e.to} ${e.start}..${e.end}${e.open ? ' open' : ''}`;
    case 'queue':
      return `queue ${e.from}->${e.to} ${e.start}..${e.end} #${e.seq}`;
  }
}

/** The timeline benchmark's synthetic trace, and its seeded generator (mulberry32), for tests that need volume. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { syntheticTrace, rng } = require('../../../bench/webview-synthetic.js') as {
  syntheticTrace(o: { tasks: number; events: number; seed?: number }): { header: TraceHeader; events: TraceEvent[] };
  rng(seed: number): () => number;
};
