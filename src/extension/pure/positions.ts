/**
 * Positions: the trace's sites are 1-based (line and column, as compilers print them); VS Code's are 0-based. The
 * two are distinct types, and `toEditorPosition` is the only place that converts from one to the other.
 */
import type { SourceSite } from '../../contract/trace';

/** A 0-based position, as VS Code's `Position` takes it. Column counts UTF-16 code units. */
export interface EditorPosition {
  readonly line: number;
  readonly character: number;
}

/** Anything with a 1-based `line` and `column` (a trace `SourceSite`, a `ProgramBuildMessage`). */
export type OneBasedPosition = Pick<SourceSite, 'line' | 'column'>;

/** The one 1-based → 0-based conversion. Out-of-range values (0, negative, NaN) clamp to the start. */
export function toEditorPosition(site: OneBasedPosition): EditorPosition {
  return { line: clampIndex(site.line - 1), character: clampIndex(site.column - 1) };
}

function clampIndex(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * The span of the call that starts at `character` on `lineText`, to select it when jumping to a site: the callee
 * (`asyncio.sleep`, `task3.cancel`, `queue.get`, its receiver included when the site points at the method name) and
 * its parenthesised arguments when they close on the same line; a leading `await ` is kept. A site that is not on an identifier selects nothing (an empty span at `character`).
 */
export function callSpan(lineText: string, character: number): { start: number; end: number } {
  const isIdent = (c: string | undefined): boolean => c !== undefined && /[\w$]/.test(c);
  let start = Math.min(Math.max(0, character), lineText.length);
  // Sites of method calls point at the method (`createTask` in `asyncio.createTask(...)`): take in the receiver.
  for (;;) {
    if (!isIdent(lineText[start]) || lineText[start - 1] !== '.') break;
    let j = start - 1;
    if (lineText[j - 1] === '?') j--;
    if (!isIdent(lineText[j - 1])) break;
    while (j > 0 && isIdent(lineText[j - 1])) j--;
    start = j;
  }
  let i = start;
  if (lineText.startsWith('await', i) && !isIdent(lineText[i + 5])) {
    i += 5;
    while (lineText[i] === ' ') i++;
  }
  if (lineText.startsWith('new ', i)) i += 4;
  const calleeStart = i;
  // A dotted name: a.b.c (optional chaining `?.` too).
  for (;;) {
    while (isIdent(lineText[i])) i++;
    if (lineText[i] === '.' && isIdent(lineText[i + 1])) i++;
    else if (lineText[i] === '?' && lineText[i + 1] === '.' && isIdent(lineText[i + 2])) i += 2;
    else break;
  }
  if (i === calleeStart) return { start, end: start };
  // Generic arguments, then the argument list, if it closes on this line.
  let j = i;
  if (lineText[j] === '<') {
    const close = matching(lineText, j, '<', '>');
    if (close > 0) j = close + 1;
  }
  if (lineText[j] === '(') {
    const close = matching(lineText, j, '(', ')');
    if (close > 0) return { start, end: close + 1 };
  }
  return { start, end: i };
}

/** Index of the bracket that closes the one at `open`, skipping string literals; -1 if it is not on this line. */
function matching(text: string, open: number, opener: string, closer: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i;
  }
  return -1;
}
