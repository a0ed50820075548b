import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { BundleResult, ProgramBuildError, bundleProgram, writeBundle } from '../../src/runner/bundle';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO, 'test/fixtures/instrument');
const BAD = path.join(REPO, 'test/fixtures/bad');
const PROGRAM = path.join(FIXTURES, 'program.ts');
const HELPER = path.join(FIXTURES, 'helper.ts');
const RUNTIME = path.join(FIXTURES, 'runtime-stub.mjs');

/** 1-based position of the `nth` `token` on the one line of `file` containing `lineSnippet`. */
function positionOf(file: string, lineSnippet: string, token: string, nth = 0): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const matching = lines.map((l, i) => (l.includes(lineSnippet) ? i : -1)).filter((i) => i >= 0);
  assert.strictEqual(matching.length, 1, `snippet ${JSON.stringify(lineSnippet)} must be on exactly one line`);
  const text = lines[matching[0]];
  let col = text.indexOf(token, text.indexOf(lineSnippet));
  for (let k = 0; k < nth; k++) col = text.indexOf(token, col + 1);
  assert.ok(col >= 0);
  return { line: matching[0] + 1, column: col + 1 };
}

function runNode(file: string, args: string[] = []) {
  return spawnSync(process.execPath, ['--enable-source-maps', file, ...args], { encoding: 'utf8', timeout: 10_000 });
}

async function buildError(entry: string): Promise<ProgramBuildError> {
  try {
    await bundleProgram(entry, { runtimeEntry: RUNTIME });
  } catch (e) {
    assert.ok(e instanceof ProgramBuildError, `expected ProgramBuildError, got ${String(e)}`);
    return e;
  }
  assert.fail('the build should have failed');
}

describe('runner/bundle', () => {
  let tmp: string;
  let outFile: string;
  let result: BundleResult;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bundle-test-'));
    outFile = path.join(tmp, 'program.mjs');
    result = await bundleProgram(PROGRAM, { runtimeEntry: RUNTIME, outFile });
    await writeBundle(result, outFile);
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('produces a bundle that runs, with coroutine-trace resolved to the given runtime', () => {
    const run = runNode(outFile);
    assert.strictEqual(run.stderr, '');
    assert.strictEqual(run.status, 0);
    assert.match(run.stdout, /^result=42\n/);
  });

  it('passes the ids of the sites that ran, in order, and only for user code', () => {
    const run = runNode(outFile);
    const logged = /sites=(.*)\n/.exec(run.stdout)?.[1].split(',') ?? [];
    const described = logged.map((entry) => {
      const [kind, id] = entry.split(':');
      const site = result.sites[Number(id) - 1];
      return `${kind} ${path.basename(site.file)}:${site.line}:${site.column}`;
    });
    const at = (kind: string, file: string, snippet: string, token: string) => {
      const p = positionOf(file, snippet, token);
      return `${kind} ${path.basename(file)}:${p.line}:${p.column}`;
    };
    assert.deepStrictEqual(described, [
      at('site', PROGRAM, 'new Queue<Job>()', 'new'),
      at('site', PROGRAM, 'await q.get()', 'get'),
      at('await', PROGRAM, 'await q.get()', 'await'),
      at('site', PROGRAM, 'createTask(worker(q))', 'createTask'),
      at('site', PROGRAM, 'await sleep(0.001)', 'sleep'),
      at('await', PROGRAM, 'await sleep(0.001)', 'await'),
      at('site', PROGRAM, 'run(main())', 'run'),
      at('site', PROGRAM, 'await q.put(', 'put'),
      at('await', PROGRAM, 'await q.put(', 'await'),
      // The second user file; the stand-in runtime's own awaits and `.get()` calls are not instrumented.
      at('site', HELPER, "table.get('n')", 'get'),
      at('await', PROGRAM, 'await task', 'await'),
      at('site', PROGRAM, "siteLog.join(',')", 'join'),
    ]);
    assert.ok(result.sites.every((s) => s.file === PROGRAM || s.file === HELPER));
    // Sites are distinct, but for a statement that throws away an API call's value: `run(main());` has the
    // statement's site (never-awaited check) and the call's own, both at `run`.
    const keys = result.sites.map((s) => `${s.file}:${s.line}:${s.column}`);
    const duplicated = keys.filter((k, i) => keys.indexOf(k) !== i);
    const runAt = positionOf(PROGRAM, 'run(main())', 'run');
    assert.deepStrictEqual(duplicated, [`${PROGRAM}:${runAt.line}:${runAt.column}`]);
  });

  it('has sites at the original .ts positions of an await and a createTask call', () => {
    const awaitSleep = positionOf(PROGRAM, 'await sleep(0.001);', 'await');
    const create = positionOf(PROGRAM, 'const task = createTask(worker(q));', 'createTask');
    assert.deepStrictEqual(awaitSleep, { line: 17, column: 3 });
    assert.deepStrictEqual(create, { line: 16, column: 16 });
    const find = (p: { line: number; column: number }) =>
      result.sites.findIndex((s) => s.file === PROGRAM && s.line === p.line && s.column === p.column);
    // Site ids start at 1: `sites[id - 1]`.
    const awaitId = find(awaitSleep) + 1;
    const createId = find(create) + 1;
    assert.ok(awaitId >= 1 && createId >= 1, JSON.stringify(result.sites));
    assert.match(result.code, new RegExp(`await __ct_await\\(${awaitId}, sleep\\(`));
    assert.match(result.code, new RegExp(`createTask\\(__ct_site\\(${createId}, worker\\(q\\)\\)\\)`));
  });

  it('shows the original .ts line of an error in the stack', () => {
    const run = runNode(outFile, ['--throw']);
    assert.notStrictEqual(run.status, 0);
    const where = positionOf(PROGRAM, 'throw new Error(`${reason} from main`)', 'new');
    assert.ok(
      run.stderr.includes(`at main (${PROGRAM}:${where.line}:${where.column})`),
      `stderr was:\n${run.stderr}`,
    );
  });

  it('has a map whose positions lead back to the original .ts (esbuild composes the inline maps)', () => {
    assert.ok(result.map.sources.includes(PROGRAM) && result.map.sources.includes(HELPER), String(result.map.sources));
    assert.ok(result.code.endsWith('//# sourceMappingURL=program.mjs.map\n'));
    const map = new TraceMap(result.map as never);
    const lines = result.code.split('\n');
    let checked = 0;
    lines.forEach((text, i) => {
      for (const m of text.matchAll(/await __ct_await\((\d+),|createTask\(__ct_site\((\d+),/g)) {
        const site = result.sites[Number(m[1] ?? m[2]) - 1];
        const orig = originalPositionFor(map, { line: i + 1, column: m.index! });
        assert.deepStrictEqual(
          { source: orig.source, line: orig.line, column: orig.column! + 1 },
          { source: site.file, line: site.line, column: site.column },
        );
        checked++;
      }
    });
    assert.strictEqual(checked, 5);
  });

  it('inlines the map and defines fallback hooks when there is no outFile and no runtime hooks', async () => {
    // A runtime that defines no hooks: the banner's fallbacks must keep the instrumented code working.
    const bareRuntime = path.join(tmp, 'bare-runtime.mjs');
    const queue = JSON.stringify(path.join(FIXTURES, 'runtime-stub-queue.mjs'));
    fs.writeFileSync(
      bareRuntime,
      `import { SimpleQueue } from ${queue};\n` +
        'export const siteLog = [];\n' +
        'export const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));\n' +
        'export const createTask = (p) => Promise.resolve(p);\n' +
        'export const run = (p) => p;\n' +
        'export class Queue extends SimpleQueue {}\n',
    );
    const bundled = await bundleProgram(PROGRAM, { runtimeEntry: bareRuntime });
    assert.match(bundled.code, /\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+\n$/);
    assert.strictEqual(bundled.sites.length, result.sites.length);
    const file = path.join(tmp, 'inline.mjs');
    fs.writeFileSync(file, bundled.code);
    const ok = runNode(file);
    assert.strictEqual(ok.stdout, 'result=42\nsites=\n', ok.stderr);
    const failed = runNode(file, ['--throw']);
    const where = positionOf(PROGRAM, 'throw new Error(`${reason} from main`)', 'new');
    assert.ok(failed.stderr.includes(`at main (${PROGRAM}:${where.line}:${where.column})`), failed.stderr);
  });

  it('reports a syntax error at its .ts position as file:line:col: message', async () => {
    const err = await buildError(path.join(BAD, 'syntax.ts'));
    const file = path.relative(process.cwd(), path.join(BAD, 'syntax.ts')).split(path.sep).join('/');
    const at = positionOf(path.join(BAD, 'syntax.ts'), 'function broken(a: number {', '{');
    assert.deepStrictEqual(at, { line: 5, column: 27 });
    assert.strictEqual(err.message, `${file}:5:27: Expected ")" but found "{"`);
    assert.deepStrictEqual(err.errors, [{ file, line: 5, column: 27, message: 'Expected ")" but found "{"' }]);
    if (process.cwd() === REPO) assert.ok(err.message.startsWith('test/fixtures/bad/syntax.ts:5:27: '));
  });

  it('counts error columns in UTF-16 units, as editors do (esbuild counts bytes)', async () => {
    const err = await buildError(path.join(BAD, 'unicode.ts'));
    const at = positionOf(path.join(BAD, 'unicode.ts'), 'let broken = ;', ';');
    assert.deepStrictEqual(at, { line: 1, column: 51 });
    assert.deepStrictEqual([err.errors[0].line, err.errors[0].column], [1, 51]);
    assert.match(err.message, /unicode\.ts:1:51: Unexpected ";"$/);
  });

  it('reports an unresolved import at its .ts position, not at the position in the generated JS', async () => {
    const err = await buildError(path.join(BAD, 'unresolved.ts'));
    const at = positionOf(path.join(BAD, 'unresolved.ts'), "from './does-not-exist'", "'");
    assert.deepStrictEqual([err.errors[0].line, err.errors[0].column], [at.line, at.column]);
    assert.match(err.message, /unresolved\.ts:8:25: Could not resolve "\.\/does-not-exist"$/);
  });

  it('reports a missing entry file', async () => {
    const missing = path.join(FIXTURES, 'no-such-program.ts');
    const err = await buildError(missing);
    const shown = path.relative(process.cwd(), missing).split(path.sep).join('/');
    assert.strictEqual(err.message, `${shown}: file not found`);
    assert.strictEqual(err.errors[0].file, shown);
  });
});
