// Times the graph renderer (dist/renderer.js) in headless Debian Chromium on graphs traced by the engine
// (dist/engine.js): deep MLPs of at least 200 and 2,000 tensors, drawn with everything expanded and with the
// default box limit (maxNodes 60). Prints the first (cold) render and the best of the next runs, in ms, from
// renderOutputItem() to its promise resolving (parse, view model, mermaid layout, label swap, DOM). Not a test.
// Usage: node scripts/build.mjs && node bench/renderer.mjs
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(join(root, 'dist/engine.js'));
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

const page = `<!doctype html><html><body class="vscode-light"><div id="out"></div><script type="module">
import { activate } from '/renderer.js';
const listeners = [];
const api = await activate({ postMessage() {}, onDidReceiveMessage: (l) => { listeners.push(l); return { dispose() {} }; } });
let n = 0;
window.time = async (text, maxNodes) => {
  api.disposeOutputItem();
  if (maxNodes !== window.maxNodes) { window.maxNodes = maxNodes; listeners.forEach((l) => l({ type: 'options', maxNodes })); }
  const el = document.createElement('div');
  document.getElementById('out').replaceChildren(el);
  const item = { id: 'bench' + n++, mime: 'application/vnd.backprop.graph+json', text: () => text, json: () => JSON.parse(text), data: () => new Uint8Array() };
  const t = performance.now();
  await api.renderOutputItem(item, el, new AbortController().signal);
  const ms = performance.now() - t;
  return { ms, boxes: el.querySelectorAll('g.node').length, error: el.querySelector('.bp-error')?.textContent };
};
window.ready = true;
</script></body></html>`;

const server = createServer((req, res) => {
  if (req.url === '/renderer.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(readFileSync(join(root, 'dist/renderer.js'))); }
  else { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
});
const p = await browser.newPage({ viewport: { width: 1000, height: 800 } });
await p.goto(`http://127.0.0.1:${server.address().port}/`);
await p.waitForFunction(() => globalThis.ready === true);

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
await browser.close();
server.close();
