// embedding: rows of a weight table looked up by integer indices, one node whose gradient scatter-adds into the
// rows (a row picked twice gets both gradients).
import { alloc } from '../dtype';
import { record } from '../graph';
import { fmt } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { asTensor } from '../creation';
import { IndexLike, integerIndices } from './indices';

/**
 * The rows of `weight` [num, dim] at `indices` (integers of any shape: numbers, nested arrays or a tensor): shape
 * [...indices.shape, dim], as PyTorch's F.embedding.
 * Gradient: d embedding(i, W)/dW = g's rows added into W's rows at the indices; the indices get none
 * @example embedding([[0, 2], [1, 1]], weight) // weight [10, 3] → [2, 2, 3]
 */
export function embedding(indices: IndexLike, weight: TensorLike): Tensor {
  const w = asTensor('embedding', weight, 'float64');
  if (w.ndim !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got shape ${fmt(w.shape)}`);
  const { idx, shape } = integerIndices('embedding', indices, w.shape[0], `rows of weight ${fmt(w.shape)}`);
  return embeddingAt(w, idx, shape);
}

/** embedding with checked indices (what replay uses). */
export function embeddingAt(w: Tensor, idx: Int32Array, indexShape: readonly number[]): Tensor {
  const dim = w.shape[1], shape = [...indexShape, dim], out = alloc('embedding', w.dtype, shape), d = w.data;
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] * dim, dst = k * dim;
    for (let j = 0; j < dim; j++) out[dst + j] = d[src + j];
  }
  return record('embedding', [w], new Tensor(out, shape), { indices: idx, indexShape: indexShape.slice() });
}
