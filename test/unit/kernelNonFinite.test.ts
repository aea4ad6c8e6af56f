// A NaN or ±Infinity in a cell's graph is a warning naming the op that made it, its inputs and the cell line
// (kernel/cells/nonFiniteWarning.ts), in the real kernel process (dist/kernel.js).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, KernelClient } from '../../kernel/client/client';
import { DETECT_ANOMALY_ENV, GRAPH_MIME } from '../../kernel/client/protocol';
import type { GraphSnapshot } from '../../kernel/engine';
import { startKernel } from './helpers/kernelProcess';
import { result, streamText } from './helpers/cellOutputs';

const graphOf = (outputs: CellOutput[]): GraphSnapshot | undefined => {
  const o = outputs.find((x) => x.kind === 'display' && GRAPH_MIME in x.data);
  return o && 'data' in o ? o.data[GRAPH_MIME] as GraphSnapshot : undefined;
};

describe('kernel: non-finite values traced to their line', () => {
  let kernel: KernelClient;
  let count = 0;
  const run = async (code: string) => {
    const r = await kernel.run(code);
    count++;
    return { r, label: `cell[${count}]`, text: streamText(r) };
  };
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  test('a finite cell has no warning', async () => {
    const { r, text } = await run('const ok = tensor([1, 2], { requiresGrad: true });\nok.log().sum().backward();');
    assert.equal(r.status, 'ok');
    assert.doesNotMatch(text, /Warning/);
    assert.equal(graphOf(r.outputs)?.nonFinite, undefined);
  });

  test('log of a negative in the forward pass: the op, its input, the line, and the node marked in the graph', async () => {
    const { r, label, text } = await run([
      'const p = tensor([0.5, -1], { requiresGrad: true });',
      'const q = p.mul(2);',
      'const loss = q.log().mean();',
      'loss.backward();',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.match(text, new RegExp(`Warning: NaN in this cell's graph: it was first made by log, called at ${label.replace(/[[\]]/g, '\\$&')} line 3\\.`));
    assert.match(text, /log\(-2\) = NaN/);
    assert.match(text, /3 \| const loss = q\.log\(\)\.mean\(\);/);
    const g = graphOf(r.outputs);
    assert.ok(g?.nonFinite);
    const logNode = g.nodes.find((n) => n.op === 'log');
    assert.equal(g.nonFinite.node, logNode?.id);
    assert.equal(g.nonFinite.line, 3);
    assert.equal(g.nonFinite.cell, label);
    assert.equal(g.nonFinite.phase, 'forward');
    assert.equal(g.nonFinite.value, 'NaN');
  });

  test('sqrt at 0: finite values, an infinite gradient made in backward(), and its line', async () => {
    const { r, text } = await run([
      'const s = tensor([0, 4], { requiresGrad: true });',
      '',
      'const root = s.sqrt().sum();',
      'root.backward();',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.match(text, /Warning: Infinity in this cell's graph: it was first made in backward\(\) by the gradient of sqrt, called at cell\[\d+\] line 3\./);
    assert.match(text, /the gradient of sqrt\(0\) for its input is Infinity \(upstream gradient 1\)/);
    assert.equal(graphOf(r.outputs)?.nonFinite?.phase, 'backward');
  });

  test('a tensor bound to a name without backward(): still a warning', async () => {
    const { r, text } = await run('const bad = tensor([1, 0], { requiresGrad: true }).div(0);');
    assert.equal(r.status, 'ok');
    assert.match(text, /Infinity in this cell's graph: it was first made by div, called at cell\[\d+\] line 1/);
    assert.match(text, /div\(1, 0\) = Infinity/);
  });

  test('an op called from a function of an earlier cell: read from the code it is not found; anomaly mode finds it', async () => {
    const def = await run('function logOf(x: Tensor) {\n  return x.log();\n}');
    assert.equal(def.r.status, 'ok');
    const plain = await run('const viaF = logOf(tensor([-1], { requiresGrad: true }));');
    assert.match(plain.text, /it was first made by log\.\n/);
    assert.match(plain.text, /detectAnomaly\(true\) records the call site of every op/);
    const exact = await run('detectAnomaly(true);\nconst viaF2 = logOf(tensor([-1], { requiresGrad: true }));\ndetectAnomaly(false);');
    assert.match(exact.text, new RegExp(`it was first made by log, called at ${def.label.replace(/[[\]]/g, '\\$&')} line 2\\.`));
    assert.match(exact.text, /2 \| return x\.log\(\);/);
    assert.doesNotMatch(exact.text, /read from the cell's code/);
  });

  test('two calls of the op in the cell: the one whose line names the tensors, and the others listed', async () => {
    const { text } = await run([
      'const u = tensor([1, 2], { requiresGrad: true });',
      'const fine = u.log();',
      'const worse = u.sub(3).log();',
    ].join('\n'));
    assert.match(text, /called at cell\[\d+\] line 3\./);
    assert.match(text, /the cell also calls log at line 2/);
  });

  test('BACKPROP_DETECT_ANOMALY=1 (the setting backprop.detectAnomaly) starts a kernel in anomaly mode', async () => {
    const k = await startKernel({ env: { [DETECT_ANOMALY_ENV]: '1' } });
    try {
      assert.equal(result(await k.run('isAnomalyEnabled()')), 'true');
      await k.run('function logOf(x: Tensor) {\n  return x.log();\n}');
      const r = await k.run('const viaF = logOf(tensor([-1], { requiresGrad: true }));');
      assert.match(streamText(r), /it was first made by log, called at cell\[2\] line 2\./, "the function's own cell");
    } finally {
      await k.shutdown();
    }
  });
});
