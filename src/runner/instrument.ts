/**
 * Bundle-time instrumentation of user code.
 *
 * The runtime must know, for each suspension, which `await` suspended the task, and for calls such as
 * `createTask(...)`, `task.cancel()` or `new Queue()`, where they were made. Capturing a stack per await is far too
 * slow (~2 µs), so every such place gets a numeric site id here, and the code is rewritten to hand that id to two
 * tiny globals the runtime defines:
 *
 * - `await EXPR`            → `await __ct_await(ID, EXPR)`
 * - in a generator coroutine (below), `await EXPR` →
 *   `((__ct_r = __ct_now(ID, EXPR)) !== __ct_NOT ? __ct_r : yield __ct_held())`: an operation that can finish at
 *   once (a queue put with room) gives its result without the generator yielding; anything else is yielded to the
 *   task, as `await` would suspend on it
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
  /**
   * Turn the async function literals given to the runtime's `coroutine(...)` into generator functions, whose
   * `await`s become `yield`s: tasks then drive them without a promise per await (see `Task._genStep`).
   */
  generatorCoroutines?: boolean;
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
 * Globals the runtime defines for generator coroutines: `__ct_now(siteId, value)` finishes a runtime operation that
 * need not wait and returns its result, or returns `__ct_NOT` and keeps what the generator must yield (as
 * `__ct_await` would give it) for `__ct_held()`. `__ct_r` is a module variable holding the result in between.
 */
export const NOW_HOOK = '__ct_now';
export const HELD_HOOK = '__ct_held';
export const NOT_NOW_GLOBAL = '__ct_NOT';
export const RESULT_VAR = '__ct_r';

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
  /** Text inserted at `openAt` (before the wrapped expression) and `close` (default `)`) at `closeAt` (after it). */
  openAt: number;
  closeAt: number;
  open: (id: number) => string;
  close?: string;
  /** Pre-order visit number: at equal `openAt`, the outer rewrite must open first. */
  order: number;
  /** A structural rewrite (generator coroutines), not a site: it takes no id. */
  noSite?: boolean;
  /** Needs the module variable `__ct_r`. */
  usesResultVar?: boolean;
}

/** Text replaced in place (same or shorter length is not required): `async` keywords, `=>`, `await`. */
interface Replacement {
  start: number;
  end: number;
  text: string;
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
  const replacements: Replacement[] = [];
  const rewrites = collectRewrites(ast, opts.wrapStatements ?? false, opts.generatorCoroutines ?? false, jsCode, replacements);
  const usesResultVar = rewrites.some((r) => r.usesResultVar === true);
  // Ids follow the order of the sites in the text, which is what a reader expects.
  const bySite = rewrites.filter((r) => !r.noSite).sort((a, b) => a.siteAt - b.siteAt || a.order - b.order);
  const ids = new Map<Rewrite, number>();
  bySite.forEach((r, i) => ids.set(r, opts.firstSiteId + i));

  const s = new MagicString(jsCode);
  for (const r of replacements) {
    if (r.text === '') s.overwrite(r.start, r.end, ' '.repeat(r.end - r.start), { contentOnly: true });
    else s.overwrite(r.start, r.end, r.text, { contentOnly: true });
  }
  // Openings go right of their offset (after any closing that ends there), outer ones first; closings go left of
  // theirs, each before those of the rewrites that enclose it (prepended in outer-first order).
  const byOpen = [...rewrites].sort((a, b) => a.openAt - b.openAt || a.order - b.order);
  for (const r of byOpen) {
    s.appendRight(r.openAt, r.open(ids.get(r) ?? 0));
    s.prependLeft(r.closeAt, r.close ?? ')');
  }
  // A `var` is hoisted: declared after the last line, it moves nothing.
  if (usesResultVar) s.append(`\nvar ${RESULT_VAR};`);
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

/** True for the nodes that start a function scope (arrows included: they have their own `await`s). */
function isFunction(node: AnyNode): boolean {
  return (
    node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression'
  );
}

/**
 * Local names under which this module sees the runtime's `coroutine`: `X.coroutine` for `import * as X` /
 * `import X` / `const X = require(...)` of 'coroutine-trace', and `Y` for `import { coroutine as Y }` /
 * `const { coroutine: Y } = require(...)`.
 */
function runtimeBindings(ast: acorn.Program): { namespaces: Set<string>; coroutine: Set<string> } {
  const namespaces = new Set<string>();
  const coroutine = new Set<string>();
  const isRuntime = (n: AnyNode | null | undefined): boolean =>
    !!n && n.type === 'Literal' && n.value === 'coroutine-trace';
  for (const stmt of ast.body as unknown as AnyNode[]) {
    if (stmt.type === 'ImportDeclaration' && isRuntime(stmt.source as AnyNode)) {
      for (const spec of stmt.specifiers as AnyNode[]) {
        const local = (spec.local as AnyNode).name as string;
        if (spec.type === 'ImportNamespaceSpecifier' || spec.type === 'ImportDefaultSpecifier') namespaces.add(local);
        else if (spec.type === 'ImportSpecifier') {
          const imported = spec.imported as AnyNode;
          if ((imported.name ?? imported.value) === 'coroutine') coroutine.add(local);
        }
      }
    } else if (stmt.type === 'VariableDeclaration') {
      for (const d of stmt.declarations as AnyNode[]) {
        const init = d.init ? unparen(d.init as AnyNode) : undefined;
        if (!init || init.type !== 'CallExpression') continue;
        const callee = init.callee as AnyNode;
        const args = init.arguments as AnyNode[];
        if (callee.type !== 'Identifier' || callee.name !== 'require' || !isRuntime(args[0])) continue;
        const id = d.id as AnyNode;
        if (id.type === 'Identifier') namespaces.add(id.name as string);
        else if (id.type === 'ObjectPattern') {
          for (const prop of id.properties as AnyNode[]) {
            if (prop.type !== 'Property') continue;
            const k = prop.key as AnyNode;
            const v = prop.value as AnyNode;
            if (!prop.computed && k.type === 'Identifier' && k.name === 'coroutine' && v.type === 'Identifier') {
              coroutine.add(v.name as string);
            }
          }
        }
      }
    }
  }
  return { namespaces, coroutine };
}

/** Visits `node`'s own scope: not into nested non-arrow functions or class bodies (they have their own `this`). */
function someInOwnScope(node: AnyNode, pred: (n: AnyNode) => boolean, intoArrows: boolean): boolean {
  let found = false;
  const walk = (n: AnyNode): void => {
    if (found) return;
    if (pred(n)) {
      found = true;
      return;
    }
    for (const k of Object.keys(n)) {
      if (k === 'loc' || k === 'type' || k === 'start' || k === 'end' || k === 'range') continue;
      const v = n[k];
      const children = Array.isArray(v) ? v : [v];
      for (const c of children) {
        if (!isNode(c)) continue;
        if (c.type === 'FunctionExpression' || c.type === 'FunctionDeclaration' || c.type === 'ClassBody') continue;
        if (c.type === 'ArrowFunctionExpression' && !intoArrows) continue;
        walk(c);
      }
    }
  };
  for (const k of ['params', 'body']) {
    const v = node[k];
    for (const c of Array.isArray(v) ? v : [v]) if (isNode(c)) walk(c);
  }
  return found;
}

/**
 * The async function literal given to the runtime's `coroutine(...)` in `call`, if it can run as a generator: an
 * async function expression, or an async arrow that uses no `this`, `arguments`, `super` or `new.target` (a
 * generator cannot be an arrow), with no `for await` of its own. esbuild's keepNames wraps named functions in
 * `__name(fn, "name")`: looked through.
 */
function generatorCandidate(
  call: AnyNode,
  bindings: { namespaces: Set<string>; coroutine: Set<string> },
): AnyNode | undefined {
  const callee = unparen(call.callee as AnyNode);
  const isCoroutine =
    (callee.type === 'Identifier' && bindings.coroutine.has(callee.name as string)) ||
    (callee.type === 'MemberExpression' &&
      !callee.computed &&
      (callee.property as AnyNode).name === 'coroutine' &&
      (callee.object as AnyNode).type === 'Identifier' &&
      bindings.namespaces.has((callee.object as AnyNode).name as string));
  if (!isCoroutine) return undefined;
  const args = call.arguments as AnyNode[];
  if (args.length !== 1) return undefined;
  let fn = unparen(args[0]);
  if (fn.type === 'CallExpression') {
    const c = fn.callee as AnyNode;
    const a = fn.arguments as AnyNode[];
    if (c.type === 'Identifier' && c.name === '__name' && a.length === 2) fn = unparen(a[0]);
  }
  if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') return undefined;
  if (fn.async !== true || fn.generator === true) return undefined;
  if (someInOwnScope(fn, (n) => n.type === 'ForOfStatement' && n.await === true, false)) return undefined;
  if (
    fn.type === 'ArrowFunctionExpression' &&
    someInOwnScope(
      fn,
      (n) =>
        n.type === 'ThisExpression' ||
        n.type === 'Super' ||
        n.type === 'MetaProperty' ||
        (n.type === 'Identifier' && n.name === 'arguments'),
      true,
    )
  ) {
    return undefined;
  }
  return fn;
}

/**
 * Rewrites an async function literal into a generator function (`async function f(` → `function* f(`,
 * `async (a) => x` → `function* (a) { return x; }`); its own `await`s become `yield`s (see the AwaitExpression case).
 */
function toGenerator(fn: AnyNode, code: string, rewrites: Rewrite[], replacements: Replacement[], order: number): void {
  // `async` is the first token of the literal.
  replacements.push({ start: fn.start, end: fn.start + 5, text: '' });
  if (fn.type === 'FunctionExpression') {
    const kw = code.indexOf('function', fn.start + 5);
    replacements.push({ start: kw, end: kw + 8, text: 'function*' });
    return;
  }
  const params = fn.params as AnyNode[];
  const body = fn.body as AnyNode;
  // `=>` sits between the parameters and the body.
  const arrow = code.indexOf('=>', params.length > 0 ? params[params.length - 1].end : fn.start + 5);
  const bareParam = params.length === 1 && !/\(\s*$/.test(code.slice(fn.start + 5, params[0].start));
  rewrites.push({
    siteAt: fn.start,
    token: '',
    openAt: fn.start + 5,
    closeAt: fn.start + 5,
    open: () => (bareParam ? 'function* (' : 'function* '),
    close: '',
    order,
    noSite: true,
  });
  if (bareParam) {
    rewrites.push({ siteAt: 0, token: '', openAt: params[0].end, closeAt: params[0].end, open: () => ')', close: '', order, noSite: true });
  }
  replacements.push({ start: arrow, end: arrow + 2, text: '' });
  if (body.type !== 'BlockStatement') {
    rewrites.push({
      siteAt: 0,
      token: '',
      openAt: body.start,
      closeAt: body.end,
      open: () => '{ return ',
      close: '; }',
      order,
      noSite: true,
    });
  }
}

function collectRewrites(
  ast: acorn.Program,
  wrapStatements: boolean,
  generatorCoroutines: boolean,
  code: string,
  replacements: Replacement[],
): Rewrite[] {
  const rewrites: Rewrite[] = [];
  let order = 0;
  const bindings = runtimeBindings(ast);
  const hasRuntime = generatorCoroutines && (bindings.namespaces.size > 0 || bindings.coroutine.size > 0);
  /** Function literals that become generators; and the innermost function around the node being visited. */
  const generators = new Set<AnyNode>();
  const fnStack: AnyNode[] = [];

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
        if (fnStack.length > 0 && generators.has(fnStack[fnStack.length - 1])) {
          // In a generator coroutine: `await x` →
          // `(     (__ct_r = __ct_now(ID, x)) !== __ct_NOT ? __ct_r : yield __ct_held())`.
          replacements.push({ start: node.start, end: node.start + 5, text: '' });
          rewrites.push({
            siteAt: node.start,
            token: 'await',
            openAt: node.start,
            closeAt: node.end,
            open: () => '(',
            order: myOrder,
            noSite: true,
          });
          rewrites.push({
            siteAt: node.start,
            token: 'await',
            openAt: arg.start,
            closeAt: arg.end,
            open: (id) => `(${RESULT_VAR} = ${NOW_HOOK}(${id}, `,
            close: `)) !== ${NOT_NOW_GLOBAL} ? ${RESULT_VAR} : yield ${HELD_HOOK}()`,
            order: myOrder,
            usesResultVar: true,
          });
          break;
        }
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
        if (!isNew && hasRuntime) {
          const fn = generatorCandidate(node, bindings);
          if (fn !== undefined) {
            generators.add(fn);
            toGenerator(fn, code, rewrites, replacements, myOrder);
          }
        }
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
    const fn = isFunction(node);
    if (fn) fnStack.push(node);
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'type' || k === 'start' || k === 'end' || k === 'range') continue;
      const v = node[k];
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) visit(item, node, k);
      } else if (isNode(v)) {
        visit(v, node, k);
      }
    }
    if (fn) fnStack.pop();
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
