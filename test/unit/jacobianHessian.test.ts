// jacobian and hessian against central finite differences in float64, for several shapes, and against PyTorch's
// torch.autograd.functional (scripts/torchFixturesJacobian.py); their shapes, dtypes, untouched .grad, nesting in
// noGrad, and the errors.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { hessian, jacobian, noGrad, randn, tensor, Tensor } from '../../kernel/engine';
import { centralDifference } from '../../kernel/engine/finiteDifferences';
import { assertClose as assertCloseToTorch, fromStored, loadFixture, type Stored } from './fixtures/torch/compare';

const EPS = 1e-6;

/** J by central differences: column j is (f(x + eps·eⱼ) − f(x − eps·eⱼ)) / 2eps, laid out as [...f(x).shape, ...x.shape]. */
function numericJacobian(f: (x: Tensor) => Tensor, x: Tensor): number[] {
  const x0 = x.detach().clone();
  const m = noGrad(() => f(x0)).size;
  const out = new Array<number>(m * x0.size);
  for (let j = 0; j < x0.size; j++) {
    const col = centralDifference(x0.data, j, EPS, () => noGrad(() => f(x0)).data);
    for (let i = 0; i < m; i++) out[i * x0.size + j] = col[i];
  }
  return out;
}

/** ∂²f/∂xᵢ∂xⱼ from f alone (four evaluations per entry), to check hessian without trusting any gradient. */
function numericHessian(f: (x: Tensor) => Tensor, x: Tensor, h = 1e-4): number[] {
  const x0 = x.detach().clone();
  const n = x0.size, d = x0.data, out: number[] = [];
  const at = (i: number, di: number, j: number, dj: number): number => {
    const [vi, vj] = [d[i], d[j]];
    d[i] += di; d[j] += dj;
    const v = noGrad(() => f(x0)).item();
    d[i] = vi; d[j] = vj;
    return v;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out.push((at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h));
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) {
    const err = Math.abs(actual[k] - expected[k]);
    assert.ok(err <= tol * Math.max(1, Math.abs(expected[k])), `${what}[${k}]: ${actual[k]} vs ${expected[k]} (error ${err})`);
  }
}

describe('jacobian', () => {
  const W = randn([3, 4], { seed: 3 });
  const b = randn([3], { seed: 4 });
  const cases: { name: string; f: (x: Tensor) => Tensor; x: Tensor; shape: number[] }[] = [
    { name: 'a tanh layer, x [4] → y [3]', f: (x) => x.matmul(W.transpose()).add(b).tanh(), x: randn([4], { seed: 1 }), shape: [3, 4] },
    { name: 'a batch of one, x [1,4] → y [1,3]', f: (x) => x.matmul(W.transpose()).add(b).sigmoid(), x: randn([1, 4], { seed: 2 }), shape: [1, 3, 1, 4] },
    { name: 'softmax over rows, x [2,3] → [2,3]', f: (x) => x.softmax(-1), x: randn([2, 3], { seed: 5 }), shape: [2, 3, 2, 3] },
    { name: 'a scalar of a matrix, x [2,2] → []', f: (x) => x.matmul(x).sum(), x: randn([2, 2], { seed: 6 }), shape: [2, 2] },
    { name: 'a vector of a scalar, x [] → [3]', f: (x) => tensor([1, 2, 3]).mul(x.exp()), x: tensor(0.3), shape: [3] },
    { name: 'reshape and matmul, x [4] → [2,3]', f: (x) => x.reshape([2, 2]).matmul(randn([2, 3], { seed: 7 })).square(), x: randn([4], { seed: 8 }), shape: [2, 3, 4] },
  ];
  for (const c of cases) {
    it(`agrees with finite differences: ${c.name}`, () => {
      const J = jacobian(c.f, c.x);
      assert.deepEqual(J.shape, c.shape);
      assert.equal(J.dtype, 'float64');
      assertClose(J.data, numericJacobian(c.f, c.x), 1e-7, c.name);
    });
  }

  it('of a linear layer is its weight matrix, and is not recorded', () => {
    const J = jacobian((x) => x.matmul(W.transpose()), randn([4], { seed: 9 }));
    assert.deepEqual(Array.from(J.data), Array.from(W.data));
    assert.equal(J.requiresGrad, false);
    assert.equal(J.gradFn, null);
  });

  it('of a function that does not depend on x is zero', () => {
    const J = jacobian(() => tensor([1, 2]), tensor([3, 4, 5]));
    assert.deepEqual(J.shape, [2, 3]);
    assert.deepEqual(Array.from(J.data), [0, 0, 0, 0, 0, 0]);
  });

  it('leaves .grad untouched, works inside noGrad, and keeps float32', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.square().sum().backward();
    const before = Array.from(x.grad!.data);
    const J = noGrad(() => jacobian((v) => v.square(), x));
    assert.deepEqual(Array.from(J.data), [2, 0, 0, 4]);
    assert.deepEqual(Array.from(x.grad!.data), before);
    assert.equal(jacobian((v) => v.exp(), tensor([0, 1], { dtype: 'float32' })).dtype, 'float32');
  });

  it('rejects what is not a function, a tensor, or a function returning a tensor, naming jacobian', () => {
    assert.throws(() => jacobian(3 as unknown as (x: Tensor) => Tensor, tensor([1])), /^Error: jacobian: expected a function as the first argument, got number/);
    assert.throws(() => jacobian((x) => x, [1, 2] as unknown as Tensor), /jacobian: x must be a tensor, got an array/);
    assert.throws(() => jacobian(() => 5 as unknown as Tensor, tensor([1])), /jacobian: the function must return a tensor, got number/);
  });
});

describe('hessian', () => {
  const A = tensor([[2, 1, 0], [1, 3, -1], [0, -1, 4]]);
  const cases: { name: string; f: (x: Tensor) => Tensor; x: Tensor; shape: number[] }[] = [
    { name: 'a cubic, x [3]', f: (x) => x.pow(3).sum(), x: tensor([1, -2, 0.5]), shape: [3, 3] },
    { name: 'a quadratic form ½xᵀAx, x [3]', f: (x) => x.matmul(A).mul(x).sum().mul(0.5), x: randn([3], { seed: 1 }), shape: [3, 3] },
    { name: 'logSumExp, x [2,2]', f: (x) => x.logSumExp(), x: randn([2, 2], { seed: 2 }), shape: [2, 2, 2, 2] },
    { name: 'a tanh neuron\'s squared error, x [1,3]', f: (x) => x.matmul(randn([3, 1], { seed: 4 })).tanh().sub(0.3).square().sum(), x: randn([1, 3], { seed: 3 }), shape: [1, 3, 1, 3] },
    { name: 'a scalar x []', f: (x) => x.sin().mul(x.exp()), x: tensor(0.7), shape: [] },
  ];
  for (const c of cases) {
    it(`agrees with second finite differences of f: ${c.name}`, () => {
      const H = hessian(c.f, c.x);
      assert.deepEqual(H.shape, c.shape);
      assertClose(H.data, numericHessian(c.f, c.x), 1e-5, c.name);
    });
  }

  it('of ½xᵀAx is A exactly, and symmetric for a smooth f', () => {
    assert.deepEqual(Array.from(hessian((x) => x.matmul(A).mul(x).sum().mul(0.5), tensor([1, 2, 3])).data), Array.from(A.data));
    const H = hessian((x) => x.matmul(randn([3, 3], { seed: 5 })).tanh().sum(), randn([3], { seed: 6 }));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(H.data[i * 3 + j] - H.data[j * 3 + i]) < 1e-12);
  });

  it('is the jacobian of the gradient (the finite differences of it, too)', () => {
    const f = (x: Tensor) => x.sigmoid().mul(x).sum();
    const gradient = (x: Tensor) => x.sigmoid().add(x.mul(x.sigmoid()).mul(x.sigmoid().neg().add(1)));   // σ + xσ(1 − σ)
    const x = randn([4], { seed: 7 });
    assertClose(hessian(f, x).data, numericJacobian(gradient, x), 1e-7, 'H vs d(grad)/dx');
  });

  it('of a linear f is zero', () => {
    assert.deepEqual(Array.from(hessian((x) => x.mul(3).sum(), tensor([1, 2])).data), [0, 0, 0, 0]);
  });

  it('rejects a function that is not scalar, naming hessian and the shape', () => {
    assert.throws(() => hessian((x) => x.square(), tensor([1, 2])), /^Error: hessian: the function must return a one-element tensor, got shape \[2\]/);
    assert.throws(() => hessian('f' as unknown as (x: Tensor) => Tensor, tensor([1])), /hessian: expected a function as the first argument, got string/);
    assert.throws(() => hessian((x) => x.sum(), null as unknown as Tensor), /hessian: x must be a tensor, got null/);
  });
});

describe('jacobian and hessian against PyTorch', () => {
  interface Case { name: string; kind: 'jacobian' | 'hessian'; x: Stored; result: Stored }
  const fx = loadFixture<{ W: Stored; b: Stored; A: Stored; cases: Case[] }>('jacobian');
  const [W, b, A] = [fromStored(fx.W), fromStored(fx.b), fromStored(fx.A)];
  // the functions of scripts/torchFixturesJacobian.py, written with the engine
  const fns: Record<string, (x: Tensor) => Tensor> = {
    tanhLayer: (x) => x.matmul(W.transpose()).add(b).tanh(),
    sigmoidLayerBatch: (x) => x.matmul(W.transpose()).add(b).sigmoid(),
    softmaxRows: (x) => x.softmax(-1),
    logSumExpRows: (x) => x.logSumExp(-1),
    cubicSum: (x) => x.pow(3).sum(),
    quadraticForm: (x) => x.matmul(A).mul(x).sum().mul(0.5),
    tanhNeuronSquaredError: (x) => x.matmul(W.transpose()).add(b).tanh().sub(0.3).square().sum(),
    logSumExpAll: (x) => x.logSumExp([0, 1]),
  };
  for (const c of fx.cases) {
    it(`${c.kind} of ${c.name}`, () => {
      const f = fns[c.name];
      assert.ok(f, `the test has the function ${c.name}`);
      assertCloseToTorch((c.kind === 'jacobian' ? jacobian : hessian)(f, fromStored(c.x)), c.result, `${c.kind} of ${c.name}`);
    });
  }
});
