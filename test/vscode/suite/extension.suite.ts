/**
 * Extension-host tests: the extension in a real VS Code (code-server or a downloaded VS Code), for wiring. The logic
 * behind the tree is unit-tested in test/extension/ without VS Code.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TaskCreatedEvent } from '../../../src/contract/trace';
import type { CoroutineTraceApi } from '../../../src/extension/extension';
import type { TaskTreeNode, TreeSnapshotGroup } from '../../../src/extension/taskTreeProvider';
import type { TraceSession } from '../../../src/extension/pure/traceSession';

const EXTENSION_ID = 'coroutine-trace.coroutine-trace';
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CANCEL_EXAMPLE = path.join(ROOT, 'examples', 'seed', '07-cancel-timeout.ts');
const BUGS = path.join(ROOT, 'examples', 'bugs');

async function api(): Promise<CoroutineTraceApi> {
  const ext = vscode.extensions.getExtension<CoroutineTraceApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** When the trace of `file` becomes the shown one: its session. */
function showing(a: CoroutineTraceApi, file: string): Promise<{ session: TraceSession }> {
  return new Promise((resolve) => {
    const sub = a.hub.onDidChangeCurrent((session) => {
      if (session?.tracePath !== file) return;
      sub.dispose();
      resolve({ session });
    });
  });
}

/** `{ Done: 2, Failed: 1 }` from the tree. */
function counts(groups: TreeSnapshotGroup[]): Record<string, number> {
  return Object.fromEntries(groups.map((g) => [g.label, g.count]));
}

function lineOf(file: string, needle: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} is in ${file}`);
  return index; // 0-based, as the editor's selection
}

function tempProgram(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-host-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The task node with this label under the group with this label. */
function findTask(a: CoroutineTraceApi, group: string, label: string): TaskTreeNode {
  const groupNode = a.tree.getChildren().find((g) => a.tree.getTreeItem(g).label === group);
  assert.ok(groupNode, `group ${group} is shown`);
  const node = a.tree.getChildren(groupNode).find((t) => a.tree.getTreeItem(t).label === label);
  assert.ok(node, `${label} is under ${group}`);
  return node;
}

describe('Coroutine Trace extension', function () {
  this.timeout(120_000);
  let runSession: TraceSession;
  let runTree: TreeSnapshotGroup[];

  it('activates', async () => {
    const a = await api();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)!.isActive);
    assert.ok(a.tree && a.runs && a.hub);
  });

  it('registers every command it declares', async () => {
    const declared = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as Array<{ command: string }>).map(
      (c) => c.command,
    );
    assert.ok(declared.length >= 10);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(declared.filter((c) => !registered.has(c)), []);
  });

  it('runs 07-cancel-timeout.ts: main and worker_1 done, worker_2 failed, worker_3 cancelled', async () => {
    const a = await api();
    const session = await a.run(vscode.Uri.file(CANCEL_EXAMPLE));
    assert.ok(session, 'the run started');
    runSession = session;
    assert.strictEqual(session.live, false);
    assert.strictEqual(session.error, undefined);
    assert.strictEqual(a.hub.current, session);
    runTree = a.tree.snapshot();
    assert.deepStrictEqual(counts(runTree), { Cancelled: 1, Failed: 1, Done: 2 });
    const labels = Object.fromEntries(runTree.map((g) => [g.label, g.tasks.map((t) => t.label)]));
    assert.deepStrictEqual(labels.Done.sort(), ['main', 'worker_1']);
    assert.deepStrictEqual(labels.Failed, ['worker_2']);
    assert.deepStrictEqual(labels.Cancelled, ['worker_3']);
    const failed = runTree.find((g) => g.label === 'Failed')!.tasks[0];
    assert.strictEqual(failed.description, 'RangeError');
    const cancelled = runTree.find((g) => g.label === 'Cancelled')!.tasks[0];
    assert.strictEqual(cancelled.description, `cancelled by main · 07-cancel-timeout.ts:${lineOf(CANCEL_EXAMPLE, 'task3.cancel()') + 1}`);
  });

  it('writes the run trace, complete, to the trace folder', () => {
    assert.ok(runSession.tracePath && fs.existsSync(runSession.tracePath), 'trace file exists');
    const lines = fs.readFileSync(runSession.tracePath, 'utf8').trim().split('\n');
    assert.strictEqual(JSON.parse(lines[0]).format, 'coroutine-trace');
    assert.strictEqual(JSON.parse(lines[lines.length - 1]).type, 'run.finished');
  });

  it('jumps to the source line of a task', async () => {
    const a = await api();
    const worker3 = findTask(a, 'Cancelled', 'worker_3');
    // Go to Creation Site: the createTask call.
    await vscode.commands.executeCommand('coroutineTrace.goToCreationSite', worker3);
    let editor = await waitFor('an editor on the example', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === CANCEL_EXAMPLE ? e : undefined;
    });
    assert.strictEqual(editor.selection.active.line, lineOf(CANCEL_EXAMPLE, "createTask(worker3()"));
    assert.strictEqual(editor.document.getText(editor.selection), "asyncio.createTask(worker3(), { name: 'worker_3' })");
    // A click on the task: where it was when it ended (the sleep it was cancelled in).
    const item = a.tree.getTreeItem(worker3);
    assert.ok(item.command, 'the task item has a click command');
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.selection.active.line, lineOf(CANCEL_EXAMPLE, 'await asyncio.sleep(3)'));
    // Go to Current Await on main: the gather it waited in last.
    await vscode.commands.executeCommand('coroutineTrace.goToCurrentAwait', findTask(a, 'Done', 'main'));
    editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.selection.active.line, lineOf(CANCEL_EXAMPLE, 'await asyncio.gather('));
    assert.ok(editor.document.getText(editor.selection).startsWith('await asyncio.gather(task1'));
  });

  it('copies a task name', async () => {
    const a = await api();
    await vscode.commands.executeCommand('coroutineTrace.copyTaskName', findTask(a, 'Failed', 'worker_2'));
    assert.strictEqual(await vscode.env.clipboard.readText(), 'worker_2');
  });

  it('opens the saved trace into the same tree', async () => {
    const a = await api();
    const uri = vscode.Uri.file(runSession.tracePath!);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'coroutineTrace.traceViewer');
    const fileSession = await waitFor('the trace file to become the shown trace', () =>
      a.hub.current && a.hub.current.origin === 'file' && a.hub.current.tracePath === uri.fsPath ? a.hub.current : undefined,
    );
    assert.notStrictEqual(fileSession, runSession);
    assert.deepStrictEqual(a.tree.snapshot(), runTree);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a trace file too big to read in one go, a slice at a time, whole', async () => {
    const a = await api();
    // The benchmark's synthetic trace, big enough for the progress notification (PROGRESS_FILE_BYTES) and to take
    // longer to read (about 35 MB, a second or more) than the editor takes to open.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { syntheticTrace } = require(path.join(ROOT, 'bench', 'webview-synthetic.js'));
    const trace = syntheticTrace({ tasks: 3000, events: 300_000 });
    const text = [trace.header, ...trace.events].map((x: unknown) => JSON.stringify(x)).join('\n') + '\n';
    const file = tempProgram('big.cotrace', text);
    assert.ok(fs.statSync(file).size > 8 * 1024 * 1024, `${fs.statSync(file).size} bytes`);
    // The editor opens once the header is read and shows the trace as it loads: how far the load has got by then
    // depends on how quickly the editor opens (here about half way; in a cold code-server, near the end), so only
    // the outcome is checked here; the loader's tests check that the session is handed out while it loads.
    const atShow = showing(a, file);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'coroutineTrace.traceViewer');
    const { session: shown } = await atShow;
    const session = await waitFor('the big trace to be read whole', () => (shown.loading ? undefined : shown), 60_000);
    assert.strictEqual(session.origin, 'file');
    assert.strictEqual(session.error, undefined);
    assert.strictEqual(session.events.length, trace.events.length);
    assert.deepStrictEqual(session.events.at(-1), trace.events.at(-1));
    const created = trace.events.filter((e: { type: string }) => e.type === 'task.created').length;
    assert.strictEqual(session.model()!.tasks.length, created);
    // The timeline is sent the stored batches themselves: sending must leave them whole for the next view.
    await new Promise((r) => setTimeout(r, 1000));
    const first = session.events.encoded(0, 50_000);
    assert.strictEqual(first.count, 50_000);
    assert.ok(first.flat.length > 50_000, `${first.flat.length} numbers in the first stored batch after it was sent`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('says why when a big trace file turns out unreadable part way', async () => {
    const a = await api();
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { syntheticTrace } = require(path.join(ROOT, 'bench', 'webview-synthetic.js'));
    const trace = syntheticTrace({ tasks: 3000, events: 300_000 });
    const lines = [trace.header, ...trace.events].map((x: unknown) => JSON.stringify(x));
    // Near the end: the load fails after the editor has opened, or (on a slow machine) just before.
    lines.splice(300_000, 0, '{"t": 1, "type"');
    const file = tempProgram('broken-big.cotrace', lines.join('\n') + '\n');
    const atShow = showing(a, file);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'coroutineTrace.traceViewer');
    const { session: shown } = await atShow;
    await waitFor('the load to fail', () => !shown.loading, 60_000);
    assert.match(shown.error ?? '', /^broken-big\.cotrace is not a readable coroutine trace: line 300001: not valid JSON/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the states at a time cursor from the timeline', async () => {
    const a = await api();
    a.hub.setCurrent(runSession);
    // Between worker_1's end (its 1 s sleep) and worker_2's (2 s), taken from the trace: on a loaded machine the
    // program may start its tasks well after the trace's time 0, so a fixed instant could fall before either.
    const ended = (type: string, name: string): number => {
      const created = runSession.events.slice().find((e): e is TaskCreatedEvent => e.type === 'task.created' && e.name === name);
      assert.ok(created, `${name} is in the trace`);
      const end = runSession.events.slice().find((e) => e.type === type && 'task' in e && e.task === created.task);
      assert.ok(end, `${name}'s ${type} is in the trace`);
      return end.t;
    };
    const worker1Done = ended('task.done', 'worker_1');
    const worker2Failed = ended('task.failed', 'worker_2');
    assert.ok(worker2Failed - worker1Done > 500, `worker_1 ended at ${worker1Done} ms, worker_2 at ${worker2Failed} ms`);
    a.tree.setCursor((worker1Done + worker2Failed) / 2);
    const atCursor = counts(a.tree.snapshot());
    a.tree.setCursor(undefined);
    // Then worker_1 is done; main, worker_2 and worker_3 still sleep.
    assert.deepStrictEqual(atCursor, { Sleeping: 3, Done: 1 });
    assert.deepStrictEqual(a.tree.snapshot(), runTree);
  });

  it('opens the timeline panel for the run', async () => {
    const a = await api();
    a.hub.setCurrent(runSession);
    await vscode.commands.executeCommand('coroutineTrace.openTimeline');
    const tab = await waitFor('a timeline tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('coroutineTrace.timeline')),
    );
    assert.strictEqual(tab.label, 'Timeline: 07-cancel-timeout.ts');
  });

  it('exports Chrome trace JSON and the HTML report', async () => {
    const a = await api();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-export-'));
    const json = vscode.Uri.file(path.join(dir, 'run.json'));
    await a.exportTrace(runSession, 'chrome', json);
    const chrome = JSON.parse(fs.readFileSync(json.fsPath, 'utf8'));
    assert.ok(Array.isArray(chrome.traceEvents) && chrome.traceEvents.length > 0);
    const html = vscode.Uri.file(path.join(dir, 'run.html'));
    await a.exportTrace(runSession, 'html', html);
    const page = fs.readFileSync(html.fsPath, 'utf8');
    assert.ok(page.startsWith('<!DOCTYPE html>'));
    assert.ok(page.includes('worker_3'));
    // The run's model travels folded (the session's lanes), its tasks' names in the lanes' JSON.
    assert.match(page, /"lanes":\{"format":"coroutine-trace-model-lanes".*"names":\[[^\]]*"worker_3"/s);
  });

  it('names a missing source file instead of failing', async () => {
    const result = await vscode.commands.executeCommand('coroutineTrace.openSite', {
      file: path.join(os.tmpdir(), 'no-such-dir-ct', 'gone.ts'),
      line: 3,
      column: 1,
    });
    assert.strictEqual(result, undefined);
  });

  it('turns a syntax error into a diagnostic at its line', async () => {
    const a = await api();
    const file = tempProgram('broken.ts', "const ok = 1;\nconst broken = ;\nconsole.log(ok);\n");
    const session = await a.run(vscode.Uri.file(file));
    assert.ok(session?.error?.startsWith('Build failed'), session?.error);
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(file));
    assert.strictEqual(diagnostics.length, 1);
    assert.strictEqual(diagnostics[0].range.start.line, 1);
    assert.strictEqual(diagnostics[0].source, 'Coroutine Trace');
    assert.strictEqual(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
  });

  it('runs a program that records no tasks and says so', async () => {
    const a = await api();
    const file = tempProgram('plain.ts', "console.log('no coroutines here');\n");
    const session = await a.run(vscode.Uri.file(file));
    assert.ok(session);
    assert.strictEqual(session.error, undefined);
    assert.strictEqual(session.hasNoTasks, true);
    assert.deepStrictEqual(a.tree.snapshot(), []);
    // The view's message links to the README's "Writing a traced program", opened in the Markdown preview.
    await vscode.commands.executeCommand('coroutineTrace.showHelp');
    await waitFor('the README preview', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /README\.md/.test(t.label)),
    );
  });

  it('honours coroutineTrace.virtualClock and coroutineTrace.keepRuns', async () => {
    const a = await api();
    const config = vscode.workspace.getConfiguration('coroutineTrace');
    await config.update('virtualClock', true, vscode.ConfigurationTarget.Global);
    await config.update('keepRuns', 2, vscode.ConfigurationTarget.Global);
    try {
      const started = Date.now();
      const virtual = await a.run(vscode.Uri.file(CANCEL_EXAMPLE));
      assert.strictEqual(virtual?.header?.clock, 'virtual');
      assert.ok(Date.now() - started < 10_000);
      assert.deepStrictEqual(counts(a.tree.snapshot()), { Cancelled: 1, Failed: 1, Done: 2 });
      const plain = tempProgram('again.ts', "console.log('hi');\n");
      let last: TraceSession | undefined;
      for (let i = 0; i < 3; i++) last = await a.run(vscode.Uri.file(plain));
      const dir = path.dirname(last!.tracePath!);
      const runs = fs.readdirSync(dir).filter((f) => /\.\d{8}-\d{6}-\d{3}\.cotrace$/.test(f));
      assert.strictEqual(runs.length, 2, runs.join(', '));
      assert.ok(runs.includes(path.basename(last!.tracePath!)));
    } finally {
      await config.update('virtualClock', undefined, vscode.ConfigurationTarget.Global);
      await config.update('keepRuns', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('stops a running program within a second, with a complete trace', async () => {
    const a = await api();
    const file = tempProgram(
      'forever.ts',
      [
        "import * as asyncio from 'coroutine-trace';",
        'const ticker = asyncio.coroutine(async function ticker() {',
        '  for (;;) await asyncio.sleep(0.05);',
        '});',
        "asyncio.run(ticker());",
        '',
      ].join('\n'),
    );
    const done = a.run(vscode.Uri.file(file));
    const session = await waitFor('the program to record its task', () => {
      const s = a.hub.current;
      return s && s.program === file && (s.model()?.tasks.length ?? 0) > 0 ? s : undefined;
    });
    assert.strictEqual(session.live, true);
    assert.ok(a.tree.snapshot().some((g) => g.label === 'Sleeping' || g.label === 'Running'), 'the tree is live');
    const stopAt = Date.now();
    await vscode.commands.executeCommand('coroutineTrace.stop');
    await done;
    const took = Date.now() - stopAt;
    // Within a second for the program; the rest is the extension host's own messaging.
    assert.ok(took < 1500, `stopped in ${took} ms`);
    console.log(`      (stopped in ${took} ms)`);
    assert.strictEqual(session.live, false);
    const lines = fs.readFileSync(session.tracePath!, 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]);
    assert.strictEqual(last.type, 'run.finished');
  });
});

/** The warnings the extension reports for `file` (not the build errors, not other extensions'). */
function warningsAt(file: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(vscode.Uri.file(file))
    .filter((d) => d.source === 'Coroutine Trace' && d.severity === vscode.DiagnosticSeverity.Warning);
}

function codeOf(d: vscode.Diagnostic): { value: string; target: vscode.Uri } {
  assert.ok(d.code && typeof d.code === 'object', 'the code is a link');
  return d.code as { value: string; target: vscode.Uri };
}

/** The tree's Warnings group as `label` rows, or undefined when it is not shown. */
function warningsGroup(a: CoroutineTraceApi): TreeSnapshotGroup | undefined {
  return a.tree.snapshot().find((g) => g.label === 'Warnings');
}

describe('Coroutine Trace warnings in the Problems panel and the tree', function () {
  this.timeout(120_000);

  it('deadlock.ts: a Problems entry at main’s await, the other tasks of the cycle as related locations', async () => {
    const a = await api();
    const file = path.join(BUGS, 'deadlock.ts');
    const session = await a.run(vscode.Uri.file(file));
    assert.ok(session && !session.live);
    const all = warningsAt(file);
    const deadlock = all.find((d) => codeOf(d).value === 'deadlock');
    assert.ok(deadlock, JSON.stringify(all.map((d) => d.message)));
    assert.strictEqual(all.filter((d) => codeOf(d).value === 'deadlock').length, 1, 'one deadlock, one entry');
    assert.strictEqual(deadlock.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(deadlock.range.start.line, lineOf(file, 'await asyncio.gather(a, b)'));
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.strictEqual(document.getText(deadlock.range), 'await asyncio.gather(a, b)');
    assert.match(deadlock.message, /main awaits a-to-b, b-to-a → a-to-b waits for lock ledger held by b-to-a/);
    const code = codeOf(deadlock);
    assert.strictEqual(code.target.scheme, 'command');
    assert.strictEqual(code.target.path, 'coroutineTrace.showHelp');
    assert.deepStrictEqual(JSON.parse(code.target.query), ['deadlock']);
    // The link opens the README's "deadlock" section in the Markdown preview.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(code.target.path, ...JSON.parse(code.target.query));
    await waitFor('the README preview', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /README\.md/.test(t.label)));
    const related = (deadlock.relatedInformation ?? []).map((r) => ({
      file: r.location.uri.fsPath,
      line: r.location.range.start.line,
      message: r.message,
    }));
    const stuck = lineOf(file, 'await second.acquire()');
    assert.deepStrictEqual(related, [
      { file, line: stuck, message: 'a-to-b waits for lock ledger held by b-to-a' },
      { file, line: stuck, message: 'b-to-a waits for lock accounts held by a-to-b' },
    ]);
    // The two tasks were left pending, each reported at its createTask.
    assert.deepStrictEqual(
      all.filter((d) => codeOf(d).value === 'pending-at-exit').map((d) => d.range.start.line),
      [lineOf(file, "name: 'a-to-b'"), lineOf(file, "name: 'b-to-a'")],
    );
  });

  it('lists the warnings in the tree, marks the tasks, and a click lands on the line', async () => {
    const a = await api();
    const file = path.join(BUGS, 'deadlock.ts');
    const group = warningsGroup(a);
    assert.ok(group, 'a Warnings group');
    assert.strictEqual(a.tree.snapshot()[0].label, 'Warnings', 'it comes first');
    assert.strictEqual(group.count, 3);
    assert.deepStrictEqual(group.tasks.map((t) => t.label), ['Pending at exit', 'Pending at exit', 'Deadlock']);
    assert.match(group.tasks[2].description, /^main · deadlock\.ts:\d+ · deadlock: main awaits/);
    // The task carries the warning decoration and its warning in the tooltip.
    const task = a.tree.getTreeItem(findTask(a, 'Waiting', 'a-to-b (transfer)'));
    assert.strictEqual(task.resourceUri?.scheme, 'coroutine-trace-task');
    assert.match(String(task.tooltip), /⚠ Pending at exit: a-to-b was still pending/);
    assert.strictEqual(a.tree.getTreeItem(findTask(a, 'Waiting', 'main')).resourceUri?.scheme, 'coroutine-trace-task');
    // Clicking the Deadlock row opens main's await.
    const groupNode = a.tree.getChildren().find((n) => n.kind === 'warnings')!;
    const row = a.tree.getChildren(groupNode)[2];
    const item = a.tree.getTreeItem(row);
    assert.ok(item.command);
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    const editor = await waitFor('an editor on deadlock.ts', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === file ? e : undefined;
    });
    assert.strictEqual(editor.selection.active.line, lineOf(file, 'await asyncio.gather(a, b)'));
  });

  it('never-awaited.ts: one entry at the notify(...) call', async () => {
    const a = await api();
    const file = path.join(BUGS, 'never-awaited.ts');
    await a.run(vscode.Uri.file(file));
    const all = warningsAt(file);
    assert.strictEqual(all.length, 1, JSON.stringify(all.map((d) => d.message)));
    assert.strictEqual(codeOf(all[0]).value, 'never-awaited');
    assert.strictEqual(all[0].range.start.line, lineOf(file, "notify('ada'); // missing await"));
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.strictEqual(document.getText(all[0].range), "notify('ada')");
    assert.match(all[0].message, /never awaited/);
    assert.deepStrictEqual(warningsGroup(a)?.tasks.map((t) => t.label), ['Never awaited']);
  });

  it('deadlock-ok.ts, the correct look-alike: no entry, no Warnings group', async () => {
    const a = await api();
    const file = path.join(BUGS, 'deadlock-ok.ts');
    const session = await a.run(vscode.Uri.file(file));
    assert.strictEqual(session?.error, undefined);
    assert.deepStrictEqual(warningsAt(file), []);
    assert.strictEqual(warningsGroup(a), undefined);
    assert.deepStrictEqual(counts(a.tree.snapshot()), { Done: 3 });
  });

  it('a new run of the file clears its entries; an opened trace shows its own until it is closed', async () => {
    const a = await api();
    const buggy = [
      "import * as asyncio from 'coroutine-trace';",
      'const notify = asyncio.coroutine(async function notify() {',
      '  await asyncio.sleep(0.01);',
      '});',
      'const main = asyncio.coroutine(async function main() {',
      '  notify();',
      '});',
      'asyncio.run(main());',
      '',
    ].join('\n');
    const file = tempProgram('forgets.ts', buggy);
    const first = await a.run(vscode.Uri.file(file));
    assert.strictEqual(warningsAt(file).length, 1);
    fs.writeFileSync(file, buggy.replace('  notify();', '  await notify();'));
    await a.run(vscode.Uri.file(file));
    assert.deepStrictEqual(warningsAt(file), [], 'the fixed program’s run cleared them');
    // The first run's trace, opened: its warning shows again while its editor is open.
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(first!.tracePath!), 'coroutineTrace.traceViewer');
    await waitFor('the trace’s warning in the Problems panel', () => warningsAt(file).length === 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the warning to go with the trace', () => warningsAt(file).length === 0);
  });

  it('a timeline revived after a reload puts its trace’s warnings back into the Problems panel', async () => {
    const a = await api();
    const file = path.join(BUGS, 'never-awaited.ts');
    const session = await a.run(vscode.Uri.file(file));
    assert.ok(session?.tracePath);
    assert.strictEqual(warningsAt(file).length, 1);
    // A reload starts with an empty Problems panel; VS Code then hands the serializer the timeline's panel.
    a.warnings.untrack(session);
    assert.deepStrictEqual(warningsAt(file), []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panel = vscode.window.createWebviewPanel('coroutineTrace.timeline', 'Coroutine Timeline', vscode.ViewColumn.Beside, {
      enableScripts: true,
    });
    await a.reviveTimeline(panel);
    const back = await waitFor('the warning back in the Problems panel', () => {
      const all = warningsAt(file);
      return all.length === 1 ? all : undefined;
    });
    assert.strictEqual(codeOf(back[0]).value, 'never-awaited');
    assert.strictEqual(back[0].range.start.line, lineOf(file, "notify('ada'); // missing await"));
    // As after a run: closing the timeline leaves them; the next run of the program replaces them.
    panel.dispose();
    assert.strictEqual(warningsAt(file).length, 1);
    await a.run(vscode.Uri.file(file));
    assert.strictEqual(warningsAt(file).length, 1, 'one entry, the new run’s');
  });

  it('passes coroutineTrace.slowStepMs to the program', async () => {
    const a = await api();
    const file = path.join(BUGS, 'blocked-loop.ts');
    await a.run(vscode.Uri.file(file));
    const blocked = warningsAt(file).filter((d) => codeOf(d).value === 'blocked-loop');
    assert.strictEqual(blocked.length, 1, 'a 400 ms step is over the default 100 ms');
    assert.strictEqual(blocked[0].range.start.line, lineOf(file, 'crunch(400);') + 1);
    const config = vscode.workspace.getConfiguration('coroutineTrace');
    await config.update('slowStepMs', 1000, vscode.ConfigurationTarget.Global);
    try {
      await a.run(vscode.Uri.file(file));
      assert.deepStrictEqual(warningsAt(file), [], 'a 400 ms step is under 1000 ms');
    } finally {
      await config.update('slowStepMs', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
