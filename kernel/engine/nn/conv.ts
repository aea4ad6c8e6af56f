// Convolution and pooling layers: Conv2d (weight and bias initialised as PyTorch's), MaxPool2d, AvgPool2d.
import { Dtype, checkDtype } from '../dtype';
import { checkOptions } from '../options';
import { Generator, globalGenerator } from '../random';
import { Tensor } from '../tensor';
import { conv2d, ConvOptions } from '../ops/conv';
import { pairOf } from '../ops/convGeometry';
import { avgPool2d, maxPool2d, PoolOptions } from '../ops/pool';
import { Module, checkFeatures, uniformParameter } from './module';

/** Options of nn.Conv2d. @example new nn.Conv2d(1, 6, 5, { padding: 2, seed: 0 }) */
export interface Conv2dOptions extends ConvOptions {
  /** Whether to add a bias per output channel (default true). */
  bias?: boolean;
  /** Seeds a private generator for the initial weights; without it the global one (manualSeed) is used. */
  seed?: number;
  /** The parameters' dtype (default 'float64'). */
  dtype?: Dtype;
}

const pairText = (p: readonly number[]): string => `[${p.join(', ')}]`;

/**
 * A 2-D convolution layer: y = conv2d(x, weight, bias, { stride, padding, dilation, groups }) for x [N, inC, H, W],
 * with `.weight` [outC, inC/groups, kH, kW] and `.bias` [outC] drawn from U(−1/√fanIn, 1/√fanIn),
 * fanIn = inC/groups·kH·kW (PyTorch's kaiming_uniform(a = √5)).
 * @example const conv = new nn.Conv2d(1, 6, 5, { seed: 0 }); conv.forward(randn([8, 1, 28, 28])) // [8, 6, 24, 24]
 */
export class Conv2d extends Module {
  /** The filters, shape [outChannels, inChannels/groups, kH, kW]. */
  weight: Tensor;
  /** One bias per output channel, shape [outChannels] (null with `bias: false`). */
  bias: Tensor | null;
  /** Channels of the input (its dim 1). */
  readonly inChannels: number;
  /** Channels of the output (its dim 1). */
  readonly outChannels: number;
  /** The kernel's [height, width]. */
  readonly kernelSize: [number, number];
  /** The conv options every forward uses. */
  readonly options: Required<ConvOptions>;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: Conv2dOptions = {}) {
    super();
    checkOptions('nn.Conv2d', opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'seed', 'dtype']);
    this.inChannels = checkFeatures('nn.Conv2d', 'inChannels', inChannels);
    this.outChannels = checkFeatures('nn.Conv2d', 'outChannels', outChannels);
    this.kernelSize = pairOf('nn.Conv2d', 'kernelSize', kernelSize, 2, 1, NaN);
    const groups = checkFeatures('nn.Conv2d', 'groups', opts.groups ?? 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`nn.Conv2d: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    this.options = {
      stride: pairOf('nn.Conv2d', 'stride', opts.stride, 2, 1, 1),
      padding: pairOf('nn.Conv2d', 'padding', opts.padding, 2, 0, 0),
      dilation: pairOf('nn.Conv2d', 'dilation', opts.dilation, 2, 1, 1),
      groups,
    };
    const gen = opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator;
    const dtype = checkDtype('nn.Conv2d', opts.dtype);
    const [kH, kW] = this.kernelSize, bound = 1 / Math.sqrt((inChannels / groups) * kH * kW);
    this.weight = uniformParameter([outChannels, inChannels / groups, kH, kW], bound, gen, dtype);
    this.bias = opts.bias === false ? null : uniformParameter([outChannels], bound, gen, dtype);
    this.namedParameters();
  }

  /**
   * conv2d(x, weight, bias, options) for x [N, inC, H, W]: one conv2d node with its weight and bias.
   * @example conv.forward(images)
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(`nn.Conv2d: input must be [N, ${this.inChannels}, H, W], got ${x instanceof Tensor ? `[${x.shape.join(',')}]` : typeof x}`);
    }
    return conv2d(x, this.weight, this.bias, this.options);
  }

  override toString(): string {
    const o = this.options;
    return `Conv2d(${this.inChannels}, ${this.outChannels}, kernelSize=${pairText(this.kernelSize)}, stride=${pairText(o.stride as number[])}` +
      `, padding=${pairText(o.padding as number[])}, dilation=${pairText(o.dilation as number[])}, groups=${o.groups}, bias=${this.bias !== null})`;
  }
}

/**
 * Max pooling as a module (see maxPool2d): the maximum of each window; no parameters.
 * @example new nn.MaxPool2d(2).forward(x) // [N, C, 24, 24] → [N, C, 12, 12]
 */
export class MaxPool2d extends Module {
  /** The window's size: a number or [height, width]. */
  readonly kernelSize: number | [number, number];
  /** stride (default: the kernel size) and padding. */
  readonly options: PoolOptions;

  constructor(kernelSize: number | [number, number], options: PoolOptions = {}) {
    super();
    checkOptions('nn.MaxPool2d', options, ['stride', 'padding']);
    this.kernelSize = kernelSize;
    this.options = options;
  }

  /** maxPool2d(x, kernelSize, options). @example pool.forward(x) */
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.options); }

  override toString(): string { return `MaxPool2d(kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)})`; }
}

/**
 * Average pooling as a module (see avgPool2d): the mean of each window, padding counted; no parameters.
 * @example new nn.AvgPool2d(2).forward(x) // [N, C, 24, 24] → [N, C, 12, 12]
 */
export class AvgPool2d extends Module {
  /** The window's size: a number or [height, width]. */
  readonly kernelSize: number | [number, number];
  /** stride (default: the kernel size) and padding. */
  readonly options: PoolOptions;

  constructor(kernelSize: number | [number, number], options: PoolOptions = {}) {
    super();
    checkOptions('nn.AvgPool2d', options, ['stride', 'padding']);
    this.kernelSize = kernelSize;
    this.options = options;
  }

  /** avgPool2d(x, kernelSize, options). @example pool.forward(x) */
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }

  override toString(): string { return `AvgPool2d(kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)})`; }
}
