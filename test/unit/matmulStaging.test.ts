// The staging array (operands written straight into the matmul workers' shared memory) and the kernel's loops on
// it give the same bits as the ordinary paths: gemm on a staged operand as on a copied one, copyBlocks, addBlocks
// and addConstant as their JavaScript loops, maxPool2d's WebAssembly windows as its JavaScript loop (first maximum, NaN).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addBlocks, addConstant, copyBlocks, gemm, matmulInfo, stagingArray } from '../../kernel/engine/matmul/index';
import { maxWindowsStaged } from '../../kernel/engine/ops/convKernels';
import { geometry } from '../../kernel/engine/ops/convGeometry';

/** Staging needs the WebAssembly kernel (BACKPROP_MATMUL_KERNEL=js runs without it: every path is then the plain one). */
const skip = matmulInfo().kernel === 'js' ? 'no WebAssembly kernel' : false;
const fill = <T extends Float32Array | Float64Array>(a: T, f: (i: number) => number): T => { for (let i = 0; i < a.length; i++) a[i] = f(i); return a; };

for (const T of [Float32Array, Float64Array]) {
  test(`${T.name}: gemm reads a staged operand in place and gives the bits of a copied one`, { skip }, () => {
    const m = 7, n = 300, k = 45, a = fill(new T(m * k), Math.sin), b = fill(new T(k * n), (i) => Math.cos(3 * i));
    const plain = new T(m * n), staged = new T(m * n);
    gemm(false, false, m, n, k, a, 0, b, 0, plain, 0);
    const s = stagingArray(5 + k * n, b);
    assert.ok(s, 'a staging array where the WebAssembly kernel runs');
    s.set(b, 5);
    gemm(false, false, m, n, k, a, 0, s, 5, staged, 0);
    assert.deepEqual(staged, plain);
  });

  test(`${T.name}: copyBlocks, addBlocks and addConstant in a staged array match their JavaScript loops`, { skip }, () => {
    const len = 4000, init = (i: number) => Math.sin(i) * 100;
    const s = stagingArray(len, new T(0)), js = fill(new T(len), init);
    assert.ok(s);
    fill(s, init);
    copyBlocks(s, 2000, 37, 3, 41, 20, 33); copyBlocks(js, 2000, 37, 3, 41, 20, 33);
    addBlocks(s, 1, 50, 2100, 45, 30, 11); addBlocks(js, 1, 50, 2100, 45, 30, 11);
    const bias = T === Float32Array ? Math.fround(0.1) : 0.1;
    addConstant(s, 7, 1001, bias); addConstant(js, 7, 1001, bias);
    assert.deepEqual(Array.from(s), Array.from(js));
  });

  test(`${T.name}: maxPool2d's WebAssembly windows give the JavaScript loop's maxima and indices (NaN wins, first maximum)`, { skip }, () => {
    const x = fill(new T(2 * 9 * 11), (i) => Math.round(Math.sin(i * 0.7) * 3));
    x[5] = NaN; x[40] = NaN; x[41] = NaN;
    for (const [k, s, p] of [[2, 2, 0], [3, 2, 1], [3, 1, 1]]) {
      const win = { kernel: [k, k] as [number, number], stride: [s, s] as [number, number], padding: [p, p] as [number, number], dilation: [1, 1] as [number, number], groups: 1 };
      const g = geometry('maxPool2d', [2, 1, 9, 11], 1, win, 'kernel'), n = 2 * g.oH * g.oW;
      const out = new T(n), indices = new Int32Array(n);
      assert.ok(maxWindowsStaged(x, g, out, indices));
      for (let img = 0, o = 0; img < 2; img++) {
        for (let oh = 0; oh < g.oH; oh++) {
          for (let ow = 0; ow < g.oW; ow++, o++) {
            let best = -Infinity, at = -1;
            for (let h = Math.max(0, oh * s - p); h < Math.min(9, oh * s - p + k); h++) {
              for (let w = Math.max(0, ow * s - p); w < Math.min(11, ow * s - p + k); w++) {
                const i = img * 99 + h * 11 + w, v = x[i];
                if (at < 0 || v > best || v !== v) { best = v; at = i; }
              }
            }
            assert.ok(Object.is(out[o], T === Float32Array ? Math.fround(best) : best), `window ${o}: ${out[o]} vs ${best}`);
            assert.equal(indices[o], at, `window ${o}`);
          }
        }
      }
    }
  });
}
