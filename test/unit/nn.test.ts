// Modules: initialisation, parameter paths and groups, forward passes, errors. Numbers against PyTorch live in
// torchNn.test.ts.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { gradcheck, manualSeed, nn, Tensor, tensor, traceGraph } from '../../kernel/engine';

const values = (t: Tensor): number[] => Array.from(t.data);

describe('nn.Linear', () => {
  it('has weight [out, in] and bias [out], drawn from U(-1/√in, 1/√in) as PyTorch initialises them', () => {
    const layer = new nn.Linear(64, 32, { seed: 7 });
    assert.deepEqual(layer.weight.shape, [32, 64]);
    assert.deepEqual((layer.bias as Tensor).shape, [32]);
    const bound = 1 / Math.sqrt(64);
    const all = [...values(layer.weight), ...values(layer.bias as Tensor)];
    assert.ok(all.every((v) => v >= -bound && v < bound), 'every value within the bound');
    assert.ok(Math.max(...all) > 0.9 * bound && Math.min(...all) < -0.9 * bound, 'the whole range is used');
    assert.ok(Math.abs(all.reduce((a, b) => a + b) / all.length) < 0.1 * bound, 'centred on 0');
    assert.equal(layer.weight.requiresGrad, true);
    assert.equal(layer.weight.isLeaf, true);
  });

  it('gives the same weights for the same seed and different ones for another', () => {
    const a = new nn.Linear(3, 4, { seed: 1 }), b = new nn.Linear(3, 4, { seed: 1 }), c = new nn.Linear(3, 4, { seed: 2 });
    assert.deepEqual(values(a.weight), values(b.weight));
    assert.deepEqual(values(a.bias as Tensor), values(b.bias as Tensor));
    assert.notDeepEqual(values(a.weight), values(c.weight));
    assert.notDeepEqual(values(a.weight).slice(0, 4), values(a.bias as Tensor), 'bias is drawn after the weight');
  });

  it('uses the global generator without a seed (manualSeed makes it repeatable)', () => {
    manualSeed(123);
    const a = new nn.Linear(2, 2);
    const a2 = new nn.Linear(2, 2);
    manualSeed(123);
    const b = new nn.Linear(2, 2);
    assert.deepEqual(values(a.weight), values(b.weight));
    assert.notDeepEqual(values(a.weight), values(a2.weight));
  });

  it('computes x Wᵀ + b for a batch, a single vector and a stack of batches', () => {
    const layer = new nn.Linear(2, 3, { seed: 0 });
    layer.weight.data.set([1, 2, 3, 4, 5, 6]);
    (layer.bias as Tensor).data.set([0.5, -1, 2]);
    assert.deepEqual(layer.forward(tensor([[1, -1], [2, 0.5]])).toArray(), [[-0.5, -2, 1], [3.5, 7, 15]]);
    assert.deepEqual(layer.forward(tensor([1, -1])).toArray(), [-0.5, -2, 1]);
    assert.deepEqual(layer.forward(tensor([[[1, -1]], [[2, 0.5]]])).shape, [2, 1, 3]);
  });

  it('has no bias with { bias: false }', () => {
    const layer = new nn.Linear(2, 1, { bias: false, seed: 0 });
    assert.equal(layer.bias, null);
    assert.deepEqual(layer.namedParameters().map(([n]) => n), ['weight']);
    layer.weight.data.set([2, 3]);
    assert.deepEqual(layer.forward(tensor([[1, 1]])).toArray(), [[5]]);
  });

  it('rejects bad sizes and inputs whose last dimension is not inFeatures, naming the shapes', () => {
    assert.throws(() => new nn.Linear(0, 2), /nn\.Linear: inFeatures must be a positive integer, got 0/);
    assert.throws(() => new nn.Linear(2, 1.5), /nn\.Linear: outFeatures must be a positive integer, got 1\.5/);
    const layer = new nn.Linear(3, 2, { seed: 0 });
    assert.throws(() => layer.forward(tensor([[1, 2]])), /nn\.Linear: input of shape \[1,2\] does not end in inFeatures = 3/);
  });

  it('passes a gradient check on its weight, bias and input', () => {
    const layer = new nn.Linear(3, 2, { seed: 4 });
    const x = tensor([[0.1, -0.2, 0.3], [1, 2, -1]], { requiresGrad: true });
    const res = gradcheck((xx: Tensor, w: Tensor, b: Tensor) => {
      layer.weight = w; layer.bias = b;
      return layer.forward(xx).tanh();
    }, [x, layer.weight, layer.bias as Tensor]);
    assert.equal(res.ok, true, JSON.stringify(res));
  });
});

describe('parameter names and groups', () => {
  it('names a lone layer\'s parameters by field, with no group', () => {
    const layer = new nn.Linear(2, 2, { seed: 0 });
    assert.equal(layer.weight.name, 'weight');
    assert.equal(layer.weight.group, undefined);
  });

  it('names MLP parameters layers.i.weight/bias, grouped by layers.i', () => {
    const model = new nn.MLP([2, 3, 3, 1], { seed: 0 });
    const named = model.namedParameters();
    assert.deepEqual(named.map(([n]) => n), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias',
      'layers.2.weight', 'layers.2.bias']);
    for (const [path, p] of named) {
      assert.equal(p.name, path);
      assert.equal(p.group, path.slice(0, path.lastIndexOf('.')));
    }
    assert.deepEqual(model.parameters(), named.map(([, p]) => p));
  });

  it('keeps the full path when a submodule lists its own parameters', () => {
    const model = new nn.MLP([2, 3, 1], { seed: 0 });
    assert.deepEqual(model.layers[1].namedParameters().map(([n]) => n), ['weight', 'bias']);
    assert.equal(model.layers[1].weight.name, 'layers.1.weight');
    assert.equal(model.layers[1].weight.group, 'layers.1');
  });

  it('names Sequential children by index, nested paths included', () => {
    const model = new nn.Sequential(new nn.Linear(2, 4, { seed: 0 }), new nn.ReLU(), new nn.MLP([4, 2, 1], { seed: 1 }));
    assert.deepEqual(model.namedParameters().map(([n, p]) => [n, p.name, p.group]), [
      ['0.weight', '0.weight', '0'], ['0.bias', '0.bias', '0'],
      ['2.layers.0.weight', '2.layers.0.weight', '2.layers.0'], ['2.layers.0.bias', '2.layers.0.bias', '2.layers.0'],
      ['2.layers.1.weight', '2.layers.1.weight', '2.layers.1'], ['2.layers.1.bias', '2.layers.1.bias', '2.layers.1'],
    ]);
  });

  it('finds parameters and submodules in the fields of a user module, each tensor once', () => {
    class Net extends nn.Module {
      scale = tensor([2], { requiresGrad: true });
      constant = tensor([1, 1]); // no grad: not a parameter
      encoder = new nn.Linear(2, 2, { seed: 0 });
      heads = [new nn.Linear(2, 1, { seed: 1 }), new nn.Linear(2, 1, { seed: 2 })];
      tied = this.encoder; // the same module twice: its parameters are listed once
      forward(x: Tensor): Tensor { return this.heads[0].forward(this.encoder.forward(x).mul(this.scale)); }
    }
    class TwoInputs extends nn.Module {
      forward(x: Tensor, y: Tensor): Tensor { return x.add(y); }
    }
    assert.deepEqual(new TwoInputs().forward(tensor([1]), tensor([2])).toArray(), [3]);
    const net = new Net();
    assert.deepEqual(net.namedParameters().map(([n]) => n), ['scale', 'encoder.weight', 'encoder.bias',
      'heads.0.weight', 'heads.0.bias', 'heads.1.weight', 'heads.1.bias']);
    assert.equal(net.heads[1].bias?.group, 'heads.1');
    assert.deepEqual(net.forward(tensor([[1, 2]])).shape, [1, 1]);
  });

  it('shows names and groups in graph snapshots', () => {
    const model = new nn.MLP([2, 2, 1], { seed: 0 });
    const snap = traceGraph(model.forward(tensor([[1, 2]])).sum());
    const weight = snap.nodes.find((n) => n.name === 'layers.1.weight');
    assert.ok(weight, 'the parameter appears under its path');
    assert.equal(weight.group, 'layers.1');
    assert.equal(weight.kind, 'leaf');
  });
});

describe('nn.MLP and nn.Sequential', () => {
  it('puts the activation between layers and none after the last', () => {
    for (const activation of ['relu', 'tanh', 'sigmoid'] as const) {
      const model = new nn.MLP([3, 4, 2], { activation, seed: 5 });
      const x = tensor([[0.5, -1, 2], [1, 1, -3]]);
      const [l0, l1] = model.layers;
      const hidden = l0.forward(x);
      const act = activation === 'relu' ? hidden.relu() : activation === 'tanh' ? hidden.tanh() : hidden.sigmoid();
      const y = model.forward(x);
      assert.deepEqual(y.toArray(), l1.forward(act).toArray(), activation);
      assert.equal(y.gradFn, 'add', 'the last op is the bias, not an activation');
    }
  });

  it('defaults to relu and rejects bad sizes and activations', () => {
    assert.equal(new nn.MLP([1, 1], { seed: 0 }).activation, 'relu');
    assert.throws(() => new nn.MLP([3]), /nn\.MLP: sizes must list at least two layer sizes/);
    assert.throws(() => new nn.MLP([3, 2], { activaton: 'tanh' } as nn.MLPOptions), /nn\.MLP: unknown option 'activaton' \(supported: activation, seed, dtype\)/);
    assert.throws(() => new nn.Linear(3, 2, { activation: 'tanh' } as nn.LinearOptions), /nn\.Linear: unknown option 'activation'/);
    assert.throws(() => new nn.MLP([3, 2], { activation: 'gelu' as nn.Activation }), /nn\.MLP: activation must be 'relu', 'tanh' or 'sigmoid', got "gelu"/);
  });

  it('gives the same network for the same seed, with layers that differ from each other', () => {
    const a = new nn.MLP([2, 2, 2], { seed: 9 }), b = new nn.MLP([2, 2, 2], { seed: 9 });
    assert.deepEqual(a.parameters().map(values), b.parameters().map(values));
    assert.notDeepEqual(values(a.layers[0].weight), values(a.layers[1].weight));
  });

  it('Sequential applies modules in order, activations included', () => {
    const l0 = new nn.Linear(2, 3, { seed: 1 }), l1 = new nn.Linear(3, 1, { seed: 2 });
    const model = new nn.Sequential(l0, new nn.Tanh(), l1, new nn.Sigmoid());
    const x = tensor([[1, -2]]);
    assert.deepEqual(model.forward(x).toArray(), l1.forward(l0.forward(x).tanh()).sigmoid().toArray());
    assert.deepEqual(new nn.ReLU().forward(tensor([-1, 2])).toArray(), [0, 2]);
    assert.throws(() => new nn.Sequential(l0, (() => 1) as unknown as nn.Module), /nn\.Sequential: argument 1 is not a module/);
  });

  it('zeroGrad clears every parameter gradient', () => {
    const model = new nn.MLP([2, 3, 1], { seed: 0 });
    model.forward(tensor([[1, 2]])).sum().backward();
    assert.ok(model.parameters().every((p) => p.grad !== null));
    model.zeroGrad();
    assert.ok(model.parameters().every((p) => p.grad === null));
  });

  it('describes itself', () => {
    assert.equal(String(new nn.MLP([2, 8, 1], { activation: 'tanh', seed: 0 })), "MLP([2, 8, 1], activation='tanh')");
    assert.match(String(new nn.Sequential(new nn.Linear(2, 1, { seed: 0 }), new nn.ReLU())),
      /Sequential\(\n {2}\(0\): Linear\(inFeatures=2, outFeatures=1, bias=true\)\n {2}\(1\): ReLU\(\)\n\)/);
  });
});
