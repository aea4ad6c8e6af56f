// `npm test`: sets up what the tests need (on first use), builds, then runs every test file with node's test
// runner. Usage: node scripts/test.mjs [--unit] [file filters...]
//   --unit   only test/unit (no browser, no VS Code): fast, needs nothing but `npm ci`.
import { spawnSync } from 'node:child_process';
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

if (!unitOnly && existsSync(join(root, 'scripts/setupTools.mjs'))) {
  if (run(process.execPath, [join(root, 'scripts/setupTools.mjs')]) !== 0) process.exit(1);
}
if (run(process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);

const dirs = unitOnly ? ['test/unit'] : ['test/unit', 'test/e2e', 'test/vscode'];
let files = dirs.flatMap((d) => testFiles(join(root, d)));
if (filters.length) files = files.filter((f) => filters.some((s) => relative(root, f).includes(s)));
if (!files.length) { console.error('no test files found'); process.exit(1); }
process.exit(run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]));
