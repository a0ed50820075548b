/**
 * Root hooks of the end-to-end run (loaded with mocha's --require): install what is missing (Debian's Chromium and
 * code-server, through scripts/setup-e2e.sh: quick when installed), check the build, and at the end name the folder
 * with the screenshots and logs of any failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, codeServer, finishArtifacts } from './harness';

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    // The first install on a fresh machine downloads and builds code-server: minutes.
    this.timeout(30 * 60_000);
    for (const built of ['dist/extension.js', 'dist/webview.js', 'dist/runtime.mjs']) {
      if (!fs.existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` (npm run test:e2e does)`);
    }
    codeServer();
  },
  afterAll(): void {
    finishArtifacts();
  },
};
