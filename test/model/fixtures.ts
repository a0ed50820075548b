import * as fs from 'fs';
import * as path from 'path';
import { buildModel, TraceModel } from '../../src/model/model';
import { parseTrace, ParsedTrace } from '../../src/model/traceFileReader';

/** Fixtures live in the source tree; tests run from `out/test/model`. */
export const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/traces');

export function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixturePath(name), 'utf8');
}

export function parseFixture(name: string): ParsedTrace {
  return parseTrace(readFixture(name));
}

export function modelOf(name: string): TraceModel {
  const { header, events } = parseFixture(name);
  return buildModel(header, events);
}
