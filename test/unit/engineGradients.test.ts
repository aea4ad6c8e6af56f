// Every rule of the gradient table against central finite differences (float64, random inputs, several shapes,
// broadcasting), first order and — through createGraph — second order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeGrads, forwards, gradcheck, gradients, Tensor } from '../../kernel/engine';
import { withGradMode } from '../../kernel/engine/graph';
import { gradCases } from './helpers/engineCases';

function describeFailure(r: ReturnType<typeof gradcheck>): string {
  return r.inputs.map((i) => `input ${i.index}: max abs error ${i.maxAbsError} at [${i.worstIndex}]`).join('; ');
}

describe('the gradient-table cases', () => {
  it('cover every key of the gradient table', () => {
    const covered = new Set(gradCases.map((c) => c.op));
    assert.deepEqual(Object.keys(gradients).filter((k) => !covered.has(k)), []);
  });
  it('name only keys of the table', () => {
    assert.deepEqual(gradCases.map((c) => c.op).filter((op) => !(op in gradients)), []);
  });
  it('the forward table (replay) has exactly the keys of the gradient table', () => {
    assert.deepEqual(Object.keys(forwards).sort(), Object.keys(gradients).sort());
  });
});

describe('first-order gradients match finite differences', () => {
  for (const c of gradCases) {
    it(`${c.title}`, () => {
      const xs = c.inputs();
      const r = gradcheck(c.f, xs, c.tolerance);
      assert.ok(r.ok, `${c.title}: ${describeFailure(r)}`);
      assert.equal(r.inputs.length, xs.filter((x) => x.requiresGrad).length);
    });
  }
});

describe('second-order gradients (createGraph) match finite differences of the gradients', () => {
  for (const c of gradCases) {
    if (c.firstOrderOnly) continue;
    it(`${c.title}`, () => {
      const xs = c.inputs();
      const vs = xs.map((x) => x.detach().mul(0.7).add(0.3));
      // h(x) = Σᵢ <dL/dxᵢ, vᵢ> with L = <f(x), w>: its gradient needs the backward pass to be differentiable.
      const h = (...ys: Tensor[]): Tensor => withGradMode(true, () => {
        const y = c.f(...ys);
        const w = y.detach().mul(0).add(0.5);
        const gs = computeGrads(y, ys, w, { createGraph: true });
        return gs.map((g, i) => g.mul(vs[i]).sum()).reduce((a, b) => a.add(b));
      });
      const r = gradcheck(h, xs, c.tolerance);
      assert.ok(r.ok, `${c.title}: ${describeFailure(r)}`);
    });
  }
});
