/**
 * Bundles a user program into one ESM file for the child process, instrumenting user code on the way
 * (see `instrument.ts`) and collecting the table of source sites.
 *
 * - `coroutine-trace` resolves to the runtime entry the caller names; the runtime and every file it imports are
 *   bundled as they are (not instrumented).
 * - Every other code file outside `node_modules` goes through esbuild `transform` (TS→JS) and `instrumentModule`,
 *   and is handed back to esbuild as JavaScript with an inline source map that points at the original file. esbuild
 *   composes input source maps with its own, so the bundle's map points at the original `.ts` lines and columns.
 * - Packages in `node_modules` are bundled as esbuild does for `platform: 'node'` (so the bundle runs from any
 *   directory); Node built-ins stay external.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import * as esbuild from 'esbuild';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { SourceSite } from '../contract/trace';
import { type SourceMapV3, instrumentModule, loaderForFile } from './instrument';

export interface BundleOptions {
  /** Absolute path of the runtime's entry (`.js` or `.ts`) that `import ... from 'coroutine-trace'` resolves to. */
  runtimeEntry: string;
  /**
   * Where the caller will write the bundle. With it, `code` ends with `//# sourceMappingURL=<basename>.map` and the
   * caller writes `map` (as JSON) to `<outFile>.map`. Without it, `code` carries the map inline and runs anywhere.
   */
  outFile?: string;
  /**
   * Run `coroutine(async ...)` literals as generators (the fast path, default). `false`, or the environment variable
   * `COROUTINE_TRACE_ASYNC_COROUTINES=1`, keeps them async functions: slower, same behaviour (the parity suite runs
   * both ways).
   */
  generatorCoroutines?: boolean;
}

export interface BundleResult {
  /** The bundle: one ESM module (write it as `.mjs`). */
  code: string;
  /** Source map of `code`; `sources` are absolute paths of the original files. */
  map: SourceMapV3;
  /** `sites[id - 1]` is the source site of site id `id` (ids start at 1, since 0 means "no site", and are unique within the bundle). */
  sites: SourceSite[];
}

export interface ProgramBuildMessage {
  /** File path, relative to `process.cwd()` when inside it, absolute otherwise. */
  file: string;
  /** 1-based line in the original source. */
  line: number;
  /** 1-based column in the original source, in UTF-16 code units. */
  column: number;
  message: string;
}

/** The program could not be built. `message` is the first error as `file:line:col: message`. */
export class ProgramBuildError extends Error {
  constructor(readonly errors: ProgramBuildMessage[], message?: string) {
    super(message ?? (errors.length ? formatBuildMessage(errors[0]) : 'build failed'));
    this.name = 'ProgramBuildError';
  }
}

export function formatBuildMessage(m: ProgramBuildMessage): string {
  return `${m.file}:${m.line}:${m.column}: ${m.message}`;
}

/**
 * Defines `require` for CommonJS packages bundled into ESM (resolving from the entry file's folder, as the program
 * would on its own), and no-op site hooks for runs without the runtime.
 */
export function bundleBanner(entryFile: string): string {
  return (
    `import { createRequire as __ctCreateRequire } from 'module'; const require = __ctCreateRequire(${JSON.stringify(entryFile)});\n` +
    'globalThis.__ct_await ??= (i, v) => v; globalThis.__ct_site ??= (i, v) => v; globalThis.__ct_stmt ??= (i, v) => v; ' +
    'globalThis.__ct_NOT ??= Symbol(); globalThis.__ct_now ??= (i, v) => ((globalThis.__ct_held_v = v), globalThis.__ct_NOT); ' +
    'globalThis.__ct_held ??= () => globalThis.__ct_held_v;'
  );
}

/**
 * The bundle runs from a temporary folder, but a module's `__filename`, `__dirname`, `import.meta.url`,
 * `import.meta.filename` and `import.meta.dirname` must name its original file, as they do when the file runs on its
 * own. Declared once at the start of line 1 (no line moves), only where the module uses them and does not declare
 * them itself.
 */
export function withModuleLocation(code: string, file: string): string {
  const decls: string[] = [];
  const url = pathToFileURL(file).href;
  let out = code;
  if (/\bimport\.meta\.(url|filename|dirname)\b/.test(out)) {
    out = out
      .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
      .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(file))
      .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(file)));
  }
  for (const [name, value] of [
    ['__filename', file],
    ['__dirname', path.dirname(file)],
  ] as const) {
    const used = new RegExp(`\\b${name}\\b`).test(out);
    const declared = new RegExp(`\\b(?:var|let|const|function|class)\\s+${name}\\b`).test(out);
    if (used && !declared) decls.push(`${name} = ${JSON.stringify(value)}`);
  }
  return decls.length > 0 ? `var ${decls.join(', ')}; ${out}` : out;
}

const PLUGIN_NAME = 'coroutine-trace-instrument';
const RUNTIME_SPECIFIER = 'coroutine-trace';

export async function bundleProgram(entryFile: string, opts: BundleOptions): Promise<BundleResult> {
  const entry = path.resolve(entryFile);
  if (!isFile(entry)) {
    throw new ProgramBuildError(
      [{ file: displayPath(entry), line: 1, column: 1, message: 'file not found' }],
      `${displayPath(entry)}: file not found`,
    );
  }
  const runtimeEntry = path.resolve(opts.runtimeEntry);
  const generatorCoroutines = opts.generatorCoroutines ?? process.env.COROUTINE_TRACE_ASYNC_COROUTINES !== '1';
  const outFile = path.resolve(opts.outFile ?? path.join(path.dirname(entry), '.coroutine-trace-bundle.mjs'));

  const sites: SourceSite[] = [];
  /** Instrumented files → map from the JS esbuild saw to the original, to place esbuild's own errors. */
  const instrumentedMaps = new Map<string, SourceMapV3>();
  /** The runtime entry and everything it imports: bundled untouched. */
  const runtimeFiles = new Set<string>([runtimeEntry]);

  const plugin: esbuild.Plugin = {
    name: PLUGIN_NAME,
    setup(build) {
      build.onResolve({ filter: /^coroutine-trace$/ }, () => ({ path: runtimeEntry }));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (!runtimeFiles.has(args.importer) || args.pluginData === PLUGIN_NAME) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: PLUGIN_NAME,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (!resolved.external && resolved.namespace === 'file') runtimeFiles.add(resolved.path);
        return resolved;
      });
      build.onLoad({ filter: /\.([cm]?[jt]sx?)$/ }, async (args) => {
        if (args.namespace !== 'file' || runtimeFiles.has(args.path) || isInNodeModules(args.path)) return undefined;
        const loader = loaderForFile(args.path);
        if (!loader) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        let transformed: esbuild.TransformResult;
        try {
          transformed = await esbuild.transform(source, {
            loader,
            sourcefile: args.path,
            sourcemap: 'external',
            sourcesContent: true,
            target: 'node20',
            // Function names are what users read in the trace (coroutine names, stack traces). Only user files:
            // in the runtime, keepNames would cost a call per closure created.
            keepNames: true,
          });
        } catch (e) {
          if (isEsbuildFailure(e)) return { errors: e.errors, warnings: e.warnings };
          throw e;
        }
        let result;
        try {
          result = instrumentModule(transformed.code, transformed.map, {
            firstSiteId: sites.length + 1,
            sourceFileForSites: args.path,
            wrapStatements: true,
            generatorCoroutines,
          });
        } catch (e) {
          // esbuild accepted the file, so acorn should too; if not, still point at the original position.
          return { errors: [acornErrorMessage(e, transformed.map, args.path)] };
        }
        sites.push(...result.sites);
        instrumentedMaps.set(args.path, result.map);
        const inlineMap = Buffer.from(JSON.stringify(result.map)).toString('base64');
        return {
          contents: `${withModuleLocation(result.code, args.path)}\n//# sourceMappingURL=data:application/json;base64,${inlineMap}\n`,
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };

  let built: esbuild.BuildResult<{ write: false }>;
  try {
    built = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: true,
      write: false,
      outfile: outFile,
      banner: { js: bundleBanner(entry) },
      plugins: [plugin],
      logLevel: 'silent',
      absWorkingDir: process.cwd(),
    });
  } catch (e) {
    if (isEsbuildFailure(e)) throw buildErrorFrom(e.errors, instrumentedMaps);
    throw e;
  }

  const jsOut = built.outputFiles.find((f) => !f.path.endsWith('.map'));
  const mapOut = built.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!jsOut || !mapOut) throw new Error('esbuild produced no bundle');
  const map = JSON.parse(mapOut.text) as SourceMapV3;
  // esbuild writes sources relative to the output directory; absolute paths keep working wherever it is written.
  const outDir = path.dirname(outFile);
  map.sources = map.sources.map((s) => (s === null ? s : path.resolve(outDir, map.sourceRoot ?? '', s)));
  delete map.sourceRoot;
  map.file = path.basename(outFile);

  const mapUrl = opts.outFile
    ? encodeURI(path.basename(outFile) + '.map')
    : `data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
  const code = `${jsOut.text.replace(/\n?$/, '\n')}//# sourceMappingURL=${mapUrl}\n`;
  return { code, map, sites };
}

/** Writes a bundle made with `outFile` to that file and its map beside it. */
export async function writeBundle(result: BundleResult, outFile: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(outFile), { recursive: true });
  await fs.promises.writeFile(outFile, result.code);
  await fs.promises.writeFile(outFile + '.map', JSON.stringify(result.map));
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isInNodeModules(p: string): boolean {
  return p.split(/[\\/]/).includes('node_modules');
}

function displayPath(absolute: string): string {
  const rel = path.relative(process.cwd(), absolute);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absolute;
}

function isEsbuildFailure(e: unknown): e is esbuild.BuildFailure {
  return e instanceof Error && Array.isArray((e as Partial<esbuild.BuildFailure>).errors);
}

function buildErrorFrom(errors: esbuild.Message[], instrumentedMaps: Map<string, SourceMapV3>): ProgramBuildError {
  const out: ProgramBuildMessage[] = errors.map((m) => {
    const loc = m.location;
    if (!loc) return { file: '<build>', line: 1, column: 1, message: m.text };
    const file = path.resolve(process.cwd(), loc.file);
    // esbuild columns count UTF-8 bytes; editors count UTF-16 units.
    let line = loc.line;
    let column = utf16Column(loc.lineText, loc.column);
    const map = m.pluginName === PLUGIN_NAME ? undefined : instrumentedMaps.get(file);
    if (map) {
      // The error is in the instrumented JS esbuild saw (e.g. an unresolved import): place it in the original.
      const orig = originalPosition(map, line, column);
      if (orig) ({ line, column } = orig);
    }
    return { file: displayPath(file), line, column: column + 1, message: m.text };
  });
  return new ProgramBuildError(out);
}

function utf16Column(lineText: string, byteColumn: number): number {
  const bytes = Buffer.from(lineText, 'utf8');
  if (byteColumn > bytes.length) return byteColumn;
  return bytes.subarray(0, byteColumn).toString('utf8').length;
}

/** 1-based line, 0-based column → original position through `map`, or undefined. */
function originalPosition(map: SourceMapV3, line: number, column: number): { line: number; column: number } | undefined {
  const o = originalPositionFor(new TraceMap(map as never), { line, column });
  return o.line === null || o.column === null ? undefined : { line: o.line, column: o.column };
}

function acornErrorMessage(e: unknown, jsMap: string, file: string): esbuild.PartialMessage {
  const text = e instanceof Error ? e.message.replace(/\s*\(\d+:\d+\)$/, '') : String(e);
  const loc = (e as { loc?: { line: number; column: number } }).loc;
  if (!loc) return { text };
  const orig = originalPosition(JSON.parse(jsMap) as SourceMapV3, loc.line, loc.column);
  return { text, location: { file, line: orig?.line ?? loc.line, column: orig?.column ?? loc.column } };
}
