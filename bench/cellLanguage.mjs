// Type-aware cells on a 50-cell notebook: how long completions and hovers take right after an edit (the program
// is rebuilt, then the request answered), median and p95, and the language service's memory. The extension's
// own code (kernel/language/, shared with the Jupyter kernel, bundled here with esbuild) on the TypeScript the .vsix ships (dist/typescript.js).
// Run by bench/run.mjs in its own process (node --expose-gc), or alone: node --expose-gc bench/cellLanguage.mjs
// Prints one JSON line on stdout.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CELLS = 50;
const EDITS = process.argv.includes('--quick') ? 10 : 40;

const outfile = join(tmpdir(), `backprop-bench-cells-${process.pid}.cjs`);
await esbuild.build({
  stdin: {
    contents: "export * from './kernel/language/virtualNotebook'; export * from './kernel/language/cellLanguageService'; export * from './kernel/language/languageFiles';",
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error', external: ['typescript'],
});
const { VirtualNotebook, CellLanguageService, languageFiles } = require(outfile);
rmSync(outfile);
const ts = require(join(root, 'dist', 'typescript.js'));

/** A lesson-like cell: data, a model, a loss, backward, a name declared again in every cell. */
function cell(i) {
  const prev = i > 0 ? `x${i - 1}` : `randn([8, 3], { seed: 0 })`;
  return [
    `const x${i} = ${prev}.tanh();`,
    `const layer${i} = new nn.Linear(3, 3, { seed: ${i} });`,
    `function loss${i}(t: Tensor): Tensor { return layer${i}.forward(t).square().mean(); }`,
    `let step = ${i};`,
    `const l${i} = loss${i}(x${i});`,
    `l${i}.backward();`,
    `const opt${i} = new optim.Adam(layer${i}.parameters(), { lr: 0.01 });`,
    `opt${i}.step();`,
  ].join('\n');
}

const gc = globalThis.gc ?? (() => {});
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const stats = (xs) => ({ medianMs: quantile(xs, 0.5), p95Ms: quantile(xs, 0.95), maxMs: Math.max(...xs) });

const texts = Array.from({ length: CELLS }, (_, i) => cell(i));
const before = heap();
const nb = new VirtualNotebook(ts, tmpdir(), 'bench');
const update = () => nb.update(texts.map((text, i) => ({ key: `cell${i}`, text, language: 'typescript' })));
update();
const service = new CellLanguageService(ts, nb, languageFiles(root));
let t = performance.now();
for (let i = 0; i < CELLS; i++) service.diagnostics(`cell${i}`);   // what the extension does when a notebook opens
const firstCheckMs = performance.now() - t;

/**
 * Times `request` right after an edit of cell `edited`; `typed(k)` is what the user has typed on a new line at the
 * cell's end; the request gets the offsets where that starts and ends.
 */
function afterEdits(edited, typed, request) {
  const times = [];
  const original = texts[edited];
  for (let k = 0; k < EDITS; k++) {
    texts[edited] = `${original}\n${typed(k)}`;
    t = performance.now();
    update();
    request(`cell${edited}`, original.length + 1, texts[edited].length);
    times.push(performance.now() - t);
  }
  texts[edited] = original;
  update();
  return stats(times);
}

const last = CELLS - 1, middle = CELLS / 2;
const results = {
  cells: CELLS, edits: EDITS, firstCheckMs,
  // typing `x24.` then more letters of a member in the middle cell, a completion list after each keystroke
  completionAfterEdit: afterEdits(middle, (k) => `x${middle - 1}.${'matmul'.slice(0, k % 6)}`, (key, _start, end) => service.completions(key, end)),
  // a new line in the last cell, then the hover of a name from the cell before
  hoverAfterEdit: afterEdits(last, (k) => `x${last - 1}${' '.repeat(k % 3)}`, (key, start) => service.quickInfo(key, start)),
  // an edit in the first cell changes what every later cell sees; then a completion in the last one
  completionAfterEarlyEdit: (() => {
    const times = [];
    const original = texts[0];
    const memberAt = texts[last].length;
    texts[last] += `\nx${last - 1}.`;
    for (let k = 0; k < EDITS; k++) {
      texts[0] = `${original}\nconst extra = ${k};`;
      t = performance.now();
      update();
      service.completions(`cell${last}`, memberAt + `\nx${last - 1}.`.length, '.');
      times.push(performance.now() - t);
    }
    texts[0] = original;
    return stats(times);
  })(),
};
results.heapMB = (heap() - before) / 2 ** 20;
results.rssMB = process.memoryUsage().rss / 2 ** 20;
service.dispose();
console.log(JSON.stringify(results));
