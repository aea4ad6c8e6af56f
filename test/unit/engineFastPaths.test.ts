// The engine's fast paths compute exactly what the general paths do: broadcasts without an index map (a bias
// [C] against [N, C], a row statistic [N, 1] against [N, C]), sums over consecutive axes, relu's fused VJP
// (and its recorded form under createGraph), the hoisted optimiser loops and nn.Linear's transposed product.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { add, div, grad, matmul, maximum, nn, optim, sub, sum, mean, Tensor, tensor } from '../../kernel/engine';
import { passPositiveFloat32, reluFloat32 } from '../../kernel/engine/ops/float32Bits';

/** Values 0.5, −1.25, … (distinct, some negative) in the given shape and dtype. */
function filled(shape: number[], dtype: 'float32' | 'float64' = 'float64', offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, (_, i) => ((i + offset) % 7 - 3) * 0.75 + (i % 3) * 0.125);
  return tensor(data, { shape, dtype });
}

describe('engine fast paths', () => {
  const pairs: Array<[number[], number[]]> = [
    [[2, 3, 4], [4]], [[2, 3, 4], [3, 4]], [[2, 3, 4], [3, 1]], [[2, 3, 4], [2, 1, 1]], [[2, 3, 4], [1, 3, 1]],
    [[4], [2, 3, 4]], [[3, 1], [2, 3, 4]], [[2, 1, 4], [2, 3, 4]], [[2, 1, 4], [3, 1]], [[5, 3], [1]],
  ];
  for (const [sa, sb] of pairs) {
    it(`broadcasts [${sa}] with [${sb}] as the expanded operands would (sub, div, maximum)`, () => {
      const a = filled(sa), b = filled(sb, 'float64', 2);
      const shape = add(a, b).shape as number[];
      const ea = a.broadcastTo(shape), eb = b.broadcastTo(shape);
      for (const op of [sub, div, maximum]) assert.deepEqual(op(a, b).toArray(), op(ea, eb).toArray());
    });
  }

  it('sums over consecutive axes as element-by-element accumulation does (float32 rounding included)', () => {
    const x = filled([3, 4, 5, 2], 'float32');
    const reference = (axes: number[]): number[] => {
      const out = new Map<string, number>(), d = x.data;
      for (let i = 0; i < x.size; i++) {
        const idx = [Math.floor(i / 40), Math.floor(i / 10) % 4, Math.floor(i / 2) % 5, i % 2];
        const key = idx.map((v, k) => (axes.includes(k) ? 0 : v)).join(',');
        out.set(key, Math.fround((out.get(key) ?? 0) + d[i]));
      }
      return [...out.values()];
    };
    for (const axes of [[0], [1, 2], [3], [0, 1], [2, 3], [0, 2], [1, 3]]) {
      assert.deepEqual(Array.from(sum(x, axes).data), reference(axes), `axes ${axes}`);
      assert.deepEqual(Array.from(mean(x, axes, true).data), reference(axes).map((v) => Math.fround(v / axes.reduce((p, a) => p * x.shape[a], 1))));
    }
  });

  it('relu VJP: g where x > 0, g·0 elsewhere (−0 and NaN kept), and twice differentiable with createGraph', () => {
    const x = tensor([-1, 0, 2, 3], { requiresGrad: true });
    const g = tensor([-5, 1, NaN, 4]);
    x.relu().backward(g);
    assert.deepEqual(Array.from(x.grad!.data), [-0, 0, NaN, 4]);
    const x2 = tensor([-1, 0, 2, 3], { requiresGrad: true });
    const [dx] = grad((v: Tensor) => v.relu().mul(v).sum())(x2); // x2 requires grad: the backward is recorded
    assert.deepEqual(dx.toArray(), [0, 0, 4, 6]);
    assert.ok(dx.requiresGrad);
    dx.sum().backward();
    assert.deepEqual(x2.grad!.toArray(), [0, 0, 2, 2]);
  });

  it('float32 relu and its VJP on bit patterns equal the float loops bit for bit (±0, ±∞, NaN, subnormals)', () => {
    const specials = [0, -0, 1, -1, Infinity, -Infinity, NaN, -NaN, 1e-45, -1e-45, 3.4e38, -3.4e38, 0.5, -2.5];
    const x = new Float32Array(400), g = new Float32Array(400);
    for (let i = 0; i < 400; i++) {
      x[i] = i < specials.length ? specials[i] : Math.sin(i * 1.3) * 10 ** ((i % 9) - 4);
      g[i] = specials[(i * 5) % specials.length] * (i % 2 ? 1 : Math.cos(i));
    }
    new Uint32Array(x.buffer)[399] = 0xffc00001; // a negative-signed NaN
    const relu = new Float32Array(400), pass = new Float32Array(400), reluRef = new Float32Array(400), passRef = new Float32Array(400);
    reluFloat32(x, relu);
    passPositiveFloat32(g, x, pass);
    for (let i = 0; i < 400; i++) { reluRef[i] = x[i] <= 0 ? 0 : x[i]; passRef[i] = x[i] <= 0 ? g[i] * 0 : g[i]; }
    assert.deepEqual(new Uint32Array(relu.buffer), new Uint32Array(reluRef.buffer));
    // NaN payloads may differ; every other result is the same bits.
    for (let i = 0; i < 400; i++) {
      if (Number.isNaN(passRef[i])) assert.ok(Number.isNaN(pass[i]), `element ${i}`);
      else assert.ok(Object.is(pass[i], passRef[i]), `element ${i}: ${pass[i]} vs ${passRef[i]}`);
    }
    const t = tensor(Array.from(x), { dtype: 'float32', requiresGrad: true });
    t.relu().backward(tensor(Array.from(g), { dtype: 'float32' }));
    assert.deepEqual(Array.from(t.grad!.data).map(String), Array.from(passRef).map(String));
  });

  it('nn.Linear gives x·Wᵀ + b and the gradients of the explicit transpose, for 1-D, 2-D and 3-D inputs', () => {
    for (const shape of [[3], [4, 3], [2, 4, 3]]) {
      const layer = new nn.Linear(3, 2, { seed: 1 });
      const x = filled(shape).requiresGrad_();
      layer.forward(x).square().sum().backward();
      const w = tensor(layer.weight.toArray(), { requiresGrad: true }), b = tensor(layer.bias!.toArray(), { requiresGrad: true });
      const x2 = filled(shape).requiresGrad_();
      x2.matmul(w.transpose()).add(b).square().sum().backward();
      assert.deepEqual(layer.weight.grad!.toArray(), w.grad!.toArray());
      assert.deepEqual(layer.bias!.grad!.toArray(), b.grad!.toArray());
      assert.deepEqual(x.grad!.toArray(), x2.grad!.toArray());
    }
  });

  it('plain SGD (unrolled by four) updates every element as w − lr·g, float32 rounded once, for any length', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (let n = 1; n <= 11; n++) {
        const p = filled([n], dtype).requiresGrad_(), opt = new optim.SGD([p], { lr: 0.37 });
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        p.mul(p).mul(p).sum().backward();
        const w = Array.from(p.data), g = Array.from(p.grad!.data);
        opt.step();
        assert.deepEqual(Array.from(p.data), w.map((wi, i) => round(wi - 0.37 * g[i])), `${dtype} n=${n}`);
      }
    }
  });

  it('SGD and Adam with and without momentum / weight decay follow the per-element rule', () => {
    const cases: Array<[string, (p: Tensor[]) => optim.Optimizer, (w: number, g: number, s: number[]) => number]> = [
      ['sgd', (p) => new optim.SGD(p, { lr: 0.1 }), (w, g) => w - 0.1 * g],
      ['sgd wd', (p) => new optim.SGD(p, { lr: 0.1, weightDecay: 0.01 }), (w, g) => w - 0.1 * (g + 0.01 * w)],
      ['sgd momentum wd', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), (w, g, s) => {
        const d = g + 0.01 * w; s[0] = s.length ? s[0] * 0.9 + d : d; return w - 0.1 * s[0];
      }],
    ];
    for (const [name, make, rule] of cases) {
      const p = tensor([0.5, -1.5, 2], { requiresGrad: true }), opt = make([p]);
      const expected = [0.5, -1.5, 2], state: number[][] = [[], [], []];
      for (let step = 0; step < 3; step++) {
        p.mul(p).mul(p).sum().backward();
        const g = Array.from(p.grad!.data);
        for (let i = 0; i < 3; i++) expected[i] = rule(expected[i], g[i], state[i]);
        opt.step(); opt.zeroGrad();
        assert.deepEqual(Array.from(p.data), expected, `${name} step ${step}`);
      }
    }
    const w = tensor([1, -2], { requiresGrad: true }), w2 = tensor([1, -2], { requiresGrad: true });
    const decayed = new optim.Adam([w], { lr: 0.1, weightDecay: 0.5 }), plain = new optim.Adam([w2], { lr: 0.1 });
    for (let step = 0; step < 3; step++) {
      w.square().sum().backward(); decayed.step(); decayed.zeroGrad();
      // weightDecay·w added to the gradient by hand gives the same update.
      w2.square().sum().add(w2.detach().mul(w2).sum().mul(0.5)).backward(); plain.step(); plain.zeroGrad();
      assert.deepEqual(Array.from(w.data), Array.from(w2.data));
    }
  });

  it('matmul writes every element of its unzeroed output: large products, batches, k = 0', () => {
    const naive = (a: Tensor, b: Tensor) => {
      const [m, k] = a.shape, n = b.shape[1], out = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
        out[i * n + j] = s;
      }
      return out;
    };
    // garbage first: freed storage of the same size is what the next unzeroed allocation may get
    for (let i = 0; i < 3; i++) matmul(filled([181, 190]).add(1e300), filled([190, 187]));
    const a = filled([181, 190]), b = filled([190, 187], 'float64', 3), y = matmul(a, b), want = naive(a, b);
    assert.ok(y.data.every((v, i) => Math.abs(v - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i]))), 'a large product');
    const batch = matmul(filled([3, 100, 120]), filled([120, 110], 'float64', 1));
    assert.equal(batch.size, 3 * 100 * 110);
    assert.ok(batch.data.every(Number.isFinite), 'a batched product left garbage');
    const empty = matmul(tensor(new Float64Array(0), { shape: [300, 0] }), tensor(new Float64Array(0), { shape: [0, 300] }));
    assert.ok(empty.size === 90000 && empty.data.every((v) => v === 0), 'k = 0 must give zeros');
  });
});
