// backward() semantics, one by one, as PyTorch has them; the kept edge shares; hooks (onBackward, replay,
// recordOp, computeGrads); PyTorch's special cases at non-differentiable points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { computeGrads, noGrad, onBackward, recordOp, replay, scalar, Tensor, tensor, zeros } from '../../kernel/engine';

const x3 = (): Tensor => tensor([1, -2, 3], { requiresGrad: true, name: 'x' });
const gradOf = (f: (x: Tensor) => Tensor, v: number[]): unknown => {
  const x = tensor(v, { requiresGrad: true });
  f(x).sum().backward();
  return x.grad?.toArray();
};

describe('backward', () => {
  it('gives d(sum x²)/dx = 2x to a leaf', () => {
    const x = x3();
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [2, -4, 6]);
  });
  it('accumulates into leaves across calls; zeroGrad() resets to null', () => {
    const x = x3();
    x.sum().backward();
    x.mul(2).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [3, 3, 3]);
    x.zeroGrad();
    assert.equal(x.grad, null);
  });
  it('allows a second backward through the same graph (graphs are not freed), accumulating again', () => {
    const x = x3();
    const y = x.square().sum();
    y.backward();
    y.backward({ retainGraph: false });
    assert.deepEqual(x.grad?.toArray(), [4, -8, 12]);
  });
  it('leaves non-leaf .grad null unless retainGrad() was called', () => {
    const x = x3();
    const h = x.mul(3), k = x.mul(4);
    k.retainGrad();
    h.add(k).sum().backward();
    assert.equal(h.grad, null);
    assert.deepEqual(k.grad?.toArray(), [1, 1, 1]);
    assert.equal(h.isLeaf, false);
    assert.equal(h.gradFn, 'mul');
  });
  it('throws without a gradient on a tensor of more than one element', () => {
    assert.throws(() => x3().mul(2).backward(), /backward: grad can be implicitly created only for a one-element tensor, got shape \[3\]/);
  });
  it('takes an explicit gradient of the tensor\'s shape (tensor, array or number)', () => {
    const x = x3();
    x.mul(2).backward(tensor([1, 0, -1]));
    assert.deepEqual(x.grad?.toArray(), [2, 0, -2]);
    const s = scalar(2, { requiresGrad: true });
    s.mul(s).backward(3);
    assert.equal(s.grad?.item(), 12);
    assert.throws(() => x.mul(2).backward([1, 2]), /backward: gradient has shape \[2\] but the tensor has shape \[3\]/);
  });
  it('throws on a tensor that does not require grad', () => {
    assert.throws(() => tensor([1]).backward(), /backward: tensor of shape \[1\] does not require grad/);
  });
  it('works on a one-element non-scalar tensor and on a leaf itself', () => {
    const x = tensor([[2]], { requiresGrad: true });
    x.mul(x).backward();
    assert.deepEqual(x.grad?.toArray(), [[4]]);
    const y = tensor([5], { requiresGrad: true });
    y.backward();
    assert.deepEqual(y.grad?.toArray(), [1]);
  });
  it('un-broadcasts: a [3] bias added to [2,3] gets the column sums', () => {
    const b = tensor([1, 2, 3], { requiresGrad: true });
    const a = tensor([[1, 1, 1], [2, 2, 2]], { requiresGrad: true });
    a.add(b).mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    assert.deepEqual(b.grad?.toArray(), [5, 7, 9]);
    assert.deepEqual(a.grad?.toArray(), [[1, 2, 3], [4, 5, 6]]);
  });
  it('sums over every path when a tensor is used twice', () => {
    const x = scalar(3, { requiresGrad: true });
    const y = x.mul(x).add(x); // 2x + 1 = 7
    y.backward();
    assert.equal(x.grad?.item(), 7);
  });
  it('handles a chain of 100,000 ops without overflowing the stack', () => {
    const x = scalar(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1);
    y.backward();
    assert.equal(x.grad?.item(), 1);
  });
  it('gives distinct .grad tensors to leaves that receive the same gradient', () => {
    const a = x3(), b = x3();
    a.add(b).sum().backward();
    assert.notEqual(a.grad, b.grad);
    assert.deepEqual(a.grad?.toArray(), b.grad?.toArray());
  });
  it('accepts the options object as the first argument', () => {
    const x = scalar(2, { requiresGrad: true });
    x.pow(3).backward({ createGraph: true });
    assert.equal(x.grad?.requiresGrad, true);
  });
});

describe('createGraph: double backward', () => {
  it('d²/dx² of x³ is 6x', () => {
    const x = scalar(2, { requiresGrad: true });
    x.pow(3).backward(undefined, { createGraph: true });
    const g = x.grad as Tensor;
    assert.equal(g.item(), 12);
    assert.equal(g.requiresGrad, true);
    x.zeroGrad();
    g.backward();
    assert.equal(x.grad?.item(), 12);
  });
  it('d²/dx² of tanh x is −2 tanh x (1 − tanh² x)', () => {
    const x = scalar(0.7, { requiresGrad: true });
    const [g] = computeGrads(x.tanh(), [x], undefined, { createGraph: true });
    const [gg] = computeGrads(g, [x]);
    const t = Math.tanh(0.7);
    assert.ok(Math.abs(g.item() - (1 - t * t)) < 1e-15);
    assert.ok(Math.abs(gg.item() - -2 * t * (1 - t * t)) < 1e-15);
  });
  it('without createGraph, gradients are plain tensors (no graph)', () => {
    const x = scalar(2, { requiresGrad: true });
    x.pow(3).backward();
    assert.equal(x.grad?.requiresGrad, false);
    assert.equal(x.grad?.gradFn, null);
  });
});

describe('nothing is half-updated when backward throws', () => {
  it('leaves .grad and the kept shares untouched when a rule returns a wrong shape, naming the op', () => {
    const x = x3(), w = x3();
    const y = x.mul(w);
    const bad = recordOp('badOp', [y], y.detach(), (g) => [g.sum()]);
    const loss = bad.add(x).sum();
    assert.throws(() => loss.backward(), /backward: gradient of 'badOp' input 0 has shape \[\] but input has shape \[3\]/);
    assert.equal(x.grad, null);
    assert.equal(w.grad, null);
    assert.equal(loss.node?.edgeGrads, null);
  });
  it('names the op and input when a custom VJP returns a shape that cannot be un-broadcast', () => {
    const x = x3();
    const y = recordOp('mul', [x], x.detach(), () => [tensor([1, 2])]);
    assert.throws(() => y.sum().backward(), /backward: gradient of 'mul' input 0 has shape \[2\] but input has shape \[3\]/);
  });
});

describe('the kept graph', () => {
  it('keeps each edge\'s share and each node\'s total gradient after backward', () => {
    const x = tensor([1, 2], { requiresGrad: true }), w = tensor([3, 4], { requiresGrad: true });
    const c = tensor([5, 6]);
    const p = x.mul(w), q = p.mul(c), loss = q.sum();
    loss.backward();
    const qn = q.node!, pn = p.node!;
    assert.deepEqual(qn.inputs, [p, c]);
    assert.deepEqual(qn.edgeGrads?.[0]?.toArray(), [5, 6]);
    assert.equal(qn.edgeGrads?.[1], null); // c does not require grad
    assert.deepEqual(pn.edgeGrads?.[0]?.toArray(), [15, 24]);
    assert.deepEqual(pn.edgeGrads?.[1]?.toArray(), [5, 12]);
    assert.deepEqual(pn.grad?.toArray(), [5, 6]);
    assert.equal(loss.node?.grad?.item(), 1);
  });
  it('keeps un-broadcast shares (the share in the input\'s shape)', () => {
    const b = tensor([1, 2], { requiresGrad: true });
    const y = zeros([3, 2]).add(b);
    y.sum().backward();
    assert.deepEqual(y.node?.edgeGrads?.[1]?.toArray(), [3, 3]);
  });
  it('a node\'s share list is replaced by the latest backward', () => {
    const x = scalar(1, { requiresGrad: true });
    const y = x.mul(2);
    y.backward();
    y.backward(5);
    assert.equal(y.node?.edgeGrads?.[0]?.item(), 10);
    assert.equal(x.grad?.item(), 12);
  });
  it('records the op\'s non-tensor arguments', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    assert.deepEqual(x.sum(1, true).node?.args, { axes: [1], keepDims: true });
    assert.deepEqual(x.leakyRelu(0.2).node?.args, { slope: 0.2 });
    assert.deepEqual(x.reshape([4]).node?.args, { shape: [4] });
  });
  it('gives tensors unique increasing ids', () => {
    const a = x3(), b = a.mul(2);
    assert.ok(b.id > a.id);
  });
});

describe('hooks', () => {
  it('onBackward calls listeners after each backward with the root, and unsubscribes', () => {
    const seen: Tensor[] = [];
    const off = onBackward((root) => { seen.push(root); assert.notEqual(x.grad, null); });
    const x = x3();
    const y = x.sum();
    y.backward();
    off();
    x.sum().backward();
    assert.deepEqual(seen, [y]);
  });
  it('computeGrads leaves .grad, kept shares and listeners untouched', () => {
    let calls = 0;
    const off = onBackward(() => { calls++; });
    const x = x3(), w = x3();
    const y = x.mul(w).sum();
    const [gx, gw] = computeGrads(y, [x, w]);
    off();
    assert.deepEqual(gx.toArray(), [1, -2, 3]);
    assert.deepEqual(gw.toArray(), [1, -2, 3]);
    assert.equal(x.grad, null);
    assert.equal(y.node?.edgeGrads, null);
    assert.equal(calls, 0);
    assert.deepEqual(computeGrads(y, [tensor([1, 2], { requiresGrad: true })])[0].toArray(), [0, 0]);
  });
  it('replay recomputes a node from new inputs with the same arguments', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.sum(0, true), z = x.leakyRelu(0.5), s = x.slice([1, 0], [1, -1]);
    const x2 = tensor([[10, -20], [30, 40]]);
    assert.deepEqual(replay(y, [x2]).toArray(), [[40, 20]]);
    assert.deepEqual(replay(z, [x2]).toArray(), [[10, -10], [30, 40]]);
    assert.deepEqual(replay(s, [x2]).toArray(), [[30, 40]]);
    const m = x.matmul(x);
    assert.deepEqual(replay(m, [x2, tensor([[1, 0], [0, 1]])]).toArray(), [[10, -20], [30, 40]]);
    assert.throws(() => replay(x, []), /replay: the tensor is a leaf/);
  });
  it('replay of a whole graph, node by node, gives the same values', () => {
    const w = tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
    const x = tensor([[1, 2]]);
    const loss = x.matmul(w).tanh().crossEntropy([1]);
    const memo = new Map<Tensor, Tensor>();
    const re = (t: Tensor): Tensor => {
      if (!t.node) return t;
      let r = memo.get(t);
      if (!r) { r = replay(t, t.node.inputs.map(re)); memo.set(t, r); }
      return r;
    };
    assert.equal(re(loss).item(), loss.item());
  });
  it('recordOp records a node with a caller-supplied VJP and replay function', () => {
    const x = x3();
    const y = recordOp('triple', [x], noGrad(() => x.mul(3)), (g) => [g.mul(3)], {}, ([a]) => a.mul(3));
    assert.equal(y.gradFn, 'triple');
    y.sum().backward();
    assert.deepEqual(x.grad?.toArray(), [3, 3, 3]);
    assert.deepEqual(replay(y, [tensor([1, 1, 1])]).toArray(), [3, 3, 3]);
  });
});

describe('tensor methods', () => {
  it('noGrad records nothing and returns the result', () => {
    const x = x3();
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.equal(bp.isGradEnabled(), true);
  });
  it('detach shares values and cuts the graph', () => {
    const x = x3(), d = x.mul(2).detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    assert.deepEqual(d.toArray(), [2, -4, 6]);
  });
  it('clone copies and stays in the graph', () => {
    const x = x3(), c = x.clone();
    assert.notEqual(c.data, x.data);
    assert.equal(c.gradFn, 'clone');
    c.sum().backward();
    assert.deepEqual(x.grad?.toArray(), [1, 1, 1]);
  });
  it('requiresGrad_ switches a leaf on and off; a non-leaf cannot be switched off', () => {
    const x = tensor([1]).requiresGrad_();
    assert.equal(x.requiresGrad, true);
    x.requiresGrad_(false);
    assert.equal(x.requiresGrad, false);
    const y = x3().mul(2);
    assert.throws(() => y.requiresGrad_(false), /requiresGrad_: a non-leaf tensor/);
  });
  it('item, toArray, fields', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { name: 'm' });
    assert.deepEqual([x.shape, x.size, x.ndim, x.dtype, x.name, x.isLeaf, x.gradFn, x.grad, x.requiresGrad], [[2, 3], 6, 2, 'float64', 'm', true, null, null, false]);
    assert.equal(scalar(4).toArray(), 4);
    assert.equal(tensor([[7]]).item(), 7);
    assert.throws(() => x.item(), /item: tensor of shape \[2,3\] has 6 elements, expected 1/);
  });
});

describe("PyTorch's special cases", () => {
  it('relu\'(0) = 0, abs\'(0) = 0, leakyRelu\'(0) = slope', () => {
    assert.deepEqual(gradOf((x) => x.relu(), [-1, 0, 1]), [0, 0, 1]);
    assert.deepEqual(gradOf((x) => x.abs(), [-1, 0, 1]), [-1, 0, 1]);
    assert.deepEqual(gradOf((x) => x.leakyRelu(0.1), [-1, 0, 1]), [0.1, 0.1, 1]);
  });
  it('clamp passes the gradient on [min, max], bounds included', () => {
    assert.deepEqual(gradOf((x) => x.clamp(0, 1), [-1, 0, 0.5, 1, 2]), [0, 1, 1, 1, 0]);
  });
  it('maximum/minimum split the gradient half-half on ties', () => {
    const a = tensor([1, 2, 5], { requiresGrad: true }), b = tensor([1, 3, 4], { requiresGrad: true });
    a.maximum(b).sum().backward();
    assert.deepEqual([a.grad?.toArray(), b.grad?.toArray()], [[0.5, 0, 1], [0.5, 1, 0]]);
    a.zeroGrad(); b.zeroGrad();
    a.minimum(b).sum().backward();
    assert.deepEqual([a.grad?.toArray(), b.grad?.toArray()], [[0.5, 1, 0], [0.5, 0, 1]]);
  });
  it('max/min reductions send the gradient to the first extreme element', () => {
    assert.deepEqual(gradOf((x) => x.max(), [1, 3, 3, 2]), [0, 1, 0, 0]);
    assert.deepEqual(gradOf((x) => x.min(), [2, 1, 3, 1]), [0, 1, 0, 0]);
    const m = tensor([[1, 4, 4], [7, 7, 0]], { requiresGrad: true });
    m.max(1).sum().backward();
    assert.deepEqual(m.grad?.toArray(), [[0, 1, 0], [1, 0, 0]]);
  });
  it('pow at 0: d(0²)/dx = 0, d(x⁰)/dx = 0, d(0^0.5)/dx = inf, d(0ᵇ)/db = 0 for b ≥ 0', () => {
    assert.deepEqual(gradOf((x) => x.pow(2), [0, 1]), [0, 2]);
    assert.deepEqual(gradOf((x) => x.pow(0), [0, 1]), [0, 0]);
    assert.deepEqual(gradOf((x) => x.pow(0.5), [0, 1]), [Infinity, 0.5]);
    const b = tensor([2, 0, 0.5], { requiresGrad: true });
    bp.pow(zeros([3]), b).sum().backward();
    assert.deepEqual(b.grad?.toArray(), [0, 0, 0]);
  });
  it('sqrt and log at 0 give an infinite gradient', () => {
    assert.deepEqual(gradOf((x) => x.sqrt(), [0, 4]), [Infinity, 0.25]);
    assert.deepEqual(gradOf((x) => x.log(), [0, 4]), [Infinity, 0.25]);
  });
});

describe('gradient storage', () => {
  it('no two .grads share storage, even through reshape (a view) and add (identity)', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true }), b = tensor([[1], [2], [3]], { requiresGrad: true });
    const seed = tensor([1, 1, 1]);
    a.add(b.reshape([3])).backward(seed);
    assert.notEqual(a.grad?.data, b.grad?.data);
    assert.notEqual(a.grad?.data, seed.data);
    b.grad!.data[0] = 99;
    assert.deepEqual(a.grad?.toArray(), [1, 1, 1]);
  });
});
