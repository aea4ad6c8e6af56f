// Index and statistics reductions: argMax/argMin (indices as float64 tensors of integers, never recorded),
// cumsum, var and std (with PyTorch's `correction`), and vector norms of any order. Each recorded op has one rule
// in gradients.ts.
import { alloc, copyAs } from '../dtype';
import { record } from '../graph';
import { broadcastIndex, fmt, normAxes, normAxis } from '../shape';
import { Axis, Tensor, TensorLike } from '../tensor';
import { operand } from '../creation';
import { isArray } from '../options';

/** A reduction over `axes`: the result's shape and, for each input element, the output it belongs to. */
function reduction(op: string, x: Tensor, axis: Axis | null | undefined, keepDims: boolean) {
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be a boolean, got ${String(keepDims)}`);
  const axes = normAxes(op, isArray(axis) && axis.length === 0 ? undefined : axis, x.shape);
  const kept = x.shape.slice();
  let count = 1;
  for (const a of axes) { count *= x.shape[a]; kept[a] = 1; }
  const shape = keepDims ? kept : x.shape.filter((_, d) => !axes.includes(d));
  const outSize = kept.reduce((p, q) => p * q, 1);
  const index = outSize === 1 ? null : broadcastIndex(kept, x.shape);
  return { axes, shape, count, outSize, index };
}

/** argMax/argMin: the first extreme index along `axis` (or in the flattened tensor); NaN counts as the extreme. */
function argExtreme(op: 'argMax' | 'argMin', xIn: TensorLike, axis: number | null | undefined, keepDims: boolean): Tensor {
  const x = operand(op, xIn);
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be a boolean, got ${String(keepDims)}`);
  if (axis !== undefined && axis !== null && typeof axis !== 'number') throw new Error(`${op}: axis must be one number (or omitted: the flattened tensor), got ${String(axis)} for shape ${fmt(x.shape)}`);
  const flat = axis === undefined || axis === null;
  const a = flat ? 0 : normAxis(op, axis, Math.max(x.ndim, 1), x.shape);
  const n = flat ? x.size : x.ndim === 0 ? 1 : x.shape[a];
  if (n === 0) throw new Error(`${op}: cannot reduce over an empty axis of shape ${fmt(x.shape)}`);
  let inner = 1;
  if (!flat) for (let d = a + 1; d < x.ndim; d++) inner *= x.shape[d];
  const outer = x.size / (n * inner);
  const shape = flat ? (keepDims ? x.shape.map(() => 1) : []) : keepDims || x.ndim === 0 ? x.shape.map((s, d) => (d === a ? 1 : s)) : x.shape.filter((_, d) => d !== a);
  const out = alloc(op, 'float64', shape), d = x.data, s = op === 'argMax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = d[base], at = 0;
      for (let k = 1; k < n && best === best; k++) {
        const v = d[base + k * inner];
        if (v !== v || s * v > s * best) { best = v; at = k; }
      }
      out[o * inner + i] = at;
    }
  }
  return new Tensor(out, shape);
}

/**
 * The index of the first maximal element along `axis` (of the flattened tensor when omitted); a NaN counts as
 * the maximum, as PyTorch. A float64 tensor of integer values that does not require grad: use it as indices.
 * Gradient: none (indices do not require grad)
 * @example logits.argMax(1) // predicted classes ; argMax(x) // index into x.flatten()
 */
export function argMax(x: TensorLike, axis?: number | null, keepDims = false): Tensor { return argExtreme('argMax', x, axis, keepDims); }
/**
 * The index of the first minimal element along `axis` (of the flattened tensor when omitted); a NaN counts as
 * the minimum, as PyTorch. A float64 tensor of integer values that does not require grad.
 * Gradient: none (indices do not require grad)
 * @example argMin(distances, -1)
 */
export function argMin(x: TensorLike, axis?: number | null, keepDims = false): Tensor { return argExtreme('argMin', x, axis, keepDims); }

/** Running sums along `axis`, from its start (or from its end when `reverse`: cumsum's gradient). */
export function cumsumAlong(x: Tensor, axis: number, reverse: boolean): Tensor {
  const a = normAxis('cumsum', axis, Math.max(x.ndim, 1), x.shape);
  const n = x.ndim === 0 ? 1 : x.shape[a];
  let inner = 1;
  for (let d = a + 1; d < x.ndim; d++) inner *= x.shape[d];
  const outer = n * inner === 0 ? 0 : x.size / (n * inner);
  const acc = new Float64Array(x.size), d = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) { const at = base + (reverse ? n - 1 - k : k) * inner; s += d[at]; acc[at] = s; }
    }
  }
  const out = copyAs('cumsum', x.dtype, x.shape, acc);
  return record('cumsum', [x], new Tensor(out, x.shape.slice()), { axis: a, reverse });
}

/**
 * Running sums along `axis`: element k is the sum of elements 0..k.
 * Gradient: d cumsum(a)/da = the running sums of g from the end of the axis
 * @example cumsum(tensor([1, 2, 3]), 0) // [1, 3, 6]
 */
export function cumsum(x: TensorLike, axis: number): Tensor {
  const t = operand('cumsum', x);
  if (typeof axis !== 'number') throw new Error(`cumsum: axis must be a number, got ${String(axis)} for shape ${fmt(t.shape)}`);
  return cumsumAlong(t, axis, false);
}

/** Options of var and std. @example x.var(0, { correction: 0, keepDims: true }) */
export interface VarOptions {
  /** Subtracted from the element count in the divisor: 1 (default, the unbiased estimate) or 0 (the population's). */
  correction?: number;
  /** Keep each reduced axis with size 1 (default false). */
  keepDims?: boolean;
}

function varOptions(op: string, opts: VarOptions | undefined): { correction: number; keepDims: boolean } {
  if (opts === undefined || opts === null) return { correction: 1, keepDims: false };
  if (typeof opts !== 'object' || isArray(opts)) throw new Error(`${op}: options must be an object { correction?, keepDims? }, got ${String(opts)}`);
  for (const k of Object.keys(opts)) if (k !== 'correction' && k !== 'keepDims') throw new Error(`${op}: unknown option '${k}' (supported: correction, keepDims)`);
  const correction = opts.correction ?? 1, keepDims = opts.keepDims ?? false;
  if (typeof correction !== 'number' || !Number.isFinite(correction)) throw new Error(`${op}: correction must be a finite number, got ${String(correction)}`);
  return { correction, keepDims };
}

/** Σ(x − mean)²/(count − correction) over the axes, in float64, two passes. */
function moments(op: 'var' | 'std', xIn: TensorLike, axis: Axis | null | undefined, opts: VarOptions | undefined): Tensor {
  const x = operand(op, xIn);
  const { correction, keepDims } = varOptions(op, opts);
  const r = reduction(op, x, axis, keepDims);
  const mean = new Float64Array(r.outSize), ss = new Float64Array(r.outSize), d = x.data, idx = r.index;
  for (let i = 0; i < d.length; i++) mean[idx === null ? 0 : idx[i]] += d[i];
  for (let j = 0; j < mean.length; j++) mean[j] /= r.count;
  for (let i = 0; i < d.length; i++) { const j = idx === null ? 0 : idx[i], e = d[i] - mean[j]; ss[j] += e * e; }
  const div = Math.max(0, r.count - correction);
  for (let j = 0; j < ss.length; j++) ss[j] = op === 'var' ? ss[j] / div : Math.sqrt(ss[j] / div);
  return record(op, [x], new Tensor(copyAs(op, x.dtype, r.shape, ss), r.shape), { axes: r.axes, keepDims, correction });
}

/**
 * The variance over `axis` (all elements when omitted): Σ(x − mean)²/(N − correction), `correction` 1 by default
 * (the unbiased estimate), as PyTorch. As a function it is `bp.var` (`var` is a reserved word in JavaScript).
 * Gradient: d var(a)/da = g·2(a − mean(a))/(N − correction)
 * @example x.var() ; x.var(0, { correction: 0, keepDims: true })
 */
export function variance(x: TensorLike, axis?: Axis | null, opts?: VarOptions): Tensor { return moments('var', x, axis, opts); }

/**
 * The standard deviation over `axis`: √var(x, axis, opts), `correction` 1 by default.
 * Gradient: d std(a)/da = g·(a − mean(a))/((N − correction)·std(a)), 0 where std is 0 (as PyTorch)
 * @example x.std(-1, { keepDims: true })
 */
export function std(x: TensorLike, axis?: Axis | null, opts?: VarOptions): Tensor { return moments('std', x, axis, opts); }

/**
 * The vector p-norm over `axis` (all elements when omitted): (Σ|x|ᵖ)^(1/p); p = Infinity is max|x|, -Infinity
 * min|x|, 0 the count of non-zeros. p defaults to 2.
 * Gradient: d‖a‖ₚ/da = g·sign(a)·|a|ᵖ⁻¹/‖a‖ₚᵖ⁻¹, and 0 where the norm is 0, as PyTorch (g·a/‖a‖ for p = 2,
 * g·sign(a) for p = 1, shared among the extreme elements for ±Infinity, none for 0)
 * @example norm(x) ; x.norm(1, -1, true) ; x.norm(Infinity)
 */
export function norm(x: TensorLike, p = 2, axis?: Axis | null, keepDims = false): Tensor {
  const t = operand('norm', x);
  if (typeof p !== 'number' || Number.isNaN(p)) throw new Error(`norm: p must be a number (1, 2, Infinity, ...), got ${String(p)} for shape ${fmt(t.shape)}`);
  const r = reduction('norm', t, axis, keepDims);
  const acc = new Float64Array(r.outSize), d = t.data, idx = r.index;
  if (p === Infinity || p === -Infinity) acc.fill(p === Infinity ? -Infinity : Infinity);
  for (let i = 0; i < d.length; i++) {
    const j = idx === null ? 0 : idx[i], v = Math.abs(d[i]);
    if (p === 2) acc[j] += v * v;
    else if (p === 1) acc[j] += v;
    else if (p === 0) acc[j] += v !== 0 ? 1 : 0;
    else if (p === Infinity) { if (acc[j] === acc[j] && (v !== v || v > acc[j])) acc[j] = v; } // NaN wins, as amax
    else if (p === -Infinity) { if (acc[j] === acc[j] && (v !== v || v < acc[j])) acc[j] = v; }
    else acc[j] += Math.pow(v, p);
  }
  if (r.count === 0 && (p === Infinity || p === -Infinity)) throw new Error(`norm: cannot take the ${p}-norm over an empty axis of shape ${fmt(t.shape)}`);
  if (p === 2) for (let j = 0; j < acc.length; j++) acc[j] = Math.sqrt(acc[j]);
  else if (p !== 1 && p !== 0 && Number.isFinite(p)) for (let j = 0; j < acc.length; j++) acc[j] = Math.pow(acc[j], 1 / p);
  return record('norm', [t], new Tensor(copyAs('norm', t.dtype, r.shape, acc), r.shape), { p, axes: r.axes, keepDims });
}
