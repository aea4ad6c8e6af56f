// float32 paths and the one promotion rule: float64 if any tensor operand is float64; numbers take the
// tensor's dtype; a leaf's gradient has the leaf's dtype.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { gradcheck, ones, randn, tensor, Tensor } from '../../kernel/engine';
import { gradCases } from './helpers/engineCases';

const f32 = (v: number[] | number[][], requiresGrad = false): Tensor => tensor(v, { dtype: 'float32', requiresGrad });

describe('float32', () => {
  it('ops on float32 tensors give float32, numbers included', () => {
    const x = f32([1, 2, 3]);
    for (const y of [x.add(1), x.mul(x), x.exp(), x.sum(), x.softmax(), x.reshape([3, 1]), x.matmul(x), bp.stack([x, x]), x.pow(2), x.gather([0])]) {
      assert.equal(y.dtype, 'float32');
      assert.ok(y.data instanceof Float32Array);
    }
  });
  it('mixing float32 and float64 gives float64 (either order, every binary op and matmul, concat)', () => {
    const a = f32([1, 2]), b = tensor([3, 4]);
    for (const y of [a.add(b), b.sub(a), a.mul(b), a.div(b), a.pow(b), a.maximum(b), b.minimum(a), a.matmul(b), bp.concat([a, b]), bp.stack([a, b]), bp.mseLoss(a, b)]) {
      assert.equal(y.dtype, 'float64');
    }
  });
  it('a number takes the tensor\'s dtype (float32 stays float32)', () => {
    assert.equal(f32([1]).add(0.1).data[0], Math.fround(1 + Math.fround(0.1)));
  });
  it('gradients flow in float32, and a float32 leaf in a float64 graph gets a float32 .grad', () => {
    const w = f32([[1, 2], [3, 4]], true);
    const x = tensor([[1, 1]]);
    x.matmul(w).tanh().sum().backward();
    assert.equal(w.grad?.dtype, 'float32');
    const v = f32([0.5, 0.25], true);
    v.mul(v).sum().backward();
    assert.equal(v.grad?.dtype, 'float32');
    assert.deepEqual(Array.from(v.grad.data), [1, 0.5]);
  });
  it('float32 results agree with float64 to float32 precision on every op of the gradient table', () => {
    for (const c of gradCases) {
      if (c.op === 'cast') continue;
      const xs = c.inputs();
      const xs32 = xs.map((x) => tensor(Float32Array.from(x.data), { shape: [...x.shape], requiresGrad: true }));
      const y64 = c.f(...xs), y32 = c.f(...xs32);
      assert.deepEqual(y32.shape, y64.shape, c.title);
      y64.sum().backward();
      y32.sum().backward();
      const close = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
        Array.from(a).every((v, i) => Math.abs(v - b[i]) <= 1e-4 * (1 + Math.abs(b[i])));
      assert.ok(close(y32.data, y64.data), `${c.title}: values`);
      xs.forEach((x, i) => {
        assert.equal(xs32[i].grad?.dtype, 'float32', `${c.title}: grad dtype`);
        assert.ok(close(xs32[i].grad.data, x.grad!.data), `${c.title}: gradient of input ${i}`);
      });
    }
  });
  it('gradcheck refuses float32 inputs (it does not convert)', () => {
    assert.throws(() => gradcheck((x) => x.sum(), [randn([2], { dtype: 'float32', requiresGrad: true })]),
      /gradcheck: input 0 \(shape \[2\]\) is float32; gradcheck needs float64 inputs/);
  });
  it('creation functions honour dtype', () => {
    for (const t of [bp.zeros([2], { dtype: 'float32' }), ones([2], { dtype: 'float32' }), bp.full([1], 2, { dtype: 'float32' }),
      bp.eye(2, { dtype: 'float32' }), bp.rand([2], { dtype: 'float32' }), bp.linspace(0, 1, 3, { dtype: 'float32' }), bp.scalar(1, { dtype: 'float32' })]) {
      assert.equal(t.dtype, 'float32');
    }
  });
});
