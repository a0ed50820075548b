#!/usr/bin/env node
// Runs the extension-host suite (out/test/vscode/suite/index.js) inside a real VS Code: code-server 4.100.3 driven
// by headless chromium, the suite loaded through the workbench's extensionDevelopmentPath / extensionTestsPath
// payload, its output received through codeAutomationLog and its exit code through codeAutomationExit.
// Everything runs in a throw-away HOME; on failure, screenshots and logs are kept in test-results/ (the path is
// printed). Whatever it started is stopped before it exits. Build first: npm run build && npx tsc -p .
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const h = require('./vscode-harness');

const TIMEOUT_MS = Number(process.env.COROUTINE_TRACE_HOST_TEST_TIMEOUT_MS || 10 * 60_000);

async function main() {
  const testsPath = path.join(h.ROOT, 'out', 'test', 'vscode', 'suite', 'index.js');
  if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`npx tsc -p .\` first`);
  if (!fs.existsSync(path.join(h.ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const bin = h.ensureCodeServer();
  const dirs = h.isolatedDirs('ct-vscode-host-');
  const artifacts = path.join(h.ROOT, 'test-results', `vscode-host-${h.stamp()}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const serverLog = path.join(artifacts, 'code-server.log');
  const browserLog = [];
  let server;
  let context;
  let code = 1;
  let page;
  try {
    console.log(`[vscode-host] starting code-server (${bin})`);
    server = await h.startCodeServer({ bin, dirs, folder: h.ROOT, logFile: serverLog });
    console.log(`[vscode-host] code-server on ${server.url}; starting chromium`);
    context = await h.launchBrowser(dirs);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => browserLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => browserLog.push(`[pageerror] ${e.message}`));
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (exitCode) => resolveExit(Number(exitCode)));
    const url = h.workbenchUrl(server, { folder: h.ROOT, extensionPath: h.ROOT, testsPath });
    console.log('[vscode-host] opening the workbench; the suite runs in its extension host');
    await page.goto(url);
    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), TIMEOUT_MS)));
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      console.error(`[vscode-host] the suite did not finish within ${TIMEOUT_MS / 1000} s`);
      code = 1;
    } else {
      code = result;
    }
  } catch (err) {
    console.error(`[vscode-host] ${err && err.stack ? err.stack : err}`);
    code = 1;
  } finally {
    if (code !== 0 && page) {
      await page.screenshot({ path: path.join(artifacts, 'workbench.png') }).catch(() => undefined);
    }
    await context?.close().catch(() => undefined);
    await server?.stop();
    fs.writeFileSync(path.join(artifacts, 'browser-console.log'), browserLog.join('\n') + '\n');
    copyLogs(path.join(dirs.userData, 'logs'), path.join(artifacts, 'vscode-logs'));
    fs.rmSync(dirs.base, { recursive: true, force: true, maxRetries: 3 });
    if (code === 0) {
      fs.rmSync(artifacts, { recursive: true, force: true });
      console.log('[vscode-host] the extension-host suite passed in code-server');
    }
    else console.error(`[vscode-host] FAILED (exit ${code}); screenshots and logs kept in ${path.relative(process.cwd(), artifacts)}`);
  }
  return code;
}

function copyLogs(from, to) {
  try {
    fs.cpSync(from, to, { recursive: true });
  } catch {
    // No logs written.
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
