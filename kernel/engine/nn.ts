// Modules: parameters held in fields, a forward(x), and PyTorch's naming of parameters by path
// ('layers.0.weight'). Each parameter carries its path as `name` and its module's path as `group`, so graphs,
// hovers and gradient checks can say which layer a tensor belongs to.
import { Dtype, alloc, checkDtype } from './dtype';
import { checkOptions, isArray } from './options';
import { Generator, globalGenerator } from './random';
import { Tensor } from './tensor';
import { matmulT } from './ops/linalg';

/**
 * The base of all modules. Parameters are the fields holding leaf tensors that require grad; submodules are the
 * fields holding modules or arrays of modules, found in the order the fields were assigned. Subclass it and
 * write `forward`. Built-in modules name their parameters by path when constructed; a subclass's parameters get
 * their paths on the first `parameters()`/`namedParameters()` call (creating its optimiser does it):
 * @example
 * class Affine extends nn.Module {
 *   w = tensor([2], { requiresGrad: true }); b = tensor([0], { requiresGrad: true });
 *   forward(x: Tensor) { return x.mul(this.w).add(this.b); }
 * }
 */
export abstract class Module {
  /**
   * Applies the module. Modules cannot be called as functions in TypeScript: write `model.forward(x)`. A subclass
   * may take more arguments (`forward(x, mask)`).
   */
  abstract forward(x: Tensor, ...rest: unknown[]): Tensor;

  /**
   * The module as PyTorch prints it; a subclass without its own `toString` shows its class name.
   * @example String(new nn.ReLU()) // 'ReLU()'
   */
  toString(): string {
    return `${this.constructor.name}()`;
  }

  /**
   * The direct submodules with their names (fields; arrays of modules give 'layers.0', 'layers.1', ...).
   * @example model.namedChildren().map(([name]) => name) // ['layers.0', 'layers.1']
   */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((m, i) => { if (m instanceof Module) out.push([`${key}.${i}`, m]); });
    }
    return out;
  }

  /** This module's own parameters (not its submodules'), by field name. */
  protected ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.isLeaf && value.requiresGrad) out.push([key, value]);
    }
    return out;
  }

  /**
   * Every parameter with its path, depth first in field order, each tensor once (as PyTorch's
   * named_parameters). Also names the parameters by their paths (see the top of nn.ts).
   * @example new nn.MLP([2, 3, 1]).namedParameters().map(([n]) => n)
   * // ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const stack: [string, Module][] = [['', this]];
    while (stack.length > 0) {
      const [prefix, module] = stack.pop() as [string, Module];
      for (const [key, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        const path = prefix ? `${prefix}.${key}` : key;
        nameParameter(p, path, prefix);
        out.push([path, p]);
      }
      const children = module.namedChildren();
      for (let i = children.length - 1; i >= 0; i--) {
        const [key, child] = children[i];
        stack.push([prefix ? `${prefix}.${key}` : key, child]);
      }
    }
    return out;
  }

  /**
   * Every parameter (the tensors an optimiser updates).
   * @example const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Clears every parameter's `.grad`.
   * @example model.zeroGrad();
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }
}

/**
 * Names a parameter by its path and groups it by its module's path. A path that only repeats the current name
 * (a submodule listing its own parameters) keeps the longer name the enclosing module gave.
 */
function nameParameter(p: Tensor, path: string, group: string): void {
  if (p.name !== undefined && p.name !== path && p.name.endsWith(`.${path}`)) return;
  p.name = path;
  p.group = group || undefined;
}

/** Options of nn.Linear. @example new nn.Linear(3, 2, { bias: false, seed: 0 }) */
export interface LinearOptions {
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** Seeds a private generator for the initial weights; without it the global one (manualSeed) is used. */
  seed?: number;
  /** The parameters' dtype (default 'float64'). */
  dtype?: Dtype;
}

/** A tensor of uniform values in [-bound, bound), drawn from `gen`, as a parameter. */
function uniformParameter(shape: number[], bound: number, gen: Generator, dtype: Dtype): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = alloc('nn parameter', dtype, shape);
  for (let i = 0; i < size; i++) data[i] = (2 * gen.uniform() - 1) * bound;
  return new Tensor(data, shape, true);
}

function checkFeatures(op: string, what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${op}: ${what} must be a positive integer, got ${String(n)}`);
  }
  return n;
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
