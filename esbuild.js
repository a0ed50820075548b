// Builds every bundle: one esbuild context per bundle. `node esbuild.js` builds once; `--watch` rebuilds on change;
// `--production` minifies.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Bundles that exist only once their entry file does (later issues add the extension and the webview). */
const bundles = [
  // The runtime users import, as ESM (bundled into traced programs by the runner) and CommonJS (plain `require`).
  { entryPoints: ['src/runtime/index.ts'], outfile: 'dist/runtime.mjs', format: 'esm', platform: 'node' },
  { entryPoints: ['src/runtime/index.ts'], outfile: 'dist/runtime.js', format: 'cjs', platform: 'node' },
  // Preloaded into traced programs by the runner (`node --require`): starts the trace's writer thread early.
  { entryPoints: ['src/runtime/writerPreload.ts'], outfile: 'dist/writerPreload.cjs', format: 'cjs', platform: 'node' },
  // The command line.
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    format: 'cjs',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: ['esbuild'],
  },
  // The extension host: only this bundle may import `vscode`.
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', platform: 'node', external: ['vscode', 'esbuild'] },
  // The webview: a browser bundle, no Node, no vscode.
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', format: 'iife', platform: 'browser' },
];

async function main() {
  const contexts = [];
  for (const b of bundles) {
    if (!fs.existsSync(path.join(__dirname, b.entryPoints[0]))) continue;
    contexts.push(
      await esbuild.context({
        bundle: true,
        target: b.platform === 'browser' ? 'es2022' : 'node20',
        sourcemap: true,
        minify: production,
        logLevel: 'warning',
        ...b,
      }),
    );
  }
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
