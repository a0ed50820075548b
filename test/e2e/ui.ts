/**
 * What a person does and sees in the workbench, as Playwright calls: open a file from the Explorer, pick a context
 * menu entry, read the Coroutine Tasks tree, the status bar, notifications, the Output and Problems panels, and the
 * timeline webview (hover, click, keys). Every action goes through the UI (mouse and keyboard); reading state goes
 * through the DOM, and for the canvas timeline through its read-only test hook `window.coroutineTraceTimeline`
 * (where a lane and a time are on screen). Every wait that can time out says what it waited for and what it saw.
 */
import type { Frame, Locator, Page } from 'playwright-core';
// The timeline's test hook, `window.coroutineTraceTimeline`, is declared by the webview's entry.
import type {} from '../../src/webview/main';

export interface TreeRow {
  level: number;
  label: string;
  description: string;
}

export interface Problem {
  severity: string;
  message: string;
  line: number;
  column: number;
  source: string;
}

const TASKS_TREE = '[role=tree][aria-label="Coroutine Tasks"]';
/** The tree's groups of tasks by state, in the order it shows them. */
const STATE_GROUPS = ['Running', 'Pending', 'Sleeping', 'Waiting', 'Cancelled', 'Failed', 'Done'];

export class Ui {
  constructor(readonly page: Page) {}

  // ---------------------------------------------------------------------------------------------------------------
  // Waiting

  /** Polls `probe` until it returns something truthy; the error says what was awaited and what was last seen. */
  async until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, seen?: () => Promise<string>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value) return value;
      if (Date.now() > deadline) {
        const last = seen ? await seen().catch((e: unknown) => `(unreadable: ${String(e)})`) : '';
        throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `; ${last}` : ''}`);
      }
      await this.page.waitForTimeout(200);
    }
  }

  /** Moves the pointer to a spot where it opens no hover (the title bar). */
  async parkMouse(): Promise<void> {
    await this.page.mouse.move(700, 4);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Workbench readiness, Explorer, editors, menus

  get explorer(): Locator {
    return this.page.getByRole('tree', { name: /Files Explorer/i });
  }

  async waitForWorkbench(): Promise<void> {
    await this.explorer.waitFor({ timeout: 90_000 });
  }

  /** Shows the Explorer (Ctrl+Shift+E). */
  async showExplorer(): Promise<void> {
    if (await this.explorer.isVisible()) return;
    await this.page.keyboard.press('Control+Shift+E');
    try {
      await this.explorer.waitFor({ timeout: 3000 });
    } catch {
      // Keyboard focus was somewhere that keeps the key (a webview that does not forward it): use the activity bar.
      await this.page.getByRole('tab', { name: /^Explorer/ }).first().click();
      await this.parkMouse();
      await this.explorer.waitFor({ timeout: 10_000 });
    }
  }

  /** The Explorer row of `relPath` (folders expanded on the way, by clicking them). */
  async explorerRow(relPath: string): Promise<Locator> {
    await this.showExplorer();
    const parts = relPath.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const folder = this.explorer.locator(`[role=treeitem][aria-level="${i + 1}"]`).filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(parts[i])}$`) }) });
      await folder.first().waitFor({ timeout: 15_000 }).catch(() => {
        throw new Error(`the Explorer shows no folder "${parts.slice(0, i + 1).join('/')}"`);
      });
      for (let attempt = 0; attempt < 4 && (await folder.first().getAttribute('aria-expanded')) !== 'true'; attempt++) {
        await folder.first().click();
        await this.until(`folder ${parts[i]} to expand`, async () => (await folder.first().getAttribute('aria-expanded')) === 'true', 2000).catch(() => undefined);
      }
    }
    const name = parts[parts.length - 1];
    const row = this.explorer
      .locator(`[role=treeitem][aria-level="${parts.length}"]`)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) })
      .first();
    await row.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error(`the Explorer shows no "${relPath}"`);
    });
    return row;
  }

  /** The text editor showing `relPath`. */
  editor(relPath: string): Locator {
    return this.page.locator(`.monaco-editor[data-uri$="/${relPath}"]`).first();
  }

  /** Opens a text file by clicking it in the Explorer; resolves when its editor shows text. */
  async openFile(relPath: string): Promise<void> {
    await this.openFromExplorer(relPath, () => this.editor(relPath).locator('.view-line').first().isVisible());
  }

  /**
   * Clicks `relPath` in the Explorer until `opened` says its editor is there (the Explorer re-renders when files
   * appear, and a click can land while it does).
   */
  async openFromExplorer(relPath: string, opened: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await (await this.explorerRow(relPath)).click();
      const ok = await this.until(`${relPath} to open`, async () => (await opened()) || undefined, 10_000).catch(() => false);
      if (ok) return;
    }
    throw new Error(`clicking ${relPath} in the Explorer did not open it; the tabs are: ${(await this.tabs()).join(' | ')}`);
  }

  /** Opens a file with a custom editor (a `.cotrace`) from the Explorer; resolves when its tab is there. */
  async openEditorFromExplorer(relPath: string): Promise<void> {
    const name = new RegExp(`^${escapeRegExp(relPath.split('/').pop()!)}`);
    await this.openFromExplorer(relPath, async () => (await this.tabs()).some((t) => name.test(t)));
  }

  /** A line of the editor of `relPath` (0-based among the rendered lines). */
  editorLine(relPath: string, index = 3): Locator {
    return this.editor(relPath).locator('.view-line').nth(index);
  }

  /** The middle one of the editor's rendered lines (clear of sticky scroll at the top). */
  async editorMiddleLine(relPath: string): Promise<Locator> {
    const lines = this.editor(relPath).locator('.view-line');
    return lines.nth(Math.floor((await lines.count()) / 2));
  }

  /**
   * Right-clicks `target` and picks `item` from its context menu. When the menu has no such entry, the error names
   * the menu (`where`) and lists what it offered. `check`, when given, runs with the menu open and says what is wrong
   * with the target the menu belongs to (null: nothing); the menu is then closed and the right-click tried again.
   */
  async contextMenu(target: Locator, item: string, where: string, check?: () => Promise<string | null>): Promise<void> {
    let problem: string | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      // Near the left edge: a long editor line's box reaches under the editor group beside it.
      await target.click({ button: 'right', position: { x: 12, y: 6 } });
      problem = check ? await check() : null;
      if (problem === null) break;
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(500);
    }
    if (problem !== null) throw new Error(`${where}: ${problem}`);
    const entry = this.page.getByRole('menuitem', { name: item }).first();
    try {
      await entry.waitFor({ timeout: 5000 });
    } catch {
      const offered = (await this.page.getByRole('menuitem').allInnerTexts().catch(() => [] as string[]))
        .map((t) => t.split('\n')[0].trim())
        .filter(Boolean);
      await this.page.keyboard.press('Escape');
      throw new Error(`${where} has no "${item}" entry; it offers: ${offered.length ? offered.join(', ') : '(no menu opened)'}`);
    }
    await entry.click();
    // A click can land while the menu re-renders (the Explorer does when a run writes its trace) and be lost, the
    // menu staying open: then pick the entry again.
    const menu = this.page.getByRole('menu').first();
    if (!(await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false))) {
      await entry.click();
      await menu.waitFor({ state: 'hidden', timeout: 5000 });
    }
    await this.parkMouse();
  }

  /** Opens `relPath` from the Explorer, right-clicks in its editor and picks Run with Coroutine Trace. */
  async runFromEditor(relPath: string): Promise<void> {
    await this.openFile(relPath);
    await this.contextMenu(this.editorLine(relPath), 'Run with Coroutine Trace', `the editor's context menu for ${relPath}`);
  }

  /** Right-clicks `relPath` in the Explorer and picks Run with Coroutine Trace. */
  async runFromExplorer(relPath: string): Promise<void> {
    const row = await this.explorerRow(relPath);
    const name = relPath.split('/').pop()!;
    // The Explorer re-renders when files appear (a run writes its trace): the menu must be the one of this file.
    await this.contextMenu(row, 'Run with Coroutine Trace', `the Explorer's context menu for ${relPath}`, async () => {
      const focused = await this.explorer.locator('.monaco-list-row.focused').first().getAttribute('aria-label').catch(() => null);
      return focused === name ? null : `the right-click landed on "${focused ?? 'nothing'}", not ${name}`;
    });
  }

  /** The labels of the editor tabs, e.g. `Timeline: 06-runtime-tasks.ts, Editor Group 2`. */
  async tabs(): Promise<string[]> {
    return this.page.locator('.tabs-container [role=tab]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  async waitForTab(name: RegExp, what: string, timeoutMs = 20_000): Promise<void> {
    await this.until(what, async () => (await this.tabs()).some((t) => name.test(t)), timeoutMs, async () => `the tabs are: ${(await this.tabs()).join(' | ')}`);
  }

  /** The active editor's tab label. */
  async activeTab(): Promise<string> {
    return (await this.page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label').catch(() => null)) ?? '';
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Status bar

  /** The editor cursor from the status bar ("Ln 13, Col 3 (22 selected)"). */
  async cursor(): Promise<{ line: number; column: number; text: string } | null> {
    const text = ((await this.page.locator('[id="status.editor.selection"]').textContent({ timeout: 2000 }).catch(() => null)) ?? '').trim();
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]), text } : null;
  }

  /** Clicks into the editor of `relPath` and moves its cursor to the top (Ctrl+Home). */
  async cursorToTop(relPath: string): Promise<void> {
    await (await this.editorMiddleLine(relPath)).click({ position: { x: 12, y: 6 } });
    await this.page.keyboard.press('Control+Home');
    await this.until(`the cursor of ${relPath} to go to line 1`, async () => (await this.cursor())?.line === 1, 5000);
  }

  /** Waits until the active editor is `file` with the cursor on `line`. */
  async waitForCursor(file: string, line: number, what: string): Promise<string> {
    return this.until(
      `${what}: the editor on ${file} with the cursor on line ${line}`,
      async () => {
        const at = await this.cursor();
        const tab = await this.activeTab();
        return at && at.line === line && tab.startsWith(file) ? at.text : undefined;
      },
      10_000,
      async () => `the active editor is "${await this.activeTab()}" and the status bar says "${(await this.cursor())?.text ?? 'no cursor position'}"`,
    );
  }

  /** The status bar item of a running program (`$(debug-stop) 08-producer-consumer.ts 3.0 s · 5 sleeping`), if any. */
  async runStatus(): Promise<string | null> {
    const item = this.page.locator('[id*="coroutineTrace.run."]').first();
    if ((await item.count()) === 0) return null;
    return ((await item.textContent().catch(() => null)) ?? '').trim() || null;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Coroutine Tasks tree

  get tasksTree(): Locator {
    return this.page.locator(TASKS_TREE);
  }

  /** Shows the Coroutine Trace view in the side bar (its activity bar icon), unless it is showing. */
  async showTasks(): Promise<void> {
    if (await this.tasksTree.isVisible()) return;
    await this.showTasksContainer();
    await this.tasksTree.waitFor({ timeout: 30_000 });
  }

  /** Shows the Coroutine Trace container, whatever its view shows (a tree, or a welcome message). */
  async showTasksContainer(): Promise<void> {
    const tab = this.page.getByRole('tab', { name: /^Coroutine Trace/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    const sidebar = this.page.locator('.part.sidebar');
    const showing = async (): Promise<boolean> =>
      (await tab.getAttribute('aria-selected')) === 'true' && (await sidebar.isVisible()) && /Coroutine Trace/i.test((await sidebar.locator('.composite.title').textContent().catch(() => '')) ?? '');
    // Clicking the tab of the container that is showing closes the side bar: click only when it is not showing, and
    // look again, since a window that is still restoring its layout can change it under the click.
    for (let attempt = 0; attempt < 4 && !(await showing()); attempt++) {
      await tab.click();
      await this.parkMouse();
      await this.page.waitForTimeout(1000);
    }
    if (!(await showing())) throw new Error('could not show the Coroutine Trace view from the activity bar');
  }

  async treeRows(): Promise<TreeRow[]> {
    return this.page.$$eval(`${TASKS_TREE} [role=treeitem]`, (rows) =>
      rows.map((r) => ({
        level: Number(r.getAttribute('aria-level')),
        label: r.querySelector('.label-name')?.textContent ?? '',
        description: r.querySelector('.label-description')?.textContent ?? '',
      })),
    );
  }

  /** The state groups as `Done 3` (not the Warnings group, which lists diagnostics rather than tasks). */
  async treeGroups(): Promise<string[]> {
    return (await this.treeRows()).filter((r) => r.level === 1 && STATE_GROUPS.includes(r.label)).map((r) => `${r.label} ${r.description}`.trim());
  }

  /** The tasks under each group: `{ Done: ['main', 'worker_1'] }` (labels as shown, e.g. `consumer_1 (consumer)`). */
  async treeTasks(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    let group = '';
    for (const row of await this.treeRows()) {
      if (row.level === 1) out[(group = row.label)] = [];
      else if (row.level === 2 && group) out[group].push(row.label);
    }
    return out;
  }

  async describeTree(): Promise<string> {
    const rows = await this.treeRows();
    if (rows.length === 0) return 'the Coroutine Tasks tree shows nothing';
    return `the Coroutine Tasks tree shows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label}${r.description ? ` [${r.description}]` : ''}`).join(' / ')}`;
  }

  async waitForTree(what: string, test: (groups: string[], tasks: Record<string, string[]>) => boolean, timeoutMs = 20_000): Promise<string[]> {
    return this.until(
      `the Coroutine Tasks tree to show ${what}`,
      async () => {
        const groups = await this.treeGroups();
        return test(groups, await this.treeTasks()) ? groups : undefined;
      },
      timeoutMs,
      () => this.describeTree(),
    );
  }

  /** The tree row of a task (its label starts with `name`), at level 2 (under its state group). */
  taskRow(name: string): Locator {
    return this.page
      .locator(`${TASKS_TREE} [role=treeitem][aria-level="2"]`)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}( |$)`) }) })
      .first();
  }

  /** Clicks a button of the Coroutine Tasks view's title bar (Run Again, Stop, Open Timeline, ...). */
  async tasksViewAction(name: string): Promise<void> {
    await this.showTasks();
    const sidebar = this.page.locator('.part.sidebar');
    await sidebar.hover();
    const button = sidebar.getByRole('button', { name, exact: true }).first();
    await button.waitFor({ timeout: 5000 }).catch(async () => {
      const offered = await sidebar.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')).filter(Boolean));
      throw new Error(`the Coroutine Tasks view has no "${name}" button; it has: ${offered.join(', ')}`);
    });
    await button.click();
    await this.parkMouse();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Notifications

  /** The visible notification toasts, as text (source, buttons, message). */
  async toasts(): Promise<string[]> {
    return (await this.page.locator('.notification-toast').allInnerTexts().catch(() => [] as string[])).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Clears every notification on screen through the notification centre (status bar bell, Clear All). */
  async clearNotifications(): Promise<void> {
    if ((await this.toasts()).length === 0) return;
    await this.page.locator('[id="status.notifications"]').click();
    const clearAll = this.page.locator('.notifications-center').getByRole('button', { name: 'Clear All Notifications' });
    await clearAll.waitFor({ timeout: 5000 });
    if (await clearAll.isEnabled()) await clearAll.click();
    await this.page.keyboard.press('Escape');
    await this.parkMouse();
    await this.until('the notifications to be cleared', async () => (await this.toasts()).length === 0, 5000, async () => `still showing: ${(await this.toasts()).join(' | ')}`);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Panel: Output and Problems

  /** The lines of the Output panel's current channel (the panel is maximized while they are read). */
  async outputLines(): Promise<string[]> {
    const panel = this.page.locator('.part.panel');
    if (!(await panel.locator('.monaco-editor[data-uri^="output:"]').isVisible().catch(() => false))) {
      await this.page.getByRole('tab', { name: /^Output/ }).first().click();
    }
    const maximize = panel.getByRole('button', { name: /^Maximize Panel Size/ }).first();
    const maximized = await maximize.isVisible().catch(() => false);
    if (maximized) await maximize.click();
    await this.page.waitForTimeout(300);
    const lines = await panel.locator('.monaco-editor[data-uri^="output:"] .view-line').evaluateAll((els) =>
      els
        .map((e) => [parseFloat((e as HTMLElement).style.top) || 0, (e.textContent ?? '').replace(/\u00a0/g, ' ')] as const)
        .sort((a, b) => a[0] - b[0])
        .map((x) => x[1]),
    );
    if (maximized) {
      await panel
        .getByRole('button', { name: /^Restore Panel Size/ })
        .first()
        .click()
        .catch(() => undefined);
    }
    await this.parkMouse();
    return lines;
  }

  /** Which output channel the Output panel shows. */
  async outputChannel(): Promise<string> {
    return (await this.page.locator('.part.panel select').first().inputValue().catch(() => '')) || '';
  }

  /** Opens the Problems panel (the status bar's problems item) and reads its entries. */
  async problems(): Promise<Problem[]> {
    const markers = this.page.locator('.markers-panel');
    if (!(await markers.isVisible().catch(() => false))) {
      await this.page.locator('[id="status.problems"]').click();
      await markers.waitFor({ timeout: 10_000 });
      await this.parkMouse();
    }
    await this.page.waitForTimeout(300);
    const labels = await markers.locator('[role=treeitem][aria-level="2"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const out: Problem[] = [];
    for (const label of labels) {
      // "Warning: <message> at line 20 and character 3. This problem has references to 2 locations. generated by X"
      const m = /^(\w+): ([^]*) at line (\d+) and character (\d+)\.(?: This problem has references to \d+ locations?\.)? generated by (.+)$/.exec(label);
      if (m) out.push({ severity: m[1], message: m[2], line: Number(m[3]), column: Number(m[4]), source: m[5] });
      else throw new Error(`cannot read the Problems panel entry "${label}"`);
    }
    return out;
  }

  /** The Problems panel row whose message matches. */
  problemRow(message: RegExp): Locator {
    return this.page.locator('.markers-panel [role=treeitem][aria-level="2"]').filter({ hasText: message }).first();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Timeline

  /** The timeline webview showing a trace of `programBase`: the standalone panel or a `.cotrace` editor. */
  async timeline(programBase: string, what: string, timeoutMs = 30_000): Promise<TimelineView> {
    const frame = await this.until(
      `${what}: a timeline of ${programBase} on screen`,
      async () => {
        for (const f of this.page.frames()) {
          // The page inside a webview's iframe (VS Code names it pending-frame, then active-frame).
          if (f.parentFrame() === null || f.parentFrame() === this.page.mainFrame()) continue;
          const program = await f
            .evaluate(() => {
              const app = window.coroutineTraceTimeline;
              const canvas = document.querySelector('canvas');
              if (!app || !canvas || canvas.getBoundingClientRect().width === 0) return null;
              return app.scene().model.header.program;
            })
            .catch(() => null);
          if (program && (program === programBase || program.endsWith(`/${programBase}`))) {
            const box = await (await f.frameElement()).boundingBox().catch(() => null);
            if (box && box.width > 0) return f;
          }
        }
        return undefined;
      },
      timeoutMs,
      async () => {
        const seen: string[] = [];
        for (const f of this.page.frames()) {
          if (f.parentFrame() === null || f.parentFrame() === this.page.mainFrame()) continue;
          seen.push(
            await f
              .evaluate(() => {
                const app = window.coroutineTraceTimeline;
                const canvas = document.querySelector('canvas');
                if (!app) return `a webview without a timeline: "${(document.body?.innerText ?? '').slice(0, 80)}"`;
                return `a timeline of ${app.scene().model.header.program} (canvas ${canvas?.getBoundingClientRect().width ?? 'missing'} px wide)`;
              })
              .catch((e: unknown) => `an unreadable webview (${String(e).slice(0, 80)})`),
          );
        }
        const frames = this.page.frames().map((f) => `${f.name() || '(unnamed)'} ${f.url().slice(0, 100)}`);
        return `the tabs are: ${(await this.tabs()).join(' | ')}; the webviews: ${seen.join('; ') || `none among the frames ${frames.join(', ')}`}`;
      },
    );
    return new TimelineView(this, frame);
  }
}

export interface TimelineState {
  program: string;
  tasks: Array<{ id: number; name: string; state: string }>;
  /** Task lanes, top to bottom, by task name. */
  lanes: string[];
  endTime: number;
  finished: boolean;
  pxPerMs: number;
  status: string;
}

export class TimelineView {
  constructor(
    private readonly ui: Ui,
    readonly frame: Frame,
  ) {}

  async state(): Promise<TimelineState> {
    return this.frame.evaluate(() => {
      const app = window.coroutineTraceTimeline!;
      const scene = app.scene();
      const model = scene.model;
      return {
        program: model.header.program,
        tasks: model.tasks.map((t) => ({ id: t.id, name: t.name, state: t.state })),
        lanes: scene.layout.rows.flatMap((r) => (r.kind === 'task' ? [r.task.name] : [])),
        endTime: model.endTime,
        finished: model.runFinished !== null,
        pxPerMs: app.currentView?.pxPerMs ?? 0,
        status: document.querySelector('.ct-status')?.textContent ?? '',
      };
    });
  }

  /** Waits until the whole (finished) trace is drawn. */
  async waitForFinished(what: string): Promise<TimelineState> {
    return this.ui.until(
      `${what}: the timeline to draw the finished run`,
      async () => {
        const done = await this.frame.evaluate(() => {
          const app = window.coroutineTraceTimeline!;
          const model = app.scene().model;
          return model.runFinished !== null && app.stats.lastDrawnEnd === model.endTime && app.stats.completeDrawAt !== null;
        });
        return done ? this.state() : undefined;
      },
      20_000,
      async () => `it shows ${JSON.stringify(await this.state())}`,
    );
  }

  /** Where (page coordinates) the lane of `task` is at time `t` (ms). */
  async point(task: string, t: number): Promise<{ x: number; y: number }> {
    const at = await this.frame.evaluate(
      ({ task, t }) => {
        const app = window.coroutineTraceTimeline!;
        const info = app.scene().model.tasks.find((x) => x.name === task);
        if (!info) return null;
        const y = app.barCenterY(info.id);
        return y === null ? null : { x: app.xOfTime(t), y };
      },
      { task, t },
    );
    if (!at) throw new Error(`the timeline has no lane for ${task}`);
    const box = await this.frame.locator('canvas').boundingBox();
    if (!box) throw new Error('the timeline canvas is not on screen');
    if (at.x < 0 || at.x > box.width || at.y < 0 || at.y > box.height) {
      throw new Error(`${task} at ${t} ms is off screen (${Math.round(at.x)}, ${Math.round(at.y)} in a ${Math.round(box.width)}×${Math.round(box.height)} canvas)`);
    }
    return { x: box.x + at.x, y: box.y + at.y };
  }

  /** Moves the mouse over `task`'s lane at `t` and returns the tooltip's text. */
  async hover(task: string, t: number): Promise<string> {
    const p = await this.point(task, t);
    await this.ui.page.mouse.move(p.x - 30, p.y, { steps: 2 });
    await this.ui.page.mouse.move(p.x, p.y, { steps: 4 });
    const tooltip = this.frame.locator('.ct-tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`hovering ${task}'s lane at ${t} ms shows no tooltip`);
    });
    return tooltip.innerText();
  }

  async click(task: string, t: number): Promise<void> {
    const p = await this.point(task, t);
    await this.ui.page.mouse.move(p.x, p.y, { steps: 3 });
    await this.ui.page.mouse.click(p.x, p.y);
  }

  /** Clicks an empty part of the plot (below the last lane), which gives the timeline the keyboard focus. */
  async focusByClick(): Promise<void> {
    const spot = await this.frame.evaluate(() => {
      const app = window.coroutineTraceTimeline!;
      let last = 0;
      for (const t of app.scene().model.tasks) last = Math.max(last, app.barCenterY(t.id) ?? 0);
      return { y: last };
    });
    const box = await this.frame.locator('canvas').boundingBox();
    if (!box) throw new Error('the timeline canvas is not on screen');
    const y = Math.min(box.y + box.height - 6, box.y + spot.y + 40);
    await this.ui.page.mouse.click(box.x + box.width * 0.75, y);
    await this.ui.until('the timeline to have the keyboard focus', () => this.frame.evaluate(() => document.activeElement?.classList.contains('ct-scroll') ?? false), 3000);
  }

  /** Distance on screen of one second of the run. */
  async pxPerSecond(): Promise<number> {
    return this.frame.evaluate(() => {
      const app = window.coroutineTraceTimeline!;
      return app.xOfTime(1000) - app.xOfTime(0);
    });
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
