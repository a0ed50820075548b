/**
 * The timeline in a real browser: Debian's Chromium driven by playwright-core (see shared/e2e-recipe.md). Opens the
 * standalone report of examples/seed/06-runtime-tasks.ts and checks, by reading the canvas's pixels, that worker_1 and
 * worker_2 are drawn in the sleeping colour over the right spans; that hovering shows the tooltip, clicking the sleep
 * shows its source line, and the keyboard zooms. Then the same bundle under a VS Code-like host (a stub
 * `acquireVsCodeApi` and the panel's CSP): the message protocol, `openSite`, the cursor, saved state, theme changes.
 *
 * Skips (with the reason) only when no Chromium can be found; CI installs it.
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TraceEvent } from '../../src/contract/trace';
import { parseTrace } from '../../src/model/traceFileReader';
import { encodeEventColumns } from '../../src/protocol/eventColumns';
import { reportHtml } from '../../src/report/reportHtml';
import { HEADER, ROOT, site } from './fixtures';

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BUNDLE = path.join(ROOT, 'dist', 'webview.js');
const EXAMPLE = path.join(ROOT, 'examples', 'seed', '06-runtime-tasks.ts');

type Rgb = [number, number, number];

function findChromium(): string | null {
  for (const candidate of CHROMIUM_CANDIDATES) if (candidate && fs.existsSync(candidate)) return candidate;
  return null;
}

function lineOf(file: string, snippet: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(snippet));
  assert.ok(i >= 0, `${snippet} in ${file}`);
  return i + 1;
}

function close(a: Rgb, b: Rgb, tolerance = 3): boolean {
  return Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance && Math.abs(a[2] - b[2]) <= tolerance;
}

/** The timeline's state as the tests need it, read in the page. */
interface Probe {
  xOf: Record<string, number>;
  barY: Record<string, number>;
  pxPerMs: number;
  start: number;
  cursor: number | null;
  rows: number;
  dpr: number;
}

async function probe(page: Page, tasks: Record<string, number>, times: number[]): Promise<Probe> {
  return page.evaluate(
    ({ tasks, times }) => {
      const app = window.coroutineTraceTimeline!;
      const xOf: Record<string, number> = {};
      for (const t of times) xOf[String(t)] = app.xOfTime(t);
      const barY: Record<string, number> = {};
      for (const [name, id] of Object.entries(tasks)) barY[name] = app.barCenterY(id) ?? -1;
      const view = app.currentView!;
      const scene = app.scene();
      return {
        xOf,
        barY,
        pxPerMs: view.pxPerMs,
        start: view.start,
        cursor: scene.cursor,
        rows: scene.layout.rows.length,
        dpr: window.devicePixelRatio,
      };
    },
    { tasks, times },
  );
}

/** One row of canvas pixels (device pixels) at CSS y, as RGB triples indexed by device x. */
async function pixelRow(page: Page, cssY: number): Promise<Rgb[]> {
  const flat = await page.evaluate((y) => {
    const canvas = document.querySelector('canvas')!;
    const dpr = canvas.width / canvas.getBoundingClientRect().width;
    const data = canvas.getContext('2d')!.getImageData(0, Math.round(y * dpr), canvas.width, 1).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(data[i], data[i + 1], data[i + 2]);
    return out;
  }, cssY);
  const row: Rgb[] = [];
  for (let i = 0; i < flat.length; i += 3) row.push([flat[i], flat[i + 1], flat[i + 2]]);
  return row;
}

/** A CSS colour (as the page resolves it) in RGB. */
async function cssColour(page: Page, property: string): Promise<Rgb> {
  return page.evaluate((prop) => {
    const value = getComputedStyle(document.documentElement).getPropertyValue(prop).trim();
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = value;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2]] as [number, number, number];
  }, property);
}

async function waitForDraw(page: Page): Promise<void> {
  await page.waitForFunction(() => window.coroutineTraceTimeline?.stats.completeDrawAt != null, null, { timeout: 15000 });
}

/** Waits until the next frame has been drawn. */
async function nextFrame(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

describe('timeline in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let dir: string;
  let reportPath: string;
  let events: TraceEvent[];
  let ids: Record<string, number>;

  before(async function () {
    const executablePath = findChromium();
    if (!executablePath) {
      console.warn(
        '    skipped: no Chromium found (tried $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser); ' +
          'install it with `apt-get install -y chromium`',
      );
      this.skip();
    }
    let playwright: typeof import('playwright-core');
    try {
      playwright = require('playwright-core') as typeof import('playwright-core');
    } catch {
      console.warn('    skipped: the playwright-core package is not installed (npm install)');
      this.skip();
    }
    if (!fs.existsSync(CLI) || !fs.existsSync(BUNDLE)) {
      const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(build.status, 0, build.stderr);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-browser-'));
    const tracePath = path.join(dir, '06.cotrace');
    const run = spawnSync(process.execPath, [CLI, 'run', EXAMPLE, '--virtual-clock', '--out', tracePath, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.strictEqual(run.status, 0, run.stderr);
    events = parseTrace(fs.readFileSync(tracePath, 'utf8')).events;
    ids = {};
    for (const e of events) if (e.type === 'task.created') ids[e.name] = e.task;
    assert.ok(ids.worker_1 && ids.worker_2, 'the example names its tasks worker_1 and worker_2');
    reportPath = path.join(dir, '06.html');
    const report = spawnSync(process.execPath, [CLI, 'report', tracePath, '-o', reportPath], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(report.status, 0, report.stderr);
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    browser = await playwright!.chromium.launch({
      executablePath: executablePath!,
      headless: true,
      args: LAUNCH_ARGS,
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        XDG_DATA_HOME: path.join(home, '.local', 'share'),
      },
    });
  });

  after(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function openReport(options: { dpr?: number; file?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser!.newContext({ viewport: { width: 1200, height: 560 }, deviceScaleFactor: options.dpr ?? 1 });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // No network: anything but the file itself would be a bug.
    await page.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${options.file ?? reportPath}`);
    await waitForDraw(page);
    return { context, page, errors };
  }

  it('draws worker_1 and worker_2 in the sleeping colour over their sleeps (0→1 s, 0→2 s)', async () => {
    for (const dpr of [1, 2]) {
      const { context, page, errors } = await openReport({ dpr });
      // Arrows cross the bars; turn them off (through the UI) for an exact check, then look again with them on.
      for (const name of ['creation', 'await', 'cancel', 'queue']) await page.getByLabel(name, { exact: true }).uncheck();
      await nextFrame(page);
      const sleeping = await cssColour(page, '--ct-sleeping');
      const background = await cssColour(page, '--ct-bg');
      const p = await probe(page, { worker_1: ids.worker_1, worker_2: ids.worker_2 }, [0, 1000, 2000]);
      assert.strictEqual(p.dpr, dpr);
      const d = (x: number): number => Math.round(x * dpr);
      const [x0, x1, x2] = [d(p.xOf['0']), d(p.xOf['1000']), d(p.xOf['2000'])];
      assert.ok(x2 - x0 > 800 * dpr, 'the run spans most of the plot');
      // End markers sit on the end of each sleep: leave them a few pixels.
      const marker = d(7);

      const w2 = await pixelRow(page, p.barY.worker_2);
      for (let x = x0 + 1; x < x2 - marker; x++) {
        assert.ok(close(w2[x], sleeping), `worker_2 at device x ${x} (t ≈ ${((x - x0) / (x2 - x0)) * 2000} ms): ${w2[x]} is not ${sleeping}`);
      }
      assert.ok(!close(w2[x0 - d(3)], sleeping), 'nothing before t = 0');
      assert.ok(!close(w2[x2 + d(8)], sleeping), 'nothing after the end');

      const w1 = await pixelRow(page, p.barY.worker_1);
      for (let x = x0 + 1; x < x1 - marker; x++) {
        assert.ok(close(w1[x], sleeping), `worker_1 at device x ${x}: ${w1[x]} is not ${sleeping}`);
      }
      // After 1 s worker_1 is done: its lane is empty (row background) up to the end of the run.
      let empty = 0;
      for (let x = x1 + marker; x < x2; x++) {
        assert.ok(!close(w1[x], sleeping), `worker_1 still sleeping at device x ${x}`);
        if (close(w1[x], background, 12)) empty++;
      }
      assert.ok(empty > (x2 - x1 - marker) * 0.9, 'worker_1 lane is empty after its end');
      // The sleep spans in pixels are 1 s and 2 s long, to the pixel.
      const span = (row: Rgb[]): number => row.filter((px) => close(px, sleeping)).length;
      assert.ok(Math.abs(span(w1) - (x1 - x0)) <= marker + 2, `worker_1 span ${span(w1)} vs ${x1 - x0}`);
      assert.ok(Math.abs(span(w2) - (x2 - x0)) <= marker + 2, `worker_2 span ${span(w2)} vs ${x2 - x0}`);

      // With arrows on, the bars are still almost all sleeping (a few pixels carry arrow lines).
      for (const name of ['creation', 'await', 'cancel', 'queue']) await page.getByLabel(name, { exact: true }).check();
      await nextFrame(page);
      const withArrows = await pixelRow(page, p.barY.worker_2);
      assert.ok(span(withArrows) >= (x2 - x0 - marker) * 0.98);
      assert.deepStrictEqual(errors, []);
      await context.close();
    }
  });

  it('shows a tooltip with task, state and duration on hover, and the site of worker_2’s sleep on click', async () => {
    const { context, page, errors } = await openReport();
    const p = await probe(page, { worker_2: ids.worker_2 }, [1500]);
    const box = (await page.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + p.xOf['1500'], box.y + p.barY.worker_2);
    const tooltip = page.locator('.ct-tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const text = await tooltip.innerText();
    assert.match(text, /worker_2: sleeping/);
    assert.match(text, /task\s+worker_2/);
    assert.match(text, /state\s+sleeping/);
    assert.match(text, /start\s+0 s/);
    assert.match(text, /end\s+2 s/);
    assert.match(text, /duration\s+2 s/);
    assert.match(text, /reason\s+sleep 2 s/);
    const line = lineOf(EXAMPLE, 'await asyncio.sleep(2)');
    assert.match(text, new RegExp(`site\\s+06-runtime-tasks\\.ts:${line}`));

    await page.mouse.click(box.x + p.xOf['1500'], box.y + p.barY.worker_2);
    await page.waitForFunction(() => document.querySelector('.ct-source')?.textContent !== '');
    assert.strictEqual(await page.locator('.ct-source').innerText(), `Source: 06-runtime-tasks.ts:${line}`);
    // Leaving the canvas hides the tooltip.
    await page.mouse.move(5, 5);
    await tooltip.waitFor({ state: 'hidden' });
    assert.deepStrictEqual(errors, []);
    await context.close();
  });

  it('zooms with the keyboard and ctrl+wheel, pans by dragging, fits with 0, and keeps the zoom on reload', async () => {
    const { context, page, errors } = await openReport();
    const before = await probe(page, {}, [0, 1000]);
    await page.locator('.ct-scroll').focus();
    await page.keyboard.press('+');
    await nextFrame(page);
    const zoomed = await probe(page, {}, [0, 1000]);
    assert.ok(Math.abs(zoomed.pxPerMs / before.pxPerMs - 1.5) < 1e-6, `${zoomed.pxPerMs} vs ${before.pxPerMs}`);
    // What is drawn follows: a second is 1.5 times wider on screen.
    const width = (q: Probe): number => q.xOf['1000'] - q.xOf['0'];
    assert.ok(Math.abs(width(zoomed) / width(before) - 1.5) < 1e-6);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await nextFrame(page);
    assert.ok((await probe(page, {}, [])).pxPerMs < before.pxPerMs);
    await page.keyboard.press('0');
    await nextFrame(page);
    assert.ok(Math.abs((await probe(page, {}, [])).pxPerMs - before.pxPerMs) < 1e-9, '0 fits again');

    const box = (await page.locator('canvas').boundingBox())!;
    const mid = { x: box.x + box.width / 2, y: box.y + 60 };
    await page.mouse.move(mid.x, mid.y);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await nextFrame(page);
    const wheeled = await probe(page, {}, []);
    assert.ok(wheeled.pxPerMs > before.pxPerMs * 1.5, 'ctrl+wheel zooms in');

    await page.mouse.move(mid.x, box.y + 70);
    await page.mouse.down();
    await page.mouse.move(mid.x - 200, box.y + 70, { steps: 5 });
    await page.mouse.up();
    await nextFrame(page);
    const panned = await probe(page, {}, []);
    assert.ok(Math.abs((panned.start - wheeled.start) * wheeled.pxPerMs - 200) < 1, 'dragging 200 px pans 200 px');

    await page.keyboard.press('ArrowRight');
    await nextFrame(page);
    assert.ok((await probe(page, {}, [])).start > panned.start, 'arrow keys pan');

    // The report keeps its view state (localStorage) across a reload.
    await page.evaluate(() => window.coroutineTraceTimeline!.flushState());
    const saved = await probe(page, {}, []);
    await page.reload();
    await waitForDraw(page);
    const restored = await probe(page, {}, []);
    assert.ok(Math.abs(restored.pxPerMs - saved.pxPerMs) < 1e-9 && Math.abs(restored.start - saved.start) < 1e-6);
    assert.deepStrictEqual(errors, []);
    await context.close();
  });

  it('sets and drags the time cursor on the axis, filters, and reads out lanes from the keyboard', async () => {
    const { context, page } = await openReport();
    const p = await probe(page, {}, [500, 1500]);
    const box = (await page.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + p.xOf['500'], box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + p.xOf['1500'], box.y + 10, { steps: 4 });
    await page.mouse.up();
    const cursor = (await probe(page, {}, [])).cursor!;
    assert.ok(Math.abs(cursor - 1500) < 5, `cursor at ${cursor}`);

    await page.getByLabel(/Filter tasks/).fill('worker_2');
    await page.waitForFunction(() => window.coroutineTraceTimeline!.scene().layout.rows.length === 2);
    await page.getByLabel(/Filter tasks/).fill('/^worker_[12]$/');
    await page.waitForFunction(() => window.coroutineTraceTimeline!.scene().layout.rows.length === 3);
    await page.getByLabel(/Filter tasks/).fill('');
    await page.getByRole('button', { name: 'done', exact: true }).click();
    await page.getByRole('button', { name: 'done', exact: true }).click();
    await page.getByLabel('Hide finished').check();
    await page.waitForFunction(() => window.coroutineTraceTimeline!.scene().layout.rows.length === 0);
    await page.getByLabel('Hide finished').uncheck();
    // The lanes come back with the next frame: keys pressed before it would move through an empty list.
    await page.waitForFunction(() => window.coroutineTraceTimeline!.scene().layout.rows.length === 3);

    await page.locator('.ct-scroll').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const status = page.locator('[role="status"]');
    await page.waitForFunction(() => /Lane 2 of 3: worker_1/.test(document.querySelector('[role="status"]')!.textContent!));
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    assert.match(await status.innerText(), /worker_1: sleeping/);
    await page.keyboard.press('Enter');
    const line = lineOf(EXAMPLE, 'await asyncio.sleep(1)');
    assert.strictEqual(await page.locator('.ct-source').innerText(), `Source: 06-runtime-tasks.ts:${line}`);

    // The accessible table lists every task.
    await page.getByRole('button', { name: /Show the tasks as a table/ }).click();
    const table = page.getByRole('table', { name: /Tasks and their states/ });
    await table.waitFor();
    assert.strictEqual(await table.locator('tbody tr').count(), 3);
    assert.match(await table.innerText(), /worker_2[^\n]*\n?[^]*sleeping 0 s to 2 s \(sleep 2 s\)/);
    await context.close();
  });

  it('runs the timeline benchmark end to end on a small trace (its figures are for `npm run bench`, not asserted)', async () => {
    // Spawned asynchronously: the benchmark drives a Chromium of its own while this one stays open.
    const out = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'bench', 'webview-bench.js'), '--tasks', '60', '--events', '6000', '--live-rate', '5000', '--live-seconds', '1', '--json'],
        { cwd: ROOT, env: { ...process.env, CHROMIUM_PATH: findChromium()! } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    assert.strictEqual(out.status, 0, out.stderr);
    const r = JSON.parse(out.stdout);
    assert.strictEqual(r.tasks, 60);
    assert.ok(Math.abs(r.events - 6000) < 100, `${r.events} events`);
    // The report's load laid out every task: `main` and the 60 it started.
    assert.strictEqual(r.load.report.rows, 61);
    for (const load of [r.load.report, r.load.snapshot, r.load.pieces]) {
      const first = load.firstDraw ?? load.total;
      assert.ok(Number.isFinite(first) && first > 0 && Number.isFinite(load.cpu) && load.cpu > 0, JSON.stringify(load));
    }
    assert.ok(r.frames.count > 10 && Number.isFinite(r.frames.cpuMedian), JSON.stringify(r.frames));
    // Every live event reached the view, in both batch sizes.
    for (const live of [r.live, r.liveSmall]) {
      assert.strictEqual(live.sent, 5000);
      assert.strictEqual(live.shown, live.sent);
      assert.ok(Number.isFinite(live.behindP95), JSON.stringify(live));
    }
  });

  it('cannot be broken out of by hostile task names', async () => {
    const hostile = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
    const events: TraceEvent[] = [
      { t: 0, type: 'task.created', task: 1, name: hostile, parent: null, site: site(1) },
      { t: 0, type: 'task.started', task: 1 },
      { t: 0, type: 'output', task: 1, stream: 'stdout', text: hostile },
      { t: 5, type: 'task.done', task: 1, result: hostile },
      { t: 5, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 },
    ];
    const file = path.join(dir, 'hostile.html');
    // Gzipped even though it is small, so this also reads the compressed form in the browser.
    const gzip = (bytes: Uint8Array): Uint8Array => zlib.gzipSync(bytes);
    fs.writeFileSync(file, reportHtml({ header: HEADER, events }, fs.readFileSync(BUNDLE, 'utf8'), { gzip, gzipAbove: 0 }));
    assert.ok(fs.readFileSync(file, 'utf8').includes('"flatGzip":true'));
    const { context, page, errors } = await openReport({ file });
    assert.strictEqual(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.strictEqual(await page.evaluate(() => window.coroutineTraceTimeline!.scene().model.tasks[0].name), hostile);
    assert.strictEqual(await page.locator('img').count(), 0);
    assert.deepStrictEqual(errors, []);
    await context.close();
  });

  it('talks the host protocol inside a VS Code-like page: ready, snapshot, deltas, openSite, cursor, state, theme', async () => {
    const nonce = 'T3stN0nce';
    const harness = path.join(dir, 'vscode.html');
    fs.writeFileSync(
      harness,
      `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src file:; img-src file: data:; script-src 'nonce-${nonce}'">
</head><body class="vscode-dark"><div id="app"></div>
<script nonce="${nonce}">
  window.__posted = [];
  window.__state = JSON.parse(sessionStorage.getItem('state') || 'null');
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; sessionStorage.setItem('state', JSON.stringify(s)); },
  });
</script>
<script nonce="${nonce}" src="file://${BUNDLE}"></script>
</body></html>`,
    );
    const context = await browser!.newContext({ viewport: { width: 1100, height: 500 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`file://${harness}`);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const posted = (): Promise<Array<{ type: string; [k: string]: unknown }>> =>
      page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted);
    assert.deepStrictEqual(await posted(), [{ type: 'ready' }]);
    assert.match(await page.locator('.ct-empty').innerText(), /Waiting for a trace/);

    // A live snapshot of the first events, then the rest as deltas, then finished.
    const header = parseTrace(fs.readFileSync(path.join(dir, '06.cotrace'), 'utf8')).header;
    const split = events.findIndex((e) => e.t >= 1000);
    // As the extension host posts them: events as a columnar batch (its number column crosses to the page as a plain
    // array and becomes a Float64Array again there, as VS Code delivers typed arrays).
    const send = (message: { type: string; events?: TraceEvent[]; [key: string]: unknown }): Promise<void> => {
      const batch = message.events ? encodeEventColumns(message.events) : undefined;
      const wire = batch ? { ...message, events: { ...batch, flat: Array.from(batch.flat) } } : message;
      return page.evaluate((m) => {
        const events = (m as { events?: { flat: unknown } }).events;
        if (events) events.flat = new Float64Array(events.flat as number[]);
        window.postMessage(m, '*');
      }, wire);
    };
    await send({ type: 'snapshot', header, events: events.slice(0, split), live: true });
    await waitForDraw(page);
    assert.strictEqual(await page.evaluate(() => window.coroutineTraceTimeline!.scene().model.endTime), 0);
    assert.match(await page.locator('.ct-status').innerText(), /live/);
    await send({ type: 'events', events: events.slice(split) });
    await send({ type: 'finished' });
    await page.waitForFunction(() => window.coroutineTraceTimeline!.stats.lastDrawnEnd === 2000);
    // `finished` is folded after the deltas, in its own slice: wait for the status to drop "live" (a bounded wait:
    // a page that never takes `finished` in still fails here).
    await page.waitForFunction(() => !/live/.test(document.querySelector('.ct-status')?.textContent ?? 'live'), undefined, {
      timeout: 10_000,
    });
    assert.doesNotMatch(await page.locator('.ct-status').innerText(), /live/);

    // A click on worker_2's sleep asks the host to open the site.
    const p = await probe(page, { worker_2: ids.worker_2 }, [1500, 700]);
    const box = (await page.locator('canvas').boundingBox())!;
    await page.mouse.click(box.x + p.xOf['1500'], box.y + p.barY.worker_2);
    const line = lineOf(EXAMPLE, 'await asyncio.sleep(2)');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'openSite'));
    const open = (await posted()).find((m) => m.type === 'openSite')!;
    assert.deepStrictEqual(open.site, { file: EXAMPLE, line, column: 3 });
    assert.ok((await posted()).some((m) => m.type === 'taskSelected' && m.task === ids.worker_2));
    // Double-clicking a label asks for the task's creation site.
    await page.mouse.dblclick(box.x + 60, box.y + p.barY.worker_2);
    const opens = (await posted()).filter((m) => m.type === 'openSite');
    assert.strictEqual((opens[opens.length - 1].site as { line: number }).line, lineOf(EXAMPLE, "{ name: 'worker_2' }"));

    // The time cursor goes to the host, and comes from it.
    await page.mouse.click(box.x + p.xOf['700'], box.y + 8);
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'cursorChanged'));
    const cursorMessages = (await posted()).filter((m) => m.type === 'cursorChanged');
    assert.ok(Math.abs((cursorMessages[cursorMessages.length - 1].t as number) - 700) < 5);
    await send({ type: 'cursor', t: 1234 });
    await page.waitForFunction(() => window.coroutineTraceTimeline!.scene().cursor === 1234);
    await send({ type: 'revealTask', task: ids.worker_1 });
    await page.waitForFunction((id) => window.coroutineTraceTimeline!.scene().layout.rowOfTask[id] === 1, ids.worker_1);

    // Theme change: VS Code rewrites the variables on <html>; the canvas re-reads them.
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(255, 0, 0)'));
    await nextFrame(page);
    await nextFrame(page);
    const row = await pixelRow(page, p.barY.worker_2);
    const mid = Math.round(p.xOf['700']);
    assert.ok(close(row[mid], [255, 0, 0]), `sleeping is drawn in the new theme colour, got ${row[mid]}`);

    // State survives the page being reloaded (VS Code keeps it with setState).
    await page.locator('.ct-scroll').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoom = (await probe(page, {}, [])).pxPerMs;
    // The host re-sends the same trace when the panel becomes visible again: the view stays as it was.
    await send({ type: 'snapshot', header, events, live: false });
    await page.waitForFunction(() => window.coroutineTraceTimeline!.stats.completeDrawAt != null);
    assert.strictEqual((await probe(page, {}, [])).pxPerMs, zoom, 'zoom kept over a re-sent snapshot');
    await page.evaluate(() => window.coroutineTraceTimeline!.flushState());
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    await send({ type: 'snapshot', header, events, live: false });
    await waitForDraw(page);
    const after = await probe(page, {}, []);
    assert.ok(Math.abs(after.pxPerMs - zoom) < 1e-9, 'zoom restored');
    assert.strictEqual(after.cursor, 1234, 'cursor restored');

    // A finished trace without `finished` from its host is taken as loaded once nothing more comes for a moment...
    const complete = (): Promise<number | null> => page.evaluate(() => window.coroutineTraceTimeline!.stats.completeDrawAt);
    await send({ type: 'snapshot', header, events: events.slice(0, split), live: false });
    await page.waitForFunction(() => window.coroutineTraceTimeline!.stats.completeDrawAt != null, undefined, { timeout: 10_000 });
    // ...but one whose file is still being read (`loading`) only at `finished`, however long the pauses between pieces.
    await send({ type: 'snapshot', header, events: events.slice(0, split), live: false, loading: true });
    await page.waitForTimeout(1000);
    assert.strictEqual(await complete(), null, 'a loading trace is not taken as loaded before finished');
    await send({ type: 'events', events: events.slice(split) });
    await page.waitForTimeout(500);
    assert.strictEqual(await complete(), null, 'nor after a piece');
    await send({ type: 'finished' });
    await page.waitForFunction(() => window.coroutineTraceTimeline!.stats.completeDrawAt != null, undefined, { timeout: 10_000 });
    assert.strictEqual(await page.evaluate(() => window.coroutineTraceTimeline!.scene().model.eventCount), events.length);

    // The empty state.
    await send({ type: 'empty', message: 'No tasks were recorded.' });
    await page.locator('.ct-empty').filter({ hasText: 'No tasks were recorded.' }).waitFor();
    assert.deepStrictEqual(errors, []);
    await context.close();
  });
});
