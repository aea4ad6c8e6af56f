// Lookup tables: Embedding.
import { Dtype, alloc, checkDtype } from '../dtype';
import { checkOptions } from '../options';
import { Generator, globalGenerator } from '../random';
import { Tensor } from '../tensor';
import { embedding } from '../ops/embedding';
import { IndexLike } from '../ops/indices';
import { Module, checkFeatures } from './module';

/** Options of nn.Embedding. @example new nn.Embedding(10, 3, { seed: 0 }) */
export interface EmbeddingOptions {
  /** Seeds a private generator for the initial weights; without it the global one (manualSeed) is used. */
  seed?: number;
  /** The weight's dtype (default 'float64'). */
  dtype?: Dtype;
}

/**
 * A table of `num` vectors of size `dim`, looked up by integer indices: `.weight` [num, dim], initialised N(0, 1)
 * as PyTorch does.
 * @example const emb = new nn.Embedding(10, 3, { seed: 0 }); emb.forward([[1, 2], [4, 4]]) // [2, 2, 3]
 */
export class Embedding extends Module {
  /** The table, shape [num, dim]; row i is the vector of index i. */
  weight: Tensor;
  /** How many vectors (indices run from 0 to num − 1). */
  readonly num: number;
  /** The size of each vector. */
  readonly dim: number;

  constructor(num: number, dim: number, opts: EmbeddingOptions = {}) {
    super();
    checkOptions('nn.Embedding', opts, ['seed', 'dtype']);
    this.num = checkFeatures('nn.Embedding', 'num', num);
    this.dim = checkFeatures('nn.Embedding', 'dim', dim);
    const gen = opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator;
    const data = alloc('nn.Embedding', checkDtype('nn.Embedding', opts.dtype), [num, dim]);
    for (let i = 0; i < data.length; i++) data[i] = gen.normal();
    this.weight = new Tensor(data, [num, dim], true);
    this.namedParameters();
  }

  /**
   * The rows of the weight at `indices` (integers of any shape): shape [...indices.shape, dim] (see embedding).
   * @example emb.forward(tensor([3, 1])) // [2, dim]
   */
  forward(indices: IndexLike): Tensor { return embedding(indices, this.weight); }

  override toString(): string { return `Embedding(${this.num}, ${this.dim})`; }
}
