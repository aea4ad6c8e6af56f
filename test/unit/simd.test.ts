// The WebAssembly SIMD elementwise loops (kernel/engine/simd) give bit for bit what the JavaScript loops give:
// each is called directly (and must take the call) and through the op that uses it, on both dtypes, lengths with
// and without a tail, and values that test the edges (NaN, ±0, ±∞, subnormals).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as bp from '../../kernel/engine/index';
import type { FloatArray } from '../../kernel/engine/dtype';
import { passPositive } from '../../kernel/engine/ops/masks';
import { adamSimd, binarySimd, CHUNK, Kind, passPositiveSimd, reluSimd, sgdMomentumSimd, sgdSimd, SIMD_MIN, simdAvailable, sumRowsSimd } from '../../kernel/engine/simd/index';

const DTYPES = ['float32', 'float64'] as const;
/** With and without a tail after the last whole vector, and longer than one pass through the module's memory. */
const LENGTHS = [SIMD_MIN, SIMD_MIN + 1, SIMD_MIN + 3, 4099, 2 * CHUNK + 5];
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 5e-324, 3.4e38, -1];

/** Random values with the special ones mixed in, of `dtype`. */
function data(dtype: (typeof DTYPES)[number], n: number, seed: number): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % 7 === 0 ? SPECIAL[s % SPECIAL.length] : s / 2 ** 31 - 1;
  }
  return out;
}

/** Rounds as a store into an array of `like`'s type does. */
const rounder = (like: FloatArray) => (like instanceof Float32Array ? Math.fround : (v: number) => v);

function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Number.isNaN(a) && Number.isNaN(e)) && !Object.is(a, e)) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

test('the SIMD loops are available on this Node (so the tests below exercise them)', () => {
  assert.equal(simdAvailable(), true);
});

test('relu and its VJP: SIMD equals the JavaScript loop, directly and through the ops', () => {
  for (const dtype of DTYPES) for (const n of LENGTHS) {
    const x = data(dtype, n, n), g = data(dtype, n, n + 1), r = rounder(x);
    const expectRelu = Array.from(x, (v) => (v <= 0 ? 0 : v));
    const expectPass = Array.from(x, (v, i) => r(v <= 0 ? g[i] * 0 : g[i]));
    const out = x.slice().fill(7);
    assert.equal(reluSimd(x, out), true);
    assertSameBits(out, expectRelu, `reluSimd ${dtype} ${n}`);
    assert.equal(passPositiveSimd(g, x, out.fill(7)), true);
    assertSameBits(out, expectPass, `passPositiveSimd ${dtype} ${n}`);
    const xt = bp.tensor(x, { shape: [n], dtype }), gt = bp.tensor(g, { shape: [n], dtype });
    assertSameBits(bp.relu(xt).data, expectRelu, `relu ${dtype} ${n}`);
    assertSameBits(passPositive(gt, xt).data, expectPass, `passPositive ${dtype} ${n}`);
  }
});

test('add, sub, mul, div: SIMD equals the JavaScript loop for whole operands, a bias row either side, a number either side', () => {
  const ops = { add: (p: number, q: number) => p + q, sub: (p: number, q: number) => p - q, mul: (p: number, q: number) => p * q, div: (p: number, q: number) => p / q };
  for (const dtype of DTYPES) for (const [rows, cols] of [[37, 29], [37, 256], [128, 29], [128, 256], [Math.ceil(CHUNK / 256) + 7, 256], [Math.ceil(CHUNK / 29) + 3, 29]]) {
    const n = rows * cols, x = data(dtype, n, cols), y = data(dtype, n, rows), row = data(dtype, cols, 3), one = data(dtype, 1, 5);
    const r = rounder(x);
    const X = bp.tensor(x, { shape: [rows, cols], dtype }), Y = bp.tensor(y, { shape: [rows, cols], dtype });
    const B = bp.tensor(row, { shape: [cols], dtype }), S = bp.tensor(one, { shape: [1], dtype });
    for (const [op, f] of Object.entries(ops) as [keyof typeof ops, (p: number, q: number) => number][]) {
      const cases: [string, FloatArray, Kind, FloatArray, Kind, bp.Tensor, bp.Tensor, (i: number) => number][] = [
        ['whole', x, Kind.Full, y, Kind.Full, X, Y, (i) => f(x[i], y[i])],
        ['row right', x, Kind.Full, row, Kind.Row, X, B, (i) => f(x[i], row[i % cols])],
        ['row left', row, Kind.Row, x, Kind.Full, B, X, (i) => f(row[i % cols], x[i])],
        ['number right', x, Kind.Full, one, Kind.Scalar, X, S, (i) => f(x[i], one[0])],
        ['number left', one, Kind.Scalar, x, Kind.Full, S, X, (i) => f(one[0], x[i])],
      ];
      for (const [name, a, ak, b, bk, ta, tb, expect] of cases) {
        const want = Array.from({ length: n }, (_, i) => r(expect(i))), out = x.slice().fill(7);
        const what = `${op} ${name} ${dtype} ${rows}×${cols}`;
        assert.equal(binarySimd(op, a, ak, b, bk, out, cols), true, what);
        assertSameBits(out, want, `${what} (direct)`);
        assertSameBits(bp[op](ta, tb).data, want, `${what} (op)`);
      }
    }
  }
});

test('row sums (bias gradients): SIMD equals the JavaScript loop, float64 sums in row order', () => {
  for (const dtype of DTYPES) for (const [count, inner] of [[128, 256], [37, 29], [1025, 1], [Math.ceil(CHUNK / 129) + 11, 129]]) {
    const x = data(dtype, count * inner, inner), r = rounder(x);
    const acc = new Float64Array(inner);
    for (let c = 0; c < count; c++) for (let i = 0; i < inner; i++) acc[i] += x[c * inner + i];
    const sums = new Float64Array(inner);
    assert.equal(sumRowsSimd(x, count, inner, sums), true);
    assertSameBits(sums, acc, `sumRowsSimd ${dtype} ${count}×${inner}`);
    assertSameBits(bp.sum(bp.tensor(x, { shape: [count, inner], dtype }), 0).data, Array.from(acc, r), `sum(·, 0) ${dtype} ${count}×${inner}`);
  }
});

test('the SGD update: SIMD equals the JavaScript loop (float64 arithmetic, rounded to the parameter type)', () => {
  for (const dtype of DTYPES) for (const n of LENGTHS) {
    const w = data(dtype, n, 11), g = data(dtype, n, 12), lr = 0.0123, r = rounder(w);
    const want = Array.from(w, (v, i) => r(v - lr * g[i]));
    const direct = w.slice();
    assert.equal(sgdSimd(direct, g, lr), true);
    assertSameBits(direct, want, `sgdSimd ${dtype} ${n}`);
    const p = bp.tensor(w.slice(), { shape: [n], dtype, requiresGrad: true });
    p.grad = bp.tensor(g, { shape: [n], dtype });
    new bp.optim.SGD([p], { lr }).step();
    assertSameBits(p.data, want, `optim.SGD ${dtype} ${n}`);
  }
});

test('SGD with momentum or weight decay: SIMD equals the JavaScript loop (float64 buffer and arithmetic)', () => {
  for (const dtype of DTYPES) for (const n of LENGTHS) for (const [momentum, weightDecay] of [[0, 0.01], [0.9, 0], [0.9, 0.01]]) {
    const what = `${dtype} ${n} momentum ${momentum} weightDecay ${weightDecay}`;
    const w0 = data(dtype, n, 31), r = rounder(w0), lr = 0.0123;
    const grads = [data(dtype, n, 32), data(dtype, n, 33), data(dtype, n, 34)];
    // The reference: torch.optim.SGD's update as optim.ts writes it, three steps (the first sets the buffer).
    const want = Array.from(w0), buf = new Float64Array(n);
    grads.forEach((g, t) => {
      for (let i = 0; i < n; i++) {
        const d = weightDecay !== 0 ? g[i] + weightDecay * want[i] : g[i];
        if (momentum === 0) { want[i] = r(want[i] - lr * d); continue; }
        buf[i] = t === 0 ? d : buf[i] * momentum + d;
        want[i] = r(want[i] - lr * buf[i]);
      }
    });
    const direct = w0.slice(), dbuf = momentum === 0 ? null : new Float64Array(n);
    grads.forEach((g, t) => assert.equal(sgdMomentumSimd(direct, g, dbuf, lr, momentum, weightDecay, t === 0), true));
    assertSameBits(direct, want, `sgdMomentumSimd ${what}`);
    if (dbuf) assertSameBits(dbuf, buf, `sgdMomentumSimd buffer ${what}`);
    const p = bp.tensor(w0.slice(), { shape: [n], dtype, requiresGrad: true }), opt = new bp.optim.SGD([p], { lr, momentum, weightDecay });
    for (const g of grads) { p.grad = bp.tensor(g, { shape: [n], dtype }); opt.step(); }
    assertSameBits(p.data, want, `optim.SGD ${what}`);
  }
});

test('the Adam update: SIMD equals the JavaScript loop (float64 state and arithmetic, w rounded to its type)', () => {
  for (const dtype of DTYPES) for (const n of LENGTHS) for (const weightDecay of [0, 0.01]) {
    const what = `${dtype} ${n} weightDecay ${weightDecay}`;
    const w0 = data(dtype, n, 21), r = rounder(w0), [b1, b2, lr, eps] = [0.9, 0.999, 0.003, 1e-8];
    const grads = [data(dtype, n, 22), data(dtype, n, 23), data(dtype, n, 24)];
    // The reference: torch.optim.Adam's update as optim.ts writes it (L2 decay joins the gradient), three steps.
    const want = Array.from(w0), m = new Float64Array(n), v = new Float64Array(n);
    grads.forEach((g, t) => {
      const bc1 = 1 - b1 ** (t + 1), bc2 = Math.sqrt(1 - b2 ** (t + 1));
      for (let i = 0; i < n; i++) {
        const gi = weightDecay !== 0 ? g[i] + weightDecay * want[i] : g[i];
        m[i] = m[i] * b1 + (1 - b1) * gi;
        v[i] = v[i] * b2 + (1 - b2) * gi * gi;
        want[i] = r(want[i] - (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2 + eps)));
      }
    });
    const direct = w0.slice(), dm = new Float64Array(n), dv = new Float64Array(n);
    grads.forEach((g, t) => assert.equal(adamSimd(direct, g, dm, dv, b1, b2, lr / (1 - b1 ** (t + 1)), Math.sqrt(1 - b2 ** (t + 1)), eps, weightDecay), true));
    assertSameBits(direct, want, `adamSimd ${what}`);
    assertSameBits(dm, m, `adamSimd m ${what}`);
    assertSameBits(dv, v, `adamSimd v ${what}`);
    const p = bp.tensor(w0.slice(), { shape: [n], dtype, requiresGrad: true });
    const opt = new bp.optim.Adam([p], { lr, betas: [b1, b2], eps, weightDecay });
    for (const g of grads) { p.grad = bp.tensor(g, { shape: [n], dtype }); opt.step(); }
    assertSameBits(p.data, want, `optim.Adam ${what}`);
  }
});

test('below SIMD_MIN elements, with mixed dtypes or rows longer than a pass, the loops decline and the ops still compute', () => {
  const small = new Float32Array(SIMD_MIN - 1).fill(-1);
  assert.equal(reluSimd(small, new Float32Array(small.length)), false);
  assert.equal(binarySimd('add', new Float32Array(SIMD_MIN), Kind.Full, new Float64Array(SIMD_MIN), Kind.Full, new Float64Array(SIMD_MIN), 0), false);
  const long = new Float32Array(2 * (CHUNK + 1));
  assert.equal(binarySimd('add', long, Kind.Full, long.subarray(0, CHUNK + 1), Kind.Row, new Float32Array(long.length), CHUNK + 1), false);
  assert.deepEqual(Array.from(bp.add(bp.ones([2, CHUNK + 1], { dtype: 'float32' }), bp.ones([CHUNK + 1], { dtype: 'float32' })).data.subarray(0, 3)), [2, 2, 2]);
  const mixed = bp.add(bp.ones([SIMD_MIN], { dtype: 'float32' }), bp.ones([SIMD_MIN], { dtype: 'float64' }));
  assert.equal(mixed.dtype, 'float64');
  assert.ok(Array.from(mixed.data).every((v) => v === 2));
});
