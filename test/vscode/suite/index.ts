// Entry point of the suite that runs inside VS Code's extension host: the host require()s the bundle
// (out/vscode-suite/index.js) and awaits run(), the contract of @vscode/test-electron and code-server alike.
// Each test's result is also printed as one JSON line, so the node:test runner outside can report them one by one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

const marker = 'BACKPROP-SUITE ';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.BACKPROP_SUITE_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (failures) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    const report = (state: string, test: Mocha.Test, err?: Error): void => {
      console.log(marker + JSON.stringify({
        state, title: test.fullTitle(), durationMs: test.duration,
        error: err ? String(err.stack ?? err.message) : undefined,
      }));
    };
    runner.on('pass', (t) => report('passed', t));
    runner.on('fail', (t, err) => report('failed', t, err));
    runner.on('pending', (t) => report('pending', t));
  });
}
