// The one internal entry point of matrix products. The engine calls only `gemm`; how it computes (plain loops
// now; WebAssembly SIMD on a worker pool later) stays behind this signature.

export type FloatArray = Float32Array | Float64Array;

/**
 * out[m×n] = op(A)·op(B), where op(X) is X, or Xᵀ when its flag is set. Row-major storage:
 * A is [m×k] (or [k×m] when transA), B is [k×n] (or [n×k] when transB), out is [m×n] and is overwritten.
 * Offsets let batched products pass views into one buffer. All three arrays have the same element type.
 */
export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOffset: number, b: FloatArray, bOffset: number, out: FloatArray, outOffset: number,
): void {
  const sa0 = transA ? 1 : k, sa1 = transA ? m : 1; // strides of A[i, p]
  const sb0 = transB ? 1 : n, sb1 = transB ? k : 1; // strides of B[p, j]
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOffset + i * sa0 + p * sa1] * b[bOffset + p * sb0 + j * sb1];
      out[outOffset + i * n + j] = s;
    }
  }
}
