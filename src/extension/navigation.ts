/** Jump to source: opens a trace site in an editor, the call selected and its line centred. */
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { SourceSite } from '../contract/trace';
import { Command } from './commands';
import { callSpan, toEditorPosition } from './pure/positions';

/** Opens `site`; a file that has moved or been deleted gives one message naming it. Returns the editor, if any. */
export async function openSite(site: SourceSite): Promise<vscode.TextEditor | undefined> {
  const uri = vscode.Uri.file(site.file);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(missingFileMessage(site));
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const position = toEditorPosition(site);
  const line = Math.min(position.line, Math.max(0, document.lineCount - 1));
  const selection = callRange(line, position.character, document.lineAt(line).text);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: columnFor(uri), selection, preserveFocus: false });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenter);
  return editor;
}

export function missingFileMessage(site: SourceSite): string {
  return `Coroutine Trace: cannot open ${site.file}:${site.line}: the file no longer exists (moved or deleted since the trace was recorded).`;
}

/**
 * The command a tree item runs to open `site`. While a run is live the tree refreshes several times a second, and
 * VS Code forgets an extension command's arguments when the item that carried them is refreshed, so a click landing
 * just then would fail. The built-in `vscode.open` keeps its arguments, so items use it for files that exist (with
 * the same selection `openSite` makes); a missing file still goes through `openSite` for its message.
 */
export function siteCommand(site: SourceSite, title: string): vscode.Command {
  const uri = vscode.Uri.file(site.file);
  const text = sourceLines.line(site.file, toEditorPosition(site).line);
  if (text === undefined) return { command: Command.OpenSite, title, arguments: [site] };
  const position = toEditorPosition(site);
  const options: vscode.TextDocumentShowOptions = {
    selection: callRange(position.line, position.character, text),
    viewColumn: columnFor(uri),
    preserveFocus: false,
  };
  return { command: 'vscode.open', title, arguments: [uri, options] };
}

/** The text of the line `site` points at, read from disk; undefined when the file cannot be read. */
export function siteLineText(site: SourceSite): string | undefined {
  return sourceLines.line(site.file, toEditorPosition(site).line);
}

function callRange(line: number, character: number, lineText: string): vscode.Range {
  const span = callSpan(lineText, character);
  return new vscode.Range(line, span.start, line, span.end);
}

/** Lines of source files, re-read when a file changes on disk. */
class SourceLines {
  private readonly files = new Map<string, { mtimeMs: number; lines: string[] }>();

  /** The 0-based line's text; undefined when the file cannot be read. A line past the end reads as empty. */
  line(file: string, line: number): string | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.files.delete(file);
      return undefined;
    }
    let entry = this.files.get(file);
    if (!entry || entry.mtimeMs !== stat.mtimeMs) {
      try {
        entry = { mtimeMs: stat.mtimeMs, lines: fs.readFileSync(file, 'utf8').split(/\r?\n/) };
      } catch {
        return undefined;
      }
      this.files.set(file, entry);
    }
    return entry.lines[line] ?? '';
  }
}

const sourceLines = new SourceLines();

/** The column already showing the file, else the first text editor's column (not the timeline's). */
function columnFor(uri: vscode.Uri): vscode.ViewColumn {
  const showing = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  if (showing?.viewColumn !== undefined) return showing.viewColumn;
  const anyText = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined);
  return anyText?.viewColumn ?? vscode.ViewColumn.One;
}
