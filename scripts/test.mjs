// `npm test`: the gates first (type-check of everything, tests included; lint; the committed WebAssembly against a
// fresh build of its source), then sets up what the tests need (on first use), builds, and runs every test file
// with node's test runner. Any gate, the build or a test failing fails the whole.
// Usage: node scripts/test.mjs [--unit] [file filters...]
//   --unit   only test/unit (no browser, no VS Code): fast, needs nothing but `npm ci`; the gates still run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Runs a gate with its output held back, so gates running side by side print one after another. */
function gate(name, argv) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ name, code, out, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Every `*.test.ts` under a folder; suites that run inside VS Code (`test/vscode/suite`) are not node:test files. */
function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'suite' && name !== 'fixtures') out.push(...testFiles(p)); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// The gates run side by side (tsc and eslint are one thread each), before anything builds: the build rewrites
// the generated WebAssembly modules, which would hide a stale one.
const gates = await Promise.all([
  gate('typecheck', [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--noEmit']),
  gate('lint', [join(root, 'node_modules/eslint/bin/eslint.js'), '.']),
  gate('wasm', [join(root, 'scripts/buildWasm.mjs'), '--check']),
]);
for (const g of gates) {
  const verdict = g.code === 0 ? 'ok' : `FAILED (exit ${g.code})`;
  console.log(`gate ${g.name}: ${verdict} in ${g.seconds.toFixed(1)} s`);
  if (g.code !== 0) for (const line of g.out.trimEnd().split('\n')) console.log(`  ${g.name} | ${line}`);
}
if (gates.some((g) => g.code !== 0)) process.exit(1);

if (!unitOnly && run(process.execPath, [join(root, 'scripts/setupTools.mjs')]) !== 0) process.exit(1);
// The wasm gate has just compiled the WebAssembly and found the committed modules current.
if (run(process.execPath, [join(root, 'scripts/build.mjs'), '--skip-wasm']) !== 0) process.exit(1);

const dirs = unitOnly ? ['test/unit'] : ['test/unit', 'test/e2e', 'test/vscode', 'test/jupyter'];
let files = dirs.flatMap((d) => testFiles(join(root, d)));
if (filters.length) files = files.filter((f) => filters.some((s) => relative(root, f).includes(s)));
if (!files.length) { console.error('no test files found'); process.exit(1); }
// One file at a time: the files already use every core (kernel processes, matmul worker threads, code-server and
// chromium), and the browser and VS Code tests wait on timeouts that a starved CPU misses. On 2 cores the unit
// suite took 205 s one file at a time and 259 s two at a time (node's default there is 1 anyway).
process.exit(run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]));
