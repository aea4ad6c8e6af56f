// Every example notebook runs top to bottom through `backprop-nb run` (dist/cli.js, the kernel VS Code uses),
// and the numbers each one is about are read back from its executed outputs: the chain rule's hand-derived
// gradients equal the engine's, the delta recurrence matches backward(), gradients vanish and explode where the
// text says they do, training gets the loss down, and gradcheck catches the wrong gradient.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GRAPH_MIME, PLOT_MIME, type LineLayer, type PlotSpec } from '../../kernel/client/protocol';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const examples = join(root, 'media', 'examples');
const KERNELSPEC = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };

type Lines = string | string[];
interface Output { output_type: string; name?: string; text?: Lines; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: Lines; execution_count?: number | null; outputs?: Output[] }
interface Notebook { cells: Cell[]; metadata: { kernelspec?: unknown }; nbformat: number }

const text = (s: Lines | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');
let outDir = '';
const executed = new Map<string, Notebook>();

/** Runs an example through the CLI (once) and returns the executed notebook. */
function run(name: string, timeoutMs = 120_000): Notebook {
  const cached = executed.get(name);
  if (cached) return cached;
  assert.ok(existsSync(cli), 'dist/cli.js is built (node scripts/build.mjs)');
  const out = join(outDir, name);
  const r = spawnSync(process.execPath, [cli, 'run', join(examples, name), '--out', out], { encoding: 'utf8', timeout: timeoutMs });
  assert.equal(r.status, 0, `backprop-nb run ${name} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const nb = JSON.parse(readFileSync(out, 'utf8')) as Notebook;
  executed.set(name, nb);
  return nb;
}

const codeCells = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code');
/** Everything the notebook printed, in order. */
const printed = (nb: Notebook) => codeCells(nb).flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => text(o.text)).join('');
const outputsWith = (nb: Notebook, mime: string) => codeCells(nb).flatMap((c) => c.outputs ?? []).filter((o) => o.data && mime in o.data);
/** The number after `label` in the printed text (first match). */
function numberAfter(nb: Notebook, label: RegExp): number {
  const m = new RegExp(`${label.source}\\s*(-?[0-9.]+(?:e[-+]?[0-9]+)?)`).exec(printed(nb));
  assert.ok(m, `the notebook prints ${label}`);
  return Number(m[1]);
}

before(() => { outDir = mkdtempSync(join(tmpdir(), 'bp-examples-')); });
after(() => { rmSync(outDir, { recursive: true, force: true }); });

test('the examples are there, as nbformat 4 notebooks for the backprop-ts kernel, without outputs', () => {
  const names = readdirSync(examples).filter((n) => n.endsWith('.ipynb')).sort();
  assert.deepEqual(names, ['backward-step-by-step.ipynb', 'chain-rule.ipynb', 'cnn-mnist.ipynb', 'gradcheck.ipynb', 'layers.ipynb', 'nan.ipynb', 'one-neuron.ipynb', 'training.ipynb']);
  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(examples, name), 'utf8')) as Notebook;
    assert.equal(nb.nbformat, 4, name);
    assert.deepEqual(nb.metadata.kernelspec, KERNELSPEC, name);
    assert.ok(nb.cells.some((c) => c.cell_type === 'markdown' && /\$[^$]+\$/.test(text(c.source))), `${name} teaches with maths`);
    for (const c of codeCells(nb)) assert.deepEqual(c.outputs ?? [], [], `${name} is stored without outputs`);
  }
});

for (const name of ['one-neuron.ipynb', 'chain-rule.ipynb', 'layers.ipynb', 'training.ipynb', 'gradcheck.ipynb', 'nan.ipynb', 'backward-step-by-step.ipynb']) {
  test(`${name} runs top to bottom without an error and shows a graph`, { timeout: 150_000 }, () => {
    const nb = run(name);
    for (const [i, c] of codeCells(nb).entries()) {
      const errors = (c.outputs ?? []).filter((o) => o.output_type === 'error');
      assert.deepEqual(errors, [], `code cell ${i + 1} of ${name} raised`);
      assert.equal(typeof c.execution_count, 'number', `code cell ${i + 1} of ${name} ran`);
    }
    assert.ok(outputsWith(nb, GRAPH_MIME).length > 0, `${name} shows at least one computation graph`);
  });
}

test('one-neuron: the gradients of tanh(w·x + b) follow from the printed values', { timeout: 150_000 }, () => {
  const nb = run('one-neuron.ipynb');
  const graphs = outputsWith(nb, GRAPH_MIME).map((o) => o.data![GRAPH_MIME] as { nodes: { kind: string; name?: string; grad?: { values?: number[] } }[] });
  assert.ok(graphs.length >= 2, 'the neuron is run twice (an input changed in between)');
  for (const g of graphs) {
    const leaves = g.nodes.filter((n) => n.kind === 'leaf' && n.grad);
    assert.ok(leaves.length >= 3, 'every input and parameter carries its gradient on the graph');
  }
});

test('chain-rule: the hand-derived numbers equal the engine\'s, and the two edge shares add up', { timeout: 150_000 }, () => {
  const nb = run('chain-rule.ipynb');
  const rows = new Map<string, { engine: number; hand: number }>();
  for (const line of printed(nb).split('\n')) {
    const cols = line.trim().split(/\s{2,}/);
    if (cols.length >= 3 && /^(f|df\/d)/.test(cols[0]) && !Number.isNaN(Number(cols[1]))) {
      rows.set(cols[0], { engine: Number(cols[1]), hand: Number(cols[2]) });
    }
  }
  assert.deepEqual([...rows.keys()], ['f', 'df/dx via u = x*y', 'df/dx via v = x^2', 'df/dx', 'df/dy']);
  for (const [label, { engine, hand }] of rows) {
    assert.ok(Math.abs(engine - hand) <= 1e-12 * Math.max(1, Math.abs(hand)), `${label}: engine ${engine} vs hand ${hand}`);
  }
  const viaU = rows.get('df/dx via u = x*y')!.engine, viaV = rows.get('df/dx via v = x^2')!.engine;
  assert.ok(Math.abs(viaU + viaV - rows.get('df/dx')!.engine) < 1e-12, 'the edge shares sum to the gradient');
  // and the notebook's x = 0.5, y = -1.5 against this test's own arithmetic
  const f = Math.tanh(0.5 * -1.5 + 0.25);
  assert.ok(Math.abs(rows.get('f')!.engine - f) < 1e-12);
  assert.ok(Math.abs(rows.get('df/dx')!.engine - (1 - f * f) * (-1.5 + 2 * 0.5)) < 1e-12);
  assert.match(printed(nb), /after two backwards: g\.grad = 12/);
});

test('layers: the hand delta recurrence matches backward(); vanishing < healthy < exploding', { timeout: 150_000 }, () => {
  const nb = run('layers.ipynb');
  const deltaRows = printed(nb).split('\n').filter((l) => /^delta \d/.test(l));
  assert.equal(deltaRows.length, 4, 'one row per layer');
  for (const row of deltaRows) {
    const [, , norm, dDelta, dW] = row.trim().split(/\s+/).map(Number);
    assert.ok(norm > 0, row);
    assert.ok(dDelta <= 1e-12 && dW <= 1e-12, `hand-computed δ and ∂L/∂W equal the engine's: ${row}`);
  }
  const firstW = (kind: string) => numberAfter(nb, new RegExp(`${kind}: loss = [^\\n]*\\n\\s*‖∂L/∂W‖ first layer =`));
  const bias = (kind: string) => {
    const m = new RegExp(`${kind}: [\\s\\S]*?‖∂L/∂b‖ first layer = (\\S+), last layer = (\\S+)`).exec(printed(nb));
    assert.ok(m, `${kind} prints its bias gradients`);
    return { first: Number(m[1]), last: Number(m[2]) };
  };
  const vanishing = firstW('sigmoid'), exploding = firstW('relu-large-init'), healthy = firstW('relu-residual');
  assert.ok(vanishing < 1e-6, `sigmoid's first-layer gradient vanishes (${vanishing})`);
  assert.ok(exploding > 1e6, `the large initialisation's explodes (${exploding})`);
  assert.ok(vanishing < healthy && healthy < exploding, `${vanishing} < ${healthy} < ${exploding}`);
  const ratio = (b: { first: number; last: number }) => b.first / b.last;
  assert.ok(ratio(bias('sigmoid')) < 1e-6, 'δ shrinks towards the first layer');
  assert.ok(ratio(bias('relu-large-init')) > 1e3, 'δ grows towards the first layer');
  const r = ratio(bias('relu-residual'));
  assert.ok(r > 0.1 && r < 10, `δ keeps its size through the residual network (${r})`);
  const charts = outputsWith(nb, 'image/svg+xml');
  assert.equal(charts.length, 2, 'the comparison charts are displayed as SVG: the three networks, then the cures');
  for (const chart of charts) assert.match(text(chart.data!['image/svg+xml'] as Lines), /^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
  assert.equal((text(charts[1].data!['image/svg+xml'] as Lines).match(/<path /g) ?? []).length, 4, 'one line per network: untreated and three cures');
});

test('layers: each cure (ReLU, residual connections, batch normalisation) keeps the first layer\'s gradient', { timeout: 150_000 }, () => {
  const nb = run('layers.ipynb');
  const weights = (cure: string) => {
    const m = new RegExp(`cure ${cure}: [\\s\\S]*?‖∂L/∂W‖ first layer = (\\S+), last layer = (\\S+)`).exec(printed(nb));
    assert.ok(m, `the ${cure} network prints its weight gradients`);
    return Number(m[1]) / Number(m[2]);
  };
  assert.ok(weights('none') < 1e-9, `the untreated sigmoid network's first-layer gradient vanishes (${weights('none')} of the last's)`);
  for (const cure of ['relu', 'residual', 'batchnorm']) {
    const r = weights(cure);
    assert.ok(r > 0.01 && r < 100, `${cure}: the first layer's gradient is within a small factor of the last's (${r})`);
  }
  // every cure's cell shows its graph (the gradient-flow chart comes with it)
  const cells = codeCells(nb).filter((c) => /cured\('(relu|residual|batchnorm)'\)/.test(text(c.source)) && !/function/.test(text(c.source)));
  assert.equal(cells.length, 3);
  for (const c of cells) assert.equal((c.outputs ?? []).filter((o) => o.data && GRAPH_MIME in o.data).length, 1, text(c.source));
  const graph = outputsWith(nb, GRAPH_MIME).map((o) => o.data![GRAPH_MIME] as { nodes: { op?: string }[] }).filter((g) => g.nodes.some((n) => n.op === 'batchNorm'));
  assert.ok(graph.length >= 1, 'the batch-normalised network\'s graph has batchNorm nodes');
});

test('training: the loss falls below 0.05 and the decision boundary is drawn', { timeout: 150_000 }, () => {
  const nb = run('training.ipynb');
  const first = numberAfter(nb, /step\s+1\s+loss/), last = numberAfter(nb, /final loss/);
  assert.ok(first > 0.5, `an untrained network is near chance (loss ${first})`);
  assert.ok(last < 0.05, `the trained network's loss is small (${last})`);
  assert.ok(numberAfter(nb, /accuracy/) >= 95, 'it separates the moons');
  // two plots: the loss curve (one output, updated in place by the loop) and the decision boundary
  const pictures = outputsWith(nb, PLOT_MIME);
  assert.deepEqual(pictures.map((o) => (o.data![PLOT_MIME] as PlotSpec).kind), ['line', 'scatter']);
  const curve = (pictures[0].data![PLOT_MIME] as PlotSpec).layers[0] as LineLayer;
  assert.equal(curve.y.length, 300, 'the curve shows every step');
  assert.ok(Math.abs(curve.y[299]! - last) < 1e-3, 'its last point is the final loss');
  const svg = text(pictures[1].data!['image/svg+xml'] as Lines);
  assert.equal((svg.match(/<circle /g) ?? []).length, 200, 'every data point is drawn');
  assert.ok(svg.length < 400_000, `the picture stays small (${svg.length} bytes)`);
});

test('gradcheck: the wrong custom gradient fails the check, the fixed one passes', { timeout: 150_000 }, () => {
  const nb = run('gradcheck.ipynb');
  assert.match(printed(nb), /wrong softplus: ok = false/);
  assert.match(printed(nb), /correct softplus: ok = true/);
  assert.ok(numberAfter(nb, /wrong softplus: ok = false, max abs error =/) > 1);
  assert.ok(numberAfter(nb, /correct softplus: ok = true, max abs error =/) < 1e-6);
  const graphs = outputsWith(nb, GRAPH_MIME).map((o) => o.data![GRAPH_MIME] as { nodes: { op?: string }[] });
  assert.ok(graphs.at(-1)!.nodes.some((n) => n.op === 'softplus'), 'the custom op shows in the graph under its own name');
});

// --- non-finite values ---
test('nan: each NaN or infinity is traced to the op and the line that made it, forward and backward', { timeout: 150_000 }, () => {
  const nb = run('nan.ipynb');
  const warnings = printed(nb).split('Warning: ').slice(1);
  assert.equal(warnings.length, 3, 'the clamped loss has no warning');
  assert.match(warnings[0], /^NaN in this cell's graph: it was first made by log, called at cell\[1\] line 3\.\n {2}log\(-2\) = NaN/);
  assert.match(warnings[1], /^Infinity .* in backward\(\) by the gradient of sqrt, called at cell\[3\] line 2\./);
  assert.match(warnings[2], /^-Infinity .* by log, called at cell\[4\] line 2\.\n {2}log\(0\) = -Infinity\n {2}2 \| return p\.mul\(p\.log\(\)\)/);
  const marks = outputsWith(nb, GRAPH_MIME).map((o) => (o.data![GRAPH_MIME] as { nonFinite?: { op?: string } }).nonFinite?.op);
  assert.deepEqual(marks, ['log', undefined, 'sqrt', 'log']);
});

// --- backward-step-by-step ---
test('backward-step-by-step: hand steps equal backward(), the Jacobian is W2 diag(1 - a1²), the NaN is found and fixed', { timeout: 150_000 }, () => {
  const nb = run('backward-step-by-step.ipynb');
  const differences = [...printed(nb).matchAll(/max \|[^|]+\| = (\S+)/g)].map((m) => Number(m[1]));
  assert.equal(differences.length, 7, 'the neuron, δ2, δ1, both weight gradients, J and δ2·J are each compared');
  for (const d of differences) assert.ok(d <= 1e-12, `hand and engine agree (${d})`);
  assert.ok(numberAfter(nb, /NaN from step/) > 1, 'the wrong formula trains a few steps before it breaks');
  assert.ok(numberAfter(nb, /where min p =/) < 0, 'the NaN is a log of a negative p');
  assert.match(printed(nb), /p = σ\(z\): [^\n]*NaN: none/);
  const plots = outputsWith(nb, PLOT_MIME).map((o) => o.data![PLOT_MIME] as PlotSpec);
  assert.deepEqual(plots.map((p) => p.kind), ['heatmap', 'histogram', 'heatmap', 'line']);
  const [wrong, right] = plots[3].layers as LineLayer[];
  assert.ok(wrong.y.includes(null) && !right.y.includes(null), 'the NaN steps are gaps in the first line only');
});

// --- convolution ---
test('cnn-mnist: the CNN trained in the notebook reads at least 97% of the test digits; pictures and a graph shown', { timeout: 620_000 }, () => {
  // About two minutes of CPU time; the margin is for a busy machine (7 minutes with the load average at 20 on 2 cores).
  const nb = run('cnn-mnist.ipynb', 600_000);
  for (const [i, c] of codeCells(nb).entries()) {
    assert.deepEqual((c.outputs ?? []).filter((o) => o.output_type === 'error'), [], `code cell ${i + 1} raised`);
  }
  const accuracy = numberAfter(nb, /test accuracy/);
  assert.ok(accuracy >= 0.97, `test accuracy ${accuracy} < 0.97`);
  // Digits, loss curve, misclassified digits, filters, their gradients.
  assert.equal(outputsWith(nb, 'image/svg+xml').length, 5);
  assert.ok(outputsWith(nb, GRAPH_MIME).length > 0, 'the probe backward() shows its graph');
});
