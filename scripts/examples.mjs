// `npm run examples`: runs every example notebook headless through the CLI (the same kernel VS Code uses) and
// writes the executed notebook and a self-contained HTML page of it under out/examples/.
// Usage: npm run examples [-- name ...]   (names filter by substring, e.g. `npm run examples -- chain`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'media', 'examples');
const outDir = join(root, 'out', 'examples');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync(outDir, { recursive: true });

const order = ['one-neuron', 'chain-rule', 'layers', 'training', 'gradcheck', 'nan', 'backward-step-by-step', 'cnn-mnist'];
const rank = (n) => { const i = order.indexOf(n.replace(/\.ipynb$/, '')); return i < 0 ? order.length : i; };
const notebooks = readdirSync(examples).filter((n) => n.endsWith('.ipynb'))
  .filter((n) => !filters.length || filters.some((f) => n.includes(f)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const written = [];
let failed = 0;
for (const name of notebooks) {
  const stem = name.replace(/\.ipynb$/, '');
  const out = join(outDir, `${stem}.ipynb`), html = join(outDir, `${stem}.html`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', join(examples, name), '--out', out, '--html', html],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: root, encoding: 'utf8' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) {
    console.log(`ran ${name} in ${seconds} s`);
    written.push(out, html);
  } else {
    failed++;
    console.error(`FAILED ${name} (exit ${r.status}) after ${seconds} s:\n${r.stderr}`);
  }
}
console.log(`\nwritten (open the .html files in a browser):\n${written.map((p) => `  ${relative(process.cwd(), p)}`).join('\n')}`);
process.exit(failed ? 1 : 0);
