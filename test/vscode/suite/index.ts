/**
 * Entry point of the extension-host test suite: VS Code (or code-server, through the workbench's
 * `extensionTestsPath`) loads this file inside the extension host and calls `run()`. Runs every `*.suite.js` beside
 * it with mocha; a failing test rejects, which the test runner turns into a non-zero exit code.
 */
import * as fs from 'fs';
import * as path from 'path';
import type MochaType from 'mocha';

type MochaClass = typeof MochaType;

/** Mocha 12 is an ES module: `require` works where Node can require ES modules, `import()` elsewhere. */
async function loadMocha(): Promise<MochaClass> {
  let mod: Record<string, unknown>;
  try {
    mod = require('mocha');
  } catch {
    const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;
    mod = await dynamicImport('mocha');
  }
  return (mod.Mocha ?? mod.default ?? mod) as MochaClass;
}

export async function run(): Promise<void> {
  const Mocha = await loadMocha();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.COROUTINE_TRACE_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.suite.js')) mocha.addFile(path.join(__dirname, file));
  }
  const withAsync = mocha as MochaType & { loadFilesAsync?: () => Promise<void> };
  if (typeof withAsync.loadFilesAsync === 'function') await withAsync.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
