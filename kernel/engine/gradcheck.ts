// gradcheck: the analytic Jacobian (reverse mode: one backward per output element, through computeGrads so no
// `.grad` is touched) against central finite differences, over every element of every input that requires
// grad. Everything is float64: float32 inputs or outputs are refused (not converted), because finite differences
// in float32 are too coarse for the default tolerances.
import { computeGrads } from './autograd';
import { noGrad } from './graph';
import { isArray } from './options';
import { Tensor } from './tensor';
import { fmt } from './shape';
import { centralDifference, ErrorTally, multiIndex } from './finiteDifferences';

/** Step and tolerances of gradcheck: an entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|. */
export interface GradcheckOptions {
  /** The step of the central differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
}
/** What gradcheck found for one input that requires grad. */
export interface GradcheckInputResult {
  /** Position of the input in `inputs`. */
  index: number;
  /** The input's name, if it has one. */
  name?: string;
  /** max |analytic − numeric| over the input's Jacobian entries. */
  maxAbsError: number;
  /** max |analytic − numeric| / max(|analytic|, |numeric|) over the input's entries (0 where both are 0). */
  maxRelError: number;
  /** The input element (a multi-index into its shape) with the largest absolute error. */
  worstIndex: number[];
}
/** The result of gradcheck. @example const { ok, inputs } = gradcheck(f, [x]); */
export interface GradcheckResult {
  /** Whether every checked entry is within tolerance. */
  ok: boolean;
  /** One result per input that requires grad, in the order of the inputs. */
  inputs: GradcheckInputResult[];
}

/**
 * Compares the gradients of `f` at `inputs` with central finite differences, entry by entry of the Jacobian:
 * an entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|. Checks the inputs that require grad.
 * @example gradcheck((x) => x.tanh().sum(), [randn([3], { requiresGrad: true })]).ok // true
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-6, atol = options.atol ?? 1e-5, rtol = options.rtol ?? 1e-3;
  if (typeof f !== 'function') throw new Error('gradcheck: f must be a function of the input tensors');
  if (!isArray(inputs)) throw new Error('gradcheck: inputs must be an array of tensors');
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`gradcheck: input ${i} is not a tensor`);
    if (x.requiresGrad && x.dtype !== 'float64') throw new Error(`gradcheck: input ${i} (shape ${fmt(x.shape)}) is float32; gradcheck needs float64 inputs (create them with dtype: 'float64')`);
  });
  const checked = inputs.map((x, i) => ({ x, i })).filter((e) => e.x.requiresGrad);
  if (checked.length === 0) throw new Error(`gradcheck: none of the ${inputs.length} inputs requires grad, so there is nothing to check (as PyTorch's gradcheck)`);
  const xs = inputs.slice();
  const y = f(...xs);
  if (!(y instanceof Tensor)) throw new Error('gradcheck: f must return a tensor');
  if (y.dtype !== 'float64') throw new Error(`gradcheck: f returned a float32 tensor (shape ${fmt(y.shape)}); gradcheck needs float64 throughout`);
  const m = y.size;
  // analytic[c][j * n + i] = d y_j / d x_i for checked input c.
  const analytic = checked.map((e) => new Float64Array(m * e.x.size));
  if (y.requiresGrad && checked.length) {
    for (let j = 0; j < m; j++) {
      const seed = new Float64Array(m);
      seed[j] = 1;
      const gs = computeGrads(y, checked.map((e) => e.x), new Tensor(seed, y.shape));
      gs.forEach((g, c) => analytic[c].set(g.data, j * checked[c].x.size));
    }
  }
  const tallies = checked.map((e, c) => {
    const n = e.x.size, tally = new ErrorTally(atol, rtol);
    for (let i = 0; i < n; i++) {
      const numeric = centralDifference(e.x.data, i, eps, () => noGrad(() => f(...xs)).data);
      for (let j = 0; j < m; j++) tally.add(i, analytic[c][j * n + i], numeric[j]);
    }
    return tally;
  });
  const results = checked.map((e, c) => {
    const t = tallies[c];
    const r: GradcheckInputResult = { index: e.i, maxAbsError: t.maxAbs, maxRelError: t.maxRel, worstIndex: multiIndex(t.worst.flat, e.x.shape) };
    if (e.x.name !== undefined) r.name = e.x.name;
    return r;
  });
  const ok = tallies.every((t) => t.ok);
  return { ok, inputs: results };
}
