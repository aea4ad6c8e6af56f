// Index arguments of embedding and nllLoss: a number[], nested arrays or a tensor holding integers, checked and
// copied to an Int32Array. One function, so the engine-wide index helper can replace it in one place.
import { NestedArray, Tensor } from '../tensor';
import { tensor } from '../creation';

/** An index argument as accepted by embedding and nllLoss. */
export type IndexLike = number | readonly number[] | readonly NestedArray[] | Tensor;

/**
 * The values of `indices` as integers in [0, bound), with their shape; an error names the op, the index, where it
 * sits, and `what` it indexes (e.g. 'weight [10,3]').
 */
export function integerIndices(op: string, indices: IndexLike, bound: number, what: string): { idx: Int32Array; shape: number[] } {
  let values: ArrayLike<number>, shape: number[];
  if (indices instanceof Tensor) { values = indices.data; shape = indices.shape.slice(); }
  else if (typeof indices === 'number') { values = [indices]; shape = []; }
  else if (Array.isArray(indices)) { const t = tensor(indices as NestedArray[]); values = t.data; shape = t.shape.slice(); }
  else throw new Error(`${op}: indices must be a number[], nested arrays or a tensor of integers, got ${indices === null ? 'null' : typeof indices}`);
  const idx = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new Error(`${op}: index ${v} at position ${i} is not an integer (${what})`);
    if (v < 0 || v >= bound) throw new Error(`${op}: index ${v} at position ${i} is out of range [0, ${bound}) (${what})`);
    idx[i] = v;
  }
  return { idx, shape };
}
