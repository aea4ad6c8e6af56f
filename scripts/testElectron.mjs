// Runs the VS Code suite (out/vscode-suite, built by scripts/build.mjs) in desktop VS Code through
// @vscode/test-electron, for machines with internet: it downloads VS Code 1.100.3 from Microsoft into
// .vscode-test/. CI and offline machines run the same suite in code-server instead (test/vscode/extension.test.ts).
// On Linux without a display, run it under xvfb-run. Usage: npm run test:electron
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'vscode-suite'),
    // the Backprop log in the test output, as in code-server (test/vscode/extension.test.ts)
    extensionTestsEnv: { BACKPROP_LOG_TO_CONSOLE: '1' },
    launchArgs: [
      join(root, 'test', 'vscode', 'workspace'),
      // other installed extensions stay out; built-in ones (ipynb) stay in
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir', mkdtempSync(join(tmpdir(), 'bp-vscode-')),
    ],
  });
} catch (e) {
  console.error(`VS Code tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
