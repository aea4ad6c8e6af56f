// The matmul kernel for runtimes without WebAssembly SIMD: plain JavaScript, 4×4 register-blocked, reading
// op(A) and op(B) through strides so transposes cost nothing. Single-threaded (the pool needs the wasm kernel).
import type { FloatArray } from '../dtype';

/** out[m×n] = op(A)·op(B), same contract as `gemm`. */
export function gemmJs(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOffset: number, b: FloatArray, bOffset: number, out: FloatArray, outOffset: number,
): void {
  const sai = transA ? 1 : k, sap = transA ? m : 1; // A[i, p] = a[aOffset + i*sai + p*sap]
  const sbp = transB ? 1 : n, sbj = transB ? k : 1; // B[p, j] = b[bOffset + p*sbp + j*sbj]
  const m4 = m - (m % 4), n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = aOffset + i * sai, pb = bOffset + j * sbj;
      for (let p = 0; p < k; p++, pa += sap, pb += sbp) {
        const a0 = a[pa], a1 = a[pa + sai], a2 = a[pa + 2 * sai], a3 = a[pa + 3 * sai];
        const b0 = b[pb], b1 = b[pb + sbj], b2 = b[pb + 2 * sbj], b3 = b[pb + 3 * sbj];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = outOffset + i * n + j;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += n;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += n;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += n;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
    for (let j = n4; j < n; j++) {
      for (let r = i; r < i + 4; r++) out[outOffset + r * n + j] = dot(a, aOffset + r * sai, sap, b, bOffset + j * sbj, sbp, k);
    }
  }
  for (let i = m4; i < m; i++) {
    for (let j = 0; j < n; j++) out[outOffset + i * n + j] = dot(a, aOffset + i * sai, sap, b, bOffset + j * sbj, sbp, k);
  }
}

function dot(a: FloatArray, pa: number, sa: number, b: FloatArray, pb: number, sb: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++, pa += sa, pb += sb) s += a[pa] * b[pb];
  return s;
}
