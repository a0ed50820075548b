#!/usr/bin/env node
// Drives the extension the way a person does, in code-server with headless chromium: opens the repository, runs
// examples/seed/08-producer-consumer.ts from the Explorer's context menu, watches the Coroutine Tasks tree fill in
// (and saves a screenshot of it during the run), checks the final tree, clicks a task and checks the editor line.
//
//   node scripts/ui-check.js [--vsix coroutine-trace.vsix] [--screenshot media/screenshots/tree-view.png]
//
// Without --vsix the extension loads unpackaged from this folder (build it first); with it, the packaged VSIX is
// installed into the throw-away extensions folder first, which checks the package. Exit code 0 when all checks pass.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const h = require('./vscode-harness');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const vsix = option('--vsix');
const screenshot = option('--screenshot');
const PROGRAM = '08-producer-consumer.ts';

async function main() {
  const bin = h.ensureCodeServer();
  const dirs = h.isolatedDirs('ct-ui-check-');
  const artifacts = path.join(h.ROOT, 'test-results', `ui-check-${h.stamp()}`);
  fs.mkdirSync(artifacts, { recursive: true });
  let server;
  let context;
  let page;
  let ok = false;
  try {
    if (vsix) {
      const r = spawnSync(bin, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', path.resolve(vsix)], {
        env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache },
        encoding: 'utf8',
      });
      process.stdout.write(r.stdout);
      if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stderr}`);
    }
    server = await h.startCodeServer({ bin, dirs, folder: h.ROOT, logFile: path.join(artifacts, 'code-server.log') });
    context = await h.launchBrowser(dirs);
    page = context.pages()[0] ?? (await context.newPage());
    const url = vsix
      ? `${server.url}/?folder=${encodeURIComponent(h.ROOT)}`
      : h.workbenchUrl(server, { folder: h.ROOT, extensionPath: h.ROOT });
    await page.goto(url);
    const explorer = page.getByRole('tree', { name: /Files Explorer/i });
    await explorer.waitFor({ timeout: 60_000 });
    step('workbench is up');

    // Explorer: examples ▸ seed ▸ 08-producer-consumer.ts, right-click ▸ Run with Coroutine Trace.
    await expandFolder(page, explorer.getByRole('treeitem', { name: 'examples', exact: true }));
    await expandFolder(page, explorer.getByRole('treeitem', { name: 'seed', exact: true }));
    const file = explorer.getByRole('treeitem', { name: PROGRAM });
    await file.click();
    await page.locator(`.monaco-editor[data-uri$="${PROGRAM}"] .view-line`).first().waitFor({ timeout: 30_000 });
    step('program opened in an editor');
    await file.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Run with Coroutine Trace' }).click();
    step('Run with Coroutine Trace picked from the Explorer context menu');

    const tree = page.getByRole('tree', { name: 'Coroutine Tasks' });
    await tree.waitFor({ timeout: 60_000 });
    // Live: the tree fills in while the program runs. After about 5 s the producers are done, the consumers wait on
    // the queue and main sleeps: the moment the screenshot shows.
    const hasGroup = (names) =>
      page.waitForFunction(
        (wanted) => {
          const labels = [...document.querySelectorAll('[role=tree][aria-label="Coroutine Tasks"] [aria-level="1"] .label-name')].map(
            (e) => e.textContent || '',
          );
          return wanted.every((w) => labels.includes(w));
        },
        names,
        { timeout: 30_000 },
      );
    await hasGroup(['Sleeping']);
    step(`live tree: ${(await treeRows(page)).join(' | ')}`);
    const status = await page.locator('[id*="coroutineTrace.run."]').first().textContent({ timeout: 5000 }).catch(() => '');
    step(`status bar: ${String(status).trim()}`);
    expect(/08-producer-consumer\.ts \d+(\.\d)? s · .*sleeping/.test(String(status)), 'a status bar item with elapsed time and task counts');
    // A second run of the same file from the editor's context menu asks whether to stop the first; keep it running.
    await page.locator(`.monaco-editor[data-uri$="${PROGRAM}"] .view-line`).nth(3).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Run with Coroutine Trace' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    const question = (await dialog.textContent()) || '';
    expect(/already running/.test(question) && /Stop and Run Again/.test(question), 'a second run asks whether to stop the first');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    if (screenshot) {
      await hasGroup(['Sleeping', 'Waiting', 'Done']);
      step('producers done, consumers waiting');
      await widenSidebar(page, 470);
      await expandTask(page, 'consumer_1');
      await page.waitForTimeout(600);
      const live = await treeRows(page);
      step(`live tree: ${live.join(' | ')}`);
      expect(live.includes('Waiting 2') && live.includes('Done 2'), 'Waiting 2 and Done 2 while the consumers wait on the empty queue');
      fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
      await page.screenshot({ path: screenshot });
      step(`screenshot saved to ${screenshot}`);
    }
    await page.screenshot({ path: path.join(artifacts, 'live.png') });

    // Final: after 10 s main cancels both consumers; main and the two producers are done.
    await page.waitForFunction(
      () => {
        const labels = [...document.querySelectorAll('[role=tree][aria-label="Coroutine Tasks"] [role=treeitem]')].map((e) => e.textContent || '');
        return labels.some((l) => l.startsWith('Cancelled')) && !labels.some((l) => /^(Sleeping|Waiting|Running)/.test(l));
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(500);
    const final = await treeRows(page);
    step(`final tree: ${final.join(' | ')}`);
    expect(final.some((r) => r === 'Cancelled 2'), 'Cancelled 2 in the final tree');
    expect(final.some((r) => r === 'Done 3'), 'Done 3 in the final tree');

    // Click consumer_1: it opens the await where it was cancelled.
    await tree.getByRole('treeitem', { name: /^consumer_1/ }).first().click();
    const selection = page.locator('[id="status.editor.selection"]');
    await page.waitForFunction(() => /Ln \d+/.test(document.querySelector('[id="status.editor.selection"]')?.textContent || ''), undefined, {
      timeout: 10_000,
    });
    const where = (await selection.textContent()) || '';
    step(`clicking consumer_1 put the cursor at ${where.trim()}`);
    const expectedLine = fs.readFileSync(path.join(h.ROOT, 'examples', 'seed', PROGRAM), 'utf8').split('\n').findIndex((l) => l.includes('await asyncio.sleep(1);')) + 1;
    const getLine = fs.readFileSync(path.join(h.ROOT, 'examples', 'seed', PROGRAM), 'utf8').split('\n').findIndex((l) => l.includes('await queue.get()')) + 1;
    expect(new RegExp(`Ln (${expectedLine}|${getLine}),`).test(where), `cursor on line ${getLine} or ${expectedLine}`);
    await page.screenshot({ path: path.join(artifacts, 'final.png') });

    // Reload the window: the timeline panel comes back (its serializer reopens the last trace) and so does the tree.
    await page.reload();
    await page.getByRole('tab', { name: /Timeline: 08-producer-consumer\.ts/ }).waitFor({ timeout: 60_000 });
    step('after a reload the timeline tab is restored');
    await page.waitForFunction(
      () => [...document.querySelectorAll('[role=tree][aria-label="Coroutine Tasks"] [aria-level="1"] .label-name')].some((e) => e.textContent === 'Cancelled'),
      undefined,
      { timeout: 60_000 },
    );
    const restored = await treeRows(page);
    step(`restored tree: ${restored.join(' | ')}`);
    expect(restored.join(' | ') === 'Cancelled 2 | Done 3', 'the restored timeline brings its trace back into the tree');
    ok = true;
  } catch (err) {
    console.error(`[ui-check] ${err && err.stack ? err.stack : err}`);
    if (page) {
      await page.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => undefined);
      const toasts = await page.$$eval('.notification-toast', (els) => els.map((e) => e.textContent)).catch(() => []);
      for (const t of toasts) console.error(`[ui-check] notification: ${t}`);
    }
  } finally {
    await context?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(dirs.base, { recursive: true, force: true, maxRetries: 3 });
    if (ok) fs.rmSync(artifacts, { recursive: true, force: true });
    else console.error(`[ui-check] FAILED; screenshots and logs kept in ${path.relative(process.cwd(), artifacts)}`);
  }
  return ok ? 0 : 1;
}

async function expandFolder(page, row) {
  for (let i = 0; i < 5; i++) {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.click();
    await page.waitForTimeout(700);
  }
  throw new Error('could not expand a folder in the Explorer');
}

/** Opens a task row's children (its child tasks and events) with the twistie, not the row (a row click jumps). */
async function expandTask(page, label) {
  const row = page.locator('[role=tree][aria-label="Coroutine Tasks"] [role=treeitem][aria-level="2"]', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${label}`) }),
  });
  await row.first().locator('.monaco-tl-twistie').click();
}

/** Drags the sash between the side bar and the editors, so task descriptions fit. */
async function widenSidebar(page, width) {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  const x = sidebar.x + sidebar.width;
  const y = sidebar.y + sidebar.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + width, y, { steps: 8 });
  await page.mouse.up();
}

async function treeRows(page) {
  return page.$$eval('[role=tree][aria-label="Coroutine Tasks"] [role=treeitem]', (rows) =>
    rows
      .filter((r) => r.getAttribute('aria-level') === '1')
      .map((r) => {
        const label = r.querySelector('.label-name')?.textContent ?? '';
        const description = r.querySelector('.label-description')?.textContent ?? '';
        return `${label} ${description}`.trim();
      }),
  );
}

const t0 = Date.now();
function step(text) {
  console.log(`[ui-check] ${((Date.now() - t0) / 1000).toFixed(1)}s ${text}`);
}

function expect(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
  step(`ok: ${what}`);
}

main().then((code) => process.exit(code));
