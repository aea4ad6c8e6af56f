// Modules: parameters held in fields, a forward(x), and PyTorch's naming of parameters by path
// ('layers.0.weight'). Each parameter carries its path as `name` and its module's path as `group`, so graphs,
// hovers and gradient checks can say which layer a tensor belongs to.
import { Dtype, alloc } from '../dtype';
import { Generator } from '../random';
import { Tensor } from '../tensor';

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
   * Whether the module is in training mode (true, the default) or evaluation mode: Dropout and BatchNorm behave
   * differently in each. Set it with `train()` and `eval()`, which also set it on every submodule.
   * @example model.eval(); model.training // false
   */
  training = true;

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
   * named_parameters). Also names the parameters by their paths (see the top of this file).
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
   * Puts this module and every submodule in training mode (or evaluation mode with `train(false)`), as PyTorch's
   * train(): Dropout drops, BatchNorm normalises with the batch's statistics and updates its running ones.
   * Returns the module.
   * @example model.train(); for (const [x, t] of batches) step(x, t);
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error(`train: mode must be a boolean, got ${typeof mode}`);
    const stack: Module[] = [this];
    while (stack.length > 0) {
      const m = stack.pop() as Module;
      m.training = mode;
      for (const [, child] of m.namedChildren()) stack.push(child);
    }
    return this;
  }

  /**
   * Puts this module and every submodule in evaluation mode (`train(false)`): Dropout passes its input through,
   * BatchNorm normalises with its running statistics. Returns the module.
   * @example const y = model.eval().forward(xTest);
   */
  eval(): this {
    return this.train(false);
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
export function nameParameter(p: Tensor, path: string, group: string): void {
  if (p.name !== undefined && p.name !== path && p.name.endsWith(`.${path}`)) return;
  p.name = path;
  p.group = group || undefined;
}

/** A tensor of uniform values in [-bound, bound), drawn from `gen`, as a parameter. */
export function uniformParameter(shape: number[], bound: number, gen: Generator, dtype: Dtype): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = alloc('nn parameter', dtype, shape);
  for (let i = 0; i < size; i++) data[i] = (2 * gen.uniform() - 1) * bound;
  return new Tensor(data, shape, true);
}

export function checkFeatures(op: string, what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${op}: ${what} must be a positive integer, got ${String(n)}`);
  }
  return n;
}

