// Backprop: Check Gradients on graphs with the normalisation group: it replays batchNorm and layerNorm nodes (each
// one node, one rule) and passes them, and its replays never move a BatchNorm's running statistics.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { nn, randn } from '../../kernel/engine';
import { installBackwardLog, lastBackward } from '../../kernel/outputs/backwardLog';
import { checkBackward } from '../../kernel/tools/gradientCheck';

installBackwardLog();

function last() {
  const rec = lastBackward();
  assert.ok(rec, 'a backward() was recorded');
  return rec;
}

describe('gradient check of networks with norms', () => {
  for (const mode of ['training', 'evaluation'] as const) {
    it(`passes Linear → BatchNorm1d → tanh → LayerNorm → Linear in ${mode}, and leaves the running statistics alone`, () => {
      const bn = new nn.BatchNorm1d(4);
      const model = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), bn, new nn.Tanh(), new nn.LayerNorm(4), new nn.Linear(4, 2, { seed: 2 }));
      if (mode === 'evaluation') {
        model.forward(randn([6, 3], { seed: 9 }));   // running statistics away from 0 and 1
        model.eval();
      }
      model.forward(randn([6, 3], { seed: 3 })).mseLoss(randn([6, 2], { seed: 4 })).backward();
      const stats = [Array.from(bn.runningMean?.data ?? []), Array.from(bn.runningVar?.data ?? [])];
      const report = checkBackward(last());
      assert.equal(report.ok, true, JSON.stringify(report.params.filter((p) => !p.ok)));
      assert.deepEqual(report.params.map((p) => p.name).sort(), ['0.bias', '0.weight', '1.bias', '1.weight', '3.bias', '3.weight', '4.bias', '4.weight']);
      assert.ok(report.edges.some((e) => e.op === 'batchNorm') && report.edges.some((e) => e.op === 'layerNorm'));
      assert.deepEqual(report.failingOps, []);
      assert.deepEqual([Array.from(bn.runningMean?.data ?? []), Array.from(bn.runningVar?.data ?? [])], stats, 'replays do not update the running statistics');
    });
  }
  it('says that a graph with dropout draws random numbers', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new nn.Dropout(0.5, { seed: 0 }), new nn.Linear(4, 1, { seed: 2 }));
    model.forward(randn([5, 3], { seed: 3 })).square().mean().backward();
    assert.match(checkBackward(last()).randomness ?? '', /dropout/);
  });
});
