/**
 * Entry of the timeline's browser bundle (dist/webview.js). Runs inside a VS Code webview, where it talks to the
 * extension host through `acquireVsCodeApi()`, or inside the standalone HTML report, where a small adapter plays the
 * host with the trace embedded in the page. Imports only the contract, the model, the protocol and the webview's own
 * modules: no Node, no vscode.
 */
import { TimelineApp } from './app';
import { connectHost } from './host';

declare global {
  interface Window {
    /** The running timeline, for the browser tests and the benchmark. */
    coroutineTraceTimeline?: TimelineApp;
  }
}

function start(): void {
  const container = document.getElementById('coroutine-trace-timeline') ?? document.getElementById('app') ?? document.body;
  try {
    window.coroutineTraceTimeline = new TimelineApp(container, connectHost());
  } catch (err) {
    const message = document.createElement('p');
    message.textContent = `The timeline could not start: ${err instanceof Error ? err.message : String(err)}`;
    container.appendChild(message);
    throw err;
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
