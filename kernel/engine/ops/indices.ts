// Index arguments. The engine has float dtypes only, so an index tensor is any tensor (or number[], or nested
// arrays) whose values are integers; argMax/argMin return such tensors. Every op that takes indices (gather,
// crossEntropy's targets, embedding, nllLoss) reads them through indexArray, so they all accept the same forms
// and refuse bad values with the same words.
import { NestedArray, Tensor } from '../tensor';
import { tensor } from '../creation';

/** An index argument: one number, a number[], nested arrays or a tensor holding integers. */
export type IndexLike = number | readonly number[] | readonly NestedArray[] | Tensor;

/** Checked indices: the values, flat, and the shape they came in. */
export interface IndexArray { values: Int32Array; shape: number[] }

/**
 * `indices` (a tensor, a number[], nested arrays or one number) as integers in [0, bound), with their shape.
 * A value that is not finite, not an integer, or out of range is an Error naming the op, the value and its
 * position (`what` says what the values are: 'index', 'target', ...; `context` ends the message, e.g. the shape
 * indexed: 'for dim 0 of shape [2,3]').
 * @example indexArray('gather', tensor([2, 0]), 3) // { values: Int32Array [2, 0], shape: [2] }
 */
export function indexArray(op: string, indices: IndexLike, bound: number, what = 'index', context = ''): IndexArray {
  const end = context ? ` ${context}` : '';
  let values: ArrayLike<number>, shape: number[];
  if (indices instanceof Tensor) { values = indices.data; shape = indices.shape.slice(); }
  else if (typeof indices === 'number') { values = [indices]; shape = []; }
  else if (Array.isArray(indices) && indices.some(Array.isArray)) { const t = tensor(indices as NestedArray[]); values = t.data; shape = t.shape.slice(); }
  else if (Array.isArray(indices)) { values = indices as readonly number[]; shape = [indices.length]; }
  else throw new Error(`${op}: ${what === 'index' ? 'indices' : `${what}s`} must be a tensor or an array of integers, got ${indices === null ? 'null' : typeof indices}`);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new Error(`${op}: ${what} at position ${i} is ${typeof v}, not a number${end}`);
    if (!Number.isFinite(v)) throw new Error(`${op}: ${what} ${v} at position ${i} is not finite${end}`);
    if (!Number.isInteger(v)) throw new Error(`${op}: ${what} ${v} at position ${i} is not an integer${end}`);
    if (v < 0 || v >= bound) throw new Error(`${op}: ${what} ${v} at position ${i} is out of range [0, ${bound})${end}`);
    out[i] = v;
  }
  return { values: out, shape };
}
