import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { callSpan, toEditorPosition } from '../../src/extension/pure/positions';

const SRC = path.resolve(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('extension/pure/positions', () => {
  it('converts 1-based sites to 0-based editor positions', () => {
    assert.deepStrictEqual(toEditorPosition({ line: 1, column: 1 }), { line: 0, character: 0 });
    assert.deepStrictEqual(toEditorPosition({ line: 31, column: 25 }), { line: 30, character: 24 });
  });

  it('clamps positions that are not 1-based to the start', () => {
    assert.deepStrictEqual(toEditorPosition({ line: 0, column: 0 }), { line: 0, character: 0 });
    assert.deepStrictEqual(toEditorPosition({ line: -3, column: NaN }), { line: 0, character: 0 });
  });

  it('is the only place in the extension that converts', () => {
    const offenders = sourceFiles(path.join(SRC, 'extension'))
      .filter((f) => !f.endsWith(path.join('pure', 'positions.ts')))
      .filter((f) => /\.(line|column)\s*-\s*1\b/.test(fs.readFileSync(f, 'utf8')));
    assert.deepStrictEqual(offenders, []);
  });

  describe('callSpan', () => {
    const span = (text: string, at: number): string => {
      const s = callSpan(text, at);
      return text.slice(s.start, s.end);
    };

    it('selects a method call with its receiver and arguments', () => {
      const line = "  const task3 = asyncio.createTask(worker3(), { name: 'worker_3' });";
      assert.strictEqual(span(line, line.indexOf('createTask')), "asyncio.createTask(worker3(), { name: 'worker_3' })");
      assert.strictEqual(span('  task3.cancel();', 8), 'task3.cancel()');
      assert.strictEqual(span('  x = a?.b.get(1);', 11), 'a?.b.get(1)');
    });

    it('keeps a leading await', () => {
      assert.strictEqual(span('  await asyncio.sleep(2);', 2), 'await asyncio.sleep(2)');
      assert.strictEqual(span('  const v = await queue.get();', 12), 'await queue.get()');
    });

    it('skips brackets inside strings, and stops at the callee when the call goes on to the next line', () => {
      assert.strictEqual(span("log(')', f(1))", 0), "log(')', f(1))");
      assert.strictEqual(span('  await asyncio.gather(', 2), 'await asyncio.gather');
      assert.strictEqual(span('  new Queue<number>();', 2), 'new Queue<number>()');
    });

    it('selects nothing off an identifier', () => {
      assert.deepStrictEqual(callSpan('  (x)', 2), { start: 2, end: 2 });
      assert.deepStrictEqual(callSpan('ab', 10), { start: 2, end: 2 });
    });
  });
});
