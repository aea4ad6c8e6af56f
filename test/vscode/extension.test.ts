// Runs the suite test/vscode/suite (bundled into out/vscode-suite by scripts/build.mjs) inside a real VS Code
// (code-server's extension host) with this repository as the extension under development, and reports each of
// its tests. Needs scripts/setupTools.mjs (npm test runs it) and a build.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './codeServer';
import { runExtensionTests } from './runExtensionTests';

const suitePath = join(repoRoot, 'out', 'vscode-suite');

test('extension suite inside VS Code (code-server)', { timeout: 480_000 }, async (t) => {
  assert.ok(existsSync(join(suitePath, 'index.js')), 'out/vscode-suite/index.js is built (node scripts/build.mjs)');
  const verbose = !!process.env.BACKPROP_VERBOSE;
  const run = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suitePath,
    workspace: join(repoRoot, 'test', 'vscode', 'workspace'),
    timeoutMs: 420_000,
    env: { BACKPROP_LOG_TO_CONSOLE: '1' },
    onLine: verbose ? (l) => console.log(l) : undefined,
  });
  for (const r of run.tests) {
    await t.test(r.title, { skip: r.state === 'pending' }, () => {
      if (r.state !== 'failed') return;
      const inner = new Error(r.error?.split('\n')[0] ?? 'failed');
      inner.stack = r.error;   // the stack inside the extension host, not this runner's
      throw inner;
    });
  }
  const context = `extension host output:\n${run.lines.join('\n')}`;
  assert.notEqual(run.code, 'timeout', `the suite did not finish in time\n${context}\ncode-server:\n${run.serverLog}`);
  assert.ok(run.tests.length > 0, `no test results were reported\n${context}`);
  assert.equal(run.code, 0, `the suite failed\n${context}`);
});
