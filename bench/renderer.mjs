// Times the graph renderer (dist/renderer.js) in headless Debian Chromium on graphs traced by the engine
// (dist/engine.js): deep MLPs of at least 200 and 2,000 tensors, drawn with everything expanded and with the
// default box limit (maxNodes 60). Prints the first (cold) render and the best of the next runs, in ms, from
// renderOutputItem() to its promise resolving (parse, view model, mermaid layout, label swap, DOM). Not a test.
// Usage: node scripts/build.mjs && node --import tsx bench/renderer.mjs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(join(root, 'dist/engine.js'));
// through require: tsx gives the fixture its CommonJS __dirname, as in the tests
const { startRendererPage } = require(join(root, 'test/e2e/fixtures/rendererPage.ts'));
const RUNS = 4;

/** An MLP with `layers` tanh layers of width 4 on a batch of 8, its loss traced after backward(). */
function traced(layers) {
  const model = new bp.nn.MLP([3, ...Array(layers).fill(4), 1], { activation: 'tanh', seed: 1 });
  const loss = bp.mseLoss(model.forward(bp.randn([8, 3], { seed: 2, name: 'x' })), bp.randn([8, 1], { seed: 3, name: 'y' }));
  loss.backward();
  const snap = bp.traceGraph(loss, { maxNodes: 100_000 });
  return JSON.stringify(snap, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** The smallest such MLP with at least `n` tensors (how many tensors a layer makes depends on the engine). */
function tracedAtLeast(n) {
  const size = (layers) => JSON.parse(traced(layers)).nodes.length;
  const base = size(1), perLayer = size(2) - base;
  let layers = Math.max(1, 1 + Math.ceil((n - base) / perLayer));
  while (size(layers) < n) layers++;
  return traced(layers);
}

// The page of the renderer tests: dist/renderer.js activated with the same fake webview host.
const rp = await startRendererPage();
const p = await rp.open('vscode-light', { width: 1000, height: 800 });
/* global window, document -- the function below runs in the page */
await p.evaluate(() => {
  let n = 0;
  window.time = async (text, maxNodes) => {
    window.disposeOutput();
    if (maxNodes !== window.maxNodes) { window.maxNodes = maxNodes; window.sendOptions({ type: 'options', maxNodes }); }
    const el = document.createElement('div');
    document.getElementById('out').replaceChildren(el);
    const t = performance.now();
    await window.renderGraph('bench' + n++, text, el);
    const ms = performance.now() - t;
    return { ms, boxes: el.querySelectorAll('g.node').length, error: el.querySelector('.bp-error')?.textContent };
  };
});

const cases = [
  { tensors: 200, maxNodes: 1000, what: 'all expanded' },
  { tensors: 200, maxNodes: 60, what: 'maxNodes 60 (default)' },
  { tensors: 2000, maxNodes: 60, what: 'maxNodes 60 (default)' },
];
console.log('tensors  drawn boxes  setting                cold ms  best ms (of ' + RUNS + ')');
for (const c of cases) {
  const text = tracedAtLeast(c.tensors);
  const tensors = JSON.parse(text).nodes.length;
  const times = [];
  let boxes = 0;
  for (let i = 0; i <= RUNS; i++) {
    const r = await p.evaluate(([t, m]) => globalThis.time(t, m), [text, c.maxNodes]);
    if (r.error) throw new Error(r.error);
    times.push(r.ms);
    boxes = r.boxes;
  }
  console.log(`${String(tensors).padStart(7)}  ${String(boxes).padStart(11)}  ${c.what.padEnd(21)}  ${times[0].toFixed(0).padStart(7)}  ${Math.min(...times.slice(1)).toFixed(0).padStart(7)}`);
}
await rp.close();
