/**
 * The canvas's colours and fonts, read from the resolved `--ct-*` CSS properties (styles.ts maps them to VS Code's
 * `--vscode-*` theme variables), and a watcher that re-reads them when the theme changes: VS Code swaps the body's
 * `vscode-light` / `vscode-dark` / `vscode-high-contrast` class and rewrites the variables on `<html>`'s style.
 */
import { CATEGORY_COUNT, CATEGORY_INFO } from './categories';

export interface Theme {
  background: string;
  foreground: string;
  muted: string;
  border: string;
  labelBackground: string;
  rowAlt: string;
  selection: string;
  focus: string;
  grid: string;
  cursor: string;
  /** Bar colours, indexed by `Category`. */
  categories: string[];
  done: string;
  failed: string;
  cancelled: string;
  output: string;
  warning: string;
  arrowCreate: string;
  arrowAwait: string;
  arrowCancel: string;
  arrowQueue: string;
  /** High-contrast themes: outline bars and marks so they stand out without relying on colour alone. */
  highContrast: boolean;
  contrastBorder: string;
  font: string;
  fontBold: string;
  smallFont: string;
}

export function readTheme(root: HTMLElement = document.documentElement): Theme {
  const style = getComputedStyle(root);
  const get = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const categories: string[] = [];
  for (let c = 0; c < CATEGORY_COUNT; c++) categories.push(get(CATEGORY_INFO[c].cssVar, '#888888'));
  const family = get('--ct-font', 'sans-serif');
  const size = parseFloat(getComputedStyle(document.body).fontSize) || 13;
  const labelSize = Math.max(11, Math.min(14, size - 1));
  const body = document.body.classList;
  const contrast = get('--ct-contrast', 'transparent');
  return {
    background: get('--ct-bg', '#ffffff'),
    foreground: get('--ct-fg', '#333333'),
    muted: get('--ct-muted', '#777777'),
    border: get('--ct-border', '#dddddd'),
    labelBackground: get('--ct-label-bg', '#f8f8f8'),
    rowAlt: get('--ct-row-alt', 'transparent'),
    selection: get('--ct-selection', 'rgba(0,95,184,0.12)'),
    focus: get('--ct-focus', '#005fb8'),
    grid: get('--ct-grid', 'rgba(0,0,0,0.07)'),
    cursor: get('--ct-cursor', '#333333'),
    categories,
    done: get('--ct-done', '#388a34'),
    failed: get('--ct-failed', '#e51400'),
    cancelled: get('--ct-cancelled', '#616161'),
    output: get('--ct-output', '#616161'),
    warning: get('--ct-warning', '#bf8803'),
    arrowCreate: get('--ct-arrow-create', 'rgba(97,97,97,0.45)'),
    arrowAwait: get('--ct-arrow-await', '#bf8803'),
    arrowCancel: get('--ct-arrow-cancel', '#e51400'),
    arrowQueue: get('--ct-arrow-queue', '#d18616'),
    highContrast:
      body.contains('vscode-high-contrast') || body.contains('vscode-high-contrast-light') || (contrast !== 'transparent' && contrast !== ''),
    contrastBorder: contrast,
    font: `${labelSize}px ${family}`,
    fontBold: `600 ${labelSize}px ${family}`,
    smallFont: `${Math.max(10, labelSize - 1)}px ${family}`,
  };
}

/** Calls `onChange` whenever the theme may have changed. Returns a function that stops watching. */
export function watchTheme(onChange: () => void): () => void {
  let pending = false;
  const fire = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      onChange();
    });
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  media?.addEventListener?.('change', fire);
  return () => {
    observer.disconnect();
    media?.removeEventListener?.('change', fire);
  };
}
