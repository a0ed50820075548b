/**
 * Which trace the tree (and the standalone timeline) shows: the latest run, or the trace file whose editor was
 * focused last. Live runs are tracked here too, so Stop and the status bar can find them.
 */
import * as vscode from 'vscode';
import { TraceSession } from './pure/traceSession';

export class SessionHub implements vscode.Disposable {
  private currentValue: TraceSession | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<TraceSession | undefined>();
  /** Fires when another session becomes the current one (not when the current one changes inside). */
  readonly onDidChangeCurrent = this.changeEmitter.event;

  get current(): TraceSession | undefined {
    return this.currentValue;
  }

  setCurrent(session: TraceSession | undefined): void {
    if (session === this.currentValue) return;
    this.currentValue = session;
    this.changeEmitter.fire(session);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
