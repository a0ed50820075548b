import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { instrumentModule, instrumentSource } from '../../src/runner/instrument';
import type { SourceSite } from '../../src/contract/trace';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/instrument');
const SAMPLE = path.join(FIXTURES, 'sample.ts');

/** Instruments plain JS (no input map), so sites are positions in the snippet itself. */
function rewrite(js: string, firstSiteId = 0) {
  return instrumentModule(js, undefined, { firstSiteId, sourceFileForSites: 'snippet.js' });
}

/**
 * 1-based position of `token` in the one line of `text` that contains `lineSnippet`, searching from the snippet
 * (the `nth` occurrence, from 0).
 */
function positionOf(text: string, lineSnippet: string, token: string, nth = 0): { line: number; column: number } {
  const lines = text.split('\n');
  const matching = lines.map((l, i) => (l.includes(lineSnippet) ? i : -1)).filter((i) => i >= 0);
  assert.strictEqual(matching.length, 1, `snippet ${JSON.stringify(lineSnippet)} must be on exactly one line`);
  const lineText = lines[matching[0]];
  let col = lineText.indexOf(token, lineText.indexOf(lineSnippet));
  for (let k = 0; k < nth; k++) col = lineText.indexOf(token, col + 1);
  assert.ok(col >= 0, `token ${token} not found`);
  return { line: matching[0] + 1, column: col + 1 };
}

type Hooks = { await: (id: number, v: unknown) => unknown; site: (id: number, v?: unknown) => unknown };

/** Runs an ESM module's exported `main()` with the given site hooks in scope (as the globals the runtime defines). */
async function runMain(esm: string, hooks?: Hooks): Promise<string[]> {
  const cjs = esbuild.transformSync(esm, { loader: 'js', format: 'cjs', target: 'node20' }).code;
  const mod: { exports: { main?: () => Promise<string[]> } } = { exports: {} };
  const missing = () => {
    throw new Error('hook called in code that should not be instrumented');
  };
  new Function('module', 'exports', '__ct_await', '__ct_site', cjs)(
    mod,
    mod.exports,
    hooks?.await ?? missing,
    hooks?.site ?? missing,
  );
  return mod.exports.main!();
}

function loggingHooks(log: string[]): Hooks {
  return {
    await: (id, v) => {
      log.push(`a${id}`);
      return v;
    },
    site: (id, v) => {
      log.push(`s${id}`);
      return v;
    },
  };
}

describe('runner/instrument', () => {
  describe('instrumentModule rewrites', () => {
    it('wraps the argument of every await, nested functions included', () => {
      const r = rewrite('async function f() { await a; const g = async () => await b(); return g; }');
      assert.strictEqual(
        r.code,
        'async function f() { await __ct_await(0, a); const g = async () => await __ct_await(1, b()); return g; }',
      );
    });

    it('keeps a parenthesised sequence whole (await and last argument)', () => {
      assert.strictEqual(rewrite('await (a, b);').code, 'await __ct_await(0, (a, b));');
      assert.strictEqual(rewrite('sleep(x, (a, b));').code, 'sleep(x, __ct_site(0, (a, b)));');
    });

    it('wraps the last argument of API calls, a spread one inside the spread', () => {
      assert.strictEqual(rewrite('createTask(work(), opts);').code, 'createTask(work(), __ct_site(0, opts));');
      assert.strictEqual(rewrite('asyncio.gather(...works);').code, 'asyncio.gather(...__ct_site(0, works));');
      assert.strictEqual(rewrite("q['put'](item);").code, "q['put'](__ct_site(0, item));");
    });

    it('wraps zero-argument API calls and constructions in a comma expression', () => {
      assert.strictEqual(rewrite('t.cancel();').code, '(__ct_site(0), t.cancel());');
      assert.strictEqual(rewrite('const l = new Lock;').code, 'const l = (__ct_site(0), new Lock);');
      assert.strictEqual(rewrite('const q = new asyncio.Queue();').code, 'const q = (__ct_site(0), new asyncio.Queue());');
      assert.strictEqual(rewrite('const q = new asyncio.Queue(5);').code, 'const q = new asyncio.Queue(__ct_site(0, 5));');
    });

    it('leaves other calls and constructions alone', () => {
      const js = 'foo(1); a.b(2); new Map(); new Thing(); x.cancelled(); f(...xs); `${cancel}`;';
      const r = rewrite(js);
      assert.strictEqual(r.code, js);
      assert.deepStrictEqual(r.sites, []);
    });

    it('opens outer wrappers first when several start at the same place', () => {
      assert.strictEqual(rewrite('await t.cancel();').code, 'await __ct_await(0, (__ct_site(1), t.cancel()));');
      assert.strictEqual(rewrite('g.run(t.cancel());').code, 'g.run(__ct_site(0, (__ct_site(1), t.cancel())));');
      assert.strictEqual(rewrite('await await x;').code, 'await __ct_await(0, await __ct_await(1, x));');
    });

    it('does not cut an optional chain, but wraps a call that ends one', () => {
      assert.strictEqual(rewrite('a?.cancel().x;').code, 'a?.cancel().x;');
      assert.strictEqual(rewrite('a.b?.cancel();').code, '(__ct_site(0), a.b?.cancel());');
      assert.strictEqual(rewrite('a.cancel()?.x;').code, '(__ct_site(0), a.cancel())?.x;');
      assert.strictEqual(rewrite('a?.put(v);').code, 'a?.put(__ct_site(0, v));');
    });

    it('leaves for-await loops alone', () => {
      const js = 'for await (const x of xs) use(x);';
      assert.strictEqual(rewrite(js).code, js);
    });

    describe('coroutine(async ...) literals as generators', () => {
      const gen = (js: string) =>
        instrumentModule(js, undefined, { firstSiteId: 0, sourceFileForSites: 'snippet.js', generatorCoroutines: true });
      const NS = "import * as asyncio from 'coroutine-trace';\n";

      it('turns an async function expression into a generator whose awaits are yields unless they can finish now', () => {
        const r = gen(`${NS}const w = asyncio.coroutine(async function w(x) { return 1 + await sleep(x); });`);
        assert.strictEqual(
          r.code.split('\n')[1],
          'const w = asyncio.coroutine(      function* w(x) { return 1 + (      (__ct_r = __ct_now(0, sleep(__ct_site(1, x)))) !== __ct_NOT ? __ct_r : yield __ct_held()); });',
        );
        // The module variable that holds a result between the test and its use, declared after the last line.
        assert.strictEqual(r.code.split('\n').at(-1), 'var __ct_r;');
        // The await's site is still the `await` keyword.
        assert.deepStrictEqual(r.sites[0], { file: 'snippet.js', line: 2, column: 62 });
      });

      it('looks through esbuild’s keepNames wrapper and follows named imports and require', () => {
        const a = gen(`${NS}const w = asyncio.coroutine(__name(async function w() { await x; }, "w"));`);
        assert.match(a.code, /__name\( +function\* w\(\) \{ \( +\(__ct_r = __ct_now\(0, x\)\) !== __ct_NOT \? __ct_r : yield __ct_held\(\)\); \}, "w"\)/);
        const b = gen("import { coroutine as co } from 'coroutine-trace';\nco(async function () { await x; });");
        assert.match(b.code, /function\* \(\) \{ \( +\(__ct_r = __ct_now/);
        const c = gen("const { coroutine } = require('coroutine-trace');\ncoroutine(async function () { await x; });");
        assert.match(c.code, /function\* \(\) \{ \( +\(__ct_r = __ct_now/);
      });

      it('turns arrows into generator functions, an expression body into a return', () => {
        const r = gen(`${NS}const a = asyncio.coroutine(async (x) => await x + 1);\nconst b = asyncio.coroutine(async y => y);`);
        const [, a, b] = r.code.split('\n');
        assert.strictEqual(
          a,
          'const a = asyncio.coroutine(     function*  (x)    { return (      (__ct_r = __ct_now(0, x)) !== __ct_NOT ? __ct_r : yield __ct_held()) + 1; });',
        );
        assert.strictEqual(b, 'const b = asyncio.coroutine(     function* ( y)    { return y; });');
      });

      it('runs the generator it makes: yields what the async function awaited, returns its result', () => {
        const r = gen(`${NS}export const f = asyncio.coroutine(async (a) => { const b = await a; return [b, await (a + 1), await (a + 2)]; });`);
        const body = r.code.split('\n')[1].replace('export const f = asyncio.coroutine(', 'return (').replace(/;$/, '');
        const NOT = Symbol('not now');
        let held: unknown;
        const make = new Function('__ct_now', '__ct_held', '__ct_NOT', `let __ct_r; ${body}`) as (
          now: (id: number, v: unknown) => unknown,
          held: () => unknown,
          not: symbol,
        ) => (a: number) => Generator;
        // An await of 6 finishes now (with 600): the generator goes on without yielding; the others are yielded.
        const now = (_id: number, v: unknown): unknown => (v === 6 ? 600 : ((held = v), NOT));
        const g = make(now, () => held, NOT)(5);
        assert.deepStrictEqual(g.next(), { value: 5, done: false });
        assert.deepStrictEqual(g.next(50), { value: 7, done: false });
        assert.deepStrictEqual(g.next(70), { value: [50, 600, 70], done: true });
      });

      it('leaves alone what cannot be a generator, and awaits of nested async functions', () => {
        const keep = [
          `${NS}asyncio.coroutine(async () => this.x);`,
          `${NS}asyncio.coroutine(async () => arguments[0]);`,
          `${NS}asyncio.coroutine(async function () { for await (const x of xs) use(x); });`,
          `${NS}asyncio.coroutine(async function* () { yield 1; });`,
          `${NS}asyncio.coroutine(worker);`,
          `${NS}other.coroutine(async function () {});`,
          "import * as other from 'elsewhere';\nother.coroutine(async function () {});",
        ];
        for (const js of keep) assert.strictEqual(gen(js).code, rewrite(js).code, js);
        // `this` inside a nested ordinary function is that function's own: the arrow can still be a generator.
        assert.match(gen(`${NS}asyncio.coroutine(async () => { function f() { return this; } await f(); });`).code, /function\*/);
        const nested = gen(`${NS}asyncio.coroutine(async function () { const h = async () => await y; await h(); });`).code;
        assert.match(nested, /const h = async \(\) => await __ct_await\(0, y\); \( +\(__ct_r = __ct_now\(1, h\(\)\)\) !== __ct_NOT/);
      });

      it('is off unless asked for', () => {
        const js = `${NS}asyncio.coroutine(async function () { await x; });`;
        assert.doesNotMatch(rewrite(js).code, /function\*/);
      });
    });

    it('never adds or removes a line break', () => {
      const js = 'await\n  sleep(\n    1,\n    2\n  );\nt\n  .cancel();\nconst l = new\n  Lock();';
      const r = rewrite(js);
      assert.strictEqual(r.code.split('\n').length, js.split('\n').length);
      assert.strictEqual(
        r.code,
        'await\n  __ct_await(0, sleep(\n    1,\n    __ct_site(1, 2)\n  ));\n(__ct_site(2), t\n  .cancel());\nconst l = (__ct_site(3), new\n  Lock());',
      );
    });

    it('numbers sites from firstSiteId in source order, at the await / property name / new', () => {
      const js = 'const q = new Queue();\nasync function f() {\n  await q.put(1); t.cancel();\n}';
      const r = rewrite(js, 40);
      assert.strictEqual(
        r.code,
        'const q = (__ct_site(40), new Queue());\nasync function f() {\n' +
          '  await __ct_await(41, q.put(__ct_site(42, 1))); (__ct_site(43), t.cancel());\n}',
      );
      const at = (line: number, column: number): SourceSite => ({ file: 'snippet.js', line, column });
      assert.deepStrictEqual(r.sites, [at(1, 11), at(3, 3), at(3, 11), at(3, 21)]);
    });

    it('throws a SyntaxError with a location for code that does not parse', () => {
      assert.throws(() => rewrite('const = 1;'), (e: unknown) => e instanceof SyntaxError && 'loc' in e);
    });
  });

  describe('on a TypeScript fixture', () => {
    const source = fs.readFileSync(SAMPLE, 'utf8');
    const FIRST = 100;
    let result: Awaited<ReturnType<typeof instrumentSource>>;

    before(async () => {
      result = await instrumentSource(source, { file: SAMPLE, firstSiteId: FIRST });
    });

    it('reports the original .ts position of every site, in id order', () => {
      const expected: [string, string, number?][] = [
        ['const q = new Queue<number>()', 'new'],
        ['const lock = new Lock()', 'new'],
        ['await lock.acquire()', 'await'],
        ['await lock.acquire()', 'acquire'],
        ["createTask(sleep(1, 'slept')", 'createTask'],
        ["createTask(sleep(1, 'slept')", 'sleep'],
        // Two awaits on one line: esbuild prints them on two lines; the sites stay on the one .ts line.
        ['await q.put(1); await q.put(2);', 'await', 0],
        ['await q.put(1); await q.put(2);', 'put', 0],
        ['await q.put(1); await q.put(2);', 'await', 1],
        ['await q.put(1); await q.put(2);', 'put', 1],
        // A call over several lines: the site is where its name is, each argument's call on its own line.
        ['const both = await gather(', 'await'],
        ['const both = await gather(', 'gather'],
        ['q.get(),', 'get', 0],
        ['q.get(),', 'get', 1],
        ["both.join('+')", 'join'],
        ['task=${await task}', 'await'],
        // Inside a nested arrow function.
        ['const v: number = await Promise.resolve(n)', 'await'],
        ['const all = await gather(...works)', 'await'],
        ['const all = await gather(...works)', 'gather'],
        // Awaits inside (nested) template literal expressions.
        ["all.join(',')", 'join'],
        ['tpl=${`${await inner(3)}-${await inner(4)}`}', 'await', 0],
        ['tpl=${`${await inner(3)}-${await inner(4)}`}', 'await', 1],
        ['lock.release()', 'release'],
      ];
      const lines = source.split('\n');
      // `q.get(),` is on two lines; positionOf wants one, so resolve those two by hand.
      const getLines = lines.map((l, i) => (l.trim() === 'q.get(),' ? i + 1 : -1)).filter((i) => i > 0);
      assert.strictEqual(getLines.length, 2);
      const want = expected.map(([snippet, token, nth]) => {
        if (snippet === 'q.get(),') {
          const line = getLines[nth ?? 0];
          return { file: SAMPLE, line, column: lines[line - 1].indexOf('get') + 1 };
        }
        return { file: SAMPLE, ...positionOf(source, snippet, token, nth) };
      });
      assert.deepStrictEqual(result.sites, want);
    });

    it('computes the same result as the plain transform, with the right ids in the right order', async () => {
      const plain = esbuild.transformSync(source, { loader: 'ts', target: 'node20' }).code;
      const expectedOutput = await runMain(plain);
      assert.deepStrictEqual(expectedOutput, ['both=1+2 task=slept', 'all=10,20 tpl=30-40', 'held=false']);

      const log: string[] = [];
      const output = await runMain(result.code, loggingHooks(log));
      assert.deepStrictEqual(output, expectedOutput);
      const ids = (xs: string) => xs.split(' ').map((x) => `${x[0]}${Number(x.slice(1)) + FIRST}`);
      assert.deepStrictEqual(
        log,
        ids(
          's0 s1 s3 a2 s5 s4 s7 a6 s9 a8 s12 s13 s11 a10 s14 a15 a16 a16 s18 a17 s19 a16 a20 a16 a21 s22',
        ),
      );
    });

    it('returns a map from the instrumented code to the original .ts', () => {
      const map = new TraceMap(result.map as never);
      assert.deepStrictEqual(result.map.sources, [SAMPLE]);
      assert.strictEqual(result.map.sourcesContent?.[0], source);
      // Each `await` keyword before a `__ct_await(` must map to its site.
      const codeLines = result.code.split('\n');
      let checked = 0;
      codeLines.forEach((text, i) => {
        for (const m of text.matchAll(/await __ct_await\((\d+),/g)) {
          const orig = originalPositionFor(map, { line: i + 1, column: m.index! });
          const site = result.sites[Number(m[1]) - FIRST];
          assert.deepStrictEqual({ line: orig.line, column: orig.column! + 1 }, { line: site.line, column: site.column });
          checked++;
        }
      });
      assert.strictEqual(checked, 9);
    });

    it('keeps the line count of esbuild’s output', () => {
      const plain = esbuild.transformSync(source, { loader: 'ts', target: 'node20' }).code;
      assert.strictEqual(result.code.split('\n').length, plain.split('\n').length);
    });
  });
});
