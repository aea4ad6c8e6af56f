// Optimisers with PyTorch's update rules (torch.optim.SGD and torch.optim.Adam, single-tensor path), written
// element by element. Updates change each parameter's storage in place and record no graph; parameters whose
// `.grad` is null are skipped (and, for Adam, their step count does not advance).
import { checkOptions } from './options';
import { Tensor } from './tensor';
import { adamSimd, sgdMomentumSimd, sgdSimd } from './simd/index';

function checkParams(op: string, params: unknown): Tensor[] {
  if (!Array.isArray(params)) throw new Error(`${op}: params must be an array of tensors (e.g. model.parameters())`);
  if (params.length === 0) throw new Error(`${op}: params is an empty list`);
  params.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${op}: params[${i}] is not a tensor`);
    if (!p.isLeaf) throw new Error(`${op}: params[${i}] (${p.name ?? `shape [${p.shape.join(',')}]`}) is not a leaf: an optimiser updates leaves only`);
  });
  return params.slice() as Tensor[];
}

/** The gradient's storage, checked against the parameter's shape. */
function gradOf(op: string, p: Tensor): ArrayLike<number> {
  const g = p.grad as Tensor;
  if (g.size !== p.size) {
    throw new Error(`${op}: the gradient of ${p.name ?? 'a parameter'} has shape [${g.shape.join(',')}], the parameter [${p.shape.join(',')}]`);
  }
  return g.data;
}

function checkNumber(op: string, name: string, value: unknown, min: number, maxExclusive = Infinity): number {
  if (typeof value !== 'number' || !(value >= min && value < maxExclusive)) {
    const range = maxExclusive === Infinity ? `>= ${min}` : `in [${min}, ${maxExclusive})`;
    throw new Error(`${op}: ${name} must be a number ${range}, got ${String(value)}`);
  }
  return value;
}

/** The base of optimisers: the parameter list and zeroGrad. */
export abstract class Optimizer {
  /** The parameters it updates (leaves), in the order given. */
  readonly params: Tensor[];

  protected constructor(op: string, params: Tensor[]) {
    this.params = checkParams(op, params);
  }

  /** Applies one update to every parameter that has a gradient. @example loss.backward(); opt.step(); */
  abstract step(): void;

  /**
   * Clears every parameter's `.grad` (sets it to null).
   * @example opt.zeroGrad(); const loss = model.forward(x).mseLoss(y); loss.backward(); opt.step();
   */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/** Options of optim.SGD. @example new optim.SGD(params, { lr: 0.1, momentum: 0.9 }) */
export interface SGDOptions {
  /** The learning rate (required). */
  lr: number;
  /** The momentum factor (default 0: none). */
  momentum?: number;
  /** L2 penalty added to the gradient: g + weightDecay·p (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, as torch.optim.SGD (dampening 0, no Nesterov):
 * g ← grad + weightDecay·p; buf ← g on the first step, else momentum·buf + g; p ← p − lr·buf (or lr·g
 * without momentum).
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  /** The learning rate; assign to it to schedule it (as param_groups[0].lr in PyTorch). */
  lr: number;
  /** The momentum factor. */
  readonly momentum: number;
  /** The L2 penalty added to the gradient. */
  readonly weightDecay: number;
  private readonly buffers = new Map<Tensor, Float64Array>();

  constructor(params: Tensor[], opts: SGDOptions) {
    super('optim.SGD', params);
    if (opts === undefined) throw new Error('optim.SGD: options { lr } are required');
    checkOptions('optim.SGD', opts, ['lr', 'momentum', 'weightDecay']);
    this.lr = checkNumber('optim.SGD', 'lr', opts.lr, 0);
    this.momentum = checkNumber('optim.SGD', 'momentum', opts.momentum ?? 0, 0);
    this.weightDecay = checkNumber('optim.SGD', 'weightDecay', opts.weightDecay ?? 0, 0);
  }

  /** One SGD update of every parameter that has a gradient. @example opt.step() */
  step(): void {
    const { lr, momentum, weightDecay } = this;
    for (const p of this.params) {
      if (p.grad === null) continue;
      const w = p.data as Float64Array, g = gradOf('optim.SGD', p);
      if (momentum === 0 && weightDecay === 0) { sgdPlain(w, g, lr); continue; }
      let buf: Float64Array | null = null, first = false;
      if (momentum !== 0) {
        buf = this.buffers.get(p) ?? null;
        if (!buf) { first = true; buf = new Float64Array(w.length); this.buffers.set(p, buf); }
      }
      sgdMomentum(w, g, buf, lr, momentum, weightDecay, first);
    }
  }
}

/**
 * SGD with momentum (buf: the float64 momentum buffer, fresh on the `first` step) or weight decay (buf null without
 * momentum): the SIMD loop, else one tight JavaScript loop per case (the branches hoisted out of the per-element
 * loop), the same arithmetic in each.
 */
function sgdMomentum(w: Float32Array | Float64Array, g: ArrayLike<number>, buf: Float64Array | null, lr: number, momentum: number,
  weightDecay: number, first: boolean): void {
  if ((g instanceof Float32Array || g instanceof Float64Array) && sgdMomentumSimd(w, g, buf, lr, momentum, weightDecay, first)) return;
  if (buf === null) {
    for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * (g[i] + weightDecay * w[i]);
  } else if (first) {
    for (let i = 0; i < w.length; i++) {
      const d = weightDecay !== 0 ? g[i] + weightDecay * w[i] : g[i];
      buf[i] = d;
      w[i] = w[i] - lr * buf[i];
    }
  } else if (weightDecay === 0) {
    for (let i = 0; i < w.length; i++) { buf[i] = buf[i] * momentum + g[i]; w[i] = w[i] - lr * buf[i]; }
  } else {
    for (let i = 0; i < w.length; i++) { buf[i] = buf[i] * momentum + (g[i] + weightDecay * w[i]); w[i] = w[i] - lr * buf[i]; }
  }
}

/**
 * p ← p − lr·g over one storage, four elements per iteration: V8 does not vectorise typed-array loops, and the
 * unrolled body cuts loop overhead (≈1.6× faster on a 270K-element float32 MLP). Each element's arithmetic is the
 * plain loop's, so the result is bit-identical.
 */
function sgdPlain(w: Float32Array | Float64Array, g: ArrayLike<number>, lr: number): void {
  if ((g instanceof Float32Array || g instanceof Float64Array) && sgdSimd(w, g, lr)) return;
  const n = w.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w0 = w[i] - lr * g[i], w1 = w[i + 1] - lr * g[i + 1], w2 = w[i + 2] - lr * g[i + 2], w3 = w[i + 3] - lr * g[i + 3];
    w[i] = w0; w[i + 1] = w1; w[i + 2] = w2; w[i + 3] = w3;
  }
  for (; i < n; i++) w[i] = w[i] - lr * g[i];
}

/** Options of optim.Adam. @example new optim.Adam(params, { lr: 0.01, betas: [0.9, 0.99] }) */
export interface AdamOptions {
  /** The learning rate (default 1e-3). */
  lr?: number;
  /** The decay rates [β₁, β₂] of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0; not AdamW's decoupled decay). */
  weightDecay?: number;
}

interface AdamState { step: number; m: Float64Array; v: Float64Array }

/**
 * Adam, as torch.optim.Adam (L2 weight decay added to the gradient, not AdamW; no amsgrad):
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + eps).
 * @example const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
 */
export class Adam extends Optimizer {
  /** The learning rate; assign to it to schedule it (as param_groups[0].lr in PyTorch). */
  lr: number;
  /** The decay rates [β₁, β₂] of the moment estimates. */
  readonly betas: readonly [number, number];
  /** Added to the denominator for stability. */
  readonly eps: number;
  /** The L2 penalty added to the gradient. */
  readonly weightDecay: number;
  private readonly state = new Map<Tensor, AdamState>();

  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super('optim.Adam', params);
    checkOptions('optim.Adam', opts, ['lr', 'betas', 'eps', 'weightDecay']);
    this.lr = checkNumber('optim.Adam', 'lr', opts.lr ?? 1e-3, 0);
    const betas = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new Error(`optim.Adam: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
    }
    this.betas = [checkNumber('optim.Adam', 'betas[0]', betas[0], 0, 1), checkNumber('optim.Adam', 'betas[1]', betas[1], 0, 1)];
    this.eps = checkNumber('optim.Adam', 'eps', opts.eps ?? 1e-8, 0);
    this.weightDecay = checkNumber('optim.Adam', 'weightDecay', opts.weightDecay ?? 0, 0);
  }

  /** One Adam update of every parameter that has a gradient. @example opt.step() */
  step(): void {
    const { lr, eps, weightDecay } = this;
    const [beta1, beta2] = this.betas;
    for (const p of this.params) {
      if (p.grad === null) continue;
      const w = p.data as Float64Array, g = gradOf('optim.Adam', p);
      let s = this.state.get(p);
      if (!s) { s = { step: 0, m: new Float64Array(w.length), v: new Float64Array(w.length) }; this.state.set(p, s); }
      s.step += 1;
      const biasCorrection1 = 1 - beta1 ** s.step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** s.step);
      const stepSize = lr / biasCorrection1;
      const { m, v } = s;
      if (weightDecay === 0) adamLoop(w, g, m, v, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
      else if ((g instanceof Float32Array || g instanceof Float64Array) &&
        adamSimd(w, g, m, v, beta1, beta2, stepSize, biasCorrection2Sqrt, eps, weightDecay)) continue;
      else {
        // L2 decay joins the gradient first (as PyTorch), so the loop below sees the decayed gradient.
        const gd = new Float64Array(w.length);
        for (let i = 0; i < w.length; i++) gd[i] = g[i] + weightDecay * w[i];
        adamLoop(w, gd, m, v, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
      }
    }
  }
}

/** The Adam update of one parameter's storage w from its gradient g (moments m, v updated in place). */
function adamLoop(w: Float64Array | Float32Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, beta1: number, beta2: number,
  stepSize: number, biasCorrection2Sqrt: number, eps: number): void {
  if ((g instanceof Float32Array || g instanceof Float64Array) && adamSimd(w, g, m, v, beta1, beta2, stepSize, biasCorrection2Sqrt, eps)) return;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    m[i] = m[i] * beta1 + (1 - beta1) * gi;
    v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
    const denom = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
    w[i] = w[i] - stepSize * (m[i] / denom);
  }
}
