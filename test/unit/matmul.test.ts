// gemm against a naive float64 reference: every transpose form, both dtypes, edge and degenerate shapes, offsets;
// bit-identical results whatever the thread count; the JavaScript fallback and the plain-SIMD kernel too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { gemm, matmulInfo, prepareThreads } from '../../kernel/engine/matmul/index';
import type { FloatArray } from '../../kernel/engine/dtype';
import { gemmJs } from '../../kernel/engine/matmul/jsKernel';
import { getNumThreads, setNumThreads } from '../../kernel/engine/matmul/threads';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const root = join(__dirname, '..', '..');

/**
 * [m, n, k]: tiny, k = 1, edges of every block size, one row/column, tall and skinny, several KC blocks; one with
 * rows of C padded in the arena (cStride: 512 columns); the last has op(B) large enough (≥ 4 MiB in both dtypes)
 * to be cut in stripes and column pieces (schedule.ts).
 */
const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 5, 3], [5, 1, 3], [3, 4, 1], [7, 9, 13], [13, 17, 5], [6, 8, 256], [12, 16, 257],
  [1, 3000, 400], [2000, 3, 200], [130, 70, 150], [97, 301, 259], [257, 129, 513], [64, 784, 128], [75, 512, 520], [150, 1100, 1000],
];

function random(len: number, seed: number): Float64Array {
  const x = new Float64Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 2 ** 31 - 1; }
  return x;
}

function naive(tA: boolean, tB: boolean, m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[tA ? p * m + i : i * k + p] * b[tB ? j * k + p : p * n + j];
    out[i * n + j] = s;
  }
  return out;
}

/** Runs gemm with offsets into larger buffers and checks the untouched parts of `out` stay untouched. */
function run(f: typeof gemm, T: Ctor, tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float64Array, b: Float64Array): FloatArray {
  const A = new T(m * k + 3), B = new T(k * n + 5), out = new T(m * n + 7).fill(42);
  A.set(a, 3); B.set(b, 5);
  f(tA, tB, m, n, k, A, 3, B, 5, out, 2);
  assert.ok(out[0] === 42 && out[1] === 42 && out.subarray(2 + m * n).every((v) => v === 42), 'gemm wrote outside out');
  return out.subarray(2, 2 + m * n);
}

function assertClose(got: ArrayLike<number>, want: Float64Array, k: number, f32: boolean, what: string): void {
  const tol = (f32 ? 4e-6 : 1e-14) * Math.max(1, k);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

const forms: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

test('gemm matches a naive product for every shape, dtype and transpose form, on any thread count', () => {
  const saved = getNumThreads();
  try {
    setNumThreads(3);
    assert.equal(prepareThreads(30000), 3, 'the pool did not start its workers');
    for (const [m, n, k] of shapes) {
      const a = random(m * k, m + 7 * k), b = random(k * n, n + 13 * k);
      for (const T of [Float32Array, Float64Array]) {
        // float32 products are checked against float32-rounded inputs.
        const a0 = T === Float32Array ? Float64Array.from(Float32Array.from(a)) : a;
        const b0 = T === Float32Array ? Float64Array.from(Float32Array.from(b)) : b;
        for (const [tA, tB] of forms) {
          const what = `${T.name} ${m}x${n}x${k} transA=${tA} transB=${tB}`;
          const want = naive(tA, tB, m, n, k, a0, b0);
          const results = [1, 2, 3].map((t) => { setNumThreads(t); return run(gemm, T, tA, tB, m, n, k, a0, b0); });
          assertClose(results[0], want, k, T === Float32Array, what);
          for (const r of results.slice(1)) {
            assert.ok(r.every((v, i) => Object.is(v, results[0][i])), `${what}: results differ across thread counts`);
          }
        }
      }
    }
  } finally {
    setNumThreads(saved);
  }
});

test('gemm with k = 0 gives zeros, and with m = 0 or n = 0 writes nothing', () => {
  for (const T of [Float32Array, Float64Array]) {
    const out = new T(6).fill(5);
    gemm(false, false, 2, 3, 0, new T(0), 0, new T(0), 0, out, 0);
    assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0, 0]);
    gemm(false, false, 0, 3, 4, new T(0), 0, new T(12), 0, out.fill(5), 0);
    assert.deepEqual(Array.from(out), [5, 5, 5, 5, 5, 5]);
  }
});

test('the JavaScript fallback kernel matches the naive product', () => {
  for (const [m, n, k] of shapes.slice(0, 12)) {
    const a = random(m * k, 3 * m + k), b = random(k * n, 5 * n + k);
    for (const [tA, tB] of forms) {
      assertClose(run(gemmJs, Float64Array, tA, tB, m, n, k, a, b), naive(tA, tB, m, n, k, a, b), k, false, `js ${m}x${n}x${k} ${tA} ${tB}`);
    }
  }
});

test('a WebAssembly SIMD kernel is in use here, and the plain-SIMD build agrees with the naive product', () => {
  assert.match(matmulInfo().kernel, /^wasm-/);
  const script = `
    const { gemm, matmulInfo } = require(${JSON.stringify(join(root, 'kernel/engine/matmul/index.ts'))});
    const m = 37, n = 45, k = 300, a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)),
      b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i)), out = new Float64Array(m * n);
    gemm(true, true, m, n, k, a, 0, b, 0, out, 0);
    let err = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0; for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
      err = Math.max(err, Math.abs(s - out[i * n + j]));
    }
    console.log(JSON.stringify({ kernel: matmulInfo().kernel, err }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: root, encoding: 'utf8', env: { ...process.env, BACKPROP_MATMUL_KERNEL: 'simd' }, timeout: 60000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { kernel, err } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(kernel, 'wasm-simd');
  assert.ok(err < 1e-11, `plain-SIMD kernel error ${err}`);
});
