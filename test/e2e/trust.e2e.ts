/**
 * Journey 7 (issue 5): workspace trust. This workbench keeps VS Code's workspace trust on (code-server started
 * without --disable-workspace-trust, `security.workspace.trust.enabled` set), so opening the folder asks whether to
 * trust its authors; the journey answers "No, I don't trust the authors", as a careful user would for a folder
 * from elsewhere, and the window is in Restricted Mode. There running a program must be unavailable, and say why;
 * opening a saved trace still works.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, Workbench, copyIntoWorkspace, steps } from './harness';
import { Ui } from './ui';

const P06 = 'examples/seed/06-runtime-tasks.ts';
const SAVED = 'traces/06-runtime-tasks.cotrace';

describe('End-to-end journey in an untrusted workspace (Restricted Mode)', function () {
  let wb: Workbench;
  let ui: Ui;

  before(async function () {
    this.timeout(180_000);
    wb = await Workbench.start({
      name: 'trust',
      workspaceTrust: true,
      settings: { 'coroutineTrace.traceDirectory': '${workspaceFolder}/traces' },
      prepare: (workspace) => {
        copyIntoWorkspace(workspace, [P06]);
        fs.mkdirSync(path.join(workspace, 'traces'));
        fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'traces', '06-runtime-tasks.cotrace'), path.join(workspace, SAVED));
      },
    });
    ui = new Ui(wb.page);
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (!test || test.state !== 'failed' || !wb) return;
    await wb.captureFailure(test, async () => `tabs: ${(await ui.tabs()).join(' | ')}\nnotifications: ${(await ui.toasts()).join(' | ')}\n${await ui.describeTree()}`);
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.stop();
  });

  it('Journey 7 · trust: in an untrusted folder Run with Coroutine Trace runs nothing and says why; saved traces still open', async function () {
    const log = steps();
    const dialog = wb.page.locator('.monaco-dialog-box').filter({ hasText: 'Do you trust the authors of the files in this folder?' });
    await dialog.waitFor({ timeout: 90_000 }).catch(() => {
      throw new Error('opening the folder with workspace trust enabled showed no "Do you trust the authors" dialog');
    });
    await dialog.getByRole('button', { name: "No, I don't trust the authors" }).click();
    log("answered the trust dialog: No, I don't trust the authors");
    await ui.until('the status bar to say Restricted Mode', async () => /Restricted Mode/.test((await wb.page.locator('.part.statusbar').textContent()) ?? ''), 10_000);
    await ui.waitForWorkbench();

    // The view says why running is off, before anyone tries.
    await ui.showTasksContainer();
    const welcome = await ui.until('the Coroutine Tasks view to explain Restricted Mode', async () => {
      const text = (await wb.page.locator('.part.sidebar').innerText().catch(() => '')).replace(/\s+/g, ' ');
      return /Running programs is disabled in Restricted Mode/.test(text) ? text : undefined;
    }, 30_000, async () => `the side bar shows: ${(await wb.page.locator('.part.sidebar').innerText().catch(() => '')).replace(/\s+/g, ' ')}`);
    assert.match(welcome, /because it executes code from this workspace/, 'the view says why');
    log(`the Coroutine Tasks view: ${welcome.trim()}`);

    // The command from the editor's context menu explains instead of running.
    await ui.runFromEditor(P06);
    log('picked Run with Coroutine Trace from the editor context menu');
    const toast = await ui.until('a notification explaining that running is disabled', async () => (await ui.toasts()).find((t) => /Restricted Mode/.test(t)), 10_000, async () => `notifications: ${(await ui.toasts()).join(' | ') || 'none'}`);
    assert.match(toast, /running a program is disabled in Restricted Mode, because it executes code from this workspace/, 'the notification says why');
    assert.match(toast, /Manage Workspace Trust/, 'the notification offers to manage workspace trust');
    log(`notification: ${toast}`);
    await wb.page.waitForTimeout(2000);
    assert.strictEqual(await ui.runStatus(), null, 'nothing runs');
    assert.ok(!(await ui.tabs()).some((t) => /^Timeline:/.test(t)), `no timeline opened: ${(await ui.tabs()).join(' | ')}`);
    assert.deepStrictEqual(fs.readdirSync(path.join(wb.workspace, 'traces')), ['06-runtime-tasks.cotrace'], 'no trace was written');

    // Trace files are data: they open in Restricted Mode.
    await ui.openEditorFromExplorer(SAVED);
    const timeline = await ui.timeline('06-runtime-tasks.ts', 'the saved trace in Restricted Mode');
    const drawn = await timeline.waitForFinished('the saved trace in Restricted Mode');
    assert.deepStrictEqual(drawn.lanes, ['main', 'Task-2', 'Task-3'], 'the saved trace shows its lanes');
    log(`the saved trace opens: lanes ${drawn.lanes.join(', ')}`);
  });
});
