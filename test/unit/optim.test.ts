// Optimisers: update rules by hand, skipped parameters, in-place updates without a graph, option checks.
// Trajectories against torch.optim live in torchOptim.test.ts.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { nn, optim, Tensor, tensor } from '../../kernel/engine';

const arr = (t: Tensor | null): number[] => Array.from((t as Tensor).data);

function close(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-14 * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${x} != ${b[i]}`));
}

/** Sets p.grad to the given values, as backward would. */
function setGrad(p: Tensor, g: number[]): void {
  p.grad = tensor(g, { shape: [...p.shape] });
}

describe('optim.SGD', () => {
  it('steps p ← p − lr·(g + weightDecay·p)', () => {
    const p = tensor([1, -2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, weightDecay: 0.5 });
    setGrad(p, [0.5, 1]);
    opt.step();
    close(arr(p), [1 - 0.1 * (0.5 + 0.5), -2 - 0.1 * (1 - 1)], 'after one step');
  });

  it('starts the momentum buffer at the first gradient (no dampening), as PyTorch', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    setGrad(p, [2]);
    opt.step(); // buf = 2
    close(arr(p), [1 - 0.2], 'step 1');
    setGrad(p, [1]);
    opt.step(); // buf = 0.9·2 + 1 = 2.8
    close(arr(p), [0.8 - 0.28], 'step 2');
  });

  it('reads the learning rate at each step, so it can be scheduled', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    setGrad(p, [1]);
    opt.step();
    opt.lr = 0.01;
    opt.step();
    close(arr(p), [1 - 0.1 - 0.01], 'two steps');
  });

  it('updates in place, records no graph, and skips parameters without a gradient', () => {
    const p = tensor([1, 2], { requiresGrad: true, name: 'p' });
    const q = tensor([5], { requiresGrad: true, name: 'q' });
    const storage = p.data;
    const opt = new optim.SGD([p, q], { lr: 1, momentum: 0.5 });
    p.mul(3).sum().backward();
    opt.step();
    assert.equal(p.data, storage);
    close(arr(p), [-2, -1], 'p moved');
    assert.deepEqual(arr(q), [5], 'q had no gradient');
    assert.equal(p.isLeaf, true);
    assert.equal(p.gradFn, null);
    assert.equal(p.requiresGrad, true);
    opt.zeroGrad();
    assert.equal(p.grad, null);
  });

  it('checks its options and parameters', () => {
    const p = tensor([1], { requiresGrad: true });
    assert.throws(() => new optim.SGD([p], {} as optim.SGDOptions), /optim\.SGD: lr must be a number >= 0, got undefined/);
    assert.throws(() => new optim.SGD([p], { lr: -1 }), /optim\.SGD: lr must be a number >= 0, got -1/);
    assert.throws(() => new optim.SGD([p], { lr: 0.1, momentum: -0.5 }), /optim\.SGD: momentum must be a number >= 0/);
    assert.throws(() => new optim.SGD([p], { lr: 0.1, weightDecay: NaN }), /optim\.SGD: weightDecay must be a number >= 0, got NaN/);
    assert.throws(() => new optim.SGD([], { lr: 0.1 }), /optim\.SGD: params is an empty list/);
    assert.throws(() => new optim.SGD([p.mul(2)], { lr: 0.1 }), /optim\.SGD: params\[0\] .* is not a leaf/);
    assert.throws(() => new optim.SGD([[1]] as unknown as Tensor[], { lr: 0.1 }), /optim\.SGD: params\[0\] is not a tensor/);
    assert.throws(() => new optim.SGD(p as unknown as Tensor[], { lr: 0.1 }), /optim\.SGD: params must be an array of tensors/);
    assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true } as optim.SGDOptions), /optim\.SGD: unknown option 'nesterov' \(supported: lr, momentum, weightDecay\)/);
    assert.throws(() => new optim.SGD([p], undefined as unknown as optim.SGDOptions), /optim\.SGD: options \{ lr \} are required/);
  });

  it('refuses a gradient whose size does not match its parameter', () => {
    const p = tensor([1, 2], { requiresGrad: true, name: 'p' });
    p.grad = tensor([1, 2, 3]);
    assert.throws(() => new optim.SGD([p], { lr: 0.1 }).step(), /optim\.SGD: the gradient of p has shape \[3\], the parameter \[2\]/);
  });
});

describe('optim.Adam', () => {
  it('follows PyTorch\'s formula, bias correction included', () => {
    const p = tensor([0.5, -1], { requiresGrad: true });
    const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const opt = new optim.Adam([p], { lr });
    const grads = [[0.2, -3], [0.1, 1]];
    let m = [0, 0], v = [0, 0], expected = [0.5, -1];
    grads.forEach((g, k) => {
      setGrad(p, g);
      opt.step();
      const t = k + 1;
      m = m.map((mi, i) => mi * b1 + (1 - b1) * g[i]);
      v = v.map((vi, i) => vi * b2 + (1 - b2) * g[i] * g[i]);
      const stepSize = lr / (1 - b1 ** t);
      expected = expected.map((w, i) => w - stepSize * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps)));
      close(arr(p), expected, `step ${t}`);
    });
  });

  it('adds weight decay to the gradient (L2, not AdamW) and has PyTorch\'s defaults', () => {
    const p = tensor([2], { requiresGrad: true });
    const opt = new optim.Adam([p], { weightDecay: 0.5 });
    assert.equal(opt.lr, 1e-3);
    assert.deepEqual(opt.betas, [0.9, 0.999]);
    assert.equal(opt.eps, 1e-8);
    setGrad(p, [0]);
    opt.step(); // g = 0 + 0.5·2 = 1: the first Adam step moves by lr·g/(|g| + eps)
    close(arr(p), [2 - 1e-3 * (1 / (1 + 1e-8))], 'one step');
  });

  it('counts steps per parameter: one that starts later gets a first step\'s bias correction', () => {
    const p = tensor([1], { requiresGrad: true }), q = tensor([1], { requiresGrad: true });
    const opt = new optim.Adam([p, q], { lr: 0.1 });
    setGrad(p, [1]);
    opt.step();
    assert.deepEqual(arr(q), [1], 'skipped: no gradient');
    setGrad(p, [1]);
    setGrad(q, [4]);
    opt.step();
    close(arr(q), [1 - 0.1 * (4 / (4 + 1e-8))], 'q\'s first step');
  });

  it('checks its options', () => {
    const p = tensor([1], { requiresGrad: true });
    assert.throws(() => new optim.Adam([p], { betas: [0.9, 1] }), /optim\.Adam: betas\[1\] must be a number in \[0, 1\), got 1/);
    assert.throws(() => new optim.Adam([p], { betas: [0.9] as unknown as [number, number] }), /optim\.Adam: betas must be a pair/);
    assert.throws(() => new optim.Adam([p], { eps: -1 }), /optim\.Adam: eps must be a number >= 0, got -1/);
    assert.throws(() => new optim.Adam([p], { lr: Infinity }), /optim\.Adam: lr must be a number >= 0, got Infinity/);
    assert.throws(() => new optim.Adam([p], { learningRate: 0.1 } as optim.AdamOptions), /optim\.Adam: unknown option 'learningRate' \(supported: lr, betas, eps, weightDecay\)/);
  });

  it('trains a small MLP on XOR', () => {
    const model = new nn.MLP([2, 8, 1], { activation: 'tanh', seed: 0 });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tensor([[0], [1], [1], [0]]);
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    let loss = Infinity;
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      const l = model.forward(x).mseLoss(y);
      l.backward();
      opt.step();
      loss = l.item();
    }
    assert.ok(loss < 1e-3, `loss ${loss}`);
  });

  it('updates float32 parameters', () => {
    const p = tensor([1, 2], { requiresGrad: true, dtype: 'float32' });
    const opt = new optim.SGD([p], { lr: 0.5 });
    p.square().sum().backward();
    opt.step();
    assert.equal(p.dtype, 'float32');
    assert.deepEqual(arr(p), [0, 0]);
  });
});
