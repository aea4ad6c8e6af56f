// Graph outputs of the kernel (dist/kernel.js): one per cell, replaced by later backward() calls, throttled,
// and switchable with setGraphOptions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';
import { GRAPH_MIME, type CellOutputMessage } from '../../kernel/client/protocol';
import type { GraphSnapshot } from '../../kernel/engine';


const graphs = (outputs: CellOutput[]) =>
  outputs.filter((o): o is Extract<CellOutput, { kind: 'display' }> => o.kind === 'display' && GRAPH_MIME in o.data);

describe('kernel: graph outputs', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await startKernel();
  });
  after(async () => { await kernel.shutdown(); });

  test('a backward() shows the graph of the one neuron, with text that reads without the renderer', async () => {
    const r = await kernel.run([
      'const x = tensor([1, 2], { name: "x" });',
      'const w = tensor([0.5, -0.25], { requiresGrad: true, name: "w" });',
      'const b = scalar(0.1, { requiresGrad: true, name: "b" });',
      'const y = tanh(w.mul(x).sum().add(b));',
      'y.backward();',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    const [g] = graphs(r.outputs);
    assert.ok(g, 'one graph output');
    const snapshot = g.data[GRAPH_MIME] as GraphSnapshot;
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.step, 1);
    assert.equal(snapshot.nodes.find((n) => n.id === snapshot.root)?.op, 'tanh');
    const w = snapshot.nodes.find((n) => n.name === 'w');
    assert.ok(w?.grad, 'the weight carries its gradient');
    const text = String(g.data['text/plain']);
    assert.match(text, /backward\(\) #1/);
    assert.match(text, /tanh/);
    assert.match(text, /w \(leaf\)/);
  });

  test('later backward() calls replace the output; the last one is shown at the end with its step', async () => {
    let displays = 0, updates = 0;
    const count = (m: CellOutputMessage) => { if (m.type === 'display') displays++; if (m.type === 'updateOutput') updates++; };
    const r = await kernel.run([
      'const p = tensor([1, 2, 3], { requiresGrad: true });',
      'for (let i = 0; i < 300; i++) {',
      '  p.zeroGrad();',
      '  p.mul(p).sum().backward();',
      '}',
    ].join('\n'), { onMessage: count });
    assert.equal(r.status, 'ok');
    const shown = graphs(r.outputs);
    assert.equal(shown.length, 1, 'one graph output per cell');
    assert.equal((shown[0].data[GRAPH_MIME] as GraphSnapshot).step, 300, 'the last backward() is the one shown');
    assert.equal(displays, 1);
    assert.ok(updates >= 1 && updates < 10, `throttled: ${updates} updates for 300 backward() calls`);
  });

  test('each cell gets its own graph output', async () => {
    const a = await kernel.run('const q = tensor([1], { requiresGrad: true });\nq.sum().backward();');
    const b = await kernel.run('q.mul(2).sum().backward();\nq.mul(3).sum().backward();');
    const [ga] = graphs(a.outputs), [gb] = graphs(b.outputs);
    assert.notEqual(ga.outputId, gb.outputId);
    assert.equal((ga.data[GRAPH_MIME] as GraphSnapshot).step, 1);
    assert.equal((gb.data[GRAPH_MIME] as GraphSnapshot).step, 2);
  });

  test('setGraphOptions switches graphs off and limits their size', async () => {
    const off = await kernel.run('setGraphOptions({ enabled: false });\nconst s = tensor([1, 2], { requiresGrad: true });\ns.sum().backward();');
    assert.equal(graphs(off.outputs).length, 0);
    const small = await kernel.run([
      'setGraphOptions({ enabled: true, maxNodes: 3 });',
      'let chain = s;',
      'for (let i = 0; i < 10; i++) chain = chain.mul(1.5);',
      'chain.sum().backward();',
    ].join('\n'));
    const snapshot = graphs(small.outputs)[0].data[GRAPH_MIME] as GraphSnapshot;
    assert.equal(snapshot.nodes.length, 3);
    assert.equal(snapshot.truncated?.shownNodes, 3);
    const bad = await kernel.run('setGraphOptions({ maxNodes: 0 })');
    assert.equal(bad.status, 'error');
    await kernel.run('setGraphOptions({ maxNodes: 300 })');
  });

  test('display(traceGraph(...)) shows a graph too', async () => {
    const r = await kernel.run('const u = tensor([2], { requiresGrad: true });\nconst v = u.square().sum();\nv');
    assert.equal(graphs(r.outputs).length, 0, 'no backward, no graph');
    const shown = await kernel.run('display(traceGraph(v))');
    const snapshot = graphs(shown.outputs)[0]?.data[GRAPH_MIME] as GraphSnapshot;
    assert.equal(snapshot.nodes.length, 3);
    assert.match(String(graphs(shown.outputs)[0].data['text/plain']), /square/);
  });
});
