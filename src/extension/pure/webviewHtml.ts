/**
 * The timeline panel's HTML: the strict content security policy (nothing by default, scripts only with the page's
 * nonce, styles and images only from the extension's own webview resources), the page that loads `dist/webview.js`,
 * and a script-free text page listing the tasks for when that bundle has not been built.
 */
import { TraceModel } from '../../model/model';
import { formatTime } from '../../model/summary';
import { groupTasks, taskDescription, taskTreeLabel } from './taskTree';

export function contentSecurityPolicy(cspSource: string, nonce?: string): string {
  const parts = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ];
  if (nonce !== undefined) parts.push(`script-src 'nonce-${nonce}'`);
  return parts.join('; ') + ';';
}

/** 32 characters from [A-Za-z0-9]; `random` returns numbers in [0, 1). */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) nonce += chars[Math.floor(random() * chars.length)];
  return nonce;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface TimelinePage {
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** The webview's stylesheet, when there is one. */
  styleUri?: string;
  title: string;
}

export function timelineHtml(page: TimelinePage): string {
  const style = page.styleUri ? `\n  <link rel="stylesheet" href="${escapeHtml(page.styleUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.cspSource, page.nonce)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">${style}
  <title>${escapeHtml(page.title)}</title>
</head>
<body>
  <div id="app"></div>
  <script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body>
</html>
`;
}

/**
 * Text stand-in for the timeline: the run's state and, per state, its tasks with what they are doing. No script,
 * so the policy allows none. `model` missing: `message` says why there is nothing.
 */
export function placeholderHtml(opts: {
  cspSource: string;
  title: string;
  model?: TraceModel;
  live?: boolean;
  message?: string;
}): string {
  const body: string[] = [];
  body.push(`<h1>${escapeHtml(opts.title)}</h1>`);
  body.push('<p class="note">The swimlane timeline is not built in this copy of the extension; these are the tasks as text.</p>');
  if (opts.message) body.push(`<p>${escapeHtml(opts.message)}</p>`);
  const model = opts.model;
  if (model) {
    const state = opts.live ? 'running' : model.runFinished ? 'finished' : 'ended without run.finished';
    body.push(`<p>${escapeHtml(`${model.tasks.length} tasks, ${formatTime(model.endTime)}, ${state}`)}</p>`);
    for (const group of groupTasks(model)) {
      body.push(`<h2>${escapeHtml(group.label)} (${group.tasks.length})</h2><ul>`);
      for (const view of group.tasks) {
        const detail = taskDescription(model, view);
        body.push(`<li><b>${escapeHtml(taskTreeLabel(view.task))}</b>${detail ? ` — ${escapeHtml(detail)}` : ''}</li>`);
      }
      body.push('</ul>');
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(opts.cspSource)}">
  <title>${escapeHtml(opts.title)}</title>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
