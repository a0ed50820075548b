/**
 * Bundle-time instrumentation of user code.
 *
 * The runtime must know, for each suspension, which `await` suspended the task, and for calls such as
 * `createTask(...)`, `task.cancel()` or `new Queue()`, where they were made. Capturing a stack per await is far too
 * slow (~2 µs), so every such place gets a numeric site id here, and the code is rewritten to hand that id to two
 * tiny globals the runtime defines:
 *
 * - `await EXPR`            → `await __ct_await(ID, EXPR)`
 * - `f(a, b)`               → `f(a, __ct_site(ID, b))`       (arguments run left to right: the id is set last)
 * - `f(...xs)`              → `f(...__ct_site(ID, xs))`
 * - `obj.m()` / `new Lock()` → `(__ct_site(ID), obj.m())` / `(__ct_site(ID), new Lock())`
 *
 * Everything else is left byte for byte, and no line break is added or removed, so line numbers stay right even
 * where source maps are not applied.
 *
 * Input is JavaScript (normally esbuild's TS→JS output, which always ends statements with `;`, so inserting a
 * statement-initial `(` cannot join two statements). Sites are reported in the ORIGINAL source, through the map of
 * that transform. Pure: no file system access.
 */
import * as acorn from 'acorn';
import MagicString from 'magic-string';
import {
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  TraceMap,
  originalPositionFor,
  sourceContentFor,
  traceSegment,
} from '@jridgewell/trace-mapping';
import * as esbuild from 'esbuild';
import type { SourceSite } from '../contract/trace';

/** A source map, version 3, as a plain JSON-able object. */
export interface SourceMapV3 {
  version: 3;
  file?: string | null;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  ignoreList?: number[];
}

export interface InstrumentOptions {
  /** Id of the first site found in this module; the others follow consecutively. */
  firstSiteId: number;
  /** `file` of every returned site: the original source file (normally an absolute path). */
  sourceFileForSites: string;
  /** Also wrap calls whose value a statement throws away in `__ct_stmt` (never-awaited coroutines). */
  wrapStatements?: boolean;
}

export interface InstrumentResult {
  /** The rewritten JavaScript, without a `sourceMappingURL` comment. */
  code: string;
  /** Maps `code` to the original source (through `jsMap` when one was given). */
  map: SourceMapV3;
  /** `sites[i]` is the site of id `firstSiteId + i`; 1-based positions in the original source. */
  sites: SourceSite[];
}

/** Global the runtime defines: `__ct_await(siteId, value)` returns `value` (or something awaiting it the same way). */
export const AWAIT_HOOK = '__ct_await';
/** Global the runtime defines: `__ct_site(siteId, value?)` records the site of the call about to happen, returns `value`. */
export const SITE_HOOK = '__ct_site';

/**
 * Global the runtime defines: `__ct_stmt(siteId, value)` returns `value`; wraps calls whose value the statement throws
 * away, so a coroutine that is created and never awaited is reported at its site.
 */
export const STMT_HOOK = '__ct_stmt';

/** Calls whose (property) name marks them as runtime API calls worth a site. */
export const SITE_CALL_NAMES: ReadonlySet<string> = new Set([
  'createTask',
  'cancel',
  'sleep',
  'gather',
  'waitFor',
  'wait',
  'asCompleted',
  'shield',
  'taskGroup',
  'run',
  'put',
  'get',
  'putNowait',
  'getNowait',
  'join',
  'taskDone',
  'acquire',
  'release',
  'set',
  'clear',
  'notify',
  'notifyAll',
  'ensureFuture',
  'wrap',
]);

/** Classes whose construction (`new X()`, `new asyncio.X()`) gets a site. */
export const SITE_CLASS_NAMES: ReadonlySet<string> = new Set([
  'Queue',
  'PriorityQueue',
  'LifoQueue',
  'Lock',
  'Event',
  'Semaphore',
  'BoundedSemaphore',
  'Condition',
]);

/**
 * `@jridgewell/remapping`'s bundled `.d.cts` does not parse (`export = function ...`), so the package is loaded with
 * `require` and typed here, for the one call this file makes.
 */
type RemapLoader = (file: string) => null;
type Remap = (input: (string | SourceMapV3)[], loader: RemapLoader) => SourceMapV3 & { toString(): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const remapping = require('@jridgewell/remapping') as Remap;

type AnyNode = acorn.Node & Record<string, unknown>;

/** One planned rewrite. `siteAt` is the generated offset of the token the site points at. */
interface Rewrite {
  siteAt: number;
  /** The token expected at the site in the original source, used to correct coarse map lookups. */
  token: string;
  /** Text inserted at `openAt` (before the wrapped expression) and `)` at `closeAt` (after it). */
  openAt: number;
  closeAt: number;
  open: (id: number) => string;
  /** Pre-order visit number: at equal `openAt`, the outer rewrite must open first. */
  order: number;
}

/**
 * Rewrites one JavaScript module. `jsMap` maps `jsCode` to the original source (e.g. esbuild's TS→JS map); without
 * it, `jsCode` is taken as the original. Throws acorn's `SyntaxError` (with `loc`) if `jsCode` does not parse.
 */
export function instrumentModule(
  jsCode: string,
  jsMap: SourceMapV3 | string | undefined,
  opts: InstrumentOptions,
): InstrumentResult {
  const ast = parse(jsCode);
  const rewrites = collectRewrites(ast, opts.wrapStatements ?? false);
  // Ids follow the order of the sites in the text, which is what a reader expects.
  const bySite = [...rewrites].sort((a, b) => a.siteAt - b.siteAt || a.order - b.order);
  const ids = new Map<Rewrite, number>();
  bySite.forEach((r, i) => ids.set(r, opts.firstSiteId + i));

  const s = new MagicString(jsCode);
  // Openings go right of their offset (after any closing that ends there), outer ones first; closings are all `)`.
  const byOpen = [...rewrites].sort((a, b) => a.openAt - b.openAt || a.order - b.order);
  for (const r of byOpen) {
    s.appendRight(r.openAt, r.open(ids.get(r)!));
    s.appendLeft(r.closeAt, ')');
  }
  const code = s.toString();

  const parsedJsMap = typeof jsMap === 'string' ? (JSON.parse(jsMap) as SourceMapV3) : jsMap;
  const locator = new SiteLocator(jsCode, parsedJsMap, opts.sourceFileForSites);
  const sites = bySite.map((r) => locator.locate(r.siteAt, r.token));

  let map: SourceMapV3;
  if (parsedJsMap) {
    const own = s.generateMap({ hires: true, source: 'instrumented.js', includeContent: false });
    const composed = remapping([own.toString(), parsedJsMap], () => null);
    map = toPlainMap(composed);
  } else {
    const own = s.generateMap({ hires: true, source: opts.sourceFileForSites, includeContent: true });
    map = toPlainMap(own);
  }
  return { code, map, sites };
}

/** esbuild loader for a user file, by extension; `undefined` for files that are not code. */
export function loaderForFile(file: string): esbuild.Loader | undefined {
  const m = /\.([cm]?[jt]sx?)$/i.exec(file);
  if (!m) return undefined;
  const ext = m[1].toLowerCase();
  if (ext.endsWith('tsx')) return 'tsx';
  if (ext.endsWith('ts')) return 'ts';
  if (ext.endsWith('jsx')) return 'jsx';
  return 'js';
}

/**
 * The whole per-file pipeline: esbuild `transform` (TS→JS, source map) then `instrumentModule`. `file` names the
 * source in the maps and in the sites. Throws esbuild's `TransformFailure` for syntax errors in the source.
 */
export async function instrumentSource(
  sourceText: string,
  opts: { file: string; firstSiteId: number; loader?: esbuild.Loader },
): Promise<InstrumentResult> {
  const out = await esbuild.transform(sourceText, {
    loader: opts.loader ?? loaderForFile(opts.file) ?? 'ts',
    sourcefile: opts.file,
    sourcemap: 'external',
    sourcesContent: true,
    target: 'node20',
    // No `format`: module syntax stays as written, so ESM stays ESM and a CommonJS file stays CommonJS.
  });
  return instrumentModule(out.code, out.map, { firstSiteId: opts.firstSiteId, sourceFileForSites: opts.file });
}

function parse(code: string): acorn.Program {
  const base: acorn.Options = {
    ecmaVersion: 'latest',
    locations: true,
    // Needed so that `await (a, b)` and `f((a, b))` wrap the parenthesised expression, not the bare sequence.
    preserveParens: true,
    allowHashBang: true,
  };
  try {
    return acorn.parse(code, { ...base, sourceType: 'module' });
  } catch (moduleError) {
    // CommonJS code can be sloppy-mode (`with`, legacy octals) or `return` at top level.
    try {
      return acorn.parse(code, {
        ...base,
        sourceType: 'script',
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true,
      });
    } catch {
      throw moduleError;
    }
  }
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function unparen(node: AnyNode): AnyNode {
  while (node.type === 'ParenthesizedExpression') node = node.expression as AnyNode;
  return node;
}

/** Name a call's callee is known by: `f` in `f()`, `m` in `a.m()` / `a['m']()`. */
function calleeName(callee: AnyNode): { name: string; at: number } | undefined {
  const c = unparen(callee);
  if (c.type === 'Identifier') return { name: c.name as string, at: c.start };
  if (c.type === 'MemberExpression') {
    const p = c.property as AnyNode;
    if (!c.computed && p.type === 'Identifier') return { name: p.name as string, at: p.start };
    if (c.computed && p.type === 'Literal' && typeof p.value === 'string') return { name: p.value, at: p.start };
  }
  return undefined;
}

/** True when `node` is a call/member chain containing an optional link (`a?.b`, `f?.()`). */
function chainHasOptional(node: AnyNode): boolean {
  for (let n: AnyNode | undefined = node; n; ) {
    if (n.optional === true) return true;
    if (n.type === 'CallExpression') n = n.callee as AnyNode;
    else if (n.type === 'MemberExpression') n = n.object as AnyNode;
    else return false;
  }
  return false;
}

function collectRewrites(ast: acorn.Program, wrapStatements: boolean): Rewrite[] {
  const rewrites: Rewrite[] = [];
  let order = 0;

  const visit = (node: AnyNode, parent: AnyNode | undefined, key: string): void => {
    const myOrder = order++;
    switch (node.type) {
      case 'ExpressionStatement': {
        // `f(x);`: the value is thrown away. (Not `super(...)`, which cannot be wrapped.)
        const expr = unparen(node.expression as AnyNode);
        if (!wrapStatements || expr.type !== 'CallExpression' || (expr.callee as AnyNode).type === 'Super') break;
        const named = calleeName(expr.callee as AnyNode);
        const inner = node.expression as AnyNode;
        rewrites.push({
          siteAt: named ? named.at : inner.start,
          token: named ? named.name : '',
          openAt: inner.start,
          closeAt: inner.end,
          open: (id) => `${STMT_HOOK}(${id}, `,
          order: myOrder,
        });
        break;
      }
      case 'AwaitExpression': {
        const arg = node.argument as AnyNode;
        rewrites.push({
          siteAt: node.start,
          token: 'await',
          openAt: arg.start,
          closeAt: arg.end,
          open: (id) => `${AWAIT_HOOK}(${id}, `,
          order: myOrder,
        });
        break;
      }
      case 'CallExpression':
      case 'NewExpression': {
        const isNew = node.type === 'NewExpression';
        const named = calleeName(node.callee as AnyNode);
        if (!named || !(isNew ? SITE_CLASS_NAMES : SITE_CALL_NAMES).has(named.name)) break;
        const siteAt = isNew ? node.start : named.at;
        const token = isNew ? 'new' : named.name;
        const args = node.arguments as AnyNode[];
        if (args.length > 0) {
          const last = args[args.length - 1];
          const wrapped = last.type === 'SpreadElement' ? (last.argument as AnyNode) : last;
          rewrites.push({
            siteAt,
            token,
            openAt: wrapped.start,
            closeAt: wrapped.end,
            open: (id) => `${SITE_HOOK}(${id}, `,
            order: myOrder,
          });
        } else {
          // Parenthesising an inner link of an optional chain (`a?.cancel().x`) would cut the short-circuit.
          const innerLink =
            parent !== undefined &&
            ((parent.type === 'MemberExpression' && key === 'object') ||
              (parent.type === 'CallExpression' && key === 'callee'));
          if (innerLink && chainHasOptional(node)) break;
          rewrites.push({
            siteAt,
            token,
            openAt: node.start,
            closeAt: node.end,
            open: (id) => `(${SITE_HOOK}(${id}), `,
            order: myOrder,
          });
        }
        break;
      }
    }
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'type' || k === 'start' || k === 'end' || k === 'range') continue;
      const v = node[k];
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) visit(item, node, k);
      } else if (isNode(v)) {
        visit(v, node, k);
      }
    }
  };
  visit(ast as unknown as AnyNode, undefined, '');
  return rewrites;
}

/** Finds where a generated token came from in the original source. */
class SiteLocator {
  private readonly lineStarts: number[] = [0];
  private readonly trace: TraceMap | undefined;
  private readonly originalLines = new Map<string, string[] | null>();

  constructor(
    private readonly jsCode: string,
    jsMap: SourceMapV3 | undefined,
    private readonly file: string,
  ) {
    for (let i = 0; i < jsCode.length; i++) {
      const c = jsCode.charCodeAt(i);
      if (c === 10 || (c === 13 && jsCode.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
      else if (c === 0x2028 || c === 0x2029) this.lineStarts.push(i + 1);
    }
    this.trace = jsMap ? new TraceMap(jsMap as never) : undefined;
  }

  locate(offset: number, token: string): SourceSite {
    const gen = this.position(offset); // line 1-based, column 0-based
    if (!this.trace) return { file: this.file, line: gen.line, column: gen.column + 1 };

    let orig = originalPositionFor(this.trace, { line: gen.line, column: gen.column, bias: GREATEST_LOWER_BOUND });
    if (orig.source === null) {
      orig = originalPositionFor(this.trace, { line: gen.line, column: gen.column, bias: LEAST_UPPER_BOUND });
    }
    if (orig.source === null || orig.line === null || orig.column === null) {
      return { file: this.file, line: gen.line, column: gen.column + 1 };
    }
    const seg = traceSegment(this.trace, gen.line - 1, gen.column);
    const delta = seg && seg[0] <= gen.column ? gen.column - seg[0] : 0;
    const column = this.refineColumn(orig.source, orig.line, orig.column, delta, token);
    return { file: this.file, line: orig.line, column: column + 1 };
  }

  /**
   * Maps are coarse (esbuild maps statements and some tokens), so the mapped column may be the start of the enclosing
   * statement. When the original text is available, move to the token itself: the mapped column if the token is
   * there, else the same offset from the segment as in the generated code, else the token's next occurrence.
   */
  private refineColumn(source: string, line: number, column: number, delta: number, token: string): number {
    const text = this.originalLine(source, line);
    if (text === undefined) return column;
    if (tokenAt(text, column, token)) return column;
    if (delta > 0 && tokenAt(text, column + delta, token)) return column + delta;
    for (let c = text.indexOf(token, column); c >= 0; c = text.indexOf(token, c + 1)) {
      if (tokenAt(text, c, token)) return c;
    }
    return column;
  }

  private originalLine(source: string, line: number): string | undefined {
    let lines = this.originalLines.get(source);
    if (lines === undefined) {
      const content = this.trace ? sourceContentFor(this.trace, source) : null;
      lines = content === null ? null : content.split(/\r\n|\r|\n|\u2028|\u2029/);
      this.originalLines.set(source, lines);
    }
    return lines?.[line - 1];
  }

  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] };
  }
}

const IDENT_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

function tokenAt(text: string, column: number, token: string): boolean {
  if (!text.startsWith(token, column)) return false;
  const before = column > 0 ? text[column - 1] : '';
  const after = text[column + token.length] ?? '';
  return !(before && IDENT_CHAR.test(before)) && !(after && IDENT_CHAR.test(after));
}

function toPlainMap(map: {
  file?: string | null;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  ignoreList?: number[];
}): SourceMapV3 {
  const plain: SourceMapV3 = {
    version: 3,
    sources: [...map.sources],
    names: [...map.names],
    mappings: map.mappings,
  };
  if (map.file) plain.file = map.file;
  if (map.sourceRoot) plain.sourceRoot = map.sourceRoot;
  if (map.sourcesContent) plain.sourcesContent = [...map.sourcesContent];
  if (map.ignoreList && map.ignoreList.length) plain.ignoreList = [...map.ignoreList];
  return plain;
}
