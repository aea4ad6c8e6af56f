// Builds every bundle of the project with esbuild; a missing entry point is an error, as is any bundle that fails.
// Usage: node scripts/build.mjs [--skip-wasm]
//   --skip-wasm  do not recompile the WebAssembly first (npm test has just checked that it is current).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeclarations } from './buildDeclarations.mjs';
import { buildWasm } from './buildWasm.mjs';

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
  { in: 'cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  // the Jupyter kernel, loaded by dist/cli.js for its Jupyter commands; ZeroMQ's native addon stays in node_modules
  { in: 'jupyter/main.ts', out: 'dist/jupyter.js', external: ['zeromq'] },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  // Runs inside tsserver; buildLanguageFiles.mjs also puts it where tsserver looks (node_modules/<its name>/).
  { in: 'extension/language/tsserverPlugin.ts', out: 'dist/tsserverPlugin.js' },
];
/** ES modules for the notebook renderer's webview. */
const browser = [
  { in: 'renderer/index.ts', out: 'dist/renderer.js' },
  // --- plots --- (a renderer of its own: Observable Plot is loaded only where a plot is shown)
  { in: 'renderer/plot/index.ts', out: 'dist/plotRenderer.js' },
];

/** The mocha suite that runs inside VS Code's extension host: one CommonJS file per test file, next to index.js. */
const suite = r('test/vscode/suite');

const missing = [...node, ...browser].map((e) => e.in).concat('test/vscode/suite/index.ts').filter((p) => !existsSync(r(p)));
if (missing.length) {
  console.error(`build: missing entry point(s): ${missing.join(', ')}`);
  process.exit(1);
}
// The matmul kernel's wasm is embedded in a TypeScript module, so it is compiled before bundling.
if (!process.argv.includes('--skip-wasm')) await buildWasm();

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };

const jobs = [];
for (const e of node) {
  jobs.push(esbuild.build({
    ...common, entryPoints: [r(e.in)], outfile: r(e.out), platform: 'node', format: 'cjs', target: 'node20',
    external: e.external ?? [], banner: e.banner ? { js: e.banner } : undefined,
  }));
}
for (const e of browser) {
  jobs.push(esbuild.build({
    ...common, entryPoints: [r(e.in)], outfile: r(e.out), platform: 'browser', format: 'esm', target: 'es2022', minify: true,
  }));
}
const entryPoints = readdirSync(suite).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => join(suite, f));
rmSync(r('out/vscode-suite'), { recursive: true, force: true });   // no stale test files from removed sources
jobs.push(esbuild.build({
  ...common, entryPoints, outdir: r('out/vscode-suite'), platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode', 'mocha'],
}));
await Promise.all(jobs);
// TypeScript, its lib files and @types/node for type-aware cells (and the kernel's fallback transpiler).
await import('./buildLanguageFiles.mjs');
console.log(`built ${jobs.length} bundle(s) into dist/`);
// The engine's declarations (dist/engine.d.ts) and the cells' globals (dist/cells.d.ts), when their sources changed.
if (buildDeclarations()) console.log('wrote dist/engine.d.ts and dist/cells.d.ts');
