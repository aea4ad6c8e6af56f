// The gradient check of the last backward(): replay with nudged leaves, per parameter and per edge; wrong custom
// gradients named; randomness, kinks and sampling reported. Also the backward log behind it (stale and
// accumulated gradients).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { customGrad, nn, optim, Tensor, tensor, randn, traceGraph } from '../../kernel/engine';
import { gradOrigin, installBackwardLog, isStale, lastBackward } from '../../kernel/outputs/backwardLog';
import { checkBackward } from '../../kernel/tools/gradientCheck';
import { nodeId } from '../../kernel/engine/trace';

installBackwardLog();

function last() {
  const rec = lastBackward();
  assert.ok(rec, 'a backward() was recorded');
  return rec;
}

describe('gradient check of the last backward()', () => {
  it('passes a correct graph (an MLP with tanh and an MSE loss), checking every parameter and every edge', () => {
    const model = new nn.MLP([3, 4, 2], { activation: 'tanh', seed: 1 });
    const x = randn([5, 3], { seed: 2 }), y = randn([5, 2], { seed: 3 });
    model.forward(x).mseLoss(y).backward();
    const report = checkBackward(last());
    assert.equal(report.ok, true, JSON.stringify(report.params));
    assert.deepEqual(report.params.map((p) => p.name).sort(), ['layers.0.bias', 'layers.0.weight', 'layers.1.bias', 'layers.1.weight']);
    for (const p of report.params) {
      assert.equal(p.checked, p.size, 'small tensors are checked whole');
      assert.ok(p.maxAbsError < 1e-7, `${p.name}: ${p.maxAbsError}`);
    }
    assert.ok(report.edges.length >= 6 && report.edges.every((e) => e.ok));
    assert.deepEqual(report.failingOps, []);
    assert.equal(report.randomness, undefined);
    assert.deepEqual(report.kinks, []);
    assert.equal(report.sampled, false);
  });

  it('fails a customGrad op with a wrong gradient and names it, on its own edge only', () => {
    // d(x²)/dx is 2x; this rule forgets the 2
    const badSquare = customGrad(function badSquare(x: Tensor) {
      return { value: x.mul(x), gradFunc: (dy: Tensor) => dy.mul(x) };
    });
    const w = tensor([0.5, -1.5, 2], { requiresGrad: true, name: 'w' });
    const loss = badSquare(w.mul(0.3)).sum().sin();
    loss.backward();
    const report = checkBackward(last());
    assert.equal(report.ok, false);
    assert.deepEqual(report.failingOps, ['badSquare']);
    const [param] = report.params;
    assert.equal(param.name, 'w');
    assert.equal(param.ok, false);
    assert.ok(param.maxRelError > 0.3, 'off by a factor of 2');
    const failing = report.edges.filter((e) => !e.ok);
    assert.equal(failing.length, 1);
    assert.equal(failing[0].op, 'badSquare');
    // the edge ids are those of the graph snapshot, so the renderer can draw that edge red
    const g = traceGraph(loss);
    assert.ok(g.edges.some((e) => e.from === failing[0].from && e.to === failing[0].to && e.argIndex === failing[0].argIndex));
    assert.ok(report.edges.filter((e) => e.op !== 'badSquare').every((e) => e.ok), 'the correct rules pass');
  });

  it('detects randomness: a custom op that draws a random number each time it runs', () => {
    const noisy = customGrad(function noisy(x: Tensor) {
      return { value: x.add(Math.random()), gradFunc: (dy: Tensor) => dy };
    });
    const w = tensor([1, 2], { requiresGrad: true });
    noisy(w).square().sum().backward();
    const report = checkBackward(last());
    assert.match(report.randomness ?? '', /different values|recorded value/);
  });

  it('reports kinks: relu at 0 and a tie in max', () => {
    const x = tensor([0, 1, -1], { requiresGrad: true });
    x.relu().sum().backward();
    const relu = checkBackward(last());
    assert.deepEqual(relu.kinks.map((k) => [k.op, k.count]), [['relu', 1]]);

    const y = tensor([[2, 2, 1], [0, 3, 1]], { requiresGrad: true });
    y.max(1).sum().backward();
    const max = checkBackward(last());
    assert.deepEqual(max.kinks.map((k) => [k.op, k.count]), [['max', 2]]);
    assert.equal(max.ok, false, 'finite differences straddle the tie: the first maximal element gets 1, the numeric slope is 0.5');
    assert.ok(max.edges.some((e) => e.op === 'max' && !e.ok && e.atKink), 'the failing edge is the one at the kink');
    assert.deepEqual(max.failingOps, [], 'a disagreement at a kink does not call the rule wrong');

    const z = tensor([0.5, 3], { requiresGrad: true });
    z.clamp(0, 1).add(z.maximum(0.5)).sum().backward();
    const both = checkBackward(last());
    assert.deepEqual(both.kinks.map((k) => k.op).sort(), ['maximum']);
  });

  it('samples big tensors and says how many elements it checked', () => {
    const w = randn([50, 40], { seed: 4, requiresGrad: true });
    const x = randn([40, 3], { seed: 5 });
    w.matmul(x).tanh().sum().backward();
    const report = checkBackward(last(), { sampleSize: 16 });
    assert.equal(report.sampled, true);
    assert.equal(report.params[0].checked, 16);
    assert.equal(report.params[0].size, 2000);
    assert.equal(report.ok, true);
  });

  it('checks at the point of the backward() even after an optimiser step changed the parameters', () => {
    const model = new nn.Linear(2, 1, { seed: 6 });
    const x = tensor([[1, 2], [3, -1]]);
    model.forward(x).square().mean().backward();
    const rec = last();
    new optim.SGD(model.parameters(), { lr: 0.5 }).step();
    const report = checkBackward(rec);
    assert.equal(report.ok, true);
    assert.equal(report.randomness, undefined, 'the replay starts from the values at backward time');
  });

  it('checks a float32 graph in float64', () => {
    const w = tensor([0.3, -0.7, 1.1], { requiresGrad: true, dtype: 'float32' });
    w.sigmoid().mul(w).sum().backward();
    const report = checkBackward(last());
    assert.equal(report.dtype, 'float32');
    assert.equal(report.ok, true, JSON.stringify(report.params));
  });

  it('checks one parameter only when asked', () => {
    const a = tensor([1, 2], { requiresGrad: true, name: 'a' }), b = tensor([3, 4], { requiresGrad: true, name: 'b' });
    a.mul(b).sum().backward();
    const report = checkBackward(last(), { only: b });
    assert.deepEqual(report.params.map((p) => p.name), ['b']);
    assert.ok(report.edges.every((e) => e.from === nodeId(b)));
  });
});

describe('backward log', () => {
  it('counts backward() calls that accumulate into .grad until zeroGrad()', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const f = () => w.mul(w).sum().backward();
    f();
    assert.equal(gradOrigin(w)?.contributions, 1);
    f();
    f();
    assert.equal(gradOrigin(w)?.contributions, 3);
    w.zeroGrad();
    assert.equal(gradOrigin(w), undefined, 'a cleared gradient has no origin');
    f();
    assert.equal(gradOrigin(w)?.contributions, 1);
  });

  it('sees a stale gradient once an optimiser step changes the value', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    const origin = gradOrigin(w)!;
    assert.equal(isStale(w, origin), false);
    new optim.SGD([w], { lr: 0.1 }).step();
    assert.equal(isStale(w, gradOrigin(w)!), true);
    assert.ok(origin.index >= 1 && origin.step >= 1);
  });

  it('keeps only the last backward()', () => {
    const a = tensor([1], { requiresGrad: true });
    a.mul(2).sum().backward();
    const first = last();
    a.mul(3).sum().backward();
    assert.notEqual(last(), first);
    assert.equal(last().index, first.index + 1);
  });
});
