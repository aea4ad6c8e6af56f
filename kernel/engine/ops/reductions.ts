// Reductions over one, several or all axes (`axis` a number or an array; negative counts from the end; none, or
// an empty array, means all elements and gives shape []; a 0-d tensor takes axis 0 or -1). max/min send the
// gradient to the first maximal/minimal element.
import { alloc, copyAs, Dtype, FloatArray } from '../dtype';
import { record } from '../graph';
import { Axis, Tensor, TensorLike } from '../tensor';
import { operand } from '../creation';
import { broadcastIndex, fmt, normAxes, sameShape, Shape, sizeOf } from '../shape';
import { broadcastTo, reshape } from './shapeOps';
import { sumRowsSimd } from '../simd/index';

interface Plan { axes: number[]; kept: number[]; shape: number[]; count: number; outSize: number; index: Int32Array | null; inner: number }

/**
 * Output shapes and, unless all axes are reduced, the output index of each input element — except with
 * `blockOk` when the reduced axes are consecutive (rows of a matrix, a bias gradient): then `index` is null and
 * x reads as [outSize / inner, count, inner] (see sumInto).
 */
function plan(op: string, x: Tensor, axis: Axis | null | undefined, keepDims: boolean, needsNonEmpty: boolean, blockOk = false): Plan {
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be a boolean, got ${String(keepDims)}`);
  // An empty list of axes means all of them, as PyTorch's dim=[] does.
  const axes = normAxes(op, Array.isArray(axis) && axis.length === 0 ? undefined : axis, x.shape);
  const kept = x.shape.slice(), shape: number[] = [];
  let count = 1;
  for (const a of axes) { count *= x.shape[a]; kept[a] = 1; }
  for (let d = 0; d < x.ndim; d++) if (!axes.includes(d)) shape.push(x.shape[d]); else if (keepDims) shape.push(1);
  if (needsNonEmpty && count === 0) throw new Error(`${op}: cannot reduce over an empty axis of shape ${fmt(x.shape)}`);
  const outSize = kept.reduce((p, q) => p * q, 1);
  const consecutive = axes.length > 0 && axes[axes.length - 1] - axes[0] === axes.length - 1;
  let inner = 1;
  if (consecutive) for (let d = axes[axes.length - 1] + 1; d < x.ndim; d++) inner *= x.shape[d];
  const block = blockOk && consecutive && outSize > 1;
  const index = outSize === 1 || block ? null : broadcastIndex(kept, x.shape);
  return { axes, kept, shape: keepDims ? kept : shape, count, outSize, index, inner: block ? inner : 0 };
}

/**
 * Float64 accumulators as a result of `dtype`: float32 results are rounded once, at the end, not at every
 * addition (a float32 running sum over 100,000 elements drifts by ~1e-4; PyTorch sums in a cascade).
 */
function rounded(op: string, acc: Float64Array, dtype: Dtype, shape: readonly number[]): FloatArray {
  return dtype === 'float64' ? acc : copyAs(op, 'float32', shape, acc);
}

/** The float64 accumulator of `op`: the result's own storage for float64, scratch rounded by `rounded` for float32. */
function accumulator(op: string, dtype: Dtype, shape: readonly number[]): Float64Array {
  return dtype === 'float64' ? alloc(op, 'float64', shape) as Float64Array : new Float64Array(sizeOf(shape));
}

/** Sums x into out as planned; every output adds its inputs in the same (index) order on each path. */
function sumInto(x: FloatArray, p: Plan, out: FloatArray): void {
  const { index, inner, count } = p;
  if (inner > 0) {
    if (x.length === count * inner && out instanceof Float64Array && sumRowsSimd(x, count, inner, out)) return;
    // x as [outer, count, inner]: out[o, i] = Σ_c x[o, c, i], read row by row.
    for (let base = 0, ob = 0; base < x.length; base += count * inner, ob += inner) {
      for (let c = 0; c < count; c++) {
        const row = base + c * inner;
        for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
      }
    }
    return;
  }
  if (index === null) { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]; out[0] = s; return; }
  for (let i = 0; i < x.length; i++) out[index[i]] += x[i];
}

/**
 * Sum over `axis` (all elements when omitted).
 * Gradient: d Σa/da = g broadcast back over the summed axes
 * @example x.sum() ; sum(x, 1, true)
 */
export function sum(x: TensorLike, axis?: Axis | null, keepDims = false): Tensor {
  x = operand('sum', x);
  const p = plan('sum', x, axis, keepDims, false, true);
  const acc = accumulator('sum', x.dtype, p.shape);
  sumInto(x.data, p, acc);
  return record('sum', [x], new Tensor(rounded('sum', acc, x.dtype, p.shape), p.shape), { axes: p.axes, keepDims });
}

/**
 * Mean over `axis` (all elements when omitted).
 * Gradient: d mean(a)/da = g/count broadcast back
 * @example x.mean(0)
 */
export function mean(x: TensorLike, axis?: Axis | null, keepDims = false): Tensor {
  x = operand('mean', x);
  const p = plan('mean', x, axis, keepDims, false, true);
  const acc = accumulator('mean', x.dtype, p.shape);
  sumInto(x.data, p, acc);
  for (let j = 0; j < acc.length; j++) acc[j] /= p.count;
  return record('mean', [x], new Tensor(rounded('mean', acc, x.dtype, p.shape), p.shape), { axes: p.axes, keepDims });
}

function extreme(op: 'max' | 'min', x: Tensor, axis: Axis | null | undefined, keepDims: boolean): Tensor {
  const p = plan(op, x, axis, keepDims, true);
  const out = alloc(op, x.dtype, p.shape).fill(op === 'max' ? -Infinity : Infinity);
  const d = x.data, idx = p.index, sign = op === 'max' ? 1 : -1;
  for (let i = 0; i < d.length; i++) {
    const j = idx === null ? 0 : idx[i], o = out[j], v = d[i];
    if (o === o && (v !== v || sign * v > sign * o)) out[j] = v; // NaN wins and stays, as PyTorch
  }
  return record(op, [x], new Tensor(out, p.shape), { axes: p.axes, keepDims });
}

/**
 * Maximum over `axis`; the gradient goes to the first maximal element.
 * Gradient: d max(a)/da = g at the first maximal element, 0 elsewhere
 * @example x.max() ; max(x, -1)
 */
export function max(x: TensorLike, axis?: Axis | null, keepDims = false): Tensor { return extreme('max', operand('max', x), axis, keepDims); }

/**
 * Minimum over `axis`; the gradient goes to the first minimal element.
 * Gradient: d min(a)/da = g at the first minimal element, 0 elsewhere
 * @example x.min(0)
 */
export function min(x: TensorLike, axis?: Axis | null, keepDims = false): Tensor { return extreme('min', operand('min', x), axis, keepDims); }

/**
 * log Σ exp(x) over `axis`, computed stably (shifted by the maximum).
 * Gradient: d logΣexp(a)/da = g·exp(a − logΣexp(a)) = g·softmax(a)
 * @example logits.logSumExp(-1)
 */
export function logSumExp(x: TensorLike, axis?: Axis | null, keepDims = false): Tensor {
  x = operand('logSumExp', x);
  const p = plan('logSumExp', x, axis, keepDims, false);
  const m = new Float64Array(p.outSize).fill(-Infinity), s = accumulator('logSumExp', x.dtype, p.shape);
  const d = x.data, idx = p.index;
  for (let i = 0; i < d.length; i++) { const j = idx === null ? 0 : idx[i]; if (d[i] > m[j]) m[j] = d[i]; }
  for (let j = 0; j < m.length; j++) if (!Number.isFinite(m[j])) m[j] = m[j] === Infinity ? Infinity : 0;
  for (let i = 0; i < d.length; i++) { const j = idx === null ? 0 : idx[i]; s[j] += Math.exp(d[i] - (m[j] === Infinity ? 0 : m[j])); }
  for (let j = 0; j < s.length; j++) s[j] = m[j] === Infinity ? Infinity : m[j] + Math.log(s[j]);
  return record('logSumExp', [x], new Tensor(rounded('logSumExp', s, x.dtype, p.shape), p.shape), { axes: p.axes, keepDims });
}

/** Internal: a 0/1 mask of x's shape marking the first element equal to each reduced value `out` (max/min). */
export function firstExtremeMask(x: Tensor, axes: readonly number[], out: Tensor): Tensor {
  const kept = x.shape.slice();
  for (const a of axes) kept[a] = 1;
  const outSize = kept.reduce((p, q) => p * q, 1);
  const idx = outSize === 1 ? null : broadcastIndex(kept, x.shape);
  const seen = new Uint8Array(outSize), mask = alloc('max/min gradient', x.dtype, x.shape), d = x.data, o = out.data;
  for (let i = 0; i < d.length; i++) {
    const j = idx === null ? 0 : idx[i];
    if (!seen[j] && (d[i] === o[j] || (d[i] !== d[i] && o[j] !== o[j]))) { seen[j] = 1; mask[i] = 1; }
  }
  return new Tensor(mask, x.shape);
}

/** Internal: g (the result of reducing x over `axes`) broadcast back to x's shape. */
export function expandReduced(g: Tensor, xShape: Shape, axes: readonly number[]): Tensor {
  const kept = xShape.slice();
  for (const a of axes) kept[a] = 1;
  const gk = sameShape(g.shape, kept) ? g : reshape(g, kept);
  return sameShape(kept, xShape) ? gk : broadcastTo(gk, xShape);
}

/** Internal: sums g over the dims that broadcasting added or stretched, giving `shape` (un-broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const off = g.ndim - shape.length, axes: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < off || (shape[d - off] === 1 && g.shape[d] !== 1)) axes.push(d);
  const s = axes.length ? sum(g, axes, true) : g;
  return sameShape(s.shape, shape) ? s : reshape(s, shape);
}
