// The renderer on a snapshot from the real engine: an MLP built with kernel/engine, backward(), traceGraph(),
// rendered in headless Chromium. Every gradient-carrying edge gets its label on the right edge, and the edge
// gradients out of each tensor add up to its own gradient.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as bp from '../../kernel/engine';
import { formatNumber } from '../../renderer/format';
import { toJson } from './fixtures/graphs';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';
import { renderIn, startRendererPage, type RendererPage } from './fixtures/rendererPage';


function mlpSnapshot() {
  const model = new bp.nn.MLP([3, 4, 1], { activation: 'tanh', seed: 1 });
  const x = bp.randn([8, 3], { seed: 2, name: 'x' });
  const y = bp.randn([8, 1], { seed: 3, name: 'y' });
  const loss = bp.mseLoss(model.forward(x), y);
  loss.backward();
  return bp.traceGraph(loss, { step: 1 });
}

describe('renderer on a graph traced by the engine', () => {
  let rp: RendererPage;
  before(async () => {
    requireArtefacts(CHROMIUM, bundle('renderer.js'));
    rp = await startRendererPage();
  });
  after(async () => { await rp?.close(); });

  it('labels every edge with its gradient, and they add up to each tensor’s gradient', async () => {
    const snap = mlpSnapshot();
    const num = (v: unknown) => Number(v);
    // the contract the labels rely on: a tensor's gradient is the sum of its outgoing edges' gradients
    for (const n of snap.nodes.filter((n) => n.grad?.values)) {
      const out = snap.edges.filter((e) => e.from === n.id && e.grad);
      if (!out.length) continue;
      n.grad!.values!.forEach((g, i) => {
        const sum = out.reduce((s, e) => s + num(e.grad!.values![i]), 0);
        assert.ok(Math.abs(sum - num(g)) < 1e-9 * Math.max(1, Math.abs(num(g))), `${n.name ?? n.op} [${i}]`);
      });
    }
    const p = await rp.open();
    const msg = await renderIn(p, 'engine-mlp', toJson(snap));
    assert.equal(msg.type, 'rendered');
    assert.equal(msg.nodes, snap.nodes.length);
    assert.equal(msg.edges, snap.edges.length);
    for (const e of snap.edges) {
      const labels = await p.$$eval(`#out g.edgeLabel[data-from="${e.from}"][data-to="${e.to}"]`, (els) => els.map((x) => x.textContent));
      if (!e.grad) { assert.deepEqual(labels, [], `${e.from}→${e.to} has no gradient`); continue; }
      const g = e.grad;
      const expected = g.shape.reduce((a, b) => a * b, 1) === 1 ? `∇ ${formatNumber(num(g.values![0]), 3)}` : `‖∇‖ ${formatNumber(num(g.norm), 3)}`;
      assert.ok(labels.includes(expected), `${e.from}→${e.to}: ${JSON.stringify(labels)} has ${expected}`);
    }
    const text = (await p.locator('#out svg.bp-graph').textContent())!;
    for (const name of ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'mseLoss', 'tanh']) assert.ok(text.includes(name), name);
    const bars = await p.$$eval('#out .bp-flow text', (ts) => ts.map((t) => t.textContent));
    const order = ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias'].map((n) => bars.indexOf(n));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), JSON.stringify(bars));
    await p.screenshot({ path: join(tmpdir(), 'backprop-renderer-shots', 'engine-mlp.png'), fullPage: true });
    await p.close();
  });
});
