// Shape arithmetic shared by every op: sizes, strides, NumPy broadcasting, axis normalisation, and the
// `[2,3]` spelling used in every error message.

export type Shape = readonly number[];

export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function tryBroadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const s = tryBroadcastShapes(a, b);
  if (!s) throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast`);
  return s;
}

/** True when `from` broadcasts to exactly `to`. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[i + off]) return false;
  return true;
}

/** For each element of `to` (row-major), the index of the element of `from` it reads when `from` is broadcast. */
export function broadcastIndex(from: Shape, to: Shape): Int32Array {
  const n = sizeOf(to);
  const idx = new Int32Array(n);
  const nd = to.length, off = nd - from.length;
  const fs = stridesOf(from);
  const step = new Array<number>(nd); // stride in `from` per dim of `to` (0 where broadcast)
  for (let d = 0; d < nd; d++) step[d] = d < off || from[d - off] === 1 ? 0 : fs[d - off];
  const counter = new Array<number>(nd).fill(0);
  let j = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = j;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      j += step[d];
      if (counter[d] < to[d]) break;
      j -= step[d] * to[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Normalises an axis (negative counts from the end) or throws naming the op and the shape. */
export function normAxis(op: string, axis: number, ndim: number, shape: Shape): number {
  if (!Number.isInteger(axis)) throw new Error(`${op}: axis ${axis} is not an integer`);
  if (axis < -ndim || axis >= ndim) throw new Error(`${op}: axis ${axis} is out of range for shape ${fmt(shape)}`);
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Sorted unique axes; undefined means all. A 0-d tensor accepts axis 0 and -1 (as PyTorch) and has no axes to
 * give back.
 */
export function normAxes(op: string, axis: number | readonly number[] | undefined | null, shape: Shape): number[] {
  const nd = shape.length;
  if (axis === undefined || axis === null) return Array.from({ length: nd }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : Array.from(axis);
  const out = list.map((a) => normAxis(op, a, Math.max(nd, 1), shape));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) throw new Error(`${op}: axis ${sorted[i]} is repeated for shape ${fmt(shape)}`);
  return nd === 0 ? [] : sorted;
}

/** A shape as a fresh array, or an error naming the op; a single number n is the 1-D shape [n], as in PyTorch. */
export function checkShape(op: string, shape: unknown): number[] {
  if (typeof shape === 'number' && Number.isInteger(shape) && shape >= 0) return [shape];
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: shape ${fmt(shape as number[])} must hold non-negative integers`);
  }
  return shape.slice() as number[];
}
