// nn.Linear and nn.MLP against torch.nn with the same weights: outputs, losses and every gradient.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { nn, Tensor } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

interface LinearCase {
  title: string; inFeatures: number; outFeatures: number; bias: boolean;
  weight: Stored; biasValue: Stored | null; x: Stored; out: Stored; w: Stored;
  grads: { x: Stored; weight: Stored; bias: Stored | null };
}
interface MlpCase {
  title: string; sizes: number[]; activation: nn.Activation; loss: 'mseLoss' | 'crossEntropy';
  params: Record<string, Stored>; x: Stored; target: Stored | number[]; out: Stored; lossValue: number;
  grads: Record<string, Stored>; v: Record<string, Stored>; hvp: Record<string, Stored>;
}

const fixture = loadFixture<{ linear: LinearCase[]; mlp: MlpCase[] }>('nn');

/** Overwrites a parameter's values with PyTorch's (test set-up only: cells must not write `data`). */
function load(p: Tensor, s: Stored): void {
  assert.deepEqual([...p.shape], s.shape, `parameter ${p.name}: shape`);
  p.data.set(s.data);
}

describe('nn.Linear matches torch.nn.Linear', () => {
  for (const c of fixture.linear) {
    it(c.title, () => {
      const layer = new nn.Linear(c.inFeatures, c.outFeatures, { bias: c.bias, seed: 1 });
      load(layer.weight, c.weight);
      if (c.biasValue) load(layer.bias as Tensor, c.biasValue);
      else assert.equal(layer.bias, null);
      const x = fromStored(c.x, true);
      const out = layer.forward(x);
      assertClose(out, c.out, `${c.title}: output`);
      out.mul(fromStored(c.w)).sum().backward();
      assertClose(x.grad, c.grads.x, `${c.title}: dx`);
      assertClose(layer.weight.grad, c.grads.weight, `${c.title}: dweight`);
      if (c.grads.bias) assertClose(layer.bias?.grad ?? null, c.grads.bias, `${c.title}: dbias`);
    });
  }
});

describe('nn.MLP matches the same torch.nn.Sequential', () => {
  for (const c of fixture.mlp) {
    it(c.title, () => {
      const model = new nn.MLP(c.sizes, { activation: c.activation, seed: 1 });
      const named = model.namedParameters();
      assert.deepEqual(named.map(([n]) => n), Object.keys(c.params), 'parameter paths and order, as PyTorch');
      for (const [name, p] of named) load(p, c.params[name]);
      const x = fromStored(c.x, true);
      const out = model.forward(x);
      assertClose(out, c.out, `${c.title}: output`);
      const loss = c.loss === 'mseLoss'
        ? out.mseLoss(fromStored(c.target as Stored))
        : out.crossEntropy(c.target as number[]);
      assertClose(loss, { shape: [], data: [c.lossValue] }, `${c.title}: loss`);
      loss.backward();
      assertClose(x.grad, c.grads.x, `${c.title}: dx`);
      for (const [name, p] of named) assertClose(p.grad, c.grads[name], `${c.title}: d${name}`);
    });

    it(`${c.title}: Hessian-vector product (createGraph)`, () => {
      const model = new nn.MLP(c.sizes, { activation: c.activation, seed: 1 });
      const named = model.namedParameters();
      for (const [name, p] of named) load(p, c.params[name]);
      const x = fromStored(c.x, true);
      const out = model.forward(x);
      const loss = c.loss === 'mseLoss' ? out.mseLoss(fromStored(c.target as Stored)) : out.crossEntropy(c.target as number[]);
      loss.backward({ createGraph: true });
      const wrt: [string, Tensor][] = [['x', x], ...named];
      const dot = wrt.map(([name, t]) => {
        const g = t.grad as Tensor;
        t.zeroGrad();
        return g.mul(fromStored(c.v[name])).sum();
      }).reduce((a, b) => a.add(b));
      dot.backward();
      for (const [name, t] of wrt) assertClose(t.grad, c.hvp[name], `${c.title}: (H v) for ${name}`);
    });
  }
});
