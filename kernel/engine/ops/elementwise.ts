// Elementwise ops. Binary ops broadcast with NumPy's rules; a plain number operand (or a 0-d tensor meeting one
// with dims) takes the tensor's dtype, and otherwise the result is float64 if either tensor is (see dtype.ts).
// Each op: validate, compute with a typed-array loop, record the node (the gradient rules live in gradients.ts).
import { alloc, FloatArray, promoteOperands } from '../dtype';
import { record } from '../graph';
import { broadcastIndex, broadcastShapes, fmt, sameShape, sizeOf } from '../shape';
import { NestedArray, Tensor, TensorLike } from '../tensor';
import { asTensor, operand } from '../creation';
import { reluFloat32 } from './float32Bits';
import { binarySimd, BinaryOp, Kind, reluSimd } from '../simd/index';

/** o[oo + i] = x[xo + i·xs] ∘ y[yo + i·ys] for i < n (a stride 0 repeats one element). */
export type BinaryKernel = (x: FloatArray, xo: number, xs: number, y: FloatArray, yo: number, ys: number, out: FloatArray, oo: number, n: number) => void;
export type UnaryKernel = (x: FloatArray, out: FloatArray, n: number) => void;

/** Both operands as tensors: a number takes the dtype of the tensor it meets (float64 when neither is one). */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, asTensor(op, b, a.dtype)];
  if (b instanceof Tensor) return [asTensor(op, a, b.dtype), b];
  return [asTensor(op, a, 'float64'), asTensor(op, b, 'float64')];
}

/** Storage of `t` repeated to `shape` (for the general broadcast case). */
function expandData(op: string, t: Tensor, shape: readonly number[]): FloatArray {
  const idx = broadcastIndex(t.shape, shape);
  const out = alloc(op, t.dtype, shape), d = t.data;
  for (let i = 0; i < idx.length; i++) out[i] = d[idx[i]];
  return out;
}

/**
 * How `from` repeats when broadcast to `to`, when its real dims are one contiguous block of `to`'s (a bias [C]
 * against [N, C], a row statistic [N, 1] against [N, C]): each of its `period` elements covers `inner`
 * consecutive outputs, and the whole pattern repeats along the leading dims. Null for other broadcasts.
 */
function blockRepeat(from: readonly number[], to: readonly number[]): { period: number; inner: number } | null {
  const off = to.length - from.length;
  let first = -1, last = -1, period = 1;
  for (let d = 0; d < from.length; d++) {
    if (from[d] === 1) continue;
    if (first < 0) first = d + off;
    last = d + off;
    period *= from[d];
  }
  if (first < 0) return null;
  for (let d = first; d <= last; d++) if (from[d - off] !== to[d]) return null;
  let inner = 1;
  for (let d = last + 1; d < to.length; d++) inner *= to[d];
  return { period, inner };
}

/** out = full ∘ part (or part ∘ full when `partFirst`), `part` broadcast as described by blockRepeat. */
function blockBinary(kernel: BinaryKernel, full: FloatArray, part: FloatArray, partFirst: boolean, period: number, inner: number, out: FloatArray): void {
  const n = out.length, run = inner === 1 ? period : inner, partStride = inner === 1 ? 1 : 0;
  for (let base = 0, j = 0; base < n; base += run) {
    const po = inner === 1 ? 0 : j;
    if (partFirst) kernel(part, po, partStride, full, base, 1, out, base, run);
    else kernel(full, base, 1, part, po, partStride, out, base, run);
    if (inner !== 1 && ++j === period) j = 0;
  }
}

/**
 * `simd` names the op where assembly/vector.ts has its loop (same numbers): used for large operands that are whole,
 * a number, or a row repeated over rows (a bias).
 */
export function binary(op: string, a: TensorLike, b: TensorLike, kernel: BinaryKernel, simd?: BinaryOp): Tensor {
  const [x, y] = operands(op, a, b);
  const dtype = promoteOperands(x, y);
  if (sameShape(x.shape, y.shape)) {
    const out = alloc(op, dtype, x.shape);
    if (!simd || !binarySimd(simd, x.data, Kind.Full, y.data, Kind.Full, out, 0)) kernel(x.data, 0, 1, y.data, 0, 1, out, 0, x.size);
    return record(op, [x, y], new Tensor(out, x.shape.slice()));
  }
  const shape = broadcastShapes(op, x.shape, y.shape), n = sizeOf(shape);
  const out = alloc(op, dtype, shape);
  const viaSimd = (xKind: Kind, yKind: Kind, row = 0) => simd !== undefined && binarySimd(simd, x.data, xKind, y.data, yKind, out, row);
  // Without an index map where one operand is whole and the other a number or a block of its dims.
  if (x.size === 1 && y.size === n) { if (!viaSimd(Kind.Scalar, Kind.Full)) kernel(x.data, 0, 0, y.data, 0, 1, out, 0, n); }
  else if (y.size === 1 && x.size === n) { if (!viaSimd(Kind.Full, Kind.Scalar)) kernel(x.data, 0, 1, y.data, 0, 0, out, 0, n); }
  else {
    const yRep = x.size === n ? blockRepeat(y.shape, shape) : null, xRep = !yRep && y.size === n ? blockRepeat(x.shape, shape) : null;
    if (yRep) { if (yRep.inner !== 1 || !viaSimd(Kind.Full, Kind.Row, yRep.period)) blockBinary(kernel, x.data, y.data, false, yRep.period, yRep.inner, out); }
    else if (xRep) { if (xRep.inner !== 1 || !viaSimd(Kind.Row, Kind.Full, xRep.period)) blockBinary(kernel, y.data, x.data, true, xRep.period, xRep.inner, out); }
    else {
      const xd = sameShape(x.shape, shape) ? x.data : expandData(op, x, shape), yd = sameShape(y.shape, shape) ? y.data : expandData(op, y, shape);
      kernel(xd, 0, 1, yd, 0, 1, out, 0, n);
    }
  }
  return record(op, [x, y], new Tensor(out, shape));
}

export function unary(op: string, x: TensorLike, kernel: UnaryKernel, args?: Parameters<typeof record>[3]): Tensor {
  x = operand(op, x);
  const out = alloc(op, x.dtype, x.shape);
  kernel(x.data, out, x.size);
  return record(op, [x], new Tensor(out, x.shape), args);
}

const kAdd: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] + y[yo + i * ys]; };
const kSub: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] - y[yo + i * ys]; };
const kMul: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] * y[yo + i * ys]; };
const kDiv: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] / y[yo + i * ys]; };
const kPow: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.pow(x[xo + i * xs], y[yo + i * ys]); };
const kMaximum: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => {
  for (let i = 0; i < n; i++) { const p = x[xo + i * xs], q = y[yo + i * ys]; o[oo + i] = p !== p || p > q ? p : q; }
};
const kMinimum: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => {
  for (let i = 0; i < n; i++) { const p = x[xo + i * xs], q = y[yo + i * ys]; o[oo + i] = p !== p || p < q ? p : q; }
};

/**
 * a + b, broadcasting.
 * Gradient: d(a+b)/da = g, d(a+b)/db = g
 * @example add(x, 1)
 */
export function add(a: TensorLike, b: TensorLike): Tensor { return binary('add', a, b, kAdd, 'add'); }
/**
 * a − b, broadcasting.
 * Gradient: d(a−b)/da = g, d(a−b)/db = −g
 * @example sub(x, y)
 */
export function sub(a: TensorLike, b: TensorLike): Tensor { return binary('sub', a, b, kSub, 'sub'); }
/**
 * a · b elementwise, broadcasting.
 * Gradient: d(a·b)/da = g·b, d(a·b)/db = g·a
 * @example mul(x, y)
 */
export function mul(a: TensorLike, b: TensorLike): Tensor { return binary('mul', a, b, kMul, 'mul'); }
/**
 * a / b elementwise, broadcasting.
 * Gradient: d(a/b)/da = g/b, d(a/b)/db = −g·(a/b)/b
 * @example div(x, 2)
 */
export function div(a: TensorLike, b: TensorLike): Tensor { return binary('div', a, b, kDiv, 'div'); }
/**
 * a ** b elementwise, broadcasting.
 * Gradient: d(aᵇ)/da = g·b·aᵇ⁻¹ (0 where b = 0), d(aᵇ)/db = g·aᵇ·ln a (0 where a = 0 and b ≥ 0), as PyTorch
 * @example pow(x, 3)
 */
export function pow(a: TensorLike, b: TensorLike): Tensor { return binary('pow', a, b, kPow); }
/**
 * The larger of a and b elementwise (ties split the gradient half-half, as PyTorch).
 * Gradient: d max(a,b)/da = g·[a > b] + ½g·[a = b] (g where either is NaN)
 * @example maximum(x, 0)
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor { return binary('maximum', a, b, kMaximum); }
/**
 * The smaller of a and b elementwise (ties split the gradient half-half, as PyTorch).
 * Gradient: d min(a,b)/da = g·[a < b] + ½g·[a = b] (g where either is NaN)
 * @example minimum(x, y)
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor { return binary('minimum', a, b, kMinimum); }

/** A condition for where(): a mask tensor (non-zero = true), or nested arrays of booleans or numbers. */
export type MaskLike = Tensor | boolean | number | readonly MaskLike[];

/** cond as a tensor: booleans become 1/0, numbers and tensors stay as they are (non-zero = true). */
function maskOf(cond: MaskLike): Tensor {
  if (cond instanceof Tensor) return cond;
  const bits = (c: MaskLike): NestedArray => {
    if (typeof c === 'boolean') return c ? 1 : 0;
    if (typeof c === 'number') return c;
    if (Array.isArray(c)) return (c as readonly MaskLike[]).map(bits);
    throw new Error(`where: cond must be a tensor or nested arrays of booleans or numbers, got ${c === null ? 'null' : typeof c}`);
  };
  return asTensor('where', bits(cond), 'float64');
}

/**
 * cond ? a : b elementwise, all three broadcast together. `cond` is a mask tensor (non-zero and NaN are true, as
 * PyTorch's bool()) or nested arrays of booleans or numbers; it gets no gradient.
 * Gradient: d where(c,a,b)/da = g·c, d/db = g·(1 − c); the mask c gets none
 * @example where(gt(x, 0), x, 0) ; where([true, false], a, b)
 */
export function where(cond: MaskLike, a: TensorLike, b: TensorLike): Tensor {
  const c0 = maskOf(cond);
  const [x, y] = operands('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', c0.shape, x.shape), y.shape);
  const n = shape.reduce((p, q) => p * q, 1);
  const c = sameShape(c0.shape, shape) ? c0.data : expandData('where', c0, shape);
  const xd = sameShape(x.shape, shape) ? x.data : expandData('where', x, shape);
  const yd = sameShape(y.shape, shape) ? y.data : expandData('where', y, shape);
  const out = alloc('where', promoteOperands(x, y), shape);
  for (let i = 0; i < n; i++) out[i] = c[i] !== 0 ? xd[i] : yd[i];
  return record('where', [c0, x, y], new Tensor(out, shape));
}

/**
 * −x.
 * Gradient: d(−a)/da = −g
 * @example neg(x)
 */
export function neg(x: TensorLike): Tensor { return unary('neg', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = -a[i]; }); }
/**
 * eˣ.
 * Gradient: d(eᵃ)/da = g·eᵃ
 * @example exp(x)
 */
export function exp(x: TensorLike): Tensor { return unary('exp', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(a[i]); }); }
/**
 * Natural logarithm (log 0 = −∞, negative → NaN).
 * Gradient: d(ln a)/da = g/a
 * @example log(x)
 */
export function log(x: TensorLike): Tensor { return unary('log', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.log(a[i]); }); }
/**
 * √x.
 * Gradient: d(√a)/da = g/(2√a)
 * @example sqrt(x)
 */
export function sqrt(x: TensorLike): Tensor { return unary('sqrt', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sqrt(a[i]); }); }
/**
 * |x| (gradient 0 at 0, as PyTorch).
 * Gradient: d|a|/da = g·sign(a), 0 at 0
 * @example abs(x)
 */
export function abs(x: TensorLike): Tensor { return unary('abs', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.abs(a[i]); }); }
/**
 * x².
 * Gradient: d(a²)/da = 2·g·a
 * @example square(x)
 */
export function square(x: TensorLike): Tensor { return unary('square', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = a[i] * a[i]; }); }
/**
 * Hyperbolic tangent.
 * Gradient: d(tanh a)/da = g·(1 − tanh²a)
 * @example tanh(x)
 */
export function tanh(x: TensorLike): Tensor { return unary('tanh', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.tanh(a[i]); }); }
/**
 * 1 / (1 + e⁻ˣ), computed without overflow.
 * Gradient: dσ(a)/da = g·σ(a)·(1 − σ(a))
 * @example sigmoid(x)
 */
export function sigmoid(x: TensorLike): Tensor {
  return unary('sigmoid', x, (a, o, n) => {
    for (let i = 0; i < n; i++) { const v = a[i]; if (v >= 0) o[i] = 1 / (1 + Math.exp(-v)); else { const e = Math.exp(v); o[i] = e / (1 + e); } }
  });
}
/**
 * max(x, 0); NaN stays NaN (gradient 0 at 0, 1 at NaN, as PyTorch).
 * Gradient: d relu(a)/da = g·[not a ≤ 0] (0 at 0, g at NaN)
 * @example relu(x)
 */
export function relu(x: TensorLike): Tensor {
  return unary('relu', x, (a, o, n) => {
    if (reluSimd(a, o)) return;
    if (a instanceof Float32Array && o instanceof Float32Array) reluFloat32(a, o);
    else for (let i = 0; i < n; i++) o[i] = a[i] <= 0 ? 0 : a[i];
  });
}
/**
 * x for x > 0, slope·x otherwise; `slope` defaults to 0.01 (gradient `slope` at 0 and at NaN, as PyTorch).
 * Gradient: d leakyRelu(a)/da = g·(a > 0 ? 1 : slope)
 * @example leakyRelu(x, 0.1)
 */
export function leakyRelu(x: TensorLike, slope = 0.01): Tensor {
  if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`leakyRelu: slope must be a finite number, got ${slope}`);
  return unary('leakyRelu', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = a[i] > 0 ? a[i] : slope * a[i]; }, { slope });
}
/**
 * sin x.
 * Gradient: d(sin a)/da = g·cos a
 * @example sin(x)
 */
export function sin(x: TensorLike): Tensor { return unary('sin', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sin(a[i]); }); }
/**
 * cos x.
 * Gradient: d(cos a)/da = −g·sin a
 * @example cos(x)
 */
export function cos(x: TensorLike): Tensor { return unary('cos', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.cos(a[i]); }); }
/**
 * x limited to [min, max] (either bound may be omitted with null/undefined); the gradient passes where
 * min ≤ x ≤ max, bounds included, as PyTorch.
 * Gradient: d clamp(a)/da = g·[min ≤ a ≤ max]
 * @example clamp(x, 0, 1)
 */
export function clamp(x: TensorLike, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? -Infinity, hi = max ?? Infinity;
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(`clamp: min and max must be numbers, got ${min} and ${max}`);
  if ((min === undefined || min === null) && (max === undefined || max === null)) throw new Error(`clamp: give at least one of min and max (tensor of shape ${x instanceof Tensor ? fmt(x.shape) : '?'})`);
  // min(max(x, lo), hi): with lo > hi every element is hi, as PyTorch.
  return unary('clamp', x, (a, o, n) => { for (let i = 0; i < n; i++) { const v = a[i] < lo ? lo : a[i]; o[i] = v > hi ? hi : v; } }, { min: lo, max: hi });
}
/**
 * A copy of x that stays in the graph.
 * Gradient: d clone(a)/da = g
 * @example clone(x)
 */
export function clone(x: TensorLike): Tensor { return unary('clone', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = a[i]; }); }

/** Internal: x converted to `dtype` (gradients are cast back to their input's dtype, as PyTorch does).
 * Gradient: d cast(a)/da = g in a's dtype
 */
export function cast(x: Tensor, dtype: 'float32' | 'float64'): Tensor {
  if (x.dtype === dtype) return x;
  const out = alloc('cast', dtype, x.shape);
  out.set(x.data);
  return record('cast', [x], new Tensor(out, x.shape), { dtype });
}

// --- elementwise, comparison and reduction additions ---
const kAtan2: BinaryKernel = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.atan2(x[xo + i * xs], y[yo + i * ys]); };
/**
 * The angle of the point (x, y) in (−π, π], elementwise: atan(y/x) in the right quadrant; broadcasting.
 * Gradient: d atan2(y,x)/dy = g·x/(x² + y²), d/dx = −g·y/(x² + y²)
 * @example atan2(y, x)
 */
export function atan2(y: TensorLike, x: TensorLike): Tensor { return binary('atan2', y, x, kAtan2); }
