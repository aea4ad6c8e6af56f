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

  it('after a second backward() without zeroGrad, says where a leaf\'s .grad (the sum) differs from the gradient drawn', async () => {
    const w = bp.tensor([1, -2], { requiresGrad: true, name: 'w' }), b = bp.tensor([0.5, 0.5], { requiresGrad: true, name: 'b' });
    const x = bp.tensor([3, 4], { name: 'x' });
    const loss = () => w.mul(x).add(b).tanh().sum();
    const once = loss();
    once.backward();
    const first = bp.traceGraph(once, { step: 1 });
    assert.ok(first.nodes.every((n) => !n.accumulatedGrad), 'one backward: nothing accumulated');
    const again = loss();
    again.backward();
    const snap = bp.traceGraph(again, { step: 2 });
    const wNode = snap.nodes.find((n) => n.name === 'w')!;
    assert.deepEqual(wNode.accumulatedGrad!.values, Array.from(w.grad!.data), "the field holds w's .grad");
    assert.deepEqual(wNode.accumulatedGrad!.values.map((v, i) => Number(v) / 2 - Number(wNode.grad!.values![i])).map((d) => Math.abs(d) < 1e-12), [true, true]);
    const p = await rp.open();
    await renderIn(p, 'engine-accumulated', toJson(snap));
    const notes = (await p.locator('#out .bp-notes').textContent())!;
    assert.match(notes, /The \.grad of (w, b|b, w) holds the sum over earlier backward\(\) calls too .* it differs from this backward's gradients drawn here/);
    await p.hover(`#out g.node[data-id="${wNode.id}"]`);
    const tip = p.locator('#out .bp-tip');
    await tip.waitFor({ state: 'visible' });
    const card = (await tip.textContent())!;
    assert.match(card, /this backward's gradient \(sum over its edges\)/);
    assert.match(card, /its \.grad differs: it also holds the gradients of earlier backward\(\) calls/);
    assert.ok(card.includes('.grad (accumulated)'), card);
    for (const v of w.grad!.data) assert.ok(card.includes(formatNumber(v, 4)), `${formatNumber(v, 4)} in ${card}`);
    // a leaf that does not require grad has no such line
    await p.hover(`#out g.node[data-id="${snap.nodes.find((n) => n.name === 'x')!.id}"]`);
    assert.doesNotMatch((await tip.textContent())!, /accumulated/);
    await p.close();
  });
});
