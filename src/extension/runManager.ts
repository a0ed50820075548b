/**
 * Runs programs for the "Run with Coroutine Trace" command, through the same runner as the command line
 * (`startProgram`): saves the file, streams the program's output to an output channel named after it, feeds the
 * events to a live `TraceSession`, shows a status bar item (elapsed time and task counts; click to stop), writes the
 * trace file and prunes old ones, and turns every failure into one notification (build errors also into a
 * diagnostic at their line).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { formatTime } from '../model/summary';
import { ProgramBuildError, RunningProgram, startProgram } from '../runner/runProgram';
import { Command, ContextKey, Setting } from './commands';
import { readSettings } from './config';
import { openSite } from './navigation';
import { toEditorPosition } from './pure/positions';
import { NodeChoice, NodeNotFoundError, TailBuffer, chooseNode, crashCause, programEnv, statusText } from './pure/runSupport';
import { countsText } from './pure/taskTree';
import { DIAGNOSTIC_SOURCE } from './pure/warnings';
import { TraceSession } from './pure/traceSession';
import type { SessionHub } from './sessionHub';
import type { TraceStore } from './traceStore';

/** Stop: SIGTERM to the program's process group, SIGKILL if it is still there after this long. */
const STOP_GRACE_MS = 600;
const STATUS_INTERVAL_MS = 500;

interface ActiveRun {
  session: TraceSession;
  program: string;
  running: RunningProgram | undefined;
  stopRequested: boolean;
  /** Settles when the run has ended and everything about it is shown. */
  done: Promise<void>;
}

export class RunManager implements vscode.Disposable {
  private readonly runs = new Map<number, ActiveRun>();
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('coroutine-trace');
  /** Files that got build diagnostics from a program's last run, to clear them on its next run. */
  private readonly diagnosed = new Map<string, vscode.Uri[]>();
  private readonly startedEmitter = new vscode.EventEmitter<TraceSession>();
  /** Fires when a run has started (its session is the hub's current one by then). */
  readonly onDidStartRun = this.startedEmitter.event;

  constructor(
    private readonly hub: SessionHub,
    private readonly store: TraceStore,
  ) {}

  get activeSessions(): TraceSession[] {
    return [...this.runs.values()].map((r) => r.session);
  }

  isRunning(session: TraceSession | undefined): boolean {
    return session !== undefined && this.runs.has(session.id);
  }

  /**
   * Runs `target` (the active editor's file when missing). Resolves with the session once the run has ended, or
   * undefined when it did not start (untrusted workspace, nothing to run, the user declined).
   */
  async run(target?: vscode.Uri): Promise<TraceSession | undefined> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const pick = await vscode.window.showWarningMessage(
        'Coroutine Trace: running a program is disabled in Restricted Mode, because it executes code from this workspace. Trust the workspace to run programs; opening trace files still works.',
        manage,
      );
      if (pick === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const uri = target ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showErrorMessage(
        'Coroutine Trace: nothing to run. Open a TypeScript or JavaScript file, or right-click one in the Explorer.',
      );
      return undefined;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Coroutine Trace: can only run files on disk, not ${uri.toString(true)}.`);
      return undefined;
    }
    const program = uri.fsPath;
    const base = path.basename(program);

    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (document?.isDirty && !(await document.save())) {
      void vscode.window.showErrorMessage(`Coroutine Trace: could not save ${base}; not running it.`);
      return undefined;
    }

    const previous = [...this.runs.values()].find((r) => r.program === program);
    if (previous) {
      const again = 'Stop and Run Again';
      const pick = await vscode.window.showWarningMessage(
        `${base} is already running under Coroutine Trace. Stop it and run it again?`,
        { modal: true },
        again,
      );
      if (pick !== again) return undefined;
      await this.stop(previous.session.id);
      await previous.done;
    }

    const settings = readSettings(uri);
    let node: NodeChoice;
    try {
      node = chooseNode({
        setting: settings.nodePath,
        pathEnv: process.env.PATH,
        platform: process.platform,
        execPath: process.execPath,
        isExecutableFile,
      });
    } catch (err) {
      if (!(err instanceof NodeNotFoundError)) throw err;
      const open = 'Open Settings';
      void vscode.window.showErrorMessage(`Coroutine Trace: ${err.message}.`, open).then((pick) => {
        if (pick === open) void vscode.commands.executeCommand('workbench.action.openSettings', `${Setting.Section}.${Setting.NodePath}`);
      });
      return undefined;
    }

    const directory = this.store.directory(settings.traceDirectory, uri);
    const tracePath = this.store.newTracePath(directory, program);
    const session = new TraceSession({ origin: 'run', program, tracePath, maxEvents: settings.maxEvents });
    const channel = this.channel(base);
    channel.clear();
    channel.appendLine(`▶ ${program}`);
    channel.appendLine(
      `  node: ${node.path}${node.source === 'editor' ? " (the editor's own runtime: no `node` on PATH)" : ''}; clock: ${settings.virtualClock ? 'virtual' : 'real'}${settings.args.length ? `; args: ${settings.args.join(' ')}` : ''}`,
    );
    channel.appendLine(`  trace: ${tracePath}`);
    channel.appendLine('');
    channel.show(true);
    for (const stale of this.diagnosed.get(program) ?? []) this.diagnostics.delete(stale);
    this.diagnosed.delete(program);

    let resolveDone!: () => void;
    const active: ActiveRun = {
      session,
      program,
      running: undefined,
      stopRequested: false,
      done: new Promise<void>((r) => (resolveDone = r)),
    };
    this.runs.set(session.id, active);
    this.updateRunningContext();
    this.hub.setCurrent(session);
    this.startedEmitter.fire(session);

    const stderrTail = new TailBuffer();
    const status = this.statusItem(session, base);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    try {
      active.running = startProgram(program, {
        stdio: 'pipe',
        onOutput: (stream, text) => {
          channel.append(text);
          if (stream === 'stderr') stderrTail.push(text);
        },
        onHeader: (header) => {
          // Sent once the bundle is built, just before the program is started: its time counts from here.
          session.setHeader(header);
          status.programStarted();
        },
        onEvents: (events) => session.addEvents(events),
        clock: settings.virtualClock ? 'virtual' : 'real',
        tracePath,
        nodePath: node.path,
        env: programEnv(settings),
        args: settings.args,
        cwd: folder?.uri.scheme === 'file' ? folder.uri.fsPath : path.dirname(program),
      });
      if (active.stopRequested) active.running.stop(STOP_GRACE_MS);
      const result = await active.running.result;
      session.finish();
      const model = session.model();
      const f = result.finished;
      const how = f.signal !== null ? `ended by ${f.signal}` : `exit code ${f.exitCode}`;
      const counts = model ? countsText(model) : '';
      channel.appendLine('');
      channel.appendLine(`■ ${how} after ${formatTime(model?.endTime ?? 0)}${counts ? ` · ${model!.tasks.length} tasks: ${counts}` : ' · no tasks recorded'}`);
      channel.appendLine(`  trace: ${tracePath}`);
      if (!active.stopRequested && (f.exitCode !== 0 || f.signal !== null)) {
        const cause = crashCause(stderrTail.value);
        this.notifyError(`${base} ${f.signal !== null ? `was ended by ${f.signal}` : `exited with code ${f.exitCode}`}${cause ? `: ${cause}` : ''}`, channel);
      }
      await this.store.prune(directory, settings.keepRuns).catch(() => undefined);
    } catch (err) {
      fs.rm(tracePath, { force: true }, () => undefined);
      this.failed(session, active, err, program, node, channel);
    } finally {
      status.dispose();
      this.runs.delete(session.id);
      this.updateRunningContext();
      resolveDone();
    }
    return session;
  }

  private failed(
    session: TraceSession,
    active: ActiveRun,
    err: unknown,
    program: string,
    node: NodeChoice,
    channel: vscode.OutputChannel,
  ): void {
    const base = path.basename(program);
    if (active.stopRequested) {
      session.finish('Stopped before the program started.');
      channel.appendLine('■ stopped before the program started');
      return;
    }
    if (err instanceof ProgramBuildError) {
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const e of err.errors) {
        const file = path.resolve(e.file);
        const at = toEditorPosition(e);
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(at.line, at.character, at.line, at.character),
          e.message,
          vscode.DiagnosticSeverity.Error,
        );
        diagnostic.source = DIAGNOSTIC_SOURCE;
        byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
      }
      const uris: vscode.Uri[] = [];
      for (const [file, list] of byFile) {
        const uri = vscode.Uri.file(file);
        this.diagnostics.set(uri, list);
        uris.push(uri);
      }
      this.diagnosed.set(program, uris);
      session.finish(`Build failed: ${err.message}`);
      channel.appendLine(`✖ build failed: ${err.message}`);
      const show = 'Go to Error';
      const first = err.errors[0];
      void vscode.window.showErrorMessage(`Coroutine Trace: cannot build ${base}: ${err.message}`, show).then((pick) => {
        if (pick === show && first) void openSite({ file: path.resolve(first.file), line: first.line, column: first.column });
      });
      return;
    }
    const e = err as NodeJS.ErrnoException;
    let message: string;
    if (e && (e.code === 'ENOENT' || e.code === 'EACCES') && typeof e.syscall === 'string' && e.syscall.startsWith('spawn')) {
      message = `could not start Node.js at ${node.path} (${e.code}); set coroutineTrace.nodePath to a working node`;
    } else {
      message = `${base} could not run: ${e instanceof Error ? e.message : String(err)}`;
    }
    session.finish(message);
    channel.appendLine(`✖ ${message}`);
    this.notifyError(message, channel);
  }

  private notifyError(message: string, channel: vscode.OutputChannel): void {
    const show = 'Show Output';
    void vscode.window.showErrorMessage(`Coroutine Trace: ${message}`, show).then((pick) => {
      if (pick === show) channel.show();
    });
  }

  /**
   * Stops a run: the one given, else the one the tree shows, else the only one (a pick when there are several).
   * Resolves once it has ended.
   */
  async stop(sessionId?: number): Promise<void> {
    let run = sessionId !== undefined ? this.runs.get(sessionId) : undefined;
    if (!run) {
      const all = [...this.runs.values()];
      const shown = this.hub.current ? this.runs.get(this.hub.current.id) : undefined;
      if (shown) run = shown;
      else if (all.length === 1) run = all[0];
      else if (all.length === 0) {
        void vscode.window.showInformationMessage('Coroutine Trace: no program is running.');
        return;
      } else {
        const pick = await vscode.window.showQuickPick(
          all.map((r) => ({ label: path.basename(r.program), description: r.program, run: r })),
          { placeHolder: 'Which run to stop?' },
        );
        run = pick?.run;
      }
    }
    if (!run) return;
    run.stopRequested = true;
    run.running?.stop(STOP_GRACE_MS);
    this.channel(path.basename(run.program)).appendLine('\n■ stop requested');
    await run.done;
  }

  private channel(base: string): vscode.OutputChannel {
    let channel = this.channels.get(base);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`Coroutine Trace: ${base}`);
      this.channels.set(base, channel);
    }
    return channel;
  }

  /** The run's status bar item: `building…` until `programStarted()`, then the time since and the task counts. */
  private statusItem(session: TraceSession, base: string): vscode.Disposable & { programStarted(): void } {
    const item = vscode.window.createStatusBarItem(`coroutineTrace.run.${session.id}`, vscode.StatusBarAlignment.Left, 50);
    item.name = 'Coroutine Trace run';
    item.tooltip = `Running ${session.program} with Coroutine Trace. Click to stop.`;
    item.command = { command: Command.Stop, title: 'Stop', arguments: [session.id] };
    let started: number | undefined;
    const update = (): void => {
      const model = session.model();
      const elapsed = started === undefined ? null : Date.now() - started;
      item.text = `$(debug-stop) ${statusText(base, elapsed, model ? countsText(model) : '')}`;
    };
    update();
    item.show();
    const timer = setInterval(update, STATUS_INTERVAL_MS);
    return {
      programStarted: () => {
        started = Date.now();
        update();
      },
      dispose: () => (clearInterval(timer), item.dispose()),
    };
  }

  private updateRunningContext(): void {
    void vscode.commands.executeCommand('setContext', ContextKey.Running, this.runs.size > 0);
  }

  dispose(): void {
    for (const run of this.runs.values()) {
      run.stopRequested = true;
      run.running?.stop(STOP_GRACE_MS);
    }
    this.diagnostics.dispose();
    for (const channel of this.channels.values()) channel.dispose();
    this.startedEmitter.dispose();
  }
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
