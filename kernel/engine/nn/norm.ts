// Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm, as PyTorch's (weight 1, bias 0; running statistics
// that are buffers, not parameters). Each forward is one batchNorm or layerNorm node.
import { Dtype, checkDtype } from '../dtype';
import { checkOptions } from '../options';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { full } from '../creation';
import { batchNorm, layerNorm } from '../ops/norm';
import { Module, checkFeatures } from './module';

/** Options of nn.BatchNorm1d and nn.BatchNorm2d. @example new nn.BatchNorm1d(16, { momentum: 0.01 }) */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** runningStat ← (1 − momentum)·runningStat + momentum·batchStat at each training forward (default 0.1). */
  momentum?: number;
  /** Whether to learn a per-channel weight and bias (default true). */
  affine?: boolean;
  /** Whether to keep running statistics for evaluation (default true); without them evaluation uses the batch's. */
  trackRunningStats?: boolean;
  /** The parameters' and buffers' dtype (default 'float64'). */
  dtype?: Dtype;
}

/** A constant filled with `value`, as a parameter (requiresGrad) or a buffer. */
function filled(shape: number[], value: number, dtype: Dtype, requiresGrad: boolean): Tensor {
  return full(shape, value, { dtype, requiresGrad });
}

/** BatchNorm1d and BatchNorm2d: the same layer, for inputs of different ranks. */
abstract class BatchNorm extends Module {
  /** The per-channel scale w, shape [numFeatures], initially 1 (null with `affine: false`). */
  weight: Tensor | null;
  /** The per-channel shift b, shape [numFeatures], initially 0 (null with `affine: false`). */
  bias: Tensor | null;
  /** The running mean of each channel, initially 0: a buffer updated in training, used in evaluation (null with `trackRunningStats: false`). */
  runningMean: Tensor | null;
  /** The running (unbiased) variance of each channel, initially 1 (null with `trackRunningStats: false`). */
  runningVar: Tensor | null;
  /** The number of channels C (dim 1 of the input). */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The weight of each batch's statistics in the running ones. */
  readonly momentum: number;

  constructor(private readonly kind: string, private readonly ranks: number[], numFeatures: number, opts: BatchNormOptions) {
    super();
    checkOptions(`nn.${kind}`, opts, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    this.numFeatures = checkFeatures(`nn.${kind}`, 'numFeatures', numFeatures);
    const dtype = checkDtype(`nn.${kind}`, opts.dtype);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? true, track = opts.trackRunningStats ?? true;
    this.weight = affine ? filled([numFeatures], 1, dtype, true) : null;
    this.bias = affine ? filled([numFeatures], 0, dtype, true) : null;
    this.runningMean = track ? filled([numFeatures], 0, dtype, false) : null;
    this.runningVar = track ? filled([numFeatures], 1, dtype, false) : null;
    this.namedParameters();
  }

  /**
   * In training, normalises each channel with the batch's mean and variance and updates the running ones; in
   * evaluation (after `eval()`), with the running ones. One batchNorm node.
   * @example const y = bn.forward(x);
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || !this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      const shape = x instanceof Tensor ? fmt(x.shape) : typeof x;
      const ranks = this.ranks.length === 2 ? '[N, C] or [N, C, L]' : '[N, C, H, W]';
      throw new Error(`nn.${this.kind}(${this.numFeatures}): expected an input ${ranks} with C = ${this.numFeatures}, got ${shape}`);
    }
    // Without running statistics there is nothing else to normalise with, in evaluation too (as PyTorch).
    const training = this.training || this.runningMean === null;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training, momentum: this.momentum, eps: this.eps });
  }

  override toString(): string {
    return `${this.kind}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null})`;
  }
}

/**
 * Batch normalisation of x [N, C] or [N, C, L]: each channel normalised over the batch (and length), then scaled
 * by `weight` and shifted by `bias` (parameters 'weight', 'bias'). Training updates `runningMean`/`runningVar`
 * (buffers, not parameters); `eval()` switches to them.
 * @example const bn = new nn.BatchNorm1d(32); const h = bn.forward(x); // x [N, 32]
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super('BatchNorm1d', [2, 3], numFeatures, opts); }
}

/**
 * Batch normalisation of images x [N, C, H, W]: each channel normalised over the batch, height and width (see
 * nn.BatchNorm1d).
 * @example const bn = new nn.BatchNorm2d(8); const h = bn.forward(images); // [N, 8, H, W]
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super('BatchNorm2d', [4], numFeatures, opts); }
}

/** Options of nn.LayerNorm. @example new nn.LayerNorm([4], { eps: 1e-6 }) */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Whether to learn an elementwise weight (and bias) of `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
  /** Whether to learn the bias too, when `elementwiseAffine` (default true). */
  bias?: boolean;
  /** The parameters' dtype (default 'float64'). */
  dtype?: Dtype;
}

/**
 * Layer normalisation over the last dims (`normalizedShape`): each sample normalised on its own, the same in
 * training and evaluation, then scaled by `weight` (initially 1) and shifted by `bias` (0). One layerNorm node.
 * @example const ln = new nn.LayerNorm(16); const h = ln.forward(x); // x [..., 16]
 */
export class LayerNorm extends Module {
  /** The elementwise scale, shape `normalizedShape` (null with `elementwiseAffine: false`). */
  weight: Tensor | null;
  /** The elementwise shift, shape `normalizedShape` (null with `elementwiseAffine: false` or `bias: false`). */
  bias: Tensor | null;
  /** The trailing dims normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions('nn.LayerNorm', opts, ['eps', 'elementwiseAffine', 'bias', 'dtype']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? (normalizedShape as number[]).slice() : [];
    if (shape.length === 0) throw new Error(`nn.LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${JSON.stringify(normalizedShape)}`);
    shape.forEach((n) => checkFeatures('nn.LayerNorm', 'normalizedShape', n));
    const dtype = checkDtype('nn.LayerNorm', opts.dtype), affine = opts.elementwiseAffine ?? true;
    this.normalizedShape = shape;
    this.eps = opts.eps ?? 1e-5;
    this.weight = affine ? filled(shape, 1, dtype, true) : null;
    this.bias = affine && opts.bias !== false ? filled(shape, 0, dtype, true) : null;
    this.namedParameters();
  }

  /** layerNorm(x, normalizedShape, weight, bias). @example ln.forward(x) */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override toString(): string {
    return `LayerNorm([${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null})`;
  }
}
