// optim.SGD and optim.Adam against torch.optim on the same problems from the same weights: the loss before
// each step and every parameter after it (six or eight steps per run).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { nn, optim, Tensor } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

interface Run {
  title: string; optimizer: 'SGD' | 'Adam'; options: Record<string, unknown>; problem: 'quadratic' | 'mlp' | 'classifier';
  initial: Record<string, Stored>; losses: number[]; params: Record<string, Stored>[];
}
interface Fixture {
  quadratic: { A: Stored; b: Stored };
  mlp: { sizes: number[]; activation: nn.Activation; x: Stored; y: Stored };
  classifier: { sizes: number[]; activation: nn.Activation; x: Stored; targets: number[] };
  runs: Run[];
}

const fixture = loadFixture<Fixture>('optim');

/** The run's parameters by name and its loss, rebuilt from the fixture. */
function problem(run: Run): { params: [string, Tensor][]; loss: () => Tensor } {
  if (run.problem === 'quadratic') {
    const [p, q, unused] = ['p', 'q', 'unused'].map((k) => fromStored(run.initial[k], true));
    const A = fromStored(fixture.quadratic.A), b = fromStored(fixture.quadratic.b);
    // loss = ||A p - b||² + 0.5 q·q; `unused` gets no gradient, so it must not move.
    return {
      params: [['p', p], ['q', q], ['unused', unused]],
      loss: () => A.matmul(p).sub(b).pow(2).sum().add(q.mul(q).sum().mul(0.5)),
    };
  }
  const spec = run.problem === 'mlp' ? fixture.mlp : fixture.classifier;
  const model = new nn.MLP(spec.sizes, { activation: spec.activation, seed: 3 });
  const params = model.namedParameters();
  for (const [name, p] of params) p.data.set(run.initial[name].data);
  const X = fromStored(spec.x);
  if (run.problem === 'classifier') return { params, loss: () => model.forward(X).crossEntropy(fixture.classifier.targets) };
  const Y = fromStored(fixture.mlp.y);
  return { params, loss: () => model.forward(X).mseLoss(Y) };
}

describe('optimisers follow torch.optim step by step', () => {
  for (const run of fixture.runs) {
    it(run.title, () => {
      const { params, loss } = problem(run);
      const tensors = params.map(([, p]) => p);
      const opt = run.optimizer === 'SGD'
        ? new optim.SGD(tensors, run.options as unknown as optim.SGDOptions)
        : new optim.Adam(tensors, run.options);
      run.losses.forEach((expected, k) => {
        opt.zeroGrad();
        const l = loss();
        assertClose(l, { shape: [], data: [expected] }, `${run.title}: loss before step ${k + 1}`);
        l.backward();
        opt.step();
        for (const [name, p] of params) assertClose(p, run.params[k][name], `${run.title}: ${name} after step ${k + 1}`);
      });
      if (run.problem === 'quadratic') assert.equal(params[2][1].grad, null);
    });
  }
});
