// grad, valueAndGrad and customGrad: results, argnums, untouched .grad, nesting, errors, and a wrong custom
// gradient caught by gradcheck.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { customGrad, grad, gradcheck, noGrad, scalar, Tensor, tensor, traceGraph, valueAndGrad } from '../../kernel/engine';
import type { GradOptions } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

const arr = (t: Tensor | null): number[] => Array.from((t as Tensor).data);

function close(a: number[], b: number[], what: string, tol = 1e-12): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${x} != ${b[i]}`));
}

describe('grad', () => {
  const f = (x: Tensor, y: Tensor): Tensor => x.mul(y).sum().add(x.square().sum());

  it('returns the gradients with respect to every tensor argument, in order', () => {
    const [dx, dy] = grad(f)(tensor([1, 2]), tensor([3, -1]));
    assert.deepEqual(arr(dx), [5, 3]); // y + 2x
    assert.deepEqual(arr(dy), [1, 2]); // x
  });

  it('leaves the arguments\' and every other tensor\'s .grad untouched', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(10).sum().backward();
    const before = x.grad;
    const y = tensor([3, -1]);
    const w = tensor([2, 2], { requiresGrad: true }); // captured by the function, not an argument
    const [dx, dy] = grad((a: Tensor, b: Tensor) => f(a, b).add(w.mul(a).sum()))(x, y);
    assert.deepEqual(arr(dx), [7, 5]);
    assert.deepEqual(arr(dy), [1, 2]);
    assert.equal(x.grad, before);
    assert.deepEqual(arr(x.grad), [10, 10]);
    assert.equal(y.grad, null);
    assert.equal(y.requiresGrad, false, 'the argument is not changed to require grad');
    assert.equal(w.grad, null);
  });

  it('picks arguments with argnums: a number gives one tensor, a list an array', () => {
    const x = tensor([1, 2]), y = tensor([3, -1]);
    const dy = grad(f, { argnums: 1 })(x, y);
    assert.ok(dy instanceof Tensor);
    assert.deepEqual(arr(dy), [1, 2]);
    const picked = grad(f, { argnums: [1, 0] })(x, y);
    assert.deepEqual(picked.map(arr), [[1, 2], [5, 3]]);
    assert.throws(() => grad(f, { argnums: 2 })(x, y), /grad: argnums 2 is out of range for 2 arguments/);
    assert.throws(() => grad(f, { argnum: 0 } as object), /grad: unknown option 'argnum' \(supported: argnums, allowUnused\)/);
  });

  it('differentiates tensor arguments only by default, and a number picked by argnums', () => {
    const g = (x: Tensor, k: number | Tensor): Tensor => x.mul(k).sum();
    const [dx] = grad(g)(tensor([1, 2, 3]), 4);
    assert.deepEqual(arr(dx), [4, 4, 4]);
    const dk = grad(g, { argnums: 1 })(tensor([1, 2, 3]), 4);
    assert.deepEqual(dk.shape, []);
    assert.equal(dk.item(), 6);
  });

  it('refuses an argument the value does not depend on, naming it, as PyTorch without allow_unused', () => {
    const f = (a: Tensor, _b: Tensor) => a.sum();
    assert.throws(() => grad(f)(tensor([1, 2]), tensor([[1, 2]], { name: 'w' })),
      { message: 'grad: argument 1 (w) is not used by f: its gradient is undefined; pass { allowUnused: true } to get zeros for it' });
    assert.throws(() => valueAndGrad(f)(tensor([1, 2]), tensor([[1, 2]])),
      { message: 'valueAndGrad: argument 1 is not used by f: its gradient is undefined; pass { allowUnused: true } to get zeros for it' });
    assert.throws(() => grad((_c: Tensor) => scalar(3))(tensor([1])), /grad: argument 0 is not used by f/);
    // A tensor reached through a closure is not the argument: the argument stays unused.
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => grad((_x: Tensor) => w.mul(2).sum())(tensor([1, 2])), /grad: argument 0 is not used by f/);
    assert.throws(() => grad((_x: Tensor) => w.mul(2).sum())(w.detach()), /grad: argument 0 is not used by f/);
    assert.equal(w.grad, null);
  });

  it('gives zeros for an unused argument with { allowUnused: true }, also through a GradOptions value', () => {
    const opts: GradOptions = { allowUnused: true };
    const [da, db] = grad((a: Tensor, _b: Tensor) => a.sum(), opts)(tensor([1, 2]), tensor([[1, 2]])) as Tensor[];
    assert.deepEqual(arr(da), [1, 1]);
    assert.deepEqual(db.shape, [1, 2]);
    assert.deepEqual(arr(db), [0, 0]);
    const dc = grad((_c: Tensor) => scalar(3), { argnums: 0, allowUnused: true })(tensor([1]));
    assert.deepEqual(arr(dc), [0]);
    const { value, grads } = valueAndGrad((a: Tensor, _b: Tensor) => a.square().sum(), opts)(tensor([3]), tensor([1]));
    assert.equal(value.item(), 9);
    assert.deepEqual((grads as Tensor[]).map(arr), [[6], [0]]);
  });

  it('refuses non-scalar values and functions without tensor arguments, naming grad', () => {
    assert.throws(() => grad((x: Tensor) => x.mul(2))(tensor([1, 2])), /grad: the function must return a one-element tensor, got shape \[2\]/);
    assert.throws(() => grad((k: number) => scalar(k))(3), /grad: the function was called with no tensor arguments/);
  });

  it('works inside noGrad', () => {
    const [dx] = noGrad(() => grad((x: Tensor) => x.square().sum())(tensor([3])));
    assert.deepEqual(arr(dx), [6]);
  });

  it('nests: grad of grad gives second derivatives', () => {
    const cube = (x: Tensor): Tensor => x.pow(3).sum();
    const d1 = grad(cube, { argnums: 0 });
    const d2 = grad((x: Tensor) => d1(x).sum(), { argnums: 0 });
    assert.deepEqual(arr(d2(tensor([1, -2, 0.5]))), [6, -12, 3]); // 6x
    const d3 = grad((x: Tensor) => d2(x).sum(), { argnums: 0 });
    assert.deepEqual(arr(d3(tensor([1, -2]))), [6, 6]);
  });

  it('matches PyTorch on the composite fixture tanh(x W + b) ⊙ x', () => {
    const c = loadFixture<{ cases: { op: string; inputs: Stored[]; w: Stored; grads: Stored[] }[] }>('ops').cases
      .find((k) => k.op === 'composite');
    assert.ok(c);
    const w = fromStored(c.w);
    const grads = grad((x: Tensor, W: Tensor, b: Tensor) => x.matmul(W).add(b).tanh().mul(x).mul(w).sum())(
      ...(c.inputs.map((s) => fromStored(s)) as [Tensor, Tensor, Tensor]));
    grads.forEach((g, i) => assertClose(g, c.grads[i], `composite: gradient ${i}`));
  });
});

describe('valueAndGrad', () => {
  it('returns the value and the gradients', () => {
    const { value, grads } = valueAndGrad((w: Tensor) => w.square().sum())(tensor([1, 2]));
    assert.equal(value.item(), 5);
    assert.deepEqual(grads.map(arr), [[2, 4]]);
    const single = valueAndGrad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: 0 })(tensor([2]), tensor([7]));
    assert.equal(single.value.item(), 14);
    assert.deepEqual(arr(single.grads), [7]);
  });

  it('names itself in errors', () => {
    assert.throws(() => valueAndGrad((x: Tensor) => x)(tensor([1, 2])), /valueAndGrad: the function must return a one-element tensor/);
  });
});

describe('customGrad', () => {
  const cube = customGrad(function cube(x: Tensor) {
    return { value: x.pow(3), gradFunc: (dy: Tensor) => dy.mul(x.square().mul(3)) };
  });

  it('records one node, named after the function, with the custom VJP', () => {
    const x = tensor([1, -2], { requiresGrad: true, name: 'x' });
    const y = cube(x);
    assert.deepEqual(arr(y), [1, -8]);
    assert.equal(y.gradFn, 'cube');
    y.sum().backward();
    assert.deepEqual(arr(x.grad), [3, 12]);
    const snap = traceGraph(y.sum());
    assert.deepEqual(snap.nodes.map((n) => n.op ?? n.name), ['sum', 'cube', 'x'], 'the ops inside f are not in the graph');
    const anonymous = customGrad((a: Tensor) => ({ value: a.mul(2), gradFunc: (dy: Tensor) => dy.mul(2) }));
    assert.equal(anonymous(x).gradFn, 'customGrad');
  });

  it('handles several inputs, and records nothing when no input requires grad', () => {
    const mulAdd = customGrad(function mulAdd(a: Tensor, b: Tensor) {
      return { value: a.mul(b).add(b), gradFunc: (dy: Tensor) => [dy.mul(b), dy.mul(a.add(1))] };
    });
    const a = tensor([2, 3], { requiresGrad: true }), b = tensor([5, 7], { requiresGrad: true });
    mulAdd(a, b).sum().backward();
    assert.deepEqual(arr(a.grad), [5, 7]);
    assert.deepEqual(arr(b.grad), [3, 4]);
    const plain = mulAdd(tensor([1]), tensor([2]));
    assert.equal(plain.isLeaf, true);
    assert.deepEqual(arr(plain), [4]);
    assert.equal(gradcheck(mulAdd, [tensor([0.5, -1], { requiresGrad: true }), tensor([2, 0.3], { requiresGrad: true })]).ok, true);
  });

  it('passes gradcheck when gradFunc is right and fails it when gradFunc is wrong', () => {
    const x = tensor([0.7, -1.3, 2.1], { requiresGrad: true });
    assert.equal(gradcheck(cube, [x]).ok, true);
    const wrongCube = customGrad(function wrongCube(v: Tensor) {
      return { value: v.pow(3), gradFunc: (dy: Tensor) => dy.mul(v.square()) }; // forgot the 3
    });
    const res = gradcheck(wrongCube, [x]);
    assert.equal(res.ok, false);
    assert.ok(res.inputs[0].maxAbsError > 1, `error ${res.inputs[0].maxAbsError}`);
    const offByOneElement = customGrad(function shifted(v: Tensor) {
      return { value: v.exp(), gradFunc: (dy: Tensor) => dy.mul(v.exp()).mul(tensor([1, 1, 1.01])) };
    });
    const bad = gradcheck(offByOneElement, [x]);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.inputs[0].worstIndex, [2]);
  });

  it('supports double backward when gradFunc uses tensor ops, also through values computed in f', () => {
    const x = tensor([0.5, -1.5], { requiresGrad: true });
    cube(x).sum().backward({ createGraph: true });
    const g = x.grad as Tensor;
    x.zeroGrad();
    g.sum().backward();
    close(arr(x.grad), [3, -9], 'd²(x³)/dx² = 6x');
    const tanh = customGrad(function tanhOp(v: Tensor) {
      const t = v.tanh();
      return { value: t, gradFunc: (dy: Tensor) => dy.mul(t.square().neg().add(1)) };
    });
    const d2 = grad((v: Tensor) => grad((u: Tensor) => tanh(u).sum(), { argnums: 0 })(v).sum(), { argnums: 0 });
    const t = [0.5, -1.5].map(Math.tanh);
    close(arr(d2(tensor([0.5, -1.5]))), t.map((ti) => -2 * ti * (1 - ti * ti)), "tanh'' = -2 tanh (1 - tanh²)");
  });

  it('checks gradFunc\'s output count and shapes, naming the op and the shapes', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const tooMany = customGrad(function tooMany(v: Tensor) { return { value: v.sum(), gradFunc: (dy: Tensor) => [dy, dy] }; });
    assert.throws(() => tooMany(x).backward(), /customGrad 'tooMany': gradFunc returned 2 gradients for 1 input of shapes \[2,3\]/);
    const wrongShape = customGrad(function wrongShape(v: Tensor) { return { value: v.sum(), gradFunc: (dy: Tensor) => dy.broadcastTo([3]) }; });
    assert.throws(() => wrongShape(x).backward(), /customGrad 'wrongShape': gradFunc's gradient 0 has shape \[3\] but input 0 has shape \[2,3\]/);
    assert.equal(x.grad, null, 'nothing is half-written');
    const noValue = customGrad(function noValue(v: Tensor) { return { value: 3, gradFunc: () => v } as unknown as { value: Tensor; gradFunc: () => Tensor }; });
    assert.throws(() => noValue(x), /customGrad 'noValue': the function must return \{ value: Tensor, gradFunc/);
    assert.throws(() => (cube as (v: unknown) => Tensor)([1, 2]), /customGrad 'cube': argument 0 is object, not a tensor/);
  });
});
