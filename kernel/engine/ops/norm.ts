// Normalisation and dropout: layerNorm, batchNorm, dropout. Each is one node in the graph (a norm reads as one box,
// not the dozen ops it is made of). Their rules in gradients.ts are written with tensor ops on the node's inputs
// (normVjp below), so a createGraph backward differentiates them again.
import { alloc, Dtype, FloatArray, promote } from '../dtype';
import { OpArgs, record } from '../graph';
import { checkOptions } from '../options';
import { Generator, globalGenerator } from '../random';
import { fmt, sameShape, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { add, div, mul, sqrt, square, sub } from './elementwise';
import { mean, sum } from './reductions';
import { reshape } from './shapeOps';

function need(op: string, x: unknown, what = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${what} must be a tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
}

/** An optional weight or bias: a tensor of `shape`, or null. */
function optionalParam(op: string, what: string, t: unknown, shape: readonly number[], xShape: readonly number[]): Tensor | null {
  if (t === undefined || t === null) return null;
  need(op, t, what);
  if (t.ndim !== shape.length || t.shape.some((n, d) => n !== shape[d])) {
    throw new Error(`${op}: ${what} must have shape ${fmt(shape)} for input ${fmt(xShape)}, got ${fmt(t.shape)}`);
  }
  return t;
}

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new Error(`${op}: eps must be a finite number ≥ 0, got ${String(eps)}`);
  return eps;
}

function checkFlag(op: string, what: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`${op}: ${what} must be true or false, got ${typeof v}`);
  return v;
}

/** The result's dtype: PyTorch's promotion over the tensors the values come from (running statistics excluded). */
function outDtype(x: Tensor, w: Tensor | null, b: Tensor | null): Dtype {
  return promote(promote(x.dtype, w?.dtype ?? x.dtype), b?.dtype ?? x.dtype);
}

// ---- dropout ----

/** Options of dropout. @example dropout(x, { p: 0.2, seed: 0 }) */
export interface DropoutOptions {
  /** The probability of zeroing each element, in [0, 1] (default 0.5). */
  p?: number;
  /** Drop only when true (the default); false returns the input itself. */
  training?: boolean;
  /** Seeds a private generator for the mask; without it the global one (manualSeed) is used. */
  seed?: number;
}

/**
 * Zeroes each element with probability p and scales the others by 1/(1 − p), so the expected value is unchanged
 * (as PyTorch's dropout; the mask comes from the engine's seeded generator, the same on every machine). Returns
 * `x` itself when `training` is false or p = 0; p = 1 gives zeros.
 * Gradient: d dropout(a)/da = g·mask/(1 − p), the forward's mask
 * @example const h = dropout(x, { p: 0.5, seed: 0 }); // about half of x, doubled
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  need('dropout', x);
  checkOptions('dropout', opts, ['p', 'training', 'seed']);
  const p = opts.p ?? 0.5, training = checkFlag('dropout', 'training', opts.training ?? true);
  checkDropout('dropout', p, opts.seed, ` (input ${fmt(x.shape)})`);
  if (!training || p === 0) return x;
  return dropoutFrom(x, p, opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator);
}

/** Internal: throws unless p is a probability and seed (when given) a finite number. */
export function checkDropout(op: string, p: unknown, seed: unknown, context = ''): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${op}: p must be a probability in [0, 1], got ${String(p)}${context}`);
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) throw new Error(`${op}: seed must be a finite number, got ${typeof seed === 'number' ? String(seed) : JSON.stringify(seed)}`);
}

/** Internal: dropout in training with the mask drawn from `gen` (nn.Dropout keeps one generator across calls). */
export function dropoutFrom(x: Tensor, p: number, gen: Generator): Tensor {
  // p = 1 keeps nothing: the scale of the (absent) kept elements is 0, not 1/0.
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const m = alloc('dropout', x.dtype, x.shape);
  for (let i = 0; i < m.length; i++) m[i] = gen.uniform() < p ? 0 : scale;
  return applyMask(x, new Tensor(m, x.shape), p);
}

/** x·mask as a dropout node: the forward, and its replay with the recorded mask (so a replay is deterministic). */
function applyMask(x: Tensor, mask: Tensor, p: number): Tensor {
  const out = alloc('dropout', x.dtype, x.shape), d = x.data, m = mask.data;
  for (let i = 0; i < out.length; i++) out[i] = d[i] * m[i];
  return record('dropout', [x], new Tensor(out, x.shape), { p, mask });
}

// ---- layerNorm ----

/** Options of layerNorm. @example layerNorm(x, [4], null, null, { eps: 1e-6 }) */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Normalises over the last dims (`normalizedShape`, which must end x's shape): y = (x − μ)/√(σ² + ε)·w + b with
 * μ and σ² (biased) over those dims, per leading index; `weight` and `bias` (optional) have `normalizedShape`.
 * As PyTorch's layer_norm; one node in the graph.
 * Gradient: d layerNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) over the normalised dims, d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
 * @example const y = layerNorm(x, [4], gamma, beta); // x [N, 4]: every row mean 0, variance 1, then scaled
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null,
  opts: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  need(op, x);
  checkOptions(op, opts, ['eps']);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? (normalizedShape as number[]).slice() : null;
  if (!shape || shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const k = shape.length, lead = x.ndim - k;
  if (lead < 0 || shape.some((n, d) => x.shape[lead + d] !== n)) {
    throw new Error(`layerNorm: input of shape ${fmt(x.shape)} does not end in normalizedShape ${fmt(shape)}`);
  }
  const w = optionalParam(op, 'weight', weight, shape, x.shape), b = optionalParam(op, 'bias', bias, shape, x.shape);
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const axes = shape.map((_, d) => lead + d);
  return layerNormNode(x, w, b, { axes, normalizedShape: shape, eps, hasWeight: w !== null, hasBias: b !== null });
}

function layerNormNode(x: Tensor, w: Tensor | null, b: Tensor | null, args: OpArgs): Tensor {
  const n = sizeOf(args.normalizedShape as number[]), rows = n === 0 ? 0 : x.size / n, eps = args.eps as number;
  const d = x.data, out = alloc('layerNorm', outDtype(x, w, b), x.shape), wd = w?.data, bd = b?.data;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const [mu, variance] = moments(d, base, 1, n, 1, 0), rstd = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < n; j++) {
      let v = (d[base + j] - mu) * rstd;
      if (wd) v *= wd[j];
      if (bd) v += bd[j];
      out[base + j] = v;
    }
  }
  return record('layerNorm', params(x, w, b), new Tensor(out, x.shape), args);
}

/**
 * Mean and biased variance of the elements base + o·outerStride + i·stride (o < outer, i < inner): two passes, in
 * float64 whatever the storage.
 */
function moments(d: FloatArray, base: number, outer: number, inner: number, stride: number, outerStride: number): [number, number] {
  const count = outer * inner;
  let s = 0;
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s += d[base + o * outerStride + i * stride];
  const mu = s / count;
  let q = 0;
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) { const c = d[base + o * outerStride + i * stride] - mu; q += c * c; }
  return [mu, q / count];
}

/** The node's inputs: x, then the weight and the bias where given. */
function params(x: Tensor, w: Tensor | null, b: Tensor | null): Tensor[] {
  const inputs = [x];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  return inputs;
}

// ---- batchNorm ----

/** Options of batchNorm. @example batchNorm(x, runningMean, runningVar, null, null, { training: true }) */
export interface BatchNormOptions {
  /** Normalise with the batch's statistics and update the running ones (true), or with the running ones (false, the default). */
  training?: boolean;
  /** In training: runningStat ← (1 − momentum)·runningStat + momentum·batchStat (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Normalises each channel c of x [N, C], [N, C, L] or [N, C, H, W] over the batch (and length, height, width):
 * y = (x − μ_c)/√(σ²_c + ε)·w_c + b_c, as PyTorch's batch_norm. In training, μ and σ² are the batch's (σ² biased)
 * and `runningMean`/`runningVar` ([C], or null) are updated in place with `momentum` (the variance unbiased); in
 * evaluation they are μ and σ². `weight` and `bias` ([C]) are optional. One node in the graph; the running
 * statistics are not part of it.
 * Gradient: d batchNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) per channel in training, ĝ·r in evaluation; d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
 * @example const y = batchNorm(x, runningMean, runningVar, gamma, beta, { training: true }); // x [N, C]
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null,
  opts: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  need(op, x);
  checkOptions(op, opts, ['training', 'momentum', 'eps']);
  if (x.ndim < 2 || x.ndim > 4) throw new Error(`batchNorm: input must be [N, C], [N, C, L] or [N, C, H, W], got shape ${fmt(x.shape)}`);
  const channels = x.shape[1], cShape = [channels];
  const training = checkFlag(op, 'training', opts.training ?? false), eps = checkEps(op, opts.eps ?? 1e-5), momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new Error(`batchNorm: momentum must be a number in [0, 1], got ${String(momentum)}`);
  const rm = optionalParam(op, 'runningMean', runningMean, cShape, x.shape), rv = optionalParam(op, 'runningVar', runningVar, cShape, x.shape);
  if ((rm === null) !== (rv === null)) throw new Error('batchNorm: give both runningMean and runningVar, or neither (in training)');
  if (!training && !rm) throw new Error(`batchNorm: evaluation (training: false) needs runningMean and runningVar of shape ${fmt(cShape)} for input ${fmt(x.shape)}`);
  for (const [what, t] of [['runningMean', rm], ['runningVar', rv]] as const) {
    if (t?.requiresGrad && training) throw new Error(`batchNorm: ${what} must not require grad: training updates it in place`);
  }
  const w = optionalParam(op, 'weight', weight, cShape, x.shape), b = optionalParam(op, 'bias', bias, cShape, x.shape);
  const count = x.size / Math.max(channels, 1);
  if (training && count <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input of shape ${fmt(x.shape)}`);
  const axes = [0, ...x.shape.slice(2).map((_, d) => d + 2)];
  const args: OpArgs = { axes, eps, training, momentum, hasWeight: w !== null, hasBias: b !== null };
  if (!training) {
    // Copies: a later training step updates the running statistics in place, and this node keeps what it used.
    args.runningMean = new Tensor(Float64Array.from((rm as Tensor).data), cShape);
    args.runningVar = new Tensor(Float64Array.from((rv as Tensor).data), cShape);
  }
  return batchNormNode(x, w, b, args, training && rm ? [rm, rv as Tensor] : null);
}

/** The forward; `running` (training only) gets the batch statistics blended in. A replay passes none. */
function batchNormNode(x: Tensor, w: Tensor | null, b: Tensor | null, args: OpArgs, running: [Tensor, Tensor] | null): Tensor {
  const [n, c] = x.shape, inner = sizeOf(x.shape.slice(2)), count = n * inner, eps = args.eps as number;
  const d = x.data, out = alloc('batchNorm', outDtype(x, w, b), x.shape), wd = w?.data, bd = b?.data;
  const momentum = args.momentum as number;
  for (let ch = 0; ch < c; ch++) {
    let mu: number, variance: number;
    if (args.training) {
      [mu, variance] = moments(d, ch * inner, n, inner, 1, c * inner);
      if (running) {
        const [rm, rv] = running;
        rm.data[ch] = (1 - momentum) * rm.data[ch] + momentum * mu;
        rv.data[ch] = (1 - momentum) * rv.data[ch] + momentum * variance * count / (count - 1);
      }
    } else {
      mu = (args.runningMean as Tensor).data[ch];
      variance = (args.runningVar as Tensor).data[ch];
    }
    const rstd = 1 / Math.sqrt(variance + eps);
    const scale = wd ? wd[ch] : 1, shift = bd ? bd[ch] : 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * inner;
      for (let s = 0; s < inner; s++) {
        let v = (d[base + s] - mu) * rstd;
        if (wd) v *= scale;
        if (bd) v += shift;
        out[base + s] = v;
      }
    }
  }
  return record('batchNorm', params(x, w, b), new Tensor(out, x.shape), args);
}

// ---- replay and gradients ----

/** The weight and bias among a norm node's inputs (see params). */
function unpack(x: readonly Tensor[], a: OpArgs): { w: Tensor | null; b: Tensor | null } {
  return { w: a.hasWeight ? x[1] : null, b: a.hasBias ? x[a.hasWeight ? 2 : 1] : null };
}

/** Recomputes a layerNorm node from new inputs (replay). */
export function replayLayerNorm(x: readonly Tensor[], a: OpArgs): Tensor {
  const { w, b } = unpack(x, a);
  return layerNormNode(x[0], w, b, a);
}

/** Recomputes a batchNorm node from new inputs (replay): the same statistics, and no running statistics to update. */
export function replayBatchNorm(x: readonly Tensor[], a: OpArgs): Tensor {
  const { w, b } = unpack(x, a);
  return batchNormNode(x[0], w, b, a, null);
}

/** Recomputes a dropout node with its recorded mask (replay). */
export function replayDropout(x: readonly Tensor[], a: OpArgs): Tensor {
  return applyMask(x[0], a.mask as Tensor, a.p as number);
}

/**
 * The VJP of a layerNorm or batchNorm node for its input i (x, then the weight and the bias where given), with
 * tensor ops on the inputs (recorded in a createGraph backward). â = (x − μ)·r and r = 1/√(σ² + ε) are recomputed
 * from x over the statistics' axes, or, for batchNorm in evaluation, from the recorded running statistics.
 */
export function normVjp(op: 'layerNorm' | 'batchNorm', g: Tensor, i: number, x: readonly Tensor[], a: OpArgs): Tensor {
  const input = x[0], axes = a.axes as number[], eps = a.eps as number;
  const { w } = unpack(x, a);
  // batchNorm's [C] parameters and statistics line up with dim 1: [C, 1, 1] against [N, C, H, W].
  const view = (t: Tensor): Tensor => (op === 'batchNorm' && input.ndim > 2 ? reshape(t, [t.size, ...input.shape.slice(2).map(() => 1)]) : t);
  const fixed = op === 'batchNorm' && !a.training;
  const r = fixed ? view(div(1, sqrt(add(a.runningVar as Tensor, eps)))) : null;
  const centred = fixed ? sub(input, view(a.runningMean as Tensor)) : sub(input, mean(input, axes, true));
  const rstd = r ?? div(1, sqrt(add(mean(square(centred), axes, true), eps)));
  const xhat = mul(centred, rstd);
  if (i > 0) {
    // The weight's and bias's gradients: summed over every dim they were broadcast along.
    const over = op === 'batchNorm' ? axes : input.shape.slice(0, input.ndim - axes.length).map((_, d) => d);
    const isWeight = i === 1 && a.hasWeight === true;
    const share = isWeight ? mul(g, xhat) : g;
    const summed = over.length ? sum(share, over) : share;
    return sameShape(summed.shape, x[i].shape) ? summed : reshape(summed, x[i].shape);
  }
  const gy = w ? mul(g, view(w)) : g;
  if (fixed) return mul(gy, rstd);
  return mul(rstd, sub(sub(gy, mean(gy, axes, true)), mul(xhat, mean(mul(gy, xhat), axes, true))));
}
