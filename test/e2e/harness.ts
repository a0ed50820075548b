/**
 * The end-to-end harness: a real VS Code (code-server 4.100.3) and a real browser (Debian's Chromium, driven by
 * playwright-core), both isolated in a throw-away HOME with their own XDG folders, user data, extensions and a free
 * port, as shared/e2e-recipe.md describes. The process-level pieces (install, isolation, start, stop by process id)
 * live in scripts/vscode-harness.js, shared with the extension-host suite (scripts/run-vscode-tests.js); this file
 * adds what the journeys need on top: a workspace of example files, the artifacts folder kept on failure, and step
 * logs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

interface HarnessDirs {
  base: string;
  home: string;
  config: string;
  data: string;
  cache: string;
  userData: string;
  extensions: string;
  profile: string;
  configFile: string;
}

interface CodeServer {
  port: number;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** The CommonJS helpers in scripts/vscode-harness.js (not compiled, so not under out/). */
interface VscodeHarness {
  ensureCodeServer(): string;
  isolatedDirs(prefix: string, settings?: Record<string, unknown>): HarnessDirs;
  startCodeServer(options: { bin: string; dirs: HarnessDirs; folder: string; logFile: string; workspaceTrust?: boolean }): Promise<CodeServer>;
  launchBrowser(dirs: HarnessDirs): Promise<BrowserContext>;
  workbenchUrl(server: CodeServer, options: { folder: string; extensionPath: string; testsPath?: string }): string;
  installVsix(bin: string, dirs: HarnessDirs, vsix: string): void;
  stamp(): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const harness = require(path.join(ROOT, 'scripts', 'vscode-harness.js')) as VscodeHarness;

// -----------------------------------------------------------------------------------------------------------------
// Artifacts: one folder per run of the suite, kept only when something failed.

let runFolder: string | undefined;
let failures = 0;

/** The folder of this run's screenshots and logs (created on first use). */
export function artifactsFolder(): string {
  if (!runFolder) {
    runFolder = path.join(ROOT, 'test-results', `e2e-${harness.stamp()}`);
    fs.mkdirSync(runFolder, { recursive: true });
  }
  return runFolder;
}

export function noteFailure(): void {
  failures++;
}

/** At the end of the run: drop the folder when everything passed, else name it. */
export function finishArtifacts(): void {
  if (!runFolder) return;
  if (failures === 0) {
    fs.rmSync(runFolder, { recursive: true, force: true });
    return;
  }
  console.error(`\n  e2e: ${failures} failure(s); screenshots and code-server / extension-host logs kept in ${path.relative(process.cwd(), runFolder)}`);
}

// -----------------------------------------------------------------------------------------------------------------
// Step log: what a journey did, with the time since it started, so a failure reads as a story.

export interface Steps {
  (text: string): void;
  elapsed(): number;
}

export function steps(): Steps {
  const t0 = Date.now();
  const log = ((text: string) => console.log(`      ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}`)) as Steps;
  log.elapsed = () => Date.now() - t0;
  return log;
}

// -----------------------------------------------------------------------------------------------------------------
// The workbench: one code-server and one browser page showing a workspace folder.

export interface WorkbenchOptions {
  /** Names the artifacts subfolder and the temp folders. */
  name: string;
  /** Keep VS Code's workspace trust (code-server then asks whether to trust the folder). */
  workspaceTrust?: boolean;
  /** User settings on top of the harness's quiet defaults. */
  settings?: Record<string, unknown>;
  /** Fills the workspace folder. */
  prepare(workspace: string): void;
}

let codeServerBin: string | undefined;

/** The code-server executable, installed first when missing (scripts/setup-e2e.sh, once per run). */
export function codeServer(): string {
  codeServerBin ??= harness.ensureCodeServer();
  return codeServerBin;
}

/** Install the packaged extension instead of loading this folder unpackaged (set by `npm run test:vsix`). */
const VSIX = process.env.COROUTINE_TRACE_E2E_VSIX;

export class Workbench {
  readonly browserLog: string[] = [];
  private shot = 0;

  private constructor(
    readonly name: string,
    readonly page: Page,
    readonly workspace: string,
    readonly artifacts: string,
    private readonly dirs: HarnessDirs,
    private readonly server: CodeServer,
    private readonly context: BrowserContext,
  ) {}

  /** Starts code-server and Chromium and opens the workspace; stops whatever it started if anything fails. */
  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const bin = codeServer();
    const dirs = harness.isolatedDirs(`ct-e2e-${options.name}-`, {
      ...(options.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {}),
      ...options.settings,
    });
    const artifacts = path.join(artifactsFolder(), options.name);
    fs.mkdirSync(artifacts, { recursive: true });
    const workspace = path.join(dirs.base, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    options.prepare(workspace);
    let server: CodeServer | undefined;
    let context: BrowserContext | undefined;
    try {
      if (VSIX) harness.installVsix(bin, dirs, path.resolve(ROOT, VSIX));
      server = await harness.startCodeServer({
        bin,
        dirs,
        folder: workspace,
        logFile: path.join(artifacts, 'code-server.log'),
        workspaceTrust: options.workspaceTrust,
      });
      context = await harness.launchBrowser(dirs);
      const page = context.pages()[0] ?? (await context.newPage());
      const workbench = new Workbench(options.name, page, workspace, artifacts, dirs, server, context);
      page.on('console', (m) => workbench.browserLog.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => workbench.browserLog.push(`[pageerror] ${e.message}`));
      const url = VSIX
        ? `${server.url}/?folder=${encodeURIComponent(workspace)}`
        : harness.workbenchUrl(server, { folder: workspace, extensionPath: ROOT });
      await page.goto(url);
      return workbench;
    } catch (err) {
      await context?.close().catch(() => undefined);
      await server?.stop();
      fs.rmSync(dirs.base, { recursive: true, force: true, maxRetries: 3 });
      throw err;
    }
  }

  get serverPid(): number {
    return this.server.pid;
  }

  /** A screenshot in the artifacts folder, numbered in order. */
  async screenshot(label: string): Promise<string> {
    const file = path.join(this.artifacts, `${String(++this.shot).padStart(2, '0')}-${slug(label)}.png`);
    await this.page.screenshot({ path: file }).catch(() => undefined);
    return file;
  }

  /** Keeps what explains a failed test: a screenshot and what the workbench showed as text. */
  async captureFailure(test: Mocha.Test, describe: () => Promise<string>): Promise<void> {
    noteFailure();
    const title = test.title;
    await this.screenshot(`FAILED ${title}`);
    const text = await describe().catch((e: unknown) => `(could not read the workbench: ${String(e)})`);
    fs.writeFileSync(path.join(this.artifacts, `${String(this.shot).padStart(2, '0')}-${slug(`FAILED ${title}`)}.txt`), text + '\n');
    // The failure names where its screenshots and logs are.
    const err = (test as unknown as { err?: Error }).err;
    if (err) {
      const old = err.message;
      err.message = `${old}\n      (screenshots and logs: ${path.relative(process.cwd(), this.artifacts)})`;
      if (err.stack) err.stack = err.stack.replace(old, err.message);
    }
  }

  /** Closes the browser, stops code-server by its process group, keeps its logs, removes the temp folders. */
  async stop(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.server.stop();
    fs.writeFileSync(path.join(this.artifacts, 'browser-console.log'), this.browserLog.join('\n') + '\n');
    // The workbench's logs: window, extension host (with every output channel), shared process.
    try {
      fs.cpSync(path.join(this.dirs.userData, 'logs'), path.join(this.artifacts, 'vscode-logs'), { recursive: true });
    } catch {
      // No logs written.
    }
    fs.rmSync(this.dirs.base, { recursive: true, force: true, maxRetries: 3 });
  }
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

// -----------------------------------------------------------------------------------------------------------------
// Small helpers for reading the repository's examples.

/** 1-based line of the first line of `file` (relative to the repository) that contains `snippet`. */
export function lineOf(file: string, snippet: string): number {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(snippet));
  if (index < 0) throw new Error(`"${snippet}" is not in ${file}: the journey's expectations need updating`);
  return index + 1;
}

/** Copies repository files into the workspace under the same relative paths. */
export function copyIntoWorkspace(workspace: string, files: string[]): void {
  for (const file of files) {
    const target = path.join(workspace, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), target);
  }
}
