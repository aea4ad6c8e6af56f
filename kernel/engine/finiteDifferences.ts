// Central finite differences and the tally of their disagreement with analytic gradients: the one ±eps loop
// and the one pass/fail rule of `gradcheck` (engine) and of the kernel's Check Gradients (kernel/tools).
import type { FloatArray } from './dtype';

/** The multi-index of element `flat` of a row-major tensor of this shape. */
export function multiIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat = Math.floor(flat / shape[d]); }
  return idx;
}

/**
 * d f / d x[i] by central differences, (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / 2eps, for every output of `f`
 * (which reads `x`: it is nudged in place, and restored before this returns, even when `f` throws).
 */
export function centralDifference(x: FloatArray, i: number, eps: number, f: () => ArrayLike<number>): Float64Array {
  const v = x[i];
  try {
    x[i] = v + eps;
    // a copy: the output may share storage with x (a reshape), or be overwritten by the next call
    const d = Float64Array.from(f());
    x[i] = v - eps;
    const minus = f();
    for (let j = 0; j < d.length; j++) d[j] = (d[j] - minus[j]) / (2 * eps);
    return d;
  } finally {
    x[i] = v;
  }
}

/**
 * Running worst errors of analytic against numeric values. An element passes when
 * |analytic − numeric| ≤ atol + rtol·|numeric|; equal infinities agree, any NaN fails.
 */
export class ErrorTally {
  maxAbs = 0;
  /** max |analytic − numeric| / max(|analytic|, |numeric|), 0 where both are 0. */
  maxRel = 0;
  ok = true;
  checked = 0;
  /** The flat index, analytic and numeric value of the element with the largest absolute error. */
  worst = { flat: 0, analytic: 0, numeric: 0 };

  constructor(private readonly atol: number, private readonly rtol: number) {}

  add(flat: number, analytic: number, numeric: number): void {
    this.checked++;
    let err = Math.abs(analytic - numeric);
    if (Number.isNaN(err)) err = analytic === numeric ? 0 : Infinity;
    if (!(err <= this.atol + this.rtol * Math.abs(numeric))) this.ok = false;
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    const rel = err === 0 ? 0 : Number.isFinite(scale) && scale > 0 ? err / scale : Infinity;
    if (this.checked === 1 || err > this.maxAbs) {
      this.maxAbs = err;
      this.worst = { flat, analytic, numeric };
    }
    if (rel > this.maxRel) this.maxRel = rel;
  }
}
