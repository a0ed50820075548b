// Shared by the scripts that drive a real VS Code in a browser on an offline machine: code-server 4.100.3 (VS Code
// 1.100.3, installed by setup-e2e.sh into a cache folder) and Debian's chromium through playwright-core.
// See shared/e2e-recipe.md for the reasons behind each step.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = process.env.COROUTINE_TRACE_CHROMIUM || '/usr/bin/chromium';

/** Runs setup-e2e.sh (idempotent: quick once installed) and returns the code-server executable. */
function ensureCodeServer() {
  const r = spawnSync('bash', [path.join(__dirname, 'setup-e2e.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`setup-e2e.sh failed (exit ${r.status})`);
  const lines = r.stdout.trim().split('\n');
  for (const line of lines.slice(0, -1)) console.log(line);
  const bin = lines[lines.length - 1];
  if (!fs.existsSync(bin)) throw new Error(`code-server not found at ${bin}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away home: HOME, XDG dirs, user data, extensions, browser profile, all under one temp folder. `settings`
 * are added to (or override) the quiet defaults of the user settings.json.
 */
function isolatedDirs(prefix, settings = {}) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dirs = {
    base,
    home: path.join(base, 'home'),
    config: path.join(base, 'xdg-config'),
    data: path.join(base, 'xdg-data'),
    cache: path.join(base, 'xdg-cache'),
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    profile: path.join(base, 'chromium-profile'),
    configFile: path.join(base, 'code-server.yaml'),
  };
  for (const d of [dirs.home, dirs.config, dirs.data, dirs.cache, path.join(dirs.userData, 'User'), dirs.extensions, dirs.profile]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(dirs.configFile, '');
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'typescript.disableAutomaticTypeAcquisition': true,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'window.restoreWindows': 'none',
        'git.enabled': false,
        'update.mode': 'none',
        'explorer.compactFolders': false,
        // Only TypeScript's syntax server: no project loading and type-checking of the whole repository on 2 cores
        // while the tests run.
        'typescript.tsserver.useSyntaxServer': 'always',
        ...settings,
      },
      null,
      2,
    ),
  );
  return dirs;
}

function isolatedEnv(dirs) {
  return {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
  };
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/**
 * Starts code-server on a free port, in its own process group, with its output in `logFile`. Resolves once
 * /healthz answers. `stop()` ends the whole group (its extension host and the programs it ran go with it).
 * With `workspaceTrust`, code-server keeps VS Code's workspace trust (no --disable-workspace-trust): opening a folder
 * asks whether to trust it (also set `security.workspace.trust.enabled` in the settings).
 */
async function startCodeServer({ bin, dirs, folder, logFile, workspaceTrust = false }) {
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    bin,
    [
      '--config', dirs.configFile,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      folder,
    ],
    { env: isolatedEnv(dirs), stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  // Whatever happens to this script (an error, Ctrl+C, a closed pipe), code-server's process group goes with it.
  const killGroup = () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.on('exit', killGroup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      killGroup();
      process.exit(130);
    });
  }
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 30 && !exited; i++) await sleep(100);
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  const deadline = Date.now() + 60_000;
  while ((await get(`http://127.0.0.1:${port}/healthz`)) !== 200) {
    if (exited) throw new Error(`code-server exited early; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on port ${port} within 60 s; see ${logFile}`);
    }
    await sleep(250);
  }
  return { port, pid: child.pid, url: `http://127.0.0.1:${port}`, stop };
}

async function launchBrowser(dirs) {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (setup-e2e.sh installs Debian's chromium)`);
  return chromium.launchPersistentContext(dirs.profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: isolatedEnv(dirs),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Installs a packaged extension into the isolated extensions folder (code-server's --install-extension). */
function installVsix(bin, dirs, vsix) {
  const r = spawnSync(bin, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], {
    env: isolatedEnv(dirs),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
}

/** The workbench URL that loads an extension unpackaged, and optionally runs its tests in the extension host. */
function workbenchUrl(server, { folder, extensionPath, testsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function stamp() {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

module.exports = { ROOT, ensureCodeServer, isolatedDirs, startCodeServer, launchBrowser, installVsix, workbenchUrl, sleep, stamp };
