import * as assert from 'assert';
import {
  NodeNotFoundError,
  TailBuffer,
  chooseNode,
  crashCause,
  isRunTraceName,
  programEnv,
  resolveTraceDirectory,
  statusText,
  traceFileName,
  tracesToDelete,
} from '../../src/extension/pure/runSupport';

describe('extension/pure/runSupport', () => {
  describe('chooseNode', () => {
    const lookup = (setting: string, existing: string[], pathEnv = '/usr/local/bin:/usr/bin') => ({
      setting,
      pathEnv,
      platform: 'linux' as NodeJS.Platform,
      execPath: '/opt/editor/editor',
      isExecutableFile: (f: string) => existing.includes(f),
    });

    it('prefers the setting, a path or a name on PATH', () => {
      assert.deepStrictEqual(chooseNode(lookup('/opt/node22/bin/node', ['/opt/node22/bin/node'])), {
        path: '/opt/node22/bin/node',
        source: 'setting',
      });
      assert.deepStrictEqual(chooseNode(lookup('node22', ['/usr/bin/node22'])), { path: '/usr/bin/node22', source: 'setting' });
    });

    it('fails clearly when the setting names nothing', () => {
      assert.throws(() => chooseNode(lookup('/nope/node', [])), (e: Error) => {
        assert.ok(e instanceof NodeNotFoundError);
        assert.strictEqual(e.message, 'Node.js was not found at /nope/node (setting coroutineTrace.nodePath)');
        return true;
      });
      assert.throws(() => chooseNode(lookup('node99', [])), /'node99' was not found on PATH/);
    });

    it('defaults to node on PATH, else the editor runtime', () => {
      assert.deepStrictEqual(chooseNode(lookup('', ['/usr/bin/node'])), { path: '/usr/bin/node', source: 'path' });
      assert.deepStrictEqual(chooseNode(lookup('', [], '')), { path: '/opt/editor/editor', source: 'editor' });
      assert.deepStrictEqual(chooseNode({ ...lookup('', []), pathEnv: undefined }), { path: '/opt/editor/editor', source: 'editor' });
    });

    it('looks for node.exe on Windows', () => {
      const found = chooseNode({
        setting: '',
        pathEnv: 'C:\\Windows;C:\\Program Files\\nodejs\\',
        platform: 'win32',
        execPath: 'C:\\Code\\Code.exe',
        isExecutableFile: (f) => f === 'C:\\Program Files\\nodejs\\node.exe',
      });
      assert.deepStrictEqual(found, { path: 'C:\\Program Files\\nodejs\\node.exe', source: 'path' });
    });
  });

  describe('trace files', () => {
    it('names a run trace after the program and its local start time', () => {
      const name = traceFileName('/w/examples/07-cancel-timeout.ts', new Date(2025, 10, 26, 9, 5, 7, 42));
      assert.strictEqual(name, '07-cancel-timeout.20251126-090507-042.cotrace');
      assert.ok(isRunTraceName(name));
      assert.strictEqual(traceFileName('C:\\w\\main.mts', new Date(2025, 0, 2, 3, 4, 5, 6)), 'main.20250102-030405-006.cotrace');
    });

    it('deletes the oldest run traces beyond keepRuns, never other files', () => {
      const files = [
        { name: 'a.20250101-000000-000.cotrace', mtimeMs: 1 },
        { name: 'b.20250101-000000-001.cotrace', mtimeMs: 3 },
        { name: 'mine.cotrace', mtimeMs: 0 },
        { name: 'c.20250101-000000-002.cotrace', mtimeMs: 2 },
        { name: 'notes.txt', mtimeMs: 0 },
      ];
      assert.deepStrictEqual(tracesToDelete(files, 2), ['a.20250101-000000-000.cotrace']);
      assert.deepStrictEqual(tracesToDelete(files, 0).sort(), [
        'a.20250101-000000-000.cotrace',
        'b.20250101-000000-001.cotrace',
        'c.20250101-000000-002.cotrace',
      ]);
      assert.deepStrictEqual(tracesToDelete(files, 10), []);
    });

    it('resolves the trace folder setting', () => {
      const ctx = { workspaceFolder: '/w', home: '/home/u', storage: '/s/traces' };
      assert.strictEqual(resolveTraceDirectory('', ctx), '/s/traces');
      assert.strictEqual(resolveTraceDirectory('  ', ctx), '/s/traces');
      assert.strictEqual(resolveTraceDirectory('/abs/t', ctx), '/abs/t');
      assert.strictEqual(resolveTraceDirectory('traces', ctx), '/w/traces');
      assert.strictEqual(resolveTraceDirectory('./traces', ctx), '/w/traces');
      assert.strictEqual(resolveTraceDirectory('${workspaceFolder}/.traces', ctx), '/w/.traces');
      assert.strictEqual(resolveTraceDirectory('~/traces', ctx), '/home/u/traces');
      assert.strictEqual(resolveTraceDirectory('traces', { ...ctx, workspaceFolder: undefined }), '/s/traces');
      assert.strictEqual(resolveTraceDirectory('${workspaceFolder}/t', { ...ctx, workspaceFolder: undefined }), '/s/traces');
      assert.strictEqual(resolveTraceDirectory('D:\\traces', ctx), 'D:\\traces');
    });
  });

  describe('status and errors', () => {
    it('shows elapsed time and counts', () => {
      assert.strictEqual(statusText('crawl.ts', 2430, '1 running, 2 sleeping'), 'crawl.ts 2.4 s · 1 running, 2 sleeping');
      assert.strictEqual(statusText('crawl.ts', 65_900, ''), 'crawl.ts 65 s');
    });

    it('says building until the program has started (bundling is not part of its time)', () => {
      assert.strictEqual(statusText('crawl.ts', null, ''), 'crawl.ts building…');
      assert.strictEqual(statusText('crawl.ts', 0, ''), 'crawl.ts 0.0 s');
    });

    it('finds the cause of a crash in stderr', () => {
      const stderr = [
        'file:///tmp/x/crash.bundle.mjs:12',
        '    throw new TypeError("bad thing");',
        '    ^',
        '',
        'TypeError: bad thing',
        '    at main (/w/crash.ts:3:9)',
        '    at node:internal/main/run_main_module:28:49',
        '',
        'Node.js v20.20.2',
      ].join('\n');
      assert.strictEqual(crashCause(stderr), 'TypeError: bad thing');
      assert.strictEqual(crashCause('Segmentation fault\n'), 'Segmentation fault');
      assert.strictEqual(crashCause(''), undefined);
      assert.strictEqual(crashCause('Error [ERR_MODULE_NOT_FOUND]: Cannot find package'), 'Error [ERR_MODULE_NOT_FOUND]: Cannot find package');
    });

    it('keeps the tail of a stream', () => {
      const tail = new TailBuffer(10);
      for (let i = 0; i < 100; i++) tail.push(String(i % 10));
      assert.strictEqual(tail.value, '0123456789');
    });
  });

  describe('programEnv', () => {
    it('passes coroutineTrace.slowStepMs to the runtime; a variable in coroutineTrace.env wins', () => {
      assert.deepStrictEqual(programEnv({ env: { DEBUG: '1' }, slowStepMs: 100 }), { COROUTINE_TRACE_SLOW_STEP_MS: '100', DEBUG: '1' });
      assert.deepStrictEqual(programEnv({ env: {}, slowStepMs: 0 }), { COROUTINE_TRACE_SLOW_STEP_MS: '0' });
      assert.deepStrictEqual(programEnv({ env: { COROUTINE_TRACE_SLOW_STEP_MS: '5' }, slowStepMs: 250 }), { COROUTINE_TRACE_SLOW_STEP_MS: '5' });
    });
  });
});
