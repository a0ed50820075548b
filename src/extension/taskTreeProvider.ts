/**
 * The "Coroutine Tasks" tree: a Warnings group (when the trace has warnings), then states as groups with counts,
 * tasks under them, and under each task its child tasks and its events. Tasks with warnings carry a warning
 * decoration and their warnings in the tooltip. Reads the current session's model; updates are throttled while a run
 * is live.
 */
import * as vscode from 'vscode';
import type { SourceSite } from '../contract/trace';
import type { TaskInfo, TraceModel } from '../model/model';
import { formatTime } from '../model/summary';
import { ContextKey } from './commands';
import { siteCommand } from './navigation';
import { Throttle } from './pure/throttle';
import {
  TaskAt,
  TaskGroup,
  TaskGroupId,
  TASK_GROUPS,
  currentAwaitSite,
  describeEvent,
  groupIcon,
  groupTasks,
  stateIcon,
  taskAt,
  taskDescription,
  taskJumpSite,
  taskTooltip,
  taskTreeLabel,
} from './pure/taskTree';
import type { TraceSession } from './pure/traceSession';
import { WarningProblem, problemsByTask, taskWarningsText, warningProblems, warningRow } from './pure/warnings';
import type { SessionHub } from './sessionHub';

export type TaskTreeNode =
  | { kind: 'warnings'; key: string }
  /** `index`: the warning's index in the model's warnings. */
  | { kind: 'warning'; key: string; index: number; parent: TaskTreeNode }
  | { kind: 'group'; key: string; group: TaskGroupId }
  | { kind: 'task'; key: string; taskId: number; parent: TaskTreeNode }
  | { kind: 'event'; key: string; taskId: number; index: number; parent: TaskTreeNode };

/** Tree updates while live: at most about three a second. */
const LIVE_REFRESH_MS = 330;
/** The Warnings group starts expanded up to this many warnings (a run can leave hundreds of pending tasks). */
const WARNINGS_EXPANDED_MAX = 10;
/** Scheme of the `resourceUri` of tasks with warnings, which the decoration provider marks. */
const TASK_WARNING_SCHEME = 'coroutine-trace-task';

/** A plain description of what the tree shows, for tests and logs. */
export interface TreeSnapshotGroup {
  label: string;
  count: number;
  tasks: Array<{ label: string; description: string }>;
}

export class TaskTreeProvider implements vscode.TreeDataProvider<TaskTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TaskTreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private session: TraceSession | undefined;
  private sessionListener: vscode.Disposable | undefined;
  private cursorValue: number | undefined;
  private readonly refreshThrottle = new Throttle(() => this.refreshNow(), LIVE_REFRESH_MS);
  /** Node objects by key, so `reveal` and `getParent` see the same objects as `getChildren` returned. */
  private nodes = new Map<string, TaskTreeNode>();
  private view: vscode.TreeView<TaskTreeNode> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly hub: SessionHub) {
    this.disposables.push(hub.onDidChangeCurrent((s) => this.show(s)));
    this.show(hub.current);
  }

  /** Attaches the view, to set its description and message. */
  attach(view: vscode.TreeView<TaskTreeNode>): void {
    this.view = view;
    this.updateViewChrome();
  }

  get cursor(): number | undefined {
    return this.cursorValue;
  }

  /** Shows the states at `t` (from the timeline's cursor); `undefined` goes back to the end of the trace. */
  setCursor(t: number | undefined): void {
    const next = t === undefined || !Number.isFinite(t) ? undefined : t;
    if (next === this.cursorValue) return;
    this.cursorValue = next;
    void vscode.commands.executeCommand('setContext', ContextKey.CursorSet, next !== undefined);
    this.refreshNow();
  }

  get currentSession(): TraceSession | undefined {
    return this.session;
  }

  private show(session: TraceSession | undefined): void {
    this.sessionListener?.dispose();
    this.session = session;
    this.cursorValue = undefined;
    void vscode.commands.executeCommand('setContext', ContextKey.CursorSet, false);
    this.sessionListener = session?.onDidChange((s) => {
      if (s.growing) this.refreshThrottle.schedule();
      else {
        this.refreshThrottle.schedule();
        this.refreshThrottle.flush();
      }
    });
    this.refreshNow();
  }

  private refreshNow(): void {
    this.nodes = new Map();
    this.updateViewChrome();
    this.changeEmitter.fire();
  }

  private model(): TraceModel | undefined {
    return this.session?.model();
  }

  private groupsCache: { key: string; groups: TaskGroup[] } | undefined;
  private problemsCache: { key: string; problems: WarningProblem[]; byTask: Map<number, WarningProblem[]> } | undefined;

  /** The warnings up to the cursor, once per change. */
  private problems(model: TraceModel): { problems: WarningProblem[]; byTask: Map<number, WarningProblem[]> } {
    const key = `${this.session?.id}:${this.session?.version}:${this.cursorValue}`;
    if (this.problemsCache?.key !== key) {
      const problems = warningProblems(model, { at: this.cursorValue });
      this.problemsCache = { key, problems, byTask: problemsByTask(problems) };
    }
    return this.problemsCache;
  }

  /** The groups for the current session and cursor, computed once per change (not once per tree item). */
  private groups(model: TraceModel): TaskGroup[] {
    const key = `${this.session?.id}:${this.session?.version}:${this.cursorValue}`;
    if (this.groupsCache?.key !== key) this.groupsCache = { key, groups: groupTasks(model, this.cursorValue) };
    return this.groupsCache.groups;
  }

  private updateViewChrome(): void {
    const session = this.session;
    const model = this.model();
    let content: 'none' | 'tasks' | 'noTasks' | 'error' = 'none';
    if (session?.error && (!model || model.tasks.length === 0)) content = 'error';
    else if (session?.hasNoTasks) content = 'noTasks';
    else if (session) content = 'tasks';
    void vscode.commands.executeCommand('setContext', ContextKey.TreeContent, content);
    void vscode.commands.executeCommand('setContext', ContextKey.HasTrace, session !== undefined);
    if (!this.view) return;
    if (!session) {
      this.view.description = undefined;
      this.view.message = undefined;
      return;
    }
    const base = session.program.split(/[\\/]/).pop();
    this.view.description = session.live ? `${base} · running` : session.loading ? `${base} · loading` : base;
    const notes: string[] = [];
    if (this.cursorValue !== undefined) notes.push(`States at ${formatTime(this.cursorValue)} (time cursor set in the timeline).`);
    if (session.error) notes.push(session.error);
    if (session.omittedEvents > 0) {
      notes.push(`Showing the first ${session.events.length} events (coroutineTrace.maxEvents); ${session.omittedEvents} more are in the trace file.`);
    }
    if (session.truncated) notes.push('The trace file ends early (no run.finished): the program was killed or is still being written.');
    const dropped = model?.runFinished?.droppedEvents ?? 0;
    if (dropped > 0) notes.push(`${dropped} events were dropped while recording: the trace is incomplete.`);
    this.view.message = notes.length ? notes.join(' ') : undefined;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // TreeDataProvider

  getChildren(element?: TaskTreeNode): TaskTreeNode[] {
    const model = this.model();
    if (!model) return [];
    const at = this.cursorValue;
    if (!element) {
      const groups: TaskTreeNode[] = this.groups(model).map((g) => this.node({ kind: 'group', key: `group:${g.id}`, group: g.id }));
      return this.problems(model).problems.length > 0 ? [this.node({ kind: 'warnings', key: 'warnings' }), ...groups] : groups;
    }
    switch (element.kind) {
      case 'warnings':
        return this.problems(model).problems.map((p) =>
          this.node({ kind: 'warning', key: `${element.key}/warning:${p.index}`, index: p.index, parent: element }),
        );
      case 'warning':
        return [];
      case 'group': {
        const group = this.groups(model).find((g) => g.id === element.group);
        return (group?.tasks ?? []).map((v) =>
          this.node({ kind: 'task', key: `${element.key}/task:${v.task.id}`, taskId: v.task.id, parent: element }),
        );
      }
      case 'task': {
        const task = model.taskById.get(element.taskId);
        if (!task) return [];
        const children: TaskTreeNode[] = [];
        for (const childId of task.children) {
          const child = model.taskById.get(childId);
          if (!child || (at !== undefined && child.createdAt > at)) continue;
          children.push(this.node({ kind: 'task', key: `${element.key}/task:${childId}`, taskId: childId, parent: element }));
        }
        const session = this.session!;
        for (const index of session.eventsOf(task.id)) {
          if (at !== undefined && session.events.timeAt(index) > at) break;
          children.push(this.node({ kind: 'event', key: `${element.key}/event:${index}`, taskId: task.id, index, parent: element }));
        }
        return children;
      }
      case 'event':
        return [];
    }
  }

  getParent(element: TaskTreeNode): TaskTreeNode | undefined {
    return element.kind === 'group' || element.kind === 'warnings' ? undefined : element.parent;
  }

  getTreeItem(element: TaskTreeNode): vscode.TreeItem {
    const model = this.model();
    const at = this.cursorValue;
    switch (element.kind) {
      case 'warnings': {
        const count = model ? this.problems(model).problems.length : 0;
        const item = new vscode.TreeItem(
          'Warnings',
          count <= WARNINGS_EXPANDED_MAX ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = element.key;
        item.description = String(count);
        item.tooltip = `${count} warning${count === 1 ? '' : 's'} about this run (also in the Problems panel)`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'warnings';
        return item;
      }
      case 'warning': {
        const problem = model ? this.problems(model).problems.find((p) => p.index === element.index) : undefined;
        if (!model || !problem) return new vscode.TreeItem('(gone)');
        const row = warningRow(model, problem);
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = element.key;
        item.description = row.description;
        item.tooltip = row.tooltip;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'warning';
        item.command = siteCommand(row.site, 'Go to Source');
        return item;
      }
      case 'group': {
        const info = TASK_GROUPS.find((g) => g.id === element.group)!;
        const count = model ? (this.groups(model).find((g) => g.id === element.group)?.tasks.length ?? 0) : 0;
        const item = new vscode.TreeItem(info.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.key;
        item.description = String(count);
        item.tooltip = `${count} task${count === 1 ? '' : 's'} ${info.meaning}`;
        const icon = groupIcon(element.group);
        item.iconPath = new vscode.ThemeIcon(icon.codicon, new vscode.ThemeColor(icon.color));
        item.contextValue = 'group';
        return item;
      }
      case 'task': {
        const view = model ? this.taskView(model, element.taskId) : undefined;
        if (!model || !view) return new vscode.TreeItem('(gone)');
        const hasChildren = view.task.children.length > 0 || this.session!.eventsOf(view.task.id).length > 0;
        const item = new vscode.TreeItem(
          taskTreeLabel(view.task),
          hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = element.key;
        item.description = taskDescription(model, view);
        item.tooltip = taskTooltip(model, view, at);
        const warnings = this.problems(model).byTask.get(view.task.id);
        if (warnings) {
          item.tooltip += `\n\n${taskWarningsText(warnings)}`;
          item.resourceUri = vscode.Uri.from({ scheme: TASK_WARNING_SCHEME, path: `/${view.task.id}`, query: `warnings=${warnings.length}` });
        }
        const icon = stateIcon(view.state);
        item.iconPath = new vscode.ThemeIcon(icon.codicon, new vscode.ThemeColor(icon.color));
        item.contextValue = 'task';
        const site = taskJumpSite(model, view, at);
        if (site) item.command = siteCommand(site, 'Go to Source');
        return item;
      }
      case 'event': {
        const event = this.session?.events.at(element.index);
        if (!model || !event) return new vscode.TreeItem('(gone)');
        const row = describeEvent(model, event);
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = element.key;
        item.description = row.description;
        item.tooltip = `${row.label}\n${row.description}`;
        item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
        item.contextValue = 'event';
        if (row.site) item.command = siteCommand(row.site, 'Go to Source');
        return item;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // For commands

  /** The task a context-menu command was invoked on. */
  taskOf(node: TaskTreeNode | undefined): TaskInfo | undefined {
    if (!node || (node.kind !== 'task' && node.kind !== 'event')) return undefined;
    return this.model()?.taskById.get(node.taskId);
  }

  /**
   * The warning decoration of tasks with warnings (a badge, and the label in the warning colour): their tree items
   * carry a `resourceUri` that says how many they have.
   */
  registerDecorations(): vscode.Disposable {
    return vscode.window.registerFileDecorationProvider({
      provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
        if (uri.scheme !== TASK_WARNING_SCHEME) return undefined;
        const count = Number(/(?:^|&)warnings=(\d+)/.exec(uri.query)?.[1] ?? 0);
        if (count <= 0) return undefined;
        return new vscode.FileDecoration('⚠', `${count} warning${count === 1 ? '' : 's'}`, new vscode.ThemeColor('list.warningForeground'));
      },
    });
  }

  creationSite(node: TaskTreeNode | undefined): SourceSite | null {
    return this.taskOf(node)?.site ?? null;
  }

  currentAwait(node: TaskTreeNode | undefined): SourceSite | null {
    const task = this.taskOf(node);
    return task ? currentAwaitSite(task, this.cursorValue) : null;
  }

  /** Selects the task in the tree (from the timeline's selection). */
  async revealTask(taskId: number): Promise<void> {
    const model = this.model();
    if (!model || !this.view) return;
    const view = this.taskView(model, taskId);
    if (!view) return;
    const groups = this.getChildren();
    for (const group of groups) {
      const match = this.getChildren(group).find((n) => n.kind === 'task' && n.taskId === taskId);
      if (match) {
        await this.view.reveal(match, { select: true, focus: false, expand: false });
        return;
      }
    }
  }

  /** What the tree shows, as plain data (groups in order, tasks with label and description). */
  snapshot(): TreeSnapshotGroup[] {
    return this.getChildren().map((g) => {
      const item = this.getTreeItem(g);
      const tasks = this.getChildren(g).map((t) => {
        const ti = this.getTreeItem(t);
        return { label: String(ti.label), description: String(ti.description ?? '') };
      });
      return { label: String(item.label), count: Number(item.description), tasks };
    });
  }

  private taskView(model: TraceModel, taskId: number): TaskAt | undefined {
    const task = model.taskById.get(taskId);
    return task ? taskAt(task, this.cursorValue) : undefined;
  }

  private node<T extends TaskTreeNode>(node: T): T {
    const existing = this.nodes.get(node.key);
    if (existing) return existing as T;
    this.nodes.set(node.key, node);
    return node;
  }

  dispose(): void {
    this.refreshThrottle.dispose();
    this.sessionListener?.dispose();
    this.changeEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
