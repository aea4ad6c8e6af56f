// jacobian and hessian: whole derivative matrices, one reverse pass per output element (a row each), built on
// computeGrads. The Hessian is the Jacobian of the gradient, so it needs the gradient recorded (createGraph): the
// engine's double backward.
import { alloc } from './dtype';
import { computeGrads } from './autograd';
import { withGradMode, isGradEnabled } from './graph';
import { fmt } from './shape';
import { Tensor } from './tensor';

function describeValue(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** A leaf that requires grad and shares x's storage; x itself when it already requires grad (so nesting works). */
function differentiable(x: Tensor): Tensor {
  if (x.requiresGrad && isGradEnabled()) return x;
  const leaf = x.detach().requiresGrad_();
  if (x.name !== undefined) leaf.name = x.name;
  return leaf;
}

/** The Jacobian of `f` at `x`, one row per element of f(x): the shared loop of jacobian and hessian. */
function jacobianOf(op: string, f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  if (typeof f !== 'function') throw new Error(`${op}: expected a function as the first argument, got ${describeValue(f)}`);
  if (!(x instanceof Tensor)) throw new Error(`${op}: x must be a tensor, got ${describeValue(x)}`);
  const leaf = differentiable(x);
  // f is recorded even inside noGrad(): a derivative is asked for explicitly.
  const y = withGradMode(true, () => f(leaf) as unknown);
  if (!(y instanceof Tensor)) throw new Error(`${op}: the function must return a tensor, got ${describeValue(y)}`);
  const shape = [...y.shape, ...x.shape];
  const out = alloc(op, x.dtype, shape);
  if (!y.requiresGrad || x.size === 0) return new Tensor(out, shape);
  // Row i is the VJP of the one-hot cotangent eᵢ: (eᵢᵀ J) = ∂y[i]/∂x.
  const seed = new Tensor(alloc(op, y.dtype, y.shape), y.shape);
  for (let i = 0; i < y.size; i++) {
    seed.data.fill(0);
    seed.data[i] = 1;
    const [g] = withGradMode(true, () => computeGrads(y, [leaf], seed));
    out.set(g.data, i * x.size);
  }
  return new Tensor(out, shape);
}

/**
 * The Jacobian of `f` at `x`: J[i…, j…] = ∂f(x)[i…] / ∂x[j…], of shape `[...f(x).shape, ...x.shape]`, with x's
 * dtype. One backward pass per element of f(x). The result is a plain tensor (not recorded), and no `.grad` changes.
 * @example
 * const W = tensor([[1, 2], [3, 4], [5, 6]]);
 * jacobian((x) => x.matmul(W.transpose()).tanh(), tensor([0.1, -0.2]))   // shape [3, 2]: diag(1 − y²)·W
 */
export function jacobian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return jacobianOf('jacobian', f, x);
}

/**
 * The Hessian of the scalar `f` at `x`: H[i…, j…] = ∂²f / ∂x[i…]∂x[j…], of shape `[...x.shape, ...x.shape]`: the
 * Jacobian of the gradient, which is recorded (createGraph) to be differentiated again. `f` must return a
 * one-element tensor.
 * @example
 * hessian((x) => x.pow(3).sum(), tensor([1, 2]))   // [[6, 0], [0, 12]]: diag(6x)
 */
export function hessian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  if (typeof f !== 'function') throw new Error(`hessian: expected a function as the first argument, got ${describeValue(f)}`);
  return jacobianOf('hessian', (v) => {
    const y = f(v) as unknown;
    if (!(y instanceof Tensor)) throw new Error(`hessian: the function must return a tensor, got ${describeValue(y)}`);
    if (y.size !== 1) throw new Error(`hessian: the function must return a one-element tensor, got shape ${fmt(y.shape)} (use jacobian for a vector function)`);
    if (!y.requiresGrad) return new Tensor(alloc('hessian', v.dtype, v.shape), v.shape);
    return computeGrads(y, [v], undefined, { createGraph: true })[0];
  }, x);
}
