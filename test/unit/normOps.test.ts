// The normalisation group beyond what torchOps checks: dropout's mask (seeded, its rate, its scale, its gradient),
// batchNorm's running statistics against PyTorch's, one node per norm in the graph, replays that leave the running
// statistics alone, and errors that name the op and the shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { batchNorm, dropout, layerNorm, manualSeed, ones, randn, replay, tensor, Tensor, zeros } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

interface BatchNormCase {
  title: string; op: string; inputs: Stored[]; args: unknown[]; runningMean?: Stored; runningVar?: Stored; inputPositions?: number[];
}

describe('dropout', () => {
  it('the same seed gives the same mask; another seed another one', () => {
    const x = ones([200]);
    const a = dropout(x, { seed: 7 }).toArray(), b = dropout(x, { seed: 7 }).toArray(), c = dropout(x, { seed: 8 }).toArray();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
  it('the mask of seed 0 is fixed on every machine (xoshiro128** on integers)', () => {
    assert.deepEqual(dropout(ones([12]), { seed: 0 }).toArray(), [2, 0, 0, 0, 2, 2, 0, 2, 0, 2, 2, 2]);
  });
  it('without a seed it draws from the global generator (manualSeed)', () => {
    const x = ones([64]);
    manualSeed(5);
    const a = dropout(x).toArray();
    const b = dropout(x).toArray();
    manualSeed(5);
    assert.deepEqual(dropout(x).toArray(), a);
    assert.notDeepEqual(a, b);
  });
  for (const p of [0.1, 0.5, 0.8]) {
    it(`p = ${p}: zeroes about a fraction p, scales the rest by 1/(1 − p), keeps the mean`, () => {
      const n = 20000, y = dropout(ones([n]), { p, seed: 11 });
      let zeros = 0;
      for (const v of y.data) {
        if (v === 0) zeros++;
        else assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-15, `a kept element is 1/(1 − p), got ${v}`);
      }
      const rate = zeros / n, sd = Math.sqrt(p * (1 - p) / n);
      assert.ok(Math.abs(rate - p) < 5 * sd, `dropped ${rate}, expected ${p} ± ${5 * sd}`);
      assert.ok(Math.abs(y.mean().item() - 1) < 5 * sd / (1 - p), `mean ${y.mean().item()}`);
    });
  }
  it('the gradient is the mask times the scale, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = randn([50], { seed: 3, requiresGrad: true, dtype });
      const y = dropout(x, { p: 0.3, seed: 4 });
      y.backward(ones([50], { dtype }));
      assert.equal(x.grad?.dtype, dtype);
      const g = x.grad.data, scale = dtype === 'float32' ? Math.fround(1 / 0.7) : 1 / 0.7;
      let kept = 0;
      y.data.forEach((v, i) => {
        // x has no zeros: a zero output is a dropped element
        assert.equal(g[i], v === 0 ? 0 : scale, `element ${i}`);
        if (v !== 0) { kept++; assert.equal(v, dtype === 'float32' ? Math.fround(x.data[i] * scale) : x.data[i] * scale); }
      });
      assert.ok(kept > 20 && kept < 50, `kept ${kept} of 50`);
    }
  });
  it('is the input itself when not training or p = 0; p = 1 gives zeros and a zero gradient', () => {
    const x = randn([3, 4], { seed: 1, requiresGrad: true });
    assert.equal(dropout(x, { training: false }), x);
    assert.equal(dropout(x, { p: 0 }), x);
    assert.equal(x.dropout({ p: 0.9, training: false }), x);
    const z = dropout(x, { p: 1 });
    assert.ok(z.data.every((v) => v === 0));
    z.sum().backward();
    assert.ok(x.grad?.data.every((v) => v === 0));
  });
  it('is one node, and replays with its recorded mask', () => {
    const x = randn([10], { seed: 2, requiresGrad: true });
    const y = dropout(x, { seed: 9 });
    assert.equal(y.gradFn, 'dropout');
    const x2 = x.detach().add(1);
    const again = replay(y, [x2]);
    assert.deepEqual(Array.from(again.data), Array.from(x2.data, (v, i) => (y.data[i] === 0 ? 0 : v * 2)));
  });
  it('rejects p outside [0, 1], a bad seed and unknown options, naming the op', () => {
    const x = ones([2, 3]);
    assert.throws(() => dropout(x, { p: 1.5 }), /^Error: dropout: p must be a probability in \[0, 1\], got 1.5 \(input \[2,3\]\)$/);
    assert.throws(() => dropout(x, { p: -0.1 }), /dropout: p must be a probability in \[0, 1\], got -0.1/);
    assert.throws(() => dropout(x, { p: NaN }), /dropout: p must be a probability/);
    assert.throws(() => dropout(x, { seed: Infinity }), /dropout: seed must be a finite number/);
    assert.throws(() => dropout(x, { rate: 0.1 } as unknown as bp.DropoutOptions), /dropout: unknown option 'rate'/);
    assert.throws(() => dropout([1, 2] as unknown as Tensor), /dropout: input must be a tensor, got an array/);
  });
});

describe('batchNorm running statistics match PyTorch', () => {
  const cases = loadFixture<{ cases: BatchNormCase[] }>('ops-norm').cases.filter((c) => c.op === 'batchNorm' && c.runningMean);
  it('the fixture has training and evaluation cases', () => {
    assert.ok(cases.some((c) => (c.args.at(-1) as { training: boolean }).training));
    assert.ok(cases.some((c) => !(c.args.at(-1) as { training: boolean }).training));
  });
  for (const c of cases) {
    it(`${c.title}: updated in place in training, untouched in evaluation`, () => {
      const xs = c.inputs.map((s) => fromStored(s));
      const [x, rm, rv, ...wb] = xs;
      const before = [Array.from(rm.data), Array.from(rv.data)];
      batchNorm(x, rm, rv, wb[0] ?? null, wb[1] ?? null, c.args.at(-1) as bp.BatchNormOptions);
      assertClose(rm, c.runningMean as Stored, `${c.title}: runningMean`);
      assertClose(rv, c.runningVar as Stored, `${c.title}: runningVar`);
      if (!(c.args.at(-1) as { training: boolean }).training) assert.deepEqual([Array.from(rm.data), Array.from(rv.data)], before);
    });
  }
});

describe('norms in the graph', () => {
  it('layerNorm and batchNorm are one node each, whose inputs are x, the weight and the bias', () => {
    const x = randn([4, 3], { seed: 1, requiresGrad: true }), w = ones([3], { requiresGrad: true }), b = zeros([3], { requiresGrad: true });
    for (const y of [layerNorm(x, [3], w, b), batchNorm(x, zeros([3]), ones([3]), w, b, { training: true })]) {
      assert.deepEqual(y.node?.inputs, [x, w, b]);
      assert.equal(y.node?.inputs.some((t) => t.node !== null), false);
    }
    assert.deepEqual(layerNorm(x, 3).node?.inputs, [x]);
    assert.deepEqual(batchNorm(x, null, null, null, b, { training: true }).node?.inputs, [x, b]);
  });
  it('a replay of batchNorm in training recomputes the batch statistics and leaves the running ones alone', () => {
    const x = randn([5, 2], { seed: 2, requiresGrad: true });
    const rm = zeros([2]), rv = ones([2]);
    const y = batchNorm(x, rm, rv, null, null, { training: true });
    const after = [Array.from(rm.data), Array.from(rv.data)];
    const x2 = x.detach().mul(3).add(1);
    const again = replay(y, [x2]);
    assert.deepEqual([Array.from(rm.data), Array.from(rv.data)], after);
    // an affine change of x does not change its batch-normalised value (but for ε)
    again.data.forEach((v, i) => assert.ok(Math.abs(v - y.data[i]) < 1e-4, `element ${i}: ${v} vs ${y.data[i]}`));
  });
  it('an evaluation node keeps the running statistics it used, even when training moves them later', () => {
    const x = randn([4, 2], { seed: 3, requiresGrad: true }), w = tensor([2, 3], { requiresGrad: true });
    const rm = tensor([0.5, -0.5]), rv = tensor([4, 0.25]);
    const y = batchNorm(x, rm, rv, w);
    batchNorm(randn([4, 2], { seed: 4 }), rm, rv, null, null, { training: true });
    y.sum().backward();
    const r = [1 / Math.sqrt(4 + 1e-5), 1 / Math.sqrt(0.25 + 1e-5)];
    assert.deepEqual(Array.from(x.grad?.data ?? []).map((v) => v.toFixed(12)), [0, 1, 0, 1, 0, 1, 0, 1].map((k) => (w.data[k] * r[k]).toFixed(12)));
  });
  it('promotes as PyTorch: float32 input and parameters give float32; the running statistics do not decide', () => {
    const x = randn([3, 2], { seed: 5, dtype: 'float32' });
    assert.equal(batchNorm(x, zeros([2]), ones([2])).dtype, 'float32');
    assert.equal(batchNorm(x, zeros([2]), ones([2]), ones([2])).dtype, 'float64');
    assert.equal(layerNorm(x, [2], ones([2], { dtype: 'float32' })).dtype, 'float32');
  });
});

describe('bad arguments name the op and the shapes', () => {
  const x = ones([4, 3]);
  const cases: [string, () => unknown, RegExp][] = [
    ['layerNorm shape not at the end', () => layerNorm(x, [4]), /^layerNorm: input of shape \[4,3\] does not end in normalizedShape \[4\]$/],
    ['layerNorm empty shape', () => layerNorm(x, []), /^layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got \[\]$/],
    ['layerNorm weight shape', () => layerNorm(x, [3], ones([4])), /^layerNorm: weight must have shape \[3\] for input \[4,3\], got \[4\]$/],
    ['layerNorm bias not a tensor', () => layerNorm(x, [3], null, [0, 0, 0] as unknown as Tensor), /^layerNorm: bias must be a tensor, got an array$/],
    ['layerNorm eps', () => layerNorm(x, [3], null, null, { eps: -1 }), /^layerNorm: eps must be a finite number ≥ 0, got -1$/],
    ['batchNorm 1-D input', () => batchNorm(ones([3]), zeros([3]), ones([3])), /^batchNorm: input must be \[N, C\], \[N, C, L\] or \[N, C, H, W\], got shape \[3\]$/],
    ['batchNorm 5-D input', () => batchNorm(ones([1, 1, 1, 1, 2]), zeros([1]), ones([1])), /got shape \[1,1,1,1,2\]/],
    ['batchNorm running stats shape', () => batchNorm(x, zeros([4]), ones([4])), /^batchNorm: runningMean must have shape \[3\] for input \[4,3\], got \[4\]$/],
    ['batchNorm evaluation without stats', () => batchNorm(x, null, null), /^batchNorm: evaluation \(training: false\) needs runningMean and runningVar of shape \[3\] for input \[4,3\]$/],
    ['batchNorm one of the two stats', () => batchNorm(x, zeros([3]), null, null, null, { training: true }), /give both runningMean and runningVar/],
    ['batchNorm one value per channel', () => batchNorm(ones([1, 3]), null, null, null, null, { training: true }), /^batchNorm: expected more than 1 value per channel when training, got input of shape \[1,3\]$/],
    ['batchNorm momentum', () => batchNorm(x, zeros([3]), ones([3]), null, null, { momentum: 2 }), /^batchNorm: momentum must be a number in \[0, 1\], got 2$/],
    ['batchNorm stats requiring grad', () => batchNorm(x, zeros([3], { requiresGrad: true }), ones([3]), null, null, { training: true }), /runningMean must not require grad: training updates it in place/],
    ['batchNorm weight shape', () => batchNorm(ones([2, 3, 4]), zeros([3]), ones([3]), ones([4])), /^batchNorm: weight must have shape \[3\] for input \[2,3,4\], got \[4\]$/],
    ['batchNorm unknown option', () => batchNorm(x, zeros([3]), ones([3]), null, null, { train: true } as unknown as bp.BatchNormOptions), /batchNorm: unknown option 'train'/],
  ];
  for (const [title, f, message] of cases) it(title, () => assert.throws(f, (e: Error) => message.test(e.message)));
});
