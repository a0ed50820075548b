#!/usr/bin/env node
/**
 * A screenshot of the HTML report's timeline (out/screenshots/report-timeline.png by default): runs
 * examples/seed/08-producer-consumer.ts on the virtual clock, writes its report, opens it in headless Chromium (dark
 * scheme, 2× pixels) and hovers a consumer's wait on the queue so the tooltip shows. Needs a build (`npm run build`).
 * For looking at the drawing outside VS Code; the README's screenshots (media/screenshots/) are made only by the
 * end-to-end journeys (`npm run screenshots`), in a real VS Code.
 *
 *   node bench/webview-screenshot.js [OUT.png]
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const EXAMPLE = path.join(ROOT, 'examples', 'seed', '08-producer-consumer.ts');
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, 'out', 'screenshots', 'report-timeline.png'));

async function main() {
  const { chromium } = require('playwright-core');
  const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && fs.existsSync(p));
  if (!executablePath) throw new Error('no Chromium');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-shot-'));
  const trace = path.join(dir, '08.cotrace');
  const html = path.join(dir, '08.html');
  const run = (args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  };
  run(['run', EXAMPLE, '--virtual-clock', '--out', trace, '--quiet']);
  run(['report', trace, '-o', html]);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1240, height: 400 }, deviceScaleFactor: 2, colorScheme: 'dark' });
    await page.goto(`file://${html}`);
    await page.waitForFunction(() => window.coroutineTraceTimeline?.stats.completeDrawAt != null);
    const target = await page.evaluate(() => {
      const app = window.coroutineTraceTimeline;
      const task = app.scene().model.tasks.find((t) => t.name === 'consumer_1');
      return { x: app.xOfTime(7200), y: app.barCenterY(task.id) };
    });
    const box = await page.locator('canvas').boundingBox();
    await page.mouse.move(box.x + target.x, box.y + target.y);
    await page.locator('.ct-tooltip').waitFor({ state: 'visible' });
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT });
    console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
