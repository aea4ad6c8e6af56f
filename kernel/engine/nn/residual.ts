// The residual connection: x + inner(x), the identity path that hands the gradient down unchanged.
import { Tensor } from '../tensor';
import { Module } from './module';

/**
 * A residual block: forward(x) = x + inner.forward(x), so the gradient reaching x is the gradient of the output
 * plus what flows back through `inner` — the identity path keeps deep networks' gradients from vanishing. `inner`
 * must keep x's shape. Its parameters are named 'inner.…' ('inner.0.weight' for a Sequential).
 * @example const block = new nn.Residual(new nn.Sequential(new nn.Linear(32, 32), new nn.ReLU()));
 */
export class Residual extends Module {
  /** The branch added to the identity. */
  readonly inner: Module;

  constructor(inner: Module) {
    super();
    if (!(inner instanceof Module)) throw new Error(`nn.Residual: inner must be a module, got ${typeof inner}`);
    this.inner = inner;
    this.namedParameters();
  }

  /** x + inner(x). @example block.forward(x) */
  forward(x: Tensor): Tensor {
    const y = this.inner.forward(x);
    if (y.ndim !== x.ndim || y.shape.some((n, d) => n !== x.shape[d])) {
      throw new Error(`nn.Residual: inner maps [${x.shape.join(',')}] to [${y.shape.join(',')}]; x + inner(x) needs the same shape`);
    }
    return x.add(y);
  }

  override toString(): string { return `Residual(\n  (inner): ${String(this.inner).replace(/\n/g, '\n  ')}\n)`; }
}
