/** Fixture access for the webview tests (they run from out/test/webview, the fixtures stay in the source tree). */
import * as fs from 'fs';
import * as path from 'path';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { buildModel, TraceModel } from '../../src/model/model';
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
