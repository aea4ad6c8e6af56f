// Modules that only change the shape: Flatten.
import { Tensor } from '../tensor';
import { flatten } from '../ops/shapeOps';
import { Module } from './module';

/**
 * Merges dims `startDim` to `endDim` into one (see flatten); the defaults keep the batch dim, as PyTorch's
 * nn.Flatten: [N, C, H, W] → [N, C·H·W].
 * @example new nn.Sequential(new nn.Flatten(), new nn.Linear(3 * 4 * 4, 10))
 */
export class Flatten extends Module {
  /** The first merged dim (default 1). */
  readonly startDim: number;
  /** The last merged dim (default -1, the last). */
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** flatten(x, startDim, endDim). @example new nn.Flatten().forward(zeros([2, 3, 4])) // [2, 12] */
  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }

  override toString(): string { return `Flatten(startDim=${this.startDim}, endDim=${this.endDim})`; }
}
