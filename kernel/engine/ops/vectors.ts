// Products of 1-D tensors: outer (a column times a row) and dot (their inner product). Both refuse other ranks,
// as PyTorch's do.
import { alloc, promote } from '../dtype';
import { record } from '../graph';
import { fmt } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { operands } from './elementwise';

function vectors(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const [x, y] = operands(op, a, b);
  if (x.ndim !== 1 || y.ndim !== 1) throw new Error(`${op}: expects two 1-D tensors, got shapes ${fmt(x.shape)} and ${fmt(y.shape)}`);
  return [x, y];
}

/**
 * The outer product of two 1-D tensors: out[i, j] = a[i]·b[j], shape [n, m].
 * Gradient: d outer(a,b)/da = g·b, d/db = aᵀ·g (matrix-vector products)
 * @example outer(tensor([1, 2]), tensor([1, 0, -1])) // [[1, 0, -1], [2, 0, -2]]
 */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = vectors('outer', a, b);
  const n = x.size, m = y.size, out = alloc('outer', promote(x.dtype, y.dtype), [n, m]), xd = x.data, yd = y.data;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = xd[i] * yd[j];
  return record('outer', [x, y], new Tensor(out, [n, m]));
}

/**
 * The inner product of two 1-D tensors of the same length: Σ a[i]·b[i], shape [].
 * Gradient: d dot(a,b)/da = g·b, d/db = g·a
 * @example dot(tensor([1, 2, 3]), tensor([4, 5, 6])) // 32
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = vectors('dot', a, b);
  if (x.size !== y.size) throw new Error(`dot: shapes ${fmt(x.shape)} and ${fmt(y.shape)} have different lengths (${x.size} != ${y.size})`);
  const out = alloc('dot', promote(x.dtype, y.dtype), []), xd = x.data, yd = y.data;
  let s = 0;
  for (let i = 0; i < x.size; i++) s += xd[i] * yd[i];
  out[0] = s;
  return record('dot', [x, y], new Tensor(out, []));
}
