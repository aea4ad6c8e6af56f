// Comparisons and step functions. Comparisons give masks of 0/1 in the operands' (promoted) dtype — the engine
// has float dtypes only — and are never recorded: their result does not require grad (PyTorch's are bool
// tensors, which cannot). sign, floor, ceil and round are recorded with a zero gradient, as PyTorch's are.
import { alloc, promoteOperands } from '../dtype';
import { broadcastIndex, broadcastShapes, sameShape, sizeOf } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { operands, unary } from './elementwise';

/** A 0/1 mask of the broadcast shape of a and b: 1 where test(a, b). Records nothing. */
function compare(op: string, a: TensorLike, b: TensorLike, test: (p: number, q: number) => boolean): Tensor {
  const [x, y] = operands(op, a, b);
  const shape = sameShape(x.shape, y.shape) ? x.shape.slice() : broadcastShapes(op, x.shape, y.shape), n = sizeOf(shape);
  const xi = sameShape(x.shape, shape) ? null : broadcastIndex(x.shape, shape), yi = sameShape(y.shape, shape) ? null : broadcastIndex(y.shape, shape);
  const out = alloc(op, promoteOperands(x, y), shape), xd = x.data, yd = y.data;
  for (let i = 0; i < n; i++) out[i] = test(xd[xi ? xi[i] : i], yd[yi ? yi[i] : i]) ? 1 : 0;
  return new Tensor(out, shape);
}

/**
 * 1 where a > b, else 0 (broadcasting; NaN compares false). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example gt(x, 0) // 0/1 mask
 */
export function gt(a: TensorLike, b: TensorLike): Tensor { return compare('gt', a, b, (p, q) => p > q); }
/**
 * 1 where a ≥ b, else 0 (broadcasting; NaN compares false). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example ge(x, y)
 */
export function ge(a: TensorLike, b: TensorLike): Tensor { return compare('ge', a, b, (p, q) => p >= q); }
/**
 * 1 where a < b, else 0 (broadcasting; NaN compares false). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example lt(x, 0)
 */
export function lt(a: TensorLike, b: TensorLike): Tensor { return compare('lt', a, b, (p, q) => p < q); }
/**
 * 1 where a ≤ b, else 0 (broadcasting; NaN compares false). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example le(x, 1)
 */
export function le(a: TensorLike, b: TensorLike): Tensor { return compare('le', a, b, (p, q) => p <= q); }
/**
 * 1 where a = b, else 0 (broadcasting; NaN equals nothing). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example eq(pred.argMax(1), labels).mean() // accuracy
 */
export function eq(a: TensorLike, b: TensorLike): Tensor { return compare('eq', a, b, (p, q) => p === q); }
/**
 * 1 where a ≠ b, else 0 (broadcasting; NaN differs from everything). A mask in the operands' dtype that does not require grad.
 * Gradient: none (the result does not require grad)
 * @example ne(x, 0)
 */
export function ne(a: TensorLike, b: TensorLike): Tensor { return compare('ne', a, b, (p, q) => p !== q); }

/**
 * −1, 0 or 1 by the sign of x (0 for ±0 and for NaN, as PyTorch).
 * Gradient: d sign(a)/da = 0
 * @example sign(x)
 */
export function sign(x: TensorLike): Tensor {
  return unary('sign', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = a[i] > 0 ? 1 : a[i] < 0 ? -1 : 0; });
}
/**
 * The largest integer ≤ x.
 * Gradient: d floor(a)/da = 0
 * @example floor(x)
 */
export function floor(x: TensorLike): Tensor { return unary('floor', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.floor(a[i]); }); }
/**
 * The smallest integer ≥ x.
 * Gradient: d ceil(a)/da = 0
 * @example ceil(x)
 */
export function ceil(x: TensorLike): Tensor { return unary('ceil', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.ceil(a[i]); }); }

/** x rounded to the nearest integer, halves to the even one (−0 for −0.5 < x ≤ −0). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r;
}

/**
 * x rounded to the nearest integer, halves to the even one (round(2.5) = 2, round(−0.5) = −0), as PyTorch.
 * Gradient: d round(a)/da = 0
 * @example round(x)
 */
export function round(x: TensorLike): Tensor { return unary('round', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = roundHalfEven(a[i]); }); }
