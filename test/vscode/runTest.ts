/**
 * Runs the extension-host suite in a downloaded VS Code with `@vscode/test-electron` (`npm run test:vscode`). Needs
 * the internet; offline machines run the same suite in code-server (`npm run test:vscode-host`).
 */
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [root, '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (err) {
    console.error(`extension-host tests failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();
