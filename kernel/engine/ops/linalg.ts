// Matrix products with NumPy's matmul semantics (1-D operands are promoted to a row/column and the added dim
// removed again; ≥ 3-D operands are stacks of matrices whose batch dims broadcast). All arithmetic is `gemm`'s.
import { allocForOverwrite, FloatArray, promote } from '../dtype';
import { record } from '../graph';
import { broadcastIndex, fmt, sizeOf, tryBroadcastShapes } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { gemm } from '../matmul/index';
import { operands } from './elementwise';

function as64(x: Tensor): FloatArray {
  return x.dtype === 'float64' ? x.data : Float64Array.from(x.data);
}

/**
 * Internal: op(a)·op(b) where op transposes the last two dims when its flag is set (flags only for ≥ 2-D
 * operands). The gradient rules call this so that g·bᵀ and aᵀ·g never materialise a transpose.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} need at least 1 dim each`);
  const a2 = a.ndim === 1 ? [1, a.shape[0]] : a.shape.slice(-2), b2 = b.ndim === 1 ? [b.shape[0], 1] : b.shape.slice(-2);
  const m = transA ? a2[1] : a2[0], k = transA ? a2[0] : a2[1];
  const kb = transB ? b2[1] : b2[0], n = transB ? b2[0] : b2[1];
  if (k !== kb) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} do not match (${k} != ${kb})`);
  const aBatch = a.shape.slice(0, Math.max(0, a.ndim - 2)), bBatch = b.shape.slice(0, Math.max(0, b.ndim - 2));
  const batch = tryBroadcastShapes(aBatch, bBatch);
  if (!batch) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast (batch dims ${fmt(aBatch)} and ${fmt(bBatch)})`);
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  const dtype = promote(a.dtype, b.dtype);
  const ad = dtype === 'float64' ? as64(a) : a.data, bd = dtype === 'float64' ? as64(b) : b.data;
  const out = allocForOverwrite('matmul', dtype, shape);
  const count = sizeOf(batch), mk = m * k, kn = k * n, mn = m * n;
  if (count === 1) gemm(transA, transB, m, n, k, ad, 0, bd, 0, out, 0);
  else if (count > 0) {
    const ai = broadcastIndex(aBatch, batch), bi = broadcastIndex(bBatch, batch);
    for (let t = 0; t < count; t++) gemm(transA, transB, m, n, k, ad, ai[t] * mk, bd, bi[t] * kn, out, t * mn);
  }
  return record('matmul', [a, b], new Tensor(out, shape), { transA, transB });
}

/**
 * Matrix product with NumPy semantics: 1-D·1-D is a dot product, 2-D·2-D a matrix product, and ≥ 3-D
 * operands are batches of matrices with broadcast batch dims.
 * Gradient: d(a@b)/da = g·bᵀ, d(a@b)/db = aᵀ·g
 * @example const y = x.matmul(w); // [n, in] @ [in, out] → [n, out]
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('matmul', a, b);
  return matmulT(x, y, false, false);
}
