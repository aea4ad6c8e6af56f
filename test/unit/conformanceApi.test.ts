// docs/api.md's contract where no number from PyTorch is needed: every op as a method and a function with its gradFn,
// error messages that name the op and the shapes, argument spellings PyTorch accepts (a number as a shape or as
// the gradient of backward, nested index arrays, a tensor given to tensor()), PyTorch's refusals, and the dtype
// of results and gradients when float32 meets float64.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as engine from '../../kernel/engine';
import { arange, full, gradcheck, ones, rand, randn, scalar, Tensor, tensor, zeros } from '../../kernel/engine';

type AnyFn = (...args: unknown[]) => Tensor;
const functions = engine as unknown as Record<string, AnyFn>;

/** Each op of docs/api.md's table with arguments for it (after the tensor it applies to). */
const OPS: [string, () => Tensor, unknown[]][] = [
  ...['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'].map((op): [string, () => Tensor, unknown[]] =>
    [op, () => tensor([[0.5, 1.5]], { requiresGrad: true }), [tensor([2, 3])]]),
  ...['neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'tanh', 'sigmoid', 'relu', 'leakyRelu', 'sin', 'cos']
    .map((op): [string, () => Tensor, unknown[]] => [op, () => tensor([0.5, 1.5], { requiresGrad: true }), []]),
  ['clamp', () => tensor([0.5, 1.5], { requiresGrad: true }), [0, 1]],
  ...['sum', 'mean', 'max', 'min', 'logSumExp'].map((op): [string, () => Tensor, unknown[]] =>
    [op, () => tensor([[1, 2], [3, 4]], { requiresGrad: true }), [1]]),
  ['matmul', () => tensor([[1, 2]], { requiresGrad: true }), [tensor([[1], [2]])]],
  ['reshape', () => ones([2, 3], { requiresGrad: true }), [[3, -1]]],
  ['flatten', () => ones([2, 3], { requiresGrad: true }), []],
  ['transpose', () => ones([2, 3], { requiresGrad: true }), []],
  ['permute', () => ones([2, 3], { requiresGrad: true }), [[1, 0]]],
  ['squeeze', () => ones([2, 1], { requiresGrad: true }), []],
  ['unsqueeze', () => ones([2], { requiresGrad: true }), [0]],
  ['broadcastTo', () => ones([3], { requiresGrad: true }), [[2, 3]]],
  ['slice', () => ones([4], { requiresGrad: true }), [[1], [2]]],
  ['gather', () => ones([4], { requiresGrad: true }), [[0, 0]]],
  ['softmax', () => ones([2, 3], { requiresGrad: true }), []],
  ['logSoftmax', () => ones([2, 3], { requiresGrad: true }), []],
  ['crossEntropy', () => ones([2, 3], { requiresGrad: true }), [[0, 2]]],
  ['mseLoss', () => ones([2, 3], { requiresGrad: true }), [zeros([2, 3])]],
  // --- shape ops, losses, embedding ---
  ['pad', () => ones([2, 3], { requiresGrad: true }), [[[1, 0], [0, 2]], 5]],
  ['tile', () => ones([2], { requiresGrad: true }), [[2, 2]]],
  ['flatten', () => ones([2, 3, 4], { requiresGrad: true }), [1, 2]],
  ['binaryCrossEntropy', () => full([2, 3], 0.25, { requiresGrad: true }), [ones([2, 3])]],
  ['binaryCrossEntropyWithLogits', () => ones([2, 3], { requiresGrad: true }), [zeros([2, 3])]],
  ['nllLoss', () => ones([2, 3], { requiresGrad: true }), [[0, 2]]],
  ['huberLoss', () => ones([2, 3], { requiresGrad: true }), [zeros([3]), { delta: 0.5 }]],
];

describe('every op of docs/api.md', () => {
  for (const [op, make, args] of OPS) {
    it(`${op} is a function and a method with the same result, and its gradFn is '${op}'`, () => {
      const x = make();
      const viaFunction = functions[op](x, ...args);
      const viaMethod = (x as unknown as Record<string, AnyFn>)[op](...args);
      assert.deepEqual(viaMethod.toArray(), viaFunction.toArray());
      assert.equal(viaFunction.gradFn, op);
      assert.equal(viaMethod.gradFn, op);
      assert.equal(viaMethod.isLeaf, false);
    });
  }
  for (const op of ['concat', 'stack']) {
    it(`${op} takes a list as a function, and the others as a method; its gradFn is '${op}'`, () => {
      const a = ones([2], { requiresGrad: true }), b = zeros([2]);
      const viaFunction = functions[op]([a, b], 0), viaMethod = (a as unknown as Record<string, AnyFn>)[op]([b], 0);
      assert.deepEqual(viaMethod.toArray(), viaFunction.toArray());
      assert.deepEqual((a as unknown as Record<string, AnyFn>)[op](b).toArray(), viaFunction.toArray());
      assert.equal(viaFunction.gradFn, op);
    });
  }
  it('a result made from inputs that do not require grad is a leaf without gradFn', () => {
    const y = ones([2]).mul(2);
    assert.equal(y.isLeaf, true);
    assert.equal(y.gradFn, null);
    assert.equal(y.requiresGrad, false);
  });
});

describe('errors name the op and the shapes', () => {
  const a = ones([2, 3]), b = ones([4, 5]);
  const bad: [string, () => unknown, string[]][] = [
    ...['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'mseLoss'].map((op): [string, () => unknown, string[]] =>
      [op, () => functions[op](a, b), ['[2,3]', '[4,5]']]),
    ['matmul', () => a.matmul(b), ['[2,3]', '[4,5]']],
    ['matmul', () => ones([2, 3, 4]).matmul(ones([3, 4, 5])), ['[2,3,4]', '[3,4,5]']],
    ['concat', () => engine.concat([a, b]), ['[2,3]', '[4,5]']],
    ['stack', () => engine.stack([a, b]), ['[2,3]', '[4,5]']],
    ['reshape', () => a.reshape([4, 2]), ['[2,3]', '[4,2]']],
    ['broadcastTo', () => a.broadcastTo([3, 3]), ['[2,3]', '[3,3]']],
    ['slice', () => a.slice([1, 1], [2, 2]), ['[2,3]']],
    ['gather', () => a.gather([2]), ['[2,3]']],
    ['transpose', () => a.transpose(0, 2), ['[2,3]']],
    ['permute', () => a.permute([0]), ['[2,3]']],
    ['squeeze', () => a.squeeze(2), ['[2,3]']],
    ['unsqueeze', () => a.unsqueeze(3), ['[2,3]']],
    ['sum', () => a.sum(2), ['[2,3]']],
    ['sum', () => a.sum([1, -1]), ['[2,3]']],
    ['max', () => ones([0, 2]).max(0), ['[0,2]']],
    ['softmax', () => a.softmax(2), ['[2,3]']],
    ['crossEntropy', () => a.crossEntropy([0]), ['[2,3]']],
    ['crossEntropy', () => a.crossEntropy([0, 3]), ['[2,3]']],
    ['backward', () => ones([2], { requiresGrad: true }).mul(2).backward(ones([3])), ['[3]', '[2]']],
    ['backward', () => ones([2], { requiresGrad: true }).mul(2).backward(), ['[2]']],
    ['item', () => a.item(), ['[2,3]']],
  ];
  for (const [op, f, shapes] of bad) {
    it(`${op}: ${shapes.join(' and ')}`, () => {
      assert.throws(f, (err: Error) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.startsWith(`${op}:`), `'${err.message}' should start with '${op}:'`);
        for (const s of shapes) assert.ok(err.message.includes(s), `'${err.message}' should name ${s}`);
        return true;
      });
    });
  }
});

describe('spellings PyTorch accepts', () => {
  it('a number is a 1-D shape for zeros, ones, full, randn and rand', () => {
    assert.deepEqual(zeros(3).shape, [3]);
    assert.deepEqual(ones(2).toArray(), [1, 1]);
    assert.deepEqual(full(2, 7).toArray(), [7, 7]);
    assert.deepEqual(randn(4, { seed: 1 }).shape, [4]);
    assert.deepEqual(rand(0).shape, [0]);
  });
  it('tensor(t) copies a tensor, cut from the graph, keeping its dtype unless told', () => {
    const x = tensor([[1, 2]], { requiresGrad: true, dtype: 'float32' });
    const y = tensor(x.mul(2));
    assert.deepEqual(y.toArray(), [[2, 4]]);
    assert.equal(y.dtype, 'float32');
    assert.equal(y.requiresGrad, false);
    assert.equal(y.isLeaf, true);
    assert.notEqual(y.data, x.data);
    assert.equal(tensor(x, { dtype: 'float64' }).dtype, 'float64');
  });
  it('backward(number) is the gradient of every element', () => {
    const x = tensor([[3]], { requiresGrad: true });
    x.square().backward(2);
    assert.deepEqual(x.grad?.toArray(), [[12]]);
    const v = tensor([1, 2], { requiresGrad: true });
    v.mul(3).backward(0.5);
    assert.deepEqual(v.grad?.toArray(), [1.5, 1.5]);
  });
  it('gather takes nested index arrays like a tensor of indices (TensorFlow.js)', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(x.gather([[2, 0], [1, 1]]).toArray(), x.gather(tensor([[2, 0], [1, 1]])).toArray());
    assert.deepEqual(x.gather([[1], [0]], 1).shape, [3, 2, 1]);
  });
});

describe("PyTorch's refusals", () => {
  it('arange with a step leading away from stop throws (PyTorch: "upper bound and larger bound inconsistent")', () => {
    assert.throws(() => arange(5, 0), /^Error: arange:/);
    assert.throws(() => arange(0, 3, -1), /^Error: arange:/);
    assert.deepEqual(arange(2, 2).shape, [0]);
  });
  it('gradcheck with no input that requires grad throws', () => {
    assert.throws(() => gradcheck((x: Tensor) => x.sum(), [ones([2])]), /^Error: gradcheck: none of the 1 inputs requires grad/);
  });
});

describe('float32 meeting float64', () => {
  it('a 0-d float64 tensor (scalar()) defers to a float32 tensor with dims; its gradient stays float64', () => {
    const x = ones([3], { dtype: 'float32', requiresGrad: true }), s = scalar(2, { requiresGrad: true });
    const y = x.mul(s);
    assert.equal(y.dtype, 'float32');
    y.sum().backward();
    assert.equal(x.grad?.dtype, 'float32');
    assert.equal(s.grad?.dtype, 'float64');
    assert.equal(s.item(), 2);
    assert.equal(s.grad?.item(), 3);
  });
  it('tensors with dims promote to float64, as do two 0-d tensors', () => {
    assert.equal(ones([3], { dtype: 'float32' }).add(ones([1])).dtype, 'float64');
    assert.equal(scalar(1, { dtype: 'float32' }).add(scalar(1)).dtype, 'float64');
    assert.equal(ones([2], { dtype: 'float32' }).add(1.5).dtype, 'float32');
  });
});

describe('float32 reductions along an axis', () => {
  it('add in float64 and round once, as accurate as PyTorch (which sums float32 in a cascade)', () => {
    // 100,000 values of 0.1 (rounded to float32) per column: a float32 running sum would drift by ~1e-4.
    const n = 100000, x32 = full([n, 2], 0.1, { dtype: 'float32' });
    const exact = n * Math.fround(0.1);
    for (const s of [x32.sum(0), x32.sum(0, true), x32.transpose().sum(1)]) {
      for (const v of s.data) assert.ok(Math.abs(v - exact) / exact < 1e-7, `sum ${v} vs ${exact}`);
    }
    for (const v of x32.mean(0).data) assert.ok(Math.abs(v - Math.fround(0.1)) / 0.1 < 1e-7, `mean ${v}`);
    const lse = Math.fround(0.1) + Math.log(n);
    for (const v of x32.logSumExp(0).data) assert.ok(Math.abs(v - lse) / lse < 1e-7, `logSumExp ${v} vs ${lse}`);
  });
});
