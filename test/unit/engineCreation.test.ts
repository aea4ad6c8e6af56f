// Creation functions, the seeded generator (fixed expected numbers: the same on every machine), toString.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arange, eye, full, linspace, manualSeed, ones, rand, randn, scalar, tensor, zeros, Generator } from '../../kernel/engine';

describe('creation functions', () => {
  it('tensor from numbers, nested arrays and typed arrays (copied)', () => {
    assert.deepEqual(tensor(3).shape, []);
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual([t.shape, Array.from(t.data)], [[2, 3], [1, 2, 3, 4, 5, 6]]);
    const src = new Float64Array([1, 2, 3, 4]);
    const u = tensor(src, { shape: [2, 2] });
    src[0] = 9;
    assert.deepEqual(u.toArray(), [[1, 2], [3, 4]]);
    const f = tensor(new Float32Array([1, 2]));
    assert.equal(f.dtype, 'float32');
    assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).shape, [2, 2]);
    assert.deepEqual(tensor([]).shape, [0]);
  });
  it('options: requiresGrad, name, dtype', () => {
    const t = ones([2], { requiresGrad: true, name: 'w', dtype: 'float32' });
    assert.deepEqual([t.requiresGrad, t.name, t.dtype, t.data instanceof Float32Array], [true, 'w', 'float32', true]);
  });
  it('scalar, zeros, ones, full, eye', () => {
    assert.equal(scalar(2.5).item(), 2.5);
    assert.deepEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(ones([3]).toArray(), [1, 1, 1]);
    assert.deepEqual(full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });
  it('arange and linspace', () => {
    assert.deepEqual(arange(4).toArray(), [0, 1, 2, 3]);
    assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(arange(3, 0, -1).toArray(), [3, 2, 1]);
    assert.deepEqual(arange(2, { dtype: 'float32' }).dtype, 'float32');
    assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(linspace(0, 0.3, 4).data[3], 0.3);
    assert.deepEqual(linspace(2, 3, 1).toArray(), [2]);
  });
});

describe('the seeded generator', () => {
  it('gives fixed first numbers for seed 0 (the same on every machine)', () => {
    assert.deepEqual(Array.from(randn([4], { seed: 0 }).data), [2.0812089348701357, 0.16346561362740877, 0.2541306960223768, 0.039282023357514934]);
    assert.deepEqual(Array.from(rand([3], { seed: 0 }).data), [0.8868539502021594, 0.012474988946590604, 0.032522145755498943]);
    const g = new Generator(42);
    assert.deepEqual([g.nextUint32(), g.nextUint32(), g.nextUint32()], [g2(42)[0], g2(42)[1], g2(42)[2]]);
  });
  it('the same seed gives the same numbers; opts.seed leaves the global generator alone', () => {
    manualSeed(7);
    const a = randn([5]);
    manualSeed(7);
    randn([3], { seed: 1 });
    const b = randn([5]);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    assert.notDeepEqual(Array.from(randn([5], { seed: 8 }).data), Array.from(a.data));
  });
  it('rand is in [0, 1) and randn looks standard normal', () => {
    const u = Array.from(rand([10000], { seed: 3 }).data);
    assert.ok(u.every((v) => v >= 0 && v < 1));
    const z = Array.from(randn([20000], { seed: 4 }).data);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  });
  it('float32 draws are the float64 draws rounded', () => {
    assert.deepEqual(Array.from(randn([3], { seed: 5, dtype: 'float32' }).data), Array.from(Float32Array.from(randn([3], { seed: 5 }).data)));
  });
});

/** The first xoshiro128** outputs for a seed, recomputed independently of the engine's class. */
function g2(seed: number): number[] {
  let x = seed | 0;
  const mix = (): number => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [s0, s1, s2, s3] = [mix(), mix(), mix(), mix()];
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    out.push(r);
  }
  return out;
}

describe('toString', () => {
  it('reads like PyTorch', () => {
    assert.equal(tensor([1, 2]).toString(), 'tensor([1., 2.])');
    assert.equal(scalar(3).toString(), 'tensor(3.)');
    assert.equal(tensor([[1.5, 2], [3, -4]], { requiresGrad: true }).toString(), 'tensor([[ 1.5000,  2.0000],\n        [ 3.0000, -4.0000]], requiresGrad=true)');
    assert.equal(tensor([1], { requiresGrad: true }).mul(2).toString(), 'tensor([2.], gradFn=<mul>)');
    assert.equal(tensor([0.5], { dtype: 'float32', name: 'b' }).toString(), "tensor([0.5000], dtype=float32, name='b')");
    assert.equal(tensor([1e-5, 1]).toString(), 'tensor([1.0000e-05, 1.0000e+00])');
    assert.equal(tensor([NaN, Infinity, 1]).toString(), 'tensor([nan, inf, 1.])');
  });
  it('summarises large tensors', () => {
    // PyTorch's strings: 0..1999 spans more than 1000x (scientific), wrapped at 80 columns.
    assert.equal(arange(2000).toString(), 'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])');
    assert.equal(zeros([3, 1000]).toString(), 'tensor([[0., 0., 0.,  ..., 0., 0., 0.],\n        [0., 0., 0.,  ..., 0., 0., 0.],\n        [0., 0., 0.,  ..., 0., 0., 0.]])');
  });
});

describe('inspection', () => {
  it('console.log shows the readable form', async () => {
    const { inspect } = await import('node:util');
    assert.equal(inspect(tensor([1, 2], { requiresGrad: true })), 'tensor([1., 2.], requiresGrad=true)');
  });
});

describe('JSON', () => {
  it('JSON.stringify writes the values, not the graph', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    assert.equal(JSON.stringify({ y: x.mul(2), s: scalar(3) }), '{"y":[[2,4]],"s":3}');
  });
});
