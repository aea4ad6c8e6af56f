// Fully connected layers and their stacks: Linear, the activations as modules, Sequential and MLP.
import { Dtype, checkDtype } from '../dtype';
import { checkOptions, isArray } from '../options';
import { Generator, globalGenerator } from '../random';
import { Tensor } from '../tensor';
import { matmulT } from '../ops/linalg';
import { Module, checkFeatures, uniformParameter } from './module';

/** Options of nn.Linear. @example new nn.Linear(3, 2, { bias: false, seed: 0 }) */
export interface LinearOptions {
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** Seeds a private generator for the initial weights; without it the global one (manualSeed) is used. */
  seed?: number;
  /** The parameters' dtype (default 'float64'). */
  dtype?: Dtype;
}

/**
 * A fully connected layer, y = x Wᵀ + b, with `.weight` [out, in] and `.bias` [out] initialised as PyTorch
 * does: U(-1/√in, 1/√in).
 * @example const layer = new nn.Linear(3, 2, { seed: 0 }); const y = layer.forward(tensor([[1, 2, 3]])); // [1, 2]
 */
export class Linear extends Module {
  /** The weight W, shape [outFeatures, inFeatures]. */
  weight: Tensor;
  /** The bias b, shape [outFeatures] (null with `bias: false`). */
  bias: Tensor | null;
  /** The size of each input's last dim. */
  readonly inFeatures: number;
  /** The size of each output's last dim. */
  readonly outFeatures: number;

  /** `generator` is internal: MLP passes one generator through all its layers. */
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}, generator?: Generator) {
    super();
    checkOptions('nn.Linear', opts, ['bias', 'seed', 'dtype']);
    this.inFeatures = checkFeatures('nn.Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkFeatures('nn.Linear', 'outFeatures', outFeatures);
    const gen = generator ?? (opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator);
    const dtype = checkDtype('nn.Linear', opts.dtype);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParameter([outFeatures, inFeatures], bound, gen, dtype);
    this.bias = opts.bias === false ? null : uniformParameter([outFeatures], bound, gen, dtype);
    this.namedParameters();
  }

  /**
   * y = x Wᵀ + b for x of shape [..., in]: shape [..., out]. One matmul node (W read transposed) and one add.
   * @example layer.forward(x)
   */
  forward(x: Tensor): Tensor {
    const last = x.shape[x.ndim - 1];
    if (x.ndim === 0 || last !== this.inFeatures) {
      throw new Error(`nn.Linear: input of shape [${x.shape.join(',')}] does not end in inFeatures = ${this.inFeatures}`);
    }
    // One 'matmul' node with transB: the gemm reads W [out, in] transposed in place (no copy of Wᵀ, nor of its
    // gradient), and the graph shows x → matmul ← weight.
    const y = matmulT(x, this.weight, false, true);
    return this.bias ? y.add(this.bias) : y;
  }

  override toString(): string {
    return `Linear(inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}

/**
 * max(x, 0) elementwise, as a module (see relu).
 * @example new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1))
 */
export class ReLU extends Module {
  /** relu(x). @example new nn.ReLU().forward(tensor([-1, 2])) // [0, 2] */
  forward(x: Tensor): Tensor { return x.relu(); }
  override toString(): string { return 'ReLU()'; }
}

/**
 * tanh x elementwise, as a module (see tanh).
 * @example new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1))
 */
export class Tanh extends Module {
  /** tanh(x). @example new nn.Tanh().forward(tensor([0])) // [0] */
  forward(x: Tensor): Tensor { return x.tanh(); }
  override toString(): string { return 'Tanh()'; }
}

/**
 * 1 / (1 + e⁻ˣ) elementwise, as a module (see sigmoid).
 * @example new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid())
 */
export class Sigmoid extends Module {
  /** sigmoid(x). @example new nn.Sigmoid().forward(tensor([0])) // [0.5] */
  forward(x: Tensor): Tensor { return x.sigmoid(); }
  override toString(): string { return 'Sigmoid()'; }
}

/**
 * Modules applied in order; their parameters are named '0.weight', '1.bias', ... as in PyTorch.
 * @example const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
 */
export class Sequential extends Module {
  /** The modules, in the order they are applied. */
  readonly modules: Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`nn.Sequential: argument ${i} is not a module (got ${typeof m})`);
    });
    this.modules = modules;
    this.namedParameters();
  }

  override namedChildren(): [string, Module][] {
    return this.modules.map((m, i): [string, Module] => [String(i), m]);
  }

  /** Each module's forward applied to the previous one's output. @example model.forward(x) */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.modules) y = m.forward(y);
    return y;
  }

  override toString(): string {
    return `Sequential(\n${this.modules.map((m, i) => `  (${i}): ${String(m)}`).join('\n')}\n)`;
  }
}

/** The activation nn.MLP puts between its layers. */
export type Activation = 'relu' | 'tanh' | 'sigmoid';

/** Options of nn.MLP. @example new nn.MLP([2, 8, 1], { activation: 'tanh', seed: 0 }) */
export interface MLPOptions {
  /** Applied between layers, not after the last (default 'relu'). */
  activation?: Activation;
  /** Seeds a private generator for all the layers' initial weights. */
  seed?: number;
  /** The parameters' dtype (default 'float64'). */
  dtype?: Dtype;
}

/**
 * A multilayer perceptron: Linear layers of the given sizes, with an activation between them and none after
 * the last. Parameters are 'layers.0.weight', 'layers.0.bias', ...
 * @example const model = new nn.MLP([2, 16, 16, 1], { activation: 'tanh', seed: 0 }); model.forward(x)
 */
export class MLP extends Module {
  /** The Linear layers, first to last (parameters 'layers.0.weight', ...). */
  readonly layers: Linear[];
  /** The activation between layers. */
  readonly activation: Activation;

  constructor(sizes: readonly number[], opts: MLPOptions = {}) {
    super();
    checkOptions('nn.MLP', opts, ['activation', 'seed', 'dtype']);
    if (!isArray(sizes) || sizes.length < 2) {
      throw new Error(`nn.MLP: sizes must list at least two layer sizes (inputs and outputs), got ${JSON.stringify(sizes)}`);
    }
    const activation = opts.activation ?? 'relu';
    if (!['relu', 'tanh', 'sigmoid'].includes(activation)) {
      throw new Error(`nn.MLP: activation must be 'relu', 'tanh' or 'sigmoid', got ${JSON.stringify(activation)}`);
    }
    this.activation = activation;
    const gen = opts.seed !== undefined ? new Generator(opts.seed) : globalGenerator;
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(new Linear(sizes[i], sizes[i + 1], { dtype: opts.dtype }, gen));
    }
    this.namedParameters();
  }

  /** The layers applied in turn, the activation between them: x [..., sizes[0]] → [..., sizes.at(-1)]. @example model.forward(tensor([[0.5, -1]])) */
  forward(x: Tensor): Tensor {
    let y = x;
    this.layers.forEach((layer, i) => {
      y = layer.forward(y);
      if (i < this.layers.length - 1) y = this.activation === 'relu' ? y.relu() : this.activation === 'tanh' ? y.tanh() : y.sigmoid();
    });
    return y;
  }

  override toString(): string {
    const sizes = [this.layers[0].inFeatures, ...this.layers.map((l) => l.outFeatures)];
    return `MLP([${sizes.join(', ')}], activation='${this.activation}')`;
  }
}
