/**
 * The Problems panel and the squiggles: every `warning` of a run (live, as the events arrive) or of an opened trace
 * file becomes a Warning diagnostic at its source line, with the other sites involved as related information and its
 * kind as a code that opens the README's section about it.
 *
 * One trace per program at a time: a new run of a program replaces what its earlier runs and traces showed; an opened
 * trace file shows over them until its editor is closed. Problems at files that no longer exist are left out (the
 * tree still lists them).
 */
import * as vscode from 'vscode';
import type { SourceSite } from '../contract/trace';
import { Command } from './commands';
import { siteLineText } from './navigation';
import { Throttle } from './pure/throttle';
import type { TraceSession } from './pure/traceSession';
import { EditorRange, DIAGNOSTIC_SOURCE, WarningProblem, problemRange, warningProblems } from './pure/warnings';

/** While a run is live, the problems are recomputed at most this often. */
const LIVE_REFRESH_MS = 330;

interface Tracked {
  session: TraceSession;
  listener: { dispose(): void };
  /** Warnings count and liveness the diagnostics were made for. */
  key: string | undefined;
  byFile: Map<string, vscode.Diagnostic[]>;
}

export class WarningDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('coroutine-trace-warnings');
  /** Per program, the traces that show its problems; the last one shows. */
  private readonly byProgram = new Map<string, Tracked[]>();
  /** Files that have problems now, to clear them when they have none. */
  private shown = new Map<string, vscode.Uri>();
  private readonly refreshThrottle = new Throttle(() => this.refresh(false), LIVE_REFRESH_MS);

  /** A run started: its problems replace those of earlier runs and traces of the same program. */
  trackRun(session: TraceSession): void {
    for (const tracked of this.byProgram.get(session.program) ?? []) tracked.listener.dispose();
    this.byProgram.set(session.program, []);
    this.add(session);
  }

  /** A trace file was opened: its problems show until the returned disposable is disposed (its editor closed). */
  trackTrace(session: TraceSession): vscode.Disposable {
    this.add(session);
    return new vscode.Disposable(() => this.untrack(session));
  }

  untrack(session: TraceSession): void {
    const list = this.byProgram.get(session.program);
    const i = list?.findIndex((t) => t.session === session) ?? -1;
    if (!list || i < 0) return;
    list[i].listener.dispose();
    list.splice(i, 1);
    if (list.length === 0) this.byProgram.delete(session.program);
    this.refresh(true);
  }

  private add(session: TraceSession): void {
    const tracked: Tracked = {
      session,
      key: undefined,
      byFile: new Map(),
      listener: session.onDidChange((s) => {
        this.refreshThrottle.schedule();
        if (!s.growing) this.refreshThrottle.flush();
      }),
    };
    let list = this.byProgram.get(session.program);
    if (!list) this.byProgram.set(session.program, (list = []));
    list.push(tracked);
    this.refresh(true);
  }

  /**
   * Recomputes the shown traces whose warnings changed; when something changed (or which traces show did), sets
   * every file's diagnostics again.
   */
  private refresh(tracesChanged: boolean): void {
    this.refreshThrottle.cancel();
    const tops: Tracked[] = [];
    for (const list of this.byProgram.values()) if (list.length > 0) tops.push(list[list.length - 1]);
    let changed = tracesChanged;
    for (const top of tops) if (this.update(top)) changed = true;
    if (!changed) return;
    const next = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const top of tops) {
      for (const [file, diagnostics] of top.byFile) {
        const uri = vscode.Uri.file(file);
        const entry = next.get(uri.toString()) ?? { uri, diagnostics: [] };
        entry.diagnostics.push(...diagnostics);
        next.set(uri.toString(), entry);
      }
    }
    for (const [key, uri] of this.shown) if (!next.has(key)) this.collection.delete(uri);
    this.shown = new Map();
    for (const [key, { uri, diagnostics }] of next) {
      this.collection.set(uri, diagnostics);
      this.shown.set(key, uri);
    }
  }

  /** Remakes a trace's diagnostics if its warnings (or its liveness) changed; true if it did. */
  private update(tracked: Tracked): boolean {
    const model = tracked.session.model();
    const key = model ? `${model.warnings.length}:${tracked.session.live}` : 'none';
    if (key === tracked.key) return false;
    tracked.key = key;
    tracked.byFile = new Map();
    if (!model) return true;
    for (const problem of warningProblems(model)) {
      const diagnostic = toDiagnostic(problem);
      if (!diagnostic) continue;
      const list = tracked.byFile.get(problem.site.file) ?? [];
      list.push(diagnostic);
      tracked.byFile.set(problem.site.file, list);
    }
    return true;
  }

  dispose(): void {
    this.refreshThrottle.dispose();
    for (const list of this.byProgram.values()) for (const t of list) t.listener.dispose();
    this.byProgram.clear();
    this.collection.dispose();
  }
}

/** The diagnostic for a problem; undefined when its file cannot be read (moved or deleted since the trace). */
export function toDiagnostic(problem: WarningProblem): vscode.Diagnostic | undefined {
  const text = siteLineText(problem.site);
  if (text === undefined) return undefined;
  const diagnostic = new vscode.Diagnostic(toRange(problemRange(problem.site, text)), problem.message, vscode.DiagnosticSeverity.Warning);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: problem.kind, target: readmeLink(problem.anchor) };
  const related = problem.related.map(
    (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.site.file), siteRange(r.site)), r.message),
  );
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

/**
 * Opens the README's section about a warning kind in the Markdown preview. A command link, because a `file:` link
 * with a fragment would open the README as text at its top; the Problems panel and the hover allow command links.
 */
export function readmeLink(anchor: string): vscode.Uri {
  return vscode.Uri.parse(`command:${Command.ShowHelp}?${encodeURIComponent(JSON.stringify([anchor]))}`);
}

function siteRange(site: SourceSite): vscode.Range {
  return toRange(problemRange(site, siteLineText(site)));
}

function toRange(range: EditorRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
