// Shape ops that add or cut parts: pad (a border of a constant), tile (repeats), split and chunk (pieces along an
// axis). pad and tile are one node each; split and chunk give one `slice` node per piece, since the graph has
// one output per node and a piece is exactly a slice.
import { alloc } from '../dtype';
import { record } from '../graph';
import { broadcastIndex, fmt, normAxis, sizeOf } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { asTensor } from '../creation';
import { isArray } from '../options';
import { slice } from './shapeOps';

/** A tensor operand of a shape op: tensors pass through, numbers and nested arrays become float64 tensors. */
const input = (op: string, x: TensorLike): Tensor => asTensor(op, x, 'float64');

/** The [before, after] pairs of pad, checked against x's shape: one pair of non-negative integers per dim. */
function padPairs(x: Tensor, pads: readonly (readonly number[])[]): [number, number][] {
  const bad = (why: string): Error => new Error(`pad: pads ${JSON.stringify(pads)} ${why} for shape ${fmt(x.shape)}`);
  if (!isArray(pads)) throw bad('must be an array of [before, after] pairs');
  if (pads.length !== x.ndim) throw bad(`must give one [before, after] pair per dim (${x.ndim}), got ${pads.length}`);
  return pads.map((p) => {
    if (!isArray(p) || p.length !== 2 || !p.every((n) => Number.isInteger(n) && n >= 0)) throw bad('must hold pairs of non-negative integers');
    return [p[0], p[1]];
  });
}

/**
 * x with a border of `value` around it: `pads[d] = [before, after]` elements added on each side of dim d, one pair
 * per dim (numpy.pad's constant mode).
 * Gradient: d pad(a)/da = the box of g where a sits
 * @example pad(x, [[1, 1], [0, 2]]) // [2,3] → [4,5] ; img.pad([[0, 0], [1, 1], [1, 1]], -1)
 */
export function pad(x: TensorLike, pads: readonly (readonly number[])[], value = 0): Tensor {
  const t = input('pad', x);
  const p = padPairs(t, pads);
  if (typeof value !== 'number') throw new Error(`pad: value must be a number, got ${typeof value} (shape ${fmt(t.shape)})`);
  const shape = t.shape.map((d, i) => p[i][0] + d + p[i][1]);
  const out = alloc('pad', t.dtype, shape);
  if (value !== 0) out.fill(value);
  const nd = t.ndim, src = t.data, n = t.size;
  if (n > 0) {
    // Each row of x (its last dim) lands at one offset of out; the counter walks the rows.
    const inner = nd === 0 ? 1 : t.shape[nd - 1], counter = new Array<number>(Math.max(nd - 1, 0)).fill(0);
    const outStrides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
    for (let i = 0; i < n; i += inner) {
      let off = 0;
      for (let d = 0; d < nd; d++) off += ((d < nd - 1 ? counter[d] : 0) + p[d][0]) * outStrides[d];
      for (let k = 0; k < inner; k++) out[off + k] = src[i + k];
      for (let d = nd - 2; d >= 0; d--) { if (++counter[d] < t.shape[d]) break; counter[d] = 0; }
    }
  }
  return record('pad', [t], new Tensor(out, shape), { pads: p, value });
}

/**
 * x repeated `reps[d]` times along each dim (torch.tile): fewer reps than dims are padded with leading 1s; more
 * reps than dims treat x as having leading dims of size 1.
 * Gradient: d tile(a)/da = g summed over the copies
 * @example tile(tensor([1, 2]), [2, 3]) // shape [2, 6]
 */
export function tile(x: TensorLike, reps: number | readonly number[]): Tensor {
  const t = input('tile', x);
  const r = typeof reps === 'number' ? [reps] : isArray(reps) ? reps.slice() : null;
  if (!r || !r.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error(`tile: reps must be non-negative integers, got ${JSON.stringify(reps)} for shape ${fmt(t.shape)}`);
  }
  const k = Math.max(r.length, t.ndim);
  const full = [...new Array<number>(k - r.length).fill(1), ...r];
  const xs = [...new Array<number>(k - t.ndim).fill(1), ...t.shape];
  // Row-major, the result is [r0, s0, r1, s1, ...]: x broadcast from [1, s0, 1, s1, ...].
  const idx = broadcastIndex(xs.flatMap((s) => [1, s]), xs.flatMap((s, d) => [full[d], s]));
  const shape = xs.map((s, d) => s * full[d]), out = alloc('tile', t.dtype, shape), src = t.data;
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
  return record('tile', [t], new Tensor(out, shape), { reps: full });
}

/** The pieces of x along `axis`, of the given sizes (which add up to that dim), each a slice of x. */
function pieces(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  let at = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, d) => (d === axis ? at : 0)), size = x.shape.map((n, d) => (d === axis ? s : n));
    at += s;
    return slice(x, begin, size);
  });
}

/** The axis of split/chunk, checked (x must have dims). */
function pieceAxis(op: string, x: Tensor, axis: number): number {
  if (x.ndim === 0) throw new Error(`${op}: cannot cut a tensor of shape [] into pieces`);
  return normAxis(op, axis, x.ndim, x.shape);
}

/**
 * x cut along `axis` (torch.split): a number is the size of every piece (the last may be smaller); an array
 * lists the pieces' sizes, which must add up to that dim. Each piece is a `slice` node of x.
 * Gradient: each piece's gradient lands where the piece was cut from (slice's rule)
 * @example const [a, b] = split(x, [1, 2], 1) ; x.split(2) // pieces of 2 rows
 */
export function split(x: TensorLike, sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
  const t = input('split', x), a = pieceAxis('split', t, axis), n = t.shape[a];
  if (typeof sizeOrSections === 'number') {
    const s = sizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && n !== 0)) throw new Error(`split: size ${s} must be a positive integer (axis ${a} of shape ${fmt(t.shape)})`);
    if (n === 0) return [slice(t, t.shape.map(() => 0), t.shape)];
    const sizes: number[] = [];
    for (let at = 0; at < n; at += s) sizes.push(Math.min(s, n - at));
    return pieces(t, sizes, a);
  }
  if (!isArray(sizeOrSections) || !sizeOrSections.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new Error(`split: sizeOrSections must be a positive integer or an array of non-negative integers, got ${JSON.stringify(sizeOrSections)} (shape ${fmt(t.shape)})`);
  }
  const total = sizeOrSections.reduce((p, q) => p + q, 0);
  if (total !== n) throw new Error(`split: sizes ${fmt(sizeOrSections)} add up to ${total}, but axis ${a} of shape ${fmt(t.shape)} has ${n}`);
  return pieces(t, sizeOrSections, a);
}

/**
 * x cut into `chunks` pieces along `axis` (torch.chunk): each of ⌈n / chunks⌉ elements, the last smaller; fewer
 * pieces when they run out. Each piece is a `slice` node of x.
 * Gradient: each piece's gradient lands where the piece was cut from (slice's rule)
 * @example const [q, k, v] = chunk(qkv, 3, -1)
 */
export function chunk(x: TensorLike, chunks: number, axis = 0): Tensor[] {
  const t = input('chunk', x), a = pieceAxis('chunk', t, axis), n = t.shape[a];
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunk: chunks must be a positive integer, got ${chunks} (shape ${fmt(t.shape)})`);
  const size = Math.ceil(n / chunks);
  return size === 0 ? pieces(t, new Array<number>(chunks).fill(0), a) : split(t, size, a);
}
