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

describe('README screenshots', () => {
  const root = path.resolve(SRC, '..');
  const sources = ['bench', 'scripts', 'test'].flatMap((dir) => allFiles(path.join(root, dir))).filter((f) => /\.(ts|js|sh)$/.test(f) && !f.endsWith(path.join('test', 'extension', 'boundaries.test.ts')));

  function allFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? (e.name === 'node_modules' ? [] : allFiles(p)) : [p];
    });
  }

  it('each image the README shows has exactly one script that writes it', () => {
    const images = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/\]\((media\/screenshots\/[^)]+\.png)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 2, `README images: ${images.join(', ')}`);
    for (const image of images) {
      const name = path.basename(image);
      // A producer names the file and the folder: `path.join(ROOT, 'media', 'screenshots', 'timeline.png')`.
      const producers = sources.filter((f) => {
        const text = fs.readFileSync(f, 'utf8');
        return new RegExp(`['"/]${name.replace('.', '\\.')}['"]`).test(text) && /['"/]screenshots['"/]/.test(text) && /['"/]media['"/]/.test(text);
      });
      assert.deepStrictEqual(producers.map((f) => path.relative(root, f)), ['test/e2e/journeys.e2e.ts'], image);
    }
  });
});
