import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DIAGNOSTIC_SOURCE } from '../../src/extension/pure/warnings';

const SRC = path.resolve(__dirname, '../../../src');
const TESTS = path.resolve(__dirname, '../../../test/extension');

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsVscode = (file: string): boolean => /from ['"]vscode['"]|require\(['"]vscode['"]\)/.test(fs.readFileSync(file, 'utf8'));

describe('extension boundaries', () => {
  it('only src/extension imports vscode, and never its pure modules', () => {
    const offenders = files(SRC)
      .filter(importsVscode)
      .map((f) => path.relative(SRC, f))
      .filter((f) => !f.startsWith('extension' + path.sep) || f.startsWith(path.join('extension', 'pure') + path.sep));
    assert.deepStrictEqual(offenders, []);
  });

  it('the unit tests of the extension do not import vscode', () => {
    assert.deepStrictEqual(files(TESTS).filter(importsVscode), []);
  });
});

describe('diagnostic source', () => {
  it('is the display name, and every diagnostic the extension makes uses it', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(SRC, '..', 'package.json'), 'utf8')) as { displayName: string };
    assert.strictEqual(DIAGNOSTIC_SOURCE, manifest.displayName);
    const assignments = files(path.join(SRC, 'extension')).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/\.source\s*=(?!=)\s*([^;]+);/g)].map((m) => `${path.relative(SRC, f)}: ${m[1].trim()}`),
    );
    assert.ok(assignments.length >= 2, assignments.join('\n'));
    assert.deepStrictEqual(assignments.filter((a) => !a.endsWith(': DIAGNOSTIC_SOURCE')), []);
  });
});
