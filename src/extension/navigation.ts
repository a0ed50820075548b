/** Jump to source: opens a trace site in an editor, the call selected and its line centred. */
import * as vscode from 'vscode';
import type { SourceSite } from '../contract/trace';
import { callSpan, toEditorPosition } from './pure/positions';

/** Opens `site`; a file that has moved or been deleted gives one message naming it. Returns the editor, if any. */
export async function openSite(site: SourceSite): Promise<vscode.TextEditor | undefined> {
  const uri = vscode.Uri.file(site.file);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(
      `Coroutine Trace: cannot open ${site.file}:${site.line}: the file no longer exists (moved or deleted since the trace was recorded).`,
    );
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const position = toEditorPosition(site);
  const line = Math.min(position.line, Math.max(0, document.lineCount - 1));
  const span = callSpan(document.lineAt(line).text, position.character);
  const selection = new vscode.Range(line, span.start, line, span.end);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: columnFor(uri), selection, preserveFocus: false });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenter);
  return editor;
}

/** The column already showing the file, else the first text editor's column (not the timeline's). */
function columnFor(uri: vscode.Uri): vscode.ViewColumn {
  const showing = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  if (showing?.viewColumn !== undefined) return showing.viewColumn;
  const anyText = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined);
  return anyText?.viewColumn ?? vscode.ViewColumn.One;
}
