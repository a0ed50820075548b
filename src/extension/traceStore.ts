/** Where run traces go (`coroutineTrace.traceDirectory`), and keeping only the last `coroutineTrace.keepRuns`. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { resolveTraceDirectory, traceFileName, tracesToDelete } from './pure/runSupport';

export class TraceStore {
  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The folder for traces of programs in `scope`'s workspace folder. */
  directory(setting: string, scope?: vscode.Uri): string {
    const folder = (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
    const storage = (this.context.storageUri ?? this.context.globalStorageUri).fsPath;
    return path.resolve(
      resolveTraceDirectory(setting, {
        workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
        home: os.homedir(),
        storage: path.join(storage, 'traces'),
      }),
    );
  }

  /** A fresh trace path for a run of `program` starting now. */
  newTracePath(directory: string, program: string, now = new Date()): string {
    let file = path.join(directory, traceFileName(program, now));
    // Two runs in the same millisecond: step the time.
    for (let i = 1; fs.existsSync(file); i++) file = path.join(directory, traceFileName(program, new Date(now.getTime() + i)));
    return file;
  }

  /** Deletes the oldest run traces beyond `keep` (0: keep all; files with other names are left alone). */
  async prune(directory: string, keep: number): Promise<void> {
    if (keep <= 0) return;
    let names: string[];
    try {
      names = await fs.promises.readdir(directory);
    } catch {
      return;
    }
    const files: Array<{ name: string; mtimeMs: number }> = [];
    for (const name of names) {
      try {
        const stat = await fs.promises.stat(path.join(directory, name));
        if (stat.isFile()) files.push({ name, mtimeMs: stat.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
    for (const name of tracesToDelete(files, keep)) {
      await fs.promises.rm(path.join(directory, name), { force: true }).catch(() => undefined);
    }
  }
}
