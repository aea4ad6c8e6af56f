// Dropout as a module: drops in training, passes through in evaluation (after eval()).
import { checkOptions } from '../options';
import { Generator, globalGenerator } from '../random';
import { Tensor } from '../tensor';
import { checkDropout, dropoutFrom } from '../ops/norm';
import { Module } from './module';

/** Options of nn.Dropout. @example new nn.Dropout(0.2, { seed: 0 }) */
export interface DropoutOptions {
  /** Seeds a generator of the module's own, drawn from at each forward; without it the global one (manualSeed) is used. */
  seed?: number;
}

/**
 * In training, zeroes each element with probability p and scales the others by 1/(1 − p) (see dropout); in
 * evaluation (after `eval()`), returns its input. Each forward draws a new mask.
 * @example const model = new nn.Sequential(new nn.Linear(8, 8), new nn.ReLU(), new nn.Dropout(0.5));
 */
export class Dropout extends Module {
  /** The probability of zeroing an element. */
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkOptions('nn.Dropout', opts, ['seed']);
    checkDropout('nn.Dropout', p, opts.seed);
    this.p = p;
    this.generator = opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator;
  }

  /** dropout(x, { p }) in training; x in evaluation. @example drop.forward(h) */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`nn.Dropout: expected a tensor, got ${typeof x}`);
    return this.training && this.p > 0 ? dropoutFrom(x, this.p, this.generator) : x;
  }

  override toString(): string { return `Dropout(p=${this.p})`; }
}
