// The variables view's data: tensors with shape, statistics and gradient norm, modules with their parameters,
// other values with a one-line summary; stale/accumulated notes. Unit level, then through the kernel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor } from '../../kernel/engine';
import { installBackwardLog } from '../../kernel/outputs/backwardLog';
import { listVariables, tensorNames } from '../../kernel/tools/variables';
import type { KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';

installBackwardLog();

describe('variables', () => {
  test('tensors first, then modules, then the rest; names that are gone are skipped', () => {
    const w = tensor([3, 4], { requiresGrad: true });
    w.square().sum().backward();
    w.square().sum().backward();
    const scope = { w, model: new nn.Linear(2, 1, { seed: 1 }), lr: 0.1, f: function step() { return 1; } };
    const vars = listVariables(['lr', 'f', 'model', 'w', 'gone'], scope);
    assert.deepEqual(vars.map((v) => v.name), ['w', 'model', 'lr', 'f']);
    const [tw, model, lr, f] = vars;
    assert.equal(tw.type, 'Tensor');
    assert.deepEqual(tw.shape, [2]);
    assert.equal(tw.dtype, 'float64');
    assert.equal(tw.requiresGrad, true);
    assert.equal(tw.stats?.norm, 5);
    assert.equal(tw.grad?.norm, 20, 'two backward() calls of 2w: 4w, norm 20');
    assert.equal(tw.gradNote, 'accumulated ×2');
    assert.match(tw.summary, /\[2\] float64 · requiresGrad · ‖grad‖ 20/);
    assert.match(tw.markdown ?? '', /accumulated/);
    assert.equal(model.type, 'Linear');
    assert.deepEqual(model.children?.map((c) => [c.name, c.shape]), [['weight', [1, 2]], ['bias', [1]]]);
    assert.equal(lr.summary, '0.1');
    assert.equal(f.summary, 'function step');
  });

  test('names tensors by variable, and module parameters by path', () => {
    const a = tensor([1]);
    const model = new nn.MLP([1, 2, 1], { seed: 2 });
    const names = tensorNames(['a', 'model'], { a, model });
    assert.equal(names.get(a), 'a');
    assert.equal(names.get(model.parameters()[0]), 'model.layers.0.weight');
  });
});

describe('variables through the kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await startKernel();
  });
  after(async () => { await kernel.shutdown(); });

  test('lists the cells\' tensors with their gradient norms', async () => {
    await kernel.run('const x = tensor([1, 2, 3], { requiresGrad: true });\nconst y = x.mul(2).sum();\ny.backward();\nconst label = "demo";');
    const vars = (await kernel.request('variables', {})).variables;
    const x = vars.find((v) => v.name === 'x');
    assert.equal(x?.type, 'Tensor');
    assert.equal(x?.grad?.norm, Math.sqrt(12));
    assert.equal(vars.find((v) => v.name === 'y')?.type, 'Tensor');
    assert.equal(vars.find((v) => v.name === 'label')?.summary, "'demo'");
  });
});
