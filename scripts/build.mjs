// Builds every bundle of the project with esbuild. Each entry is built only when its source exists, so the
// build grows with the project. Usage: node scripts/build.mjs [--watch]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = (p) => join(root, p);

/** CommonJS bundles for Node (engine, kernel, worker, CLI) and the extension host. */
const node = [
  { in: 'kernel/engine/index.ts', out: 'dist/engine.js' },
  { in: 'kernel/engine/matmul/worker.ts', out: 'dist/matmulWorker.js' },
  { in: 'kernel/process/main.ts', out: 'dist/kernel.js' },
  // the kernel's helper threads, loaded from next to dist/kernel.js (kernel/process/threadFile.ts)
  { in: 'kernel/process/interruptWatcher.ts', out: 'dist/interruptWatcher.js' },
  { in: 'kernel/process/outputRescuer.ts', out: 'dist/outputRescuer.js' },
  // TypeScript's transpiler, loaded by the kernel only where esbuild cannot run (kernel/cells/transpile.ts).
  { in: 'kernel/cells/typescriptTranspiler.ts', out: 'dist/typescriptTranspiler.js' },
  { in: 'cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
];
/** ES modules for the notebook renderer's webview. */
const browser = [{ in: 'renderer/index.ts', out: 'dist/renderer.js' }];

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
// The matmul kernel's wasm is embedded in a TypeScript module, so it is compiled before bundling.
await import('./buildWasm.mjs');

const jobs = [];
for (const e of node) {
  if (!existsSync(r(e.in))) continue;
  jobs.push(esbuild.build({
    ...common, entryPoints: [r(e.in)], outfile: r(e.out), platform: 'node', format: 'cjs', target: 'node20',
    external: e.external ?? [], banner: e.banner ? { js: e.banner } : undefined,
  }));
}
for (const e of browser) {
  if (!existsSync(r(e.in))) continue;
  jobs.push(esbuild.build({
    ...common, entryPoints: [r(e.in)], outfile: r(e.out), platform: 'browser', format: 'esm', target: 'es2022', minify: true,
  }));
}
/** The mocha suite that runs inside VS Code's extension host: one CommonJS file per test file, next to index.js. */
const suite = r('test/vscode/suite');
if (existsSync(suite)) {
  const entryPoints = readdirSync(suite).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => join(suite, f));
  rmSync(r('out/vscode-suite'), { recursive: true, force: true });   // no stale test files from removed sources
  jobs.push(esbuild.build({
    ...common, entryPoints, outdir: r('out/vscode-suite'), platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'],
  }));
}
await Promise.all(jobs);
console.log(`built ${jobs.length} bundle(s) into dist/`);
