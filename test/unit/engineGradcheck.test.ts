// gradcheck itself: it passes correct gradients, catches wrong ones (naming the input and the worst element),
// checks only inputs that require grad, and leaves their .grad alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, noGrad, recordOp, tensor, Tensor } from '../../kernel/engine';

/** x² with a deliberately wrong VJP (3x instead of 2x) at element 1 only. */
const wrongSquare = (x: Tensor): Tensor => recordOp('wrongSquare', [x], noGrad(() => x.square()), (g) => {
  const factor = tensor(Array.from(x.data, (v, i) => (i === 1 ? 3 * v : 2 * v)), { shape: [...x.shape] });
  return [g.mul(factor)];
});

describe('gradcheck', () => {
  it('passes correct gradients and reports small errors', () => {
    const x = tensor([0.3, -1.2, 2], { requiresGrad: true, name: 'x' });
    const w = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const r = gradcheck((a, b) => a.matmul(b).tanh(), [x, w]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.inputs.map((i) => [i.index, i.name]), [[0, 'x'], [1, undefined]]);
    for (const i of r.inputs) assert.ok(i.maxAbsError < 1e-8, `max abs error ${i.maxAbsError}`);
  });
  it('catches a wrong VJP and points at the worst element', () => {
    const x = tensor([[0.5, 2], [1, -1]], { requiresGrad: true, name: 'x' });
    const r = gradcheck(wrongSquare, [x]);
    assert.equal(r.ok, false);
    assert.deepEqual(r.inputs[0].worstIndex, [0, 1]);
    assert.ok(Math.abs(r.inputs[0].maxAbsError - 2) < 1e-6); // 3·2 − 2·2
    assert.ok(r.inputs[0].maxRelError > 0.3);
  });
  it('checks only the inputs that require grad, and leaves .grad untouched', () => {
    const x = tensor([1, 2], { requiresGrad: true }), c = tensor([3, 4]);
    const r = gradcheck((a, b) => a.mul(b).sum(), [x, c]);
    assert.deepEqual(r.inputs.map((i) => i.index), [0]);
    assert.equal(x.grad, null);
    assert.deepEqual(Array.from(x.data), [1, 2]);
  });
  it('honours eps/atol/rtol', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(gradcheck((a) => a.pow(3).sum(), [x], { eps: 0.1, atol: 0, rtol: 1e-6 }).ok, false);
    assert.equal(gradcheck((a) => a.pow(3).sum(), [x], { eps: 0.1, atol: 0.02, rtol: 0 }).ok, true);
  });
});
