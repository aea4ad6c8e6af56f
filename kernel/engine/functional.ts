// Function transforms: grad and valueAndGrad (gradients as return values, as JAX and TensorFlow.js give them)
// and customGrad (an op with a gradient of your own, recorded as one node).
import { alloc } from './dtype';
import { reachedGrads } from './autograd';
import { CustomVjp, isGradEnabled, withGradMode } from './graph';
import { recordOp } from './ops/forwards';
import { checkOptions } from './options';
import { fmt, sameShape } from './shape';
import { Tensor } from './tensor';
import { scalar } from './creation';

/** Options of grad and valueAndGrad. @example grad(f, { argnums: 0 }) */
export interface GradOptions {
  /** Which arguments to differentiate: an index (the result is then one tensor) or a list. Default: every tensor argument. */
  argnums?: number | number[];
  /**
   * Give zeros for an argument `f` does not use (default false: that is an error naming the argument, as PyTorch's
   * autograd.grad without allow_unused). A tensor `f` reaches through a closure instead of its argument is not a use.
   */
  allowUnused?: boolean;
}

/** The gradient result: one tensor when `argnums` is a number, else one per picked argument. */
export type Grads = Tensor | Tensor[];

function pickArgs(op: string, args: unknown[], argnums: number | number[] | undefined): number[] {
  if (argnums === undefined) {
    const picked = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
    if (picked.length === 0) throw new Error(`${op}: the function was called with no tensor arguments to differentiate`);
    return picked;
  }
  const list = typeof argnums === 'number' ? [argnums] : argnums;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${op}: argnums must be an index or a non-empty list of indices`);
  return list.map((k) => {
    if (!Number.isInteger(k) || k < 0 || k >= args.length) {
      throw new Error(`${op}: argnums ${k} is out of range for ${args.length} argument${args.length === 1 ? '' : 's'}`);
    }
    if (!(args[k] instanceof Tensor) && typeof args[k] !== 'number') {
      throw new Error(`${op}: argument ${k} is ${args[k] === null ? 'null' : typeof args[k]}, not a tensor or number`);
    }
    return k;
  });
}

/**
 * Runs f on the arguments, with each picked argument made differentiable without touching the caller's tensor:
 * one that already requires grad is used as it is (so grad(grad(f)) sees through it), any other is replaced by
 * a leaf that shares its storage. Nothing's `.grad` changes.
 */
function differentiate(op: string, f: (...args: never[]) => unknown, opts: GradOptions, args: unknown[]): { value: Tensor; grads: Grads } {
  if (typeof f !== 'function') throw new Error(`${op}: expected a function`);
  const { argnums } = opts;
  const picked = pickArgs(op, args, argnums);
  const recording = isGradEnabled();
  const callArgs = args.slice();
  const inputs = picked.map((k) => {
    const a = args[k];
    const x = a instanceof Tensor ? a : scalar(a as number);
    if (x.requiresGrad && recording) return x;
    const leaf = x.detach().requiresGrad_();
    if (x.name !== undefined) leaf.name = x.name;
    return leaf;
  });
  picked.forEach((k, j) => { callArgs[k] = inputs[j]; });
  // f is recorded even inside noGrad(): a gradient is asked for explicitly.
  const value = withGradMode(true, () => (f as (...a: unknown[]) => unknown)(...callArgs));
  if (!(value instanceof Tensor)) throw new Error(`${op}: the function must return a tensor, got ${value === null ? 'null' : typeof value}`);
  if (value.size !== 1) throw new Error(`${op}: the function must return a one-element tensor, got shape ${fmt(value.shape)}`);
  // Gradients are recorded when an argument requires grad, so an enclosing grad() can differentiate them.
  const createGraph = recording && picked.some((k) => (args[k] as Tensor).requiresGrad === true);
  const reached = value.requiresGrad ? reachedGrads(value, inputs, undefined, { createGraph }) : inputs.map(() => null);
  const grads = reached.map((g, j) => {
    if (g) return g;
    const x = inputs[j], k = picked[j];
    // As PyTorch's autograd.grad: a gradient that never reached the argument is undefined, not silently zero.
    if (opts.allowUnused !== true) {
      throw new Error(`${op}: argument ${k}${x.name !== undefined ? ` (${x.name})` : ''} is not used by f: its gradient is undefined; pass { allowUnused: true } to get zeros for it`);
    }
    return new Tensor(alloc(op, x.dtype, x.shape), x.shape);
  });
  return { value, grads: typeof argnums === 'number' ? grads[0] : grads };
}

/**
 * A function that returns the gradients of the scalar `f` with respect to its tensor arguments (all by default;
 * `argnums` picks), leaving every `.grad` untouched: an array, or one tensor when `argnums` is a number.
 * Arguments that require grad give gradients that can be differentiated again: grad(grad(f)) works.
 * An argument `f` does not use is an error naming it, unless `{ allowUnused: true }` (then its gradient is zeros).
 * @example const df = grad((x: Tensor) => x.pow(3).sum()); df(tensor([2])) // tensor([12.])
 */
export function grad<F extends (...args: never[]) => Tensor>(f: F, opts: { argnums: number; allowUnused?: boolean }): (...args: Parameters<F>) => Tensor;
export function grad<F extends (...args: never[]) => Tensor>(f: F, opts?: { argnums?: number[]; allowUnused?: boolean }): (...args: Parameters<F>) => Tensor[];
export function grad<F extends (...args: never[]) => Tensor>(f: F, opts?: GradOptions): (...args: Parameters<F>) => Grads;
export function grad<F extends (...args: never[]) => Tensor>(f: F, opts: GradOptions = {}): (...args: Parameters<F>) => Grads {
  checkOptions('grad', opts, ['argnums', 'allowUnused']);
  return (...args) => differentiate('grad', f, opts, args).grads;
}

/**
 * Like grad, but also returns the value of `f`: `{ value, grads }` (an unused argument is an error, as in grad,
 * unless `{ allowUnused: true }`).
 * @example const { value, grads } = valueAndGrad((w: Tensor) => w.square().sum())(tensor([1, 2])); // 5, [[2, 4]]
 */
export function valueAndGrad<F extends (...args: never[]) => Tensor>(f: F, opts: { argnums: number; allowUnused?: boolean }): (...args: Parameters<F>) => { value: Tensor; grads: Tensor };
export function valueAndGrad<F extends (...args: never[]) => Tensor>(f: F, opts?: { argnums?: number[]; allowUnused?: boolean }): (...args: Parameters<F>) => { value: Tensor; grads: Tensor[] };
export function valueAndGrad<F extends (...args: never[]) => Tensor>(f: F, opts?: GradOptions): (...args: Parameters<F>) => { value: Tensor; grads: Grads };
export function valueAndGrad<F extends (...args: never[]) => Tensor>(f: F, opts: GradOptions = {}): (...args: Parameters<F>) => { value: Tensor; grads: Grads } {
  checkOptions('valueAndGrad', opts, ['argnums', 'allowUnused']);
  return (...args) => differentiate('valueAndGrad', f, opts, args);
}

/** What the function given to customGrad returns: the value, and the VJP that maps dLoss/dValue to each input's. */
export interface CustomGradResult {
  /** The op's result. */
  value: Tensor;
  /** dLoss/dValue ↦ the gradient of each input (one tensor, or an array in the order of the inputs), each of its input's shape. */
  gradFunc: (dy: Tensor) => Tensor | Tensor[];
}

/** gradFunc's output as one gradient per input, checked against the inputs' shapes. */
function checkGrads(op: string, raw: unknown, xs: readonly Tensor[]): Tensor[] {
  const list = raw instanceof Tensor ? [raw] : raw;
  if (!Array.isArray(list)) throw new Error(`customGrad '${op}': gradFunc must return a tensor or an array of tensors, got ${raw === null ? 'null' : typeof raw}`);
  if (list.length !== xs.length) {
    throw new Error(`customGrad '${op}': gradFunc returned ${list.length} gradient${list.length === 1 ? '' : 's'} for ${xs.length} input${xs.length === 1 ? '' : 's'} of shapes ${xs.map((x) => fmt(x.shape)).join(', ')}`);
  }
  list.forEach((g, i) => {
    if (!(g instanceof Tensor)) throw new Error(`customGrad '${op}': gradFunc's gradient ${i} is not a tensor (got ${g === null ? 'null' : typeof g})`);
    if (!sameShape(g.shape, xs[i].shape)) {
      throw new Error(`customGrad '${op}': gradFunc's gradient ${i} has shape ${fmt(g.shape)} but input ${i} has shape ${fmt(xs[i].shape)}`);
    }
  });
  return list as Tensor[];
}

/**
 * Makes an op with a gradient of your own (as TensorFlow.js's customGrad): `f(...xs)` returns
 * `{ value, gradFunc }` and the result is a function of the same tensors that records ONE node (named after `f`,
 * or 'customGrad') whose vector-Jacobian product is `gradFunc(dy)`: one gradient per input, each of its input's
 * shape. Write gradFunc with tensor ops and second derivatives (createGraph) flow through it too. Check it with
 * gradcheck.
 * @example
 * const softplus = customGrad(function softplus(x: Tensor) {
 *   return { value: x.exp().add(1).log(), gradFunc: (dy) => dy.mul(x.sigmoid()) };
 * });
 * gradcheck(softplus, [tensor([0.5, -1], { requiresGrad: true })]).ok // true
 */
export function customGrad<A extends Tensor[]>(f: (...xs: A) => CustomGradResult): (...xs: A) => Tensor {
  if (typeof f !== 'function') throw new Error('customGrad: expected a function returning { value, gradFunc }');
  const op = f.name || 'customGrad';
  const apply = (...xs: A): Tensor => {
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new Error(`customGrad '${op}': argument ${i} is ${x === null ? 'null' : typeof x}, not a tensor`);
    });
    const res = f(...xs);
    if (res === null || typeof res !== 'object' || !(res.value instanceof Tensor) || typeof res.gradFunc !== 'function') {
      throw new Error(`customGrad '${op}': the function must return { value: Tensor, gradFunc: (dy) => Tensor | Tensor[] }`);
    }
    const { value, gradFunc } = res;
    // The node's output shares the value's storage but not the graph f may have built to compute it.
    const vjp: CustomVjp = (dy) => checkGrads(op, gradFunc(dy), xs);
    return recordOp(op, xs, value, vjp, {}, (inputs) => apply(...(inputs as A)));
  };
  return apply;
}
