// The gradient check and the graph requests through the kernel process (dist/kernel.js) and its protocol: the
// report names the cell of the backward(), marks failing edges in its graph, and the graph exports as text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelClient } from '../../kernel/client/client';
import { SLOW_TO_CHECK_CELL, startKernel, WRONG_CUBE_CELL } from './helpers/kernelProcess';
import { GRADIENT_CHECK_MIME, GRAPH_MIME } from '../../kernel/client/protocol';
import type { GradientCheckReport } from '../../kernel/tools/gradientCheck';
import type { GraphSnapshot } from '../../kernel/engine/trace';


describe('kernel: gradient check and graph requests', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await startKernel();
  });
  after(async () => { await kernel.shutdown(); });

  test('before any backward() it says so', async () => {
    const reply = await kernel.request('gradientCheck', {});
    assert.match(reply.error ?? '', /no backward\(\)/);
    assert.match((await kernel.request('graph', {})).error ?? '', /no backward\(\)/);
  });

  test('a correct graph passes, with the cell of its backward() and every edge marked pass', async () => {
    const run = await kernel.run([
      'const model = new nn.MLP([2, 3, 1], { activation: "tanh", seed: 1 });',
      'const x = tensor([[1, 2], [0.5, -1]]);',
      'const loss = model.forward(x).square().mean();',
      'loss.backward();',
    ].join('\n'), { executionCount: 7 });
    assert.equal(run.status, 'ok');
    const reply = await kernel.request('gradientCheck', { settings: { atol: 1e-6, rtol: 1e-4 } });
    assert.equal(reply.error, undefined);
    assert.equal(reply.passed, true);
    assert.equal(reply.executionCount, 7);
    const report = reply.data?.[GRADIENT_CHECK_MIME] as GradientCheckReport;
    assert.equal(report.atol, 1e-6);
    assert.equal(report.params.length, 4);
    assert.match(String(reply.data?.['text/markdown']), /Gradient check: ✓ passed/);
    assert.match(String(reply.data?.['text/markdown']), /backward\(\) of cell \[7\], step 1/);
    assert.match(String(reply.data?.['text/plain']), /pass {2}layers\.0\.weight/);
    const graph = reply.graph?.[GRAPH_MIME] as GraphSnapshot;
    const checked = graph.edges.filter((e) => e.check);
    assert.ok(checked.length > 0 && checked.every((e) => e.check === 'pass'));
  });

  test('a customGrad with a wrong gradient fails, is named, and its edge is red in the graph', async () => {
    const run = await kernel.run(WRONG_CUBE_CELL, { executionCount: 8 });
    assert.equal(run.status, 'ok');
    const reply = await kernel.request('gradientCheck', {});
    assert.equal(reply.passed, false);
    const report = reply.data?.[GRADIENT_CHECK_MIME] as GradientCheckReport;
    assert.deepEqual(report.failingOps, ['cubeOp']);
    assert.equal(report.params[0].name, 'w', 'parameters without a name are named by their variable');
    assert.match(String(reply.data?.['text/markdown']), /wrong gradient rule.*`cubeOp`/);
    const graph = reply.graph?.[GRAPH_MIME] as GraphSnapshot;
    const red = graph.edges.filter((e) => e.check === 'fail');
    assert.equal(red.length, 1);
    assert.equal(graph.nodes.find((n) => n.id === red[0].to)?.op, 'cubeOp');
  });

  test('checks one variable: a parameter of the last backward() or of an earlier one, or the graph behind another tensor', async () => {
    // its gradient came from cell [7]'s backward(), not the last one (cell [8]): that graph is replayed
    const one = await kernel.request('gradientCheck', { expression: 'model.layers[0].weight' });
    assert.equal(one.error, undefined);
    assert.equal(one.passed, true);
    assert.equal(one.executionCount, 7, 'the report goes under the cell of that backward()');
    assert.deepEqual((one.data?.[GRADIENT_CHECK_MIME] as GradientCheckReport).params.map((p) => p.name), ['layers.0.weight']);
    assert.match(String(one.data?.['text/markdown']), /backward\(\) of cell \[7\], step 1/);
    assert.match((await kernel.request('gradientCheck', { expression: 'x' })).error ?? '', /'x' has no gradient from a backward\(\)/);
    const r = await kernel.run('const y = model.forward(x).sum();');
    assert.equal(r.status, 'ok');
    const behind = await kernel.request('gradientCheck', { expression: 'y' });
    assert.equal(behind.passed, true);
    assert.equal((behind.data?.[GRADIENT_CHECK_MIME] as GradientCheckReport).params.length, 4);
    const w = await kernel.request('gradientCheck', { expression: 'w' });
    assert.equal(w.passed, false);
    assert.deepEqual((w.data?.[GRADIENT_CHECK_MIME] as GradientCheckReport).params.map((p) => p.name), ['w']);
    assert.match((await kernel.request('gradientCheck', { expression: 'cube' })).error ?? '', /not a tensor/);
  });

  test('the graph of the last backward() or of a variable, in every export format', async () => {
    const last = await kernel.request('graph', { format: 'dot' });
    assert.equal(last.executionCount, 8);
    assert.match(last.text ?? '', /^digraph backprop \{/);
    assert.match(last.text ?? '', /label="cube/);
    const svg = await kernel.request('graph', { expression: 'loss', format: 'svg', edgeLabel: 'mean' });
    assert.match(svg.text ?? '', /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.text ?? '', /mean /);
    const g = svg.data?.[GRAPH_MIME] as GraphSnapshot;
    assert.equal(g.nodes.filter((n) => n.kind === 'leaf' && n.requiresGrad).length, 4);
    assert.match((await kernel.request('graph', { format: 'mermaid' })).text ?? '', /^flowchart RL/);
    const json = JSON.parse((await kernel.request('graph', { format: 'json' })).text ?? '') as GraphSnapshot;
    assert.equal(json.version, 1);
    assert.match((await kernel.request('graph', { expression: 'nothing' })).error ?? '', /not defined/);
  });

  test('a long check is stopped on request, and the kernel and its variables are as they were', async () => {
    const run = await kernel.run(`${SLOW_TO_CHECK_CELL}\nconst wBefore = W.data.slice();`);
    assert.equal(run.status, 'ok', JSON.stringify(run));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const reply = await kernel.request('gradientCheck', {}, { signal: stop.signal });
    assert.equal(reply.cancelled, true, `the check was not stopped: ${JSON.stringify(reply).slice(0, 300)}`);
    assert.match(reply.error ?? '', /stopped/);
    assert.equal(reply.data, undefined);
    const after = await kernel.run('W.data.every((v, i) => Object.is(v, wBefore[i])) && W.grad !== null');
    assert.equal(after.status, 'ok', JSON.stringify(after.outputs));
    assert.match(JSON.stringify(after.outputs), /true/);
    // the next check runs to the end (a small graph; the matmul pool recovered from the product cut short)
    const small = await kernel.run('const vSmall = tensor([1, 2], { requiresGrad: true }); vSmall.matmul(tensor([[1], [3]])).sum().backward();');
    assert.equal(small.status, 'ok', JSON.stringify(small.outputs));
    const next = await kernel.request('gradientCheck', {});
    assert.equal(next.cancelled, undefined);
    assert.equal(next.passed, true);
  });
});
