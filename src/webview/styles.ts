/**
 * The timeline's stylesheet, shipped inside the bundle so the host only has to load one script. It is applied as a
 * constructed stylesheet (`document.adoptedStyleSheets`), which a `style-src` Content Security Policy does not block,
 * so neither the VS Code panel nor the report needs `'unsafe-inline'` styles.
 *
 * Colours: every `--ct-*` property maps a `--vscode-*` theme variable, with fallbacks for the standalone report (light
 * and dark, following the browser). The canvas reads the resolved `--ct-*` values (theme.ts) and re-reads them when
 * VS Code switches themes.
 */
export const TIMELINE_CSS = `
:root {
  --ct-fb-bg: #ffffff; --ct-fb-fg: #3b3b3b; --ct-fb-muted: #717171; --ct-fb-border: #e5e5e5;
  --ct-fb-side: #f8f8f8; --ct-fb-alt: rgba(0, 0, 0, 0.025); --ct-fb-sel: rgba(0, 95, 184, 0.12);
  --ct-fb-focus: #005fb8; --ct-fb-red: #e51400; --ct-fb-blue: #1a85ff; --ct-fb-yellow: #bf8803;
  --ct-fb-orange: #d18616; --ct-fb-green: #388a34; --ct-fb-purple: #652d90; --ct-fb-lines: rgba(97, 97, 97, 0.45);
  --ct-fb-input-bg: #ffffff; --ct-fb-input-border: #cecece; --ct-fb-button-bg: #005fb8; --ct-fb-button-fg: #ffffff;
  --ct-fb-tooltip-bg: #f8f8f8; --ct-fb-warning: #bf8803; --ct-fb-grid: rgba(0, 0, 0, 0.07);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --ct-fb-bg: #1f1f1f; --ct-fb-fg: #cccccc; --ct-fb-muted: #9d9d9d; --ct-fb-border: #3c3c3c;
    --ct-fb-side: #181818; --ct-fb-alt: rgba(255, 255, 255, 0.025); --ct-fb-sel: rgba(0, 120, 212, 0.22);
    --ct-fb-focus: #0078d4; --ct-fb-red: #f14c4c; --ct-fb-blue: #3794ff; --ct-fb-yellow: #cca700;
    --ct-fb-orange: #d18616; --ct-fb-green: #89d185; --ct-fb-purple: #b180d7; --ct-fb-lines: rgba(204, 204, 204, 0.45);
    --ct-fb-input-bg: #313131; --ct-fb-input-border: #3c3c3c; --ct-fb-button-bg: #0078d4; --ct-fb-button-fg: #ffffff;
    --ct-fb-tooltip-bg: #202020; --ct-fb-warning: #cca700; --ct-fb-grid: rgba(255, 255, 255, 0.07);
  }
}
:root {
  --ct-bg: var(--vscode-editor-background, var(--ct-fb-bg));
  --ct-fg: var(--vscode-editor-foreground, var(--ct-fb-fg));
  --ct-muted: var(--vscode-descriptionForeground, var(--ct-fb-muted));
  --ct-border: var(--vscode-panel-border, var(--vscode-contrastBorder, var(--ct-fb-border)));
  --ct-label-bg: var(--vscode-sideBar-background, var(--ct-fb-side));
  --ct-row-alt: var(--ct-fb-alt);
  --ct-selection: var(--vscode-list-inactiveSelectionBackground, var(--ct-fb-sel));
  --ct-focus: var(--vscode-focusBorder, var(--ct-fb-focus));
  --ct-grid: var(--vscode-editorIndentGuide-background1, var(--vscode-editorIndentGuide-background, var(--ct-fb-grid)));
  --ct-contrast: var(--vscode-contrastBorder, transparent);
  --ct-running: var(--vscode-charts-green, var(--ct-fb-green));
  --ct-ready: var(--vscode-charts-purple, var(--ct-fb-purple));
  --ct-sleeping: var(--vscode-charts-blue, var(--ct-fb-blue));
  --ct-wait-task: var(--vscode-charts-yellow, var(--ct-fb-yellow));
  --ct-wait-sync: var(--vscode-charts-orange, var(--ct-fb-orange));
  --ct-wait-external: var(--vscode-charts-lines, var(--ct-fb-lines));
  --ct-done: var(--vscode-charts-green, var(--ct-fb-green));
  --ct-failed: var(--vscode-charts-red, var(--ct-fb-red));
  --ct-cancelled: var(--vscode-charts-foreground, var(--ct-fb-fg));
  --ct-output: var(--vscode-charts-foreground, var(--ct-fb-fg));
  --ct-warning: var(--vscode-editorWarning-foreground, var(--ct-fb-warning));
  --ct-arrow-create: var(--vscode-charts-lines, var(--ct-fb-lines));
  --ct-arrow-await: var(--vscode-charts-yellow, var(--ct-fb-yellow));
  --ct-arrow-cancel: var(--vscode-charts-red, var(--ct-fb-red));
  --ct-arrow-queue: var(--vscode-charts-orange, var(--ct-fb-orange));
  --ct-cursor: var(--vscode-editorCursor-foreground, var(--ct-fb-fg));
  --ct-font: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif);
  --ct-mono: var(--vscode-editor-font-family, ui-monospace, Menlo, Consolas, monospace);
}
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body {
  font-family: var(--ct-font); font-size: var(--vscode-font-size, 13px);
  color: var(--ct-fg); background: var(--ct-bg);
}
.ct-root { display: flex; flex-direction: column; height: 100vh; }
.ct-toolbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding: 4px 8px;
  border-bottom: 1px solid var(--ct-border);
}
.ct-toolbar .ct-group { display: flex; align-items: center; gap: 4px; }
.ct-toolbar label { display: inline-flex; align-items: center; gap: 3px; white-space: nowrap; cursor: pointer; }
.ct-toolbar input[type="search"], .ct-toolbar input[type="text"] {
  width: 14em; padding: 2px 6px; color: var(--vscode-input-foreground, var(--ct-fg));
  background: var(--vscode-input-background, var(--ct-fb-input-bg));
  border: 1px solid var(--vscode-input-border, var(--ct-fb-input-border)); border-radius: 2px; font: inherit;
}
.ct-toolbar input.ct-invalid { border-color: var(--vscode-inputValidation-errorBorder, var(--ct-fb-red)); }
.ct-toolbar button, .ct-chip {
  font: inherit; padding: 1px 7px; border-radius: 2px; cursor: pointer;
  color: var(--vscode-button-secondaryForeground, var(--ct-fg));
  background: var(--vscode-button-secondaryBackground, transparent);
  border: 1px solid var(--vscode-button-border, var(--ct-border));
}
.ct-chip[aria-pressed="true"] {
  color: var(--vscode-button-foreground, var(--ct-fb-button-fg));
  background: var(--vscode-button-background, var(--ct-fb-button-bg));
}
.ct-toolbar button:focus-visible, .ct-chip:focus-visible, .ct-toolbar input:focus-visible {
  outline: 1px solid var(--ct-focus); outline-offset: 1px;
}
.ct-status { margin-left: auto; color: var(--ct-muted); white-space: nowrap; }
.ct-source { color: var(--ct-fg); font-family: var(--ct-mono); }
.ct-legend {
  display: flex; flex-wrap: wrap; gap: 2px 14px; padding: 3px 8px; font-size: 11px; color: var(--ct-muted);
  border-bottom: 1px solid var(--ct-border);
}
.ct-legend span { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.ct-swatch { display: inline-block; width: 14px; height: 9px; border: 1px solid var(--ct-contrast); }
.ct-glyph { font-size: 12px; line-height: 1; }
.ct-scroll { position: relative; flex: 1; min-height: 0; overflow-x: hidden; overflow-y: auto; outline: none; }
.ct-scroll:focus-visible { box-shadow: inset 0 0 0 1px var(--ct-focus); }
.ct-scroll canvas { position: sticky; top: 0; display: block; }
.ct-empty { padding: 24px; color: var(--ct-muted); }
.ct-tooltip {
  position: fixed; z-index: 10; max-width: 440px; padding: 5px 8px; pointer-events: none;
  color: var(--vscode-editorHoverWidget-foreground, var(--ct-fg));
  background: var(--vscode-editorHoverWidget-background, var(--ct-fb-tooltip-bg));
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--ct-border));
  box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.3)); font-size: 12px;
}
.ct-tooltip .ct-tt-title { font-weight: 600; margin-bottom: 3px; }
.ct-tooltip table { border-collapse: collapse; }
.ct-tooltip th { text-align: left; font-weight: normal; color: var(--ct-muted); padding: 0 10px 0 0; vertical-align: top; }
.ct-tooltip td { padding: 0; white-space: pre-wrap; word-break: break-word; }
.ct-table-view { flex: 1; min-height: 0; overflow: auto; padding: 4px 8px; border-top: 1px solid var(--ct-border); }
.ct-table-view table { border-collapse: collapse; font-size: 12px; }
.ct-table-view caption { text-align: left; padding: 4px 0; color: var(--ct-muted); }
.ct-table-view th, .ct-table-view td { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
.ct-table-view thead th { border-bottom: 1px solid var(--ct-border); }
.ct-table-view button { font: inherit; padding: 0; border: none; background: none; cursor: pointer;
  color: var(--vscode-textLink-foreground, var(--ct-fb-focus)); text-decoration: underline; }
.ct-visually-hidden {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; border: 0; padding: 0; margin: -1px;
}
body.vscode-high-contrast .ct-swatch, body.vscode-high-contrast-light .ct-swatch { border-color: var(--ct-fg); }
`;
