// Shape ops: views (reshape, flatten, squeeze, unsqueeze share storage), copies (transpose, permute, slice,
// gather, concat, stack, broadcastTo), and the internal op gather's gradient needs (scatterAdd); slice's gradient
// is pad (shapeParts.ts).
import { alloc, FloatArray, promote } from '../dtype';
import { record, OpArgs } from '../graph';
import { broadcastIndex, broadcastsTo, checkShape, fmt, normAxes, normAxis, sameShape, Shape, sizeOf, stridesOf } from '../shape';
import { Axis, NestedArray, Tensor, TensorLike } from '../tensor';
import { asTensor, tensor } from '../creation';
import { isArray } from '../options';

function need(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
}

function view(op: string, x: Tensor, shape: number[], args: OpArgs): Tensor {
  return record(op, [x], new Tensor(x.data, shape), args);
}

/**
 * The same values in a new shape (one entry may be -1: inferred). Shares storage.
 * Gradient: d reshape(a)/da = g in a's shape
 * @example x.reshape([3, -1])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  need('reshape', x);
  if (!isArray(shape)) throw new Error(`reshape: shape must be an array, got ${String(shape)} for tensor of shape ${fmt(x.shape)}`);
  const s = shape.slice();
  let infer = -1, known = 1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === -1) { if (infer >= 0) throw new Error(`reshape: only one -1 is allowed in ${fmt(shape)}`); infer = i; }
    else if (!Number.isInteger(s[i]) || s[i] < 0) throw new Error(`reshape: invalid shape ${fmt(shape)}`);
    else known *= s[i];
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape tensor of shape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
    s[infer] = x.size / known;
  } else if (known !== x.size) throw new Error(`reshape: cannot reshape tensor of shape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
  return view('reshape', x, s, { shape: s });
}

/**
 * Dims `startDim` to `endDim` (both included; negative counts from the end) merged into one, as torch.flatten;
 * with no arguments, all of them: the values as a 1-D tensor. Shares storage.
 * Gradient: d flatten(a)/da = g in a's shape
 * @example x.flatten() ; x.flatten(1) // [N, C, H, W] → [N, C·H·W]
 */
export function flatten(x: TensorLike, startDim = 0, endDim = -1): Tensor {
  const t = asTensor('flatten', x, 'float64');
  // A 0-d tensor flattens to [1], and takes dims 0 and -1, as PyTorch.
  const nd = Math.max(t.ndim, 1), shape = t.ndim === 0 ? [1] : t.shape;
  const a = normAxis('flatten', startDim, nd, t.shape), b = normAxis('flatten', endDim, nd, t.shape);
  if (a > b) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(t.shape)}`);
  const s = [...shape.slice(0, a), sizeOf(shape.slice(a, b + 1)), ...shape.slice(b + 1)];
  return view('flatten', t, s, { startDim: a, endDim: b });
}

/**
 * Removes size-1 dims: all of them, or those in `axis` (a dim that is not 1 is left alone, as PyTorch).
 * Gradient: d squeeze(a)/da = g in a's shape
 * @example x.squeeze() ; x.squeeze(0)
 */
export function squeeze(x: Tensor, axis?: Axis): Tensor {
  need('squeeze', x);
  const axes = axis === undefined ? null : normAxes('squeeze', axis, x.shape);
  const s = x.shape.filter((d, i) => !(d === 1 && (axes === null || axes.includes(i))));
  return view('squeeze', x, s, axes === null ? {} : { axes });
}

/**
 * Inserts a size-1 dim at `axis` (negative counts from the end of the result).
 * Gradient: d unsqueeze(a)/da = g in a's shape
 * @example x.unsqueeze(0)
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  need('unsqueeze', x);
  const a = normAxis('unsqueeze', axis, x.ndim + 1, x.shape);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return view('unsqueeze', x, s, { axis: a });
}

/** Storage of x with its dims permuted by `dims`. */
function permuteData(x: Tensor, dims: readonly number[]): { data: FloatArray; shape: number[] } {
  const nd = x.ndim, shape = dims.map((d) => x.shape[d]), xs = stridesOf(x.shape);
  const step = dims.map((d) => xs[d]);
  const out = alloc('permute', x.dtype, shape), src = x.data, counter = new Array<number>(nd).fill(0);
  let j = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[j];
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++; j += step[d];
      if (counter[d] < shape[d]) break;
      j -= step[d] * shape[d]; counter[d] = 0;
    }
  }
  return { data: out, shape };
}

/**
 * Reorders the dims: result dim i is input dim dims[i].
 * Gradient: d permute(a, p)/da = permute(g, p⁻¹)
 * @example x.permute([2, 0, 1])
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  need('permute', x);
  if (!isArray(dims) || dims.length !== x.ndim) throw new Error(`permute: dims ${isArray(dims) ? fmt(dims) : String(dims)} must list each of the ${x.ndim} dims of shape ${fmt(x.shape)} once`);
  const d = dims.map((a) => normAxis('permute', a, x.ndim, x.shape));
  if (new Set(d).size !== d.length) throw new Error(`permute: dims ${fmt(dims)} repeat a dim of shape ${fmt(x.shape)}`);
  const r = permuteData(x, d);
  return record('permute', [x], new Tensor(r.data, r.shape), { dims: d });
}

/**
 * Swaps two dims; with no arguments a 2-D tensor's two dims (0-D and 1-D tensors are returned as they are).
 * Gradient: d transpose(a)/da = transpose(g) with the same two dims
 * @example m.transpose() ; x.transpose(0, 2)
 */
export function transpose(x: Tensor, dim0?: number, dim1?: number): Tensor {
  need('transpose', x);
  let a: number, b: number;
  if (dim0 === undefined && dim1 === undefined) {
    if (x.ndim > 2) throw new Error(`transpose: give the two dims to swap for shape ${fmt(x.shape)} (no arguments only on 2-D)`);
    a = 0; b = x.ndim === 2 ? 1 : 0;
    if (x.ndim === 0) return view('transpose', x, [], { dim0: 0, dim1: 0 });
  } else {
    if (dim0 === undefined || dim1 === undefined) throw new Error(`transpose: give both dims or none for shape ${fmt(x.shape)}`);
    // A 0-d tensor takes dims 0 and -1, as PyTorch.
    a = normAxis('transpose', dim0, Math.max(x.ndim, 1), x.shape); b = normAxis('transpose', dim1, Math.max(x.ndim, 1), x.shape);
    if (x.ndim === 0) return view('transpose', x, [], { dim0: 0, dim1: 0 });
  }
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  dims[a] = b; dims[b] = a;
  const r = permuteData(x, dims);
  return record('transpose', [x], new Tensor(r.data, r.shape), { dim0: a, dim1: b });
}

/**
 * Repeats size-1 (and missing leading) dims to reach `shape`, with NumPy's rules (-1: keep that dim's size).
 * Gradient: d broadcastTo(a)/da = g summed over the broadcast dims
 * @example bias.broadcastTo([4, 3])
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  need('broadcastTo', x);
  // -1 keeps the size of an existing dim, as PyTorch's broadcast_to/expand.
  const off = isArray(shape) ? shape.length - x.ndim : 0;
  const s = checkShape('broadcastTo', isArray(shape) ? shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off] : d)) : shape);
  if (!broadcastsTo(x.shape, s)) throw new Error(`broadcastTo: shape ${fmt(x.shape)} cannot be broadcast to ${fmt(s)}`);
  const idx = broadcastIndex(x.shape, s), out = alloc('broadcastTo', x.dtype, s), d = x.data;
  for (let i = 0; i < idx.length; i++) out[i] = d[idx[i]];
  return record('broadcastTo', [x], new Tensor(out, s), { shape: s });
}

/** Copies the box at `begin` of size `size` between a big array (shape `big`) and a small one (shape `size`). */
function copyBox(big: FloatArray, bigShape: Shape, small: FloatArray, begin: readonly number[], size: readonly number[], toSmall: boolean): void {
  const nd = size.length, n = sizeOf(size);
  if (n === 0) return;
  if (nd === 0) { if (toSmall) small[0] = big[0]; else big[0] = small[0]; return; }
  const bs = stridesOf(bigShape), inner = size[nd - 1], counter = new Array<number>(nd).fill(0);
  let base = 0;
  for (let d = 0; d < nd; d++) base += begin[d] * bs[d];
  for (let i = 0; i < n; i += inner) {
    let off = base;
    for (let d = 0; d < nd - 1; d++) off += counter[d] * bs[d];
    if (toSmall) for (let k = 0; k < inner; k++) small[i + k] = big[off + k];
    else for (let k = 0; k < inner; k++) big[off + k] += small[i + k];
    for (let d = nd - 2; d >= 0; d--) { if (++counter[d] < size[d]) break; counter[d] = 0; }
  }
}

/**
 * The box starting at `begin` of size `size` (as TensorFlow.js: a number applies to dim 0; missing entries
 * mean begin 0 / size -1; size -1 = to the end).
 * Gradient: d slice(a)/da = g placed back at `begin` in zeros of a's shape
 * @example x.slice([0, 1], [2, -1])
 */
export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  need('slice', x);
  const b = typeof begin === 'number' ? [begin] : Array.isArray(begin) ? begin.slice() : null;
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : Array.isArray(size) ? size.slice() : null;
  if (!b || !s || b.length > x.ndim || s.length > x.ndim) throw new Error(`slice: begin ${String(begin)} and size ${String(size)} do not fit shape ${fmt(x.shape)}`);
  while (b.length < x.ndim) b.push(0);
  while (s.length < x.ndim) s.push(-1);
  for (let d = 0; d < x.ndim; d++) {
    if (s[d] === -1) s[d] = x.shape[d] - b[d];
    if (!Number.isInteger(b[d]) || !Number.isInteger(s[d]) || b[d] < 0 || s[d] < 0 || b[d] + s[d] > x.shape[d]) {
      throw new Error(`slice: begin ${fmt(b)} and size ${fmt(s)} are out of range for shape ${fmt(x.shape)}`);
    }
  }
  const out = alloc('slice', x.dtype, s);
  copyBox(x.data, x.shape, out, b, s, true);
  return record('slice', [x], new Tensor(out, s), { begin: b, size: s });
}

function indexList(op: string, indices: readonly number[] | readonly NestedArray[] | Tensor, n: number, xShape: Shape): { idx: Int32Array; shape: number[] } {
  let values: ArrayLike<number>, shape: number[];
  if (indices instanceof Tensor) { values = indices.data; shape = indices.shape.slice(); }
  else if (Array.isArray(indices) && indices.some(Array.isArray)) { const t = tensor(indices as NestedArray[]); values = t.data; shape = t.shape.slice(); }
  else if (Array.isArray(indices)) { values = indices; shape = [indices.length]; }
  else throw new Error(`${op}: indices must be a number[] or a tensor of integers, got ${typeof indices}`);
  const idx = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new Error(`${op}: index ${v} is out of range for size ${n} (shape ${fmt(xShape)})`);
    idx[i] = v;
  }
  return { idx, shape };
}

/** Storage of whole slices of x along `axis` picked by idx. */
function gatherData(x: Tensor, idx: Int32Array, indexShape: readonly number[], axis: number): { data: FloatArray; shape: number[] } {
  const shape = [...x.shape.slice(0, axis), ...indexShape, ...x.shape.slice(axis + 1)];
  const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1)), n = x.shape[axis];
  const out = alloc('gather', x.dtype, shape), d = x.data;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < idx.length; k++) {
      const src = (a * n + idx[k]) * inner;
      for (let i = 0; i < inner; i++) out[o++] = d[src + i];
    }
  }
  return { data: out, shape };
}

/**
 * Whole slices along `axis` picked by `indices` (repeats allowed), as TensorFlow.js's gather /
 * PyTorch's index_select. Indices with dims (a tensor or nested arrays) replace dim `axis` by their shape.
 * Gradient: d gather(a)/da = g's slices added back at their indices
 * @example table.gather([0, 2, 2]) ; x.gather(tensor([1, 0]), 1)
 */
export function gather(x: Tensor, indices: readonly number[] | readonly NestedArray[] | Tensor, axis = 0): Tensor {
  need('gather', x);
  if (x.ndim === 0) throw new Error('gather: cannot gather from a tensor of shape []');
  const a = normAxis('gather', axis, x.ndim, x.shape);
  const { idx, shape } = indexList('gather', indices, x.shape[a], x.shape);
  const r = gatherData(x, idx, shape, a);
  return record('gather', [x], new Tensor(r.data, r.shape), { indices: idx, indexShape: shape, axis: a });
}

/** Internal: gather with indices already checked (used by the gradient of scatterAdd). */
export function gatherIndices(x: Tensor, idx: Int32Array, indexShape: readonly number[], axis: number): Tensor {
  const r = gatherData(x, idx, indexShape, axis);
  return record('gather', [x], new Tensor(r.data, r.shape), { indices: idx, indexShape: indexShape.slice(), axis });
}

/**
 * Internal (the gradient of gather): adds the slices of g back into zeros of `shape` at their indices.
 * Gradient: d scatterAdd(a)/da = g's slices at the indices
 */
export function scatterAdd(g: Tensor, idx: Int32Array, indexShape: readonly number[], axis: number, shape: readonly number[]): Tensor {
  const outer = sizeOf(shape.slice(0, axis)), inner = sizeOf(shape.slice(axis + 1)), n = shape[axis];
  const out = alloc('scatterAdd', g.dtype, shape), d = g.data;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < idx.length; k++) {
      const dst = (a * n + idx[k]) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += d[o++];
    }
  }
  return record('scatterAdd', [g], new Tensor(out, shape.slice()), { indices: idx, indexShape: indexShape.slice(), axis, shape: shape.slice() });
}

function tensorList(op: string, tensors: readonly Tensor[]): Tensor[] {
  if (!isArray(tensors) || tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors`);
  tensors.forEach((t, i) => { if (!(t instanceof Tensor)) throw new Error(`${op}: element ${i} is not a tensor`); });
  return tensors.slice();
}

/**
 * Joins tensors along an existing `axis`; the other dims must match.
 * Gradient: d concat(xs)/dxᵢ = the part of g along `axis` where xᵢ sits
 * @example concat([a, b], 0)
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const ts = tensorList('concat', tensors), first = ts[0];
  if (first.ndim === 0) throw new Error('concat: cannot concatenate tensors of shape []');
  const a = normAxis('concat', axis, first.ndim, first.shape);
  let total = 0, dtype = first.dtype;
  for (const t of ts) {
    const ok = t.ndim === first.ndim && t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!ok) throw new Error(`concat: shapes ${ts.map((u) => fmt(u.shape)).join(' and ')} do not match except along axis ${a}`);
    total += t.shape[a];
    dtype = promote(dtype, t.dtype);
  }
  const shape = first.shape.slice();
  shape[a] = total;
  const outer = sizeOf(shape.slice(0, a)), inner = sizeOf(shape.slice(a + 1));
  const out = alloc('concat', dtype, shape);
  let o = 0;
  for (let k = 0; k < outer; k++) {
    for (const t of ts) {
      const block = t.shape[a] * inner, d = t.data, src = k * block;
      for (let i = 0; i < block; i++) out[o++] = d[src + i];
    }
  }
  return record('concat', ts, new Tensor(out, shape), { axis: a });
}

/**
 * Stacks same-shaped tensors along a new `axis`.
 * Gradient: d stack(xs)/dxᵢ = the i-th slice of g along `axis`
 * @example stack([a, b]) // shape [2, ...a.shape]
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const ts = tensorList('stack', tensors), first = ts[0];
  let dtype = first.dtype;
  for (const t of ts) {
    if (!sameShape(t.shape, first.shape)) throw new Error(`stack: shapes ${ts.map((u) => fmt(u.shape)).join(' and ')} must all be equal`);
    dtype = promote(dtype, t.dtype);
  }
  const a = normAxis('stack', axis, first.ndim + 1, first.shape);
  const shape = first.shape.slice();
  shape.splice(a, 0, ts.length);
  const outer = sizeOf(first.shape.slice(0, a)), inner = sizeOf(first.shape.slice(a));
  const out = alloc('stack', dtype, shape);
  let o = 0;
  for (let k = 0; k < outer; k++) {
    for (const t of ts) { const d = t.data, src = k * inner; for (let i = 0; i < inner; i++) out[o++] = d[src + i]; }
  }
  return record('stack', ts, new Tensor(out, shape), { axis: a });
}
