// Hover: property paths only (no calls), and what a tensor's description says about its gradient — where it
// came from, stale after an optimiser step, accumulated without zeroGrad. Unit level, then through the kernel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, optim, tensor } from '../../kernel/engine';
import { installBackwardLog } from '../../kernel/outputs/backwardLog';
import { describeMarkdown, inspectExpression, parsePath } from '../../kernel/tools/inspect';
import type { KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';

installBackwardLog();

describe('inspect: property paths', () => {
  test('reads identifiers, members and indices', () => {
    assert.deepEqual(parsePath('model.layers[0].weight'), ['model', 'layers', 0, 'weight']);
    assert.deepEqual(parsePath("cfg['lr'] ?.x"), ['cfg', 'lr', 'x']);
    assert.deepEqual(parsePath('w . grad'), ['w', 'grad']);
  });

  test('refuses calls, operators and anything else that could run code', () => {
    for (const e of ['f()', 'a.b()', 'a + b', 'a[i]', 'a[b()]', 'new X', '(a)', 'a = 1', 'a`x`', '1', 'a.', 'a[0']) {
      assert.equal(parsePath(e), undefined, e);
    }
    let called = 0;
    const scope = { f: () => { called++; return 1; } };
    assert.equal(inspectExpression('f()', scope).found, false);
    assert.equal(called, 0);
  });

  test('missing names and properties are not found', () => {
    assert.equal(inspectExpression('nope', {}).found, false);
    assert.equal(inspectExpression('a.b.c', { a: { b: null } }).found, false);
    assert.equal(inspectExpression('a.b', { a: { b: 0 } }).found, true);
  });
});

describe('inspect: descriptions', () => {
  test('a tensor: shape, dtype, requiresGrad, values, gradient with its origin', () => {
    const w = tensor([1, -2, 3], { requiresGrad: true });
    let md = describeMarkdown('w', w);
    assert.match(md, /`Tensor` \[3\] float64 · leaf, requiresGrad/);
    assert.match(md, /value: `\[1, -2, 3\]`/);
    assert.match(md, /no gradient/);
    w.square().sum().backward();
    md = describeMarkdown('w', w);
    assert.match(md, /\*\*grad\*\* ‖g‖ = 7\.483: `\[2, -4, 6\]`/);
    assert.match(md, /from `backward\(\)`, step \d+ \(backward #\d+ of the kernel\)/);
    assert.doesNotMatch(md, /stale|accumulated/);
  });

  test('warns of accumulated and stale gradients', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.sum().backward();
    w.sum().backward();
    assert.match(describeMarkdown('w', w), /accumulated\*\* over 2 `backward\(\)` calls without `zeroGrad\(\)`/);
    new optim.SGD([w], { lr: 0.1 }).step();
    assert.match(describeMarkdown('w', w), /stale gradient/);
  });

  test('large tensors show statistics; non-leaves the gradient that flowed through them', () => {
    const big = tensor(Array.from({ length: 100 }, (_, i) => i), { requiresGrad: true });
    const h = big.mul(2);
    h.sum().backward();
    assert.match(describeMarkdown('big', big), /value: mean 49\.5 · std 28\.87 · min 0 · max 99/);
    assert.match(describeMarkdown('h', h), /made by `mul`[\s\S]*gradient flowing through it/);
  });

  test('a module lists its parameters with their gradient norms', () => {
    const m = new nn.Linear(2, 1, { seed: 3 });
    m.forward(tensor([[1, 1]])).sum().backward();
    const md = describeMarkdown('m', m);
    assert.match(md, /`Linear` · 2 parameters \(3 numbers\)/);
    assert.match(md, /\| weight \| \[1, 2\] \| 1\.414 \|/);
    assert.match(md, /\| bias \| \[1\] \| 1 \|/);
  });

  test('other values get a short preview; names are escaped', () => {
    assert.match(describeMarkdown('cfg', { lr: 0.1 }), /`Object`\n\n```js\n\{ lr: 0\.1 \}\n```/);
    assert.match(describeMarkdown('a*b', 3), /\*\*a\\\*b\*\*/);
  });
});

describe('inspect through the kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await startKernel();
  });
  after(async () => { await kernel.shutdown(); });

  test('after backward(), hovering a parameter shows its gradient and the cell and step that produced it', async () => {
    await kernel.run('const model = new nn.MLP([2, 2, 1], { seed: 1 });\nconst opt = new optim.SGD(model.parameters(), { lr: 0.1 });', { executionCount: 1 });
    await kernel.run('for (let i = 0; i < 3; i++) { opt.zeroGrad(); model.forward(tensor([[1, 2]])).sum().backward(); }', { executionCount: 2 });
    const reply = await kernel.request('inspect', { expression: 'model.layers[1].bias' });
    assert.equal(reply.found, true);
    const md = String(reply.data?.['text/markdown']);
    assert.match(md, /\*\*model\.layers\[1\]\.bias\*\*|\*\*model\\\.layers\\\[1\\\]\\\.bias\*\*/);
    assert.match(md, /\*\*grad\*\* ‖g‖ = 1: `\[1\]`/);
    assert.match(md, /cell \[2\], step 3/);
    assert.doesNotMatch(md, /stale/);
    await kernel.run('opt.step();', { executionCount: 3 });
    assert.match(String((await kernel.request('inspect', { expression: 'model.layers[1].bias' })).data?.['text/markdown']), /stale gradient/);
    const m = String((await kernel.request('inspect', { expression: 'model' })).data?.['text/markdown']);
    assert.match(m, /`MLP` · 4 parameters/);
    assert.equal((await kernel.request('inspect', { expression: 'model.forward(x)' })).found, false);
  });
});
