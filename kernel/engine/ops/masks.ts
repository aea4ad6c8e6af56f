// Constant 0/1 (or slope, or ½) tensors used by gradient rules. They never require grad: a derivative that is
// piecewise constant (relu, abs, clamp, max...) contributes nothing to a second derivative.
import { alloc, FloatArray, promoteOperands } from '../dtype';
import { broadcastIndex, sameShape, sizeOf, tryBroadcastShapes } from '../shape';
import { Tensor } from '../tensor';
import { passPositiveFloat32 } from './float32Bits';
import { passPositiveSimd } from '../simd/index';

/** Storage for a mask of x's shape, made by the gradient rule of `op`. */
function like(op: string, x: Tensor): Float64Array | Float32Array { return alloc(`${op} gradient`, x.dtype, x.shape); }

/** 0 where x ≤ 0, else 1 (relu'; 0 at 0, 1 at NaN, as PyTorch). */
export function positive(x: Tensor): Tensor {
  const d = x.data, m = like('relu', x);
  for (let i = 0; i < d.length; i++) m[i] = d[i] <= 0 ? 0 : 1;
  return new Tensor(m, x.shape);
}

/**
 * g·[x ≤ 0 is false] in one pass, the same numbers as mul(g, positive(x)) (g·0 keeps −0 and NaN), recording nothing:
 * relu's VJP when the backward pass is not itself recorded.
 */
export function passPositive(g: Tensor, x: Tensor): Tensor {
  const out = like('relu', g);
  passPositiveInto(g.data, x.data, out);
  return new Tensor(out, g.shape);
}

/**
 * passPositive's loop in a function of its own: with the loop inline, V8 optimised it on-stack during the first
 * call without feedback for the code after it, and deoptimised on leaving it call after call (3× slower).
 */
function passPositiveInto(gd: FloatArray, d: FloatArray, out: FloatArray): void {
  if (passPositiveSimd(gd, d, out)) return;
  if (gd instanceof Float32Array && d instanceof Float32Array && out instanceof Float32Array) passPositiveFloat32(gd, d, out);
  else for (let i = 0; i < d.length; i++) out[i] = d[i] <= 0 ? gd[i] * 0 : gd[i];
}

/** 1 where x > 0, else slope (leakyRelu'; slope at 0 as PyTorch). */
export function leakySlope(x: Tensor, slope: number): Tensor {
  const d = x.data, m = like('leakyRelu', x);
  for (let i = 0; i < d.length; i++) m[i] = d[i] > 0 ? 1 : slope;
  return new Tensor(m, x.shape);
}

/** sign(x), 0 at 0 (abs'). */
export function sign(x: Tensor): Tensor {
  const d = x.data, m = like('abs', x);
  for (let i = 0; i < d.length; i++) m[i] = d[i] > 0 ? 1 : d[i] < 0 ? -1 : 0;
  return new Tensor(m, x.shape);
}

/** 1 where min ≤ x ≤ max, bounds included (clamp'). */
export function inRange(x: Tensor, min: number, max: number): Tensor {
  const d = x.data, m = like('clamp', x);
  for (let i = 0; i < d.length; i++) m[i] = d[i] >= min && d[i] <= max ? 1 : 0;
  return new Tensor(m, x.shape);
}

/** 1 where x = 0. */
export function isZero(x: Tensor): Tensor {
  const d = x.data, m = like('pow', x);
  for (let i = 0; i < d.length; i++) m[i] = d[i] === 0 ? 1 : 0;
  return new Tensor(m, x.shape);
}

export function anyZero(x: Tensor): boolean {
  const d = x.data;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) return true;
  return false;
}

/** Reads a and b broadcast to their common shape. */
function pairs(a: Tensor, b: Tensor): { shape: number[]; ai: Int32Array | null; bi: Int32Array | null } {
  const shape = tryBroadcastShapes(a.shape, b.shape) as number[];
  return { shape, ai: sameShape(a.shape, shape) ? null : broadcastIndex(a.shape, shape), bi: sameShape(b.shape, shape) ? null : broadcastIndex(b.shape, shape) };
}

/** 1 where base a = 0 and exponent b ≥ 0 (where d(aᵇ)/db is 0 in PyTorch, not NaN). */
export function zeroBaseNonNegExponent(a: Tensor, b: Tensor): Tensor {
  const { shape, ai, bi } = pairs(a, b), n = sizeOf(shape), m = alloc('pow gradient', promoteOperands(a, b), shape);
  for (let i = 0; i < n; i++) m[i] = a.data[ai ? ai[i] : i] === 0 && b.data[bi ? bi[i] : i] >= 0 ? 1 : 0;
  return new Tensor(m, shape);
}

/**
 * The share of maximum(a, b) (or minimum) that goes to input `which`: ½ on ties, 0 where it loses, 1 otherwise
 * (so both get all of it where one is NaN, as PyTorch).
 */
export function winnerShare(a: Tensor, b: Tensor, which: number, larger: boolean): Tensor {
  const { shape, ai, bi } = pairs(a, b), n = sizeOf(shape), m = alloc(`${larger ? 'maximum' : 'minimum'} gradient`, promoteOperands(a, b), shape);
  const s = larger ? 1 : -1;
  for (let i = 0; i < n; i++) {
    const p = a.data[ai ? ai[i] : i], q = b.data[bi ? bi[i] : i];
    const mine = which === 0 ? p : q, theirs = which === 0 ? q : p;
    m[i] = mine === theirs ? 0.5 : s * mine < s * theirs ? 0 : 1;
  }
  return new Tensor(m, shape);
}

/** Rows of one-hot vectors: [targets.length, classes]. */
export function oneHot(targets: Int32Array, classes: number, dtype: 'float32' | 'float64'): Tensor {
  const m = alloc('crossEntropy gradient', dtype, [targets.length, classes]);
  for (let r = 0; r < targets.length; r++) m[r * classes + targets[r]] = 1;
  return new Tensor(m, [targets.length, classes]);
}
