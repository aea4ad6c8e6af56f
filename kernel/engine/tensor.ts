// The Tensor: contiguous row-major storage plus the autodiff fields. Every op is also a method here that calls
// the function of the same name; the graph a tensor belongs to is described at the top of graph.ts.
import { Dtype, FloatArray, dtypeOf } from './dtype';
import { OpNode } from './graph';
import { fmt, Shape } from './shape';
import { BackwardOptions, backward } from './autograd';
import { formatTensor } from './format';
import * as ew from './ops/elementwise';
import * as red from './ops/reductions';
import * as sh from './ops/shapeOps';
import * as neural from './ops/neural';
import { matmul } from './ops/linalg';

/** Nested arrays of numbers, as accepted by `tensor()`. */
export type NestedArray = number | NestedArray[];
/** Anything an op accepts as an operand: a tensor, a number, or nested arrays. */
export type TensorLike = Tensor | number | NestedArray[];
export type Axis = number | readonly number[];

let nextId = 1;

export class Tensor {
  /** Contiguous row-major storage. Read it; do not write it (views such as reshape share it). */
  readonly data: FloatArray;
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype: Dtype;
  /** A unique, increasing id (stable node ids for graph snapshots). */
  readonly id: number;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  name?: string;
  /** The module path this tensor belongs to ('layers.0'), for grouping in graphs (set by nn). */
  group?: string;
  /** How this tensor was made (null for leaves). See graph.ts. */
  node: OpNode | null = null;
  /** Set by retainGrad(): a non-leaf that keeps its `.grad`. */
  retainsGrad = false;

  /** Internal: wraps storage without copying. Use `tensor()` and the other creation functions instead. */
  constructor(data: FloatArray, shape: Shape, requiresGrad = false) {
    this.data = data;
    this.shape = shape;
    this.size = data.length;
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
    this.id = nextId++;
  }

  get ndim(): number { return this.shape.length; }
  /** True for tensors made by the user rather than by an op that recorded a node. */
  get isLeaf(): boolean { return this.node === null; }
  /** The op that made this tensor, e.g. 'matmul'; null for leaves. */
  get gradFn(): string | null { return this.node ? this.node.op : null; }

  /**
   * The value of a one-element tensor.
   * @example scalar(3).item() // 3
   */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /**
   * The values as nested arrays (a number for shape []).
   * @example tensor([[1, 2]]).toArray() // [[1, 2]]
   */
  toArray(): NestedArray {
    if (this.ndim === 0) return this.data[0];
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[dim], inner = stride / n, out = new Array<NestedArray>(n);
      for (let i = 0; i < n; i++) out[i] = dim === this.ndim - 1 ? this.data[offset + i] : build(dim + 1, offset + i * inner, inner);
      return out;
    };
    return build(0, 0, this.size);
  }

  /**
   * A readable, PyTorch-like rendering.
   * @example tensor([1, 2]).toString() // 'tensor([1., 2.])'
   */
  toString(): string { return formatTensor(this); }

  /**
   * JSON.stringify writes the values as nested arrays (never the graph behind the tensor).
   * @example JSON.stringify({ w: tensor([1, 2]) }) // '{"w":[1,2]}'
   */
  toJSON(): NestedArray { return this.toArray(); }

  /** console.log and the REPL show the readable form, not the storage and the graph behind it. */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return formatTensor(this); }

  /**
   * A copy that is part of the graph (gradients flow back to this tensor).
   * @example const y = x.clone();
   */
  clone(): Tensor { return ew.clone(this); }

  /**
   * The same values, cut from the graph (shares storage; never requires grad).
   * @example const c = x.detach();
   */
  detach(): Tensor { return new Tensor(this.data, this.shape); }

  /**
   * Asks a non-leaf tensor to keep its `.grad` after backward().
   * @example const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad
   */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error(`retainGrad: tensor of shape ${fmt(this.shape)} does not require grad`);
    if (this.node) this.retainsGrad = true;
    return this;
  }

  /**
   * Clears `.grad` (sets it to null, as PyTorch's zero_grad does).
   * @example w.zeroGrad();
   */
  zeroGrad(): this { this.grad = null; return this; }

  /**
   * Sets whether a leaf records gradients. Returns the tensor.
   * @example const w = zeros([3]).requiresGrad_();
   */
  requiresGrad_(flag = true): this {
    if (this.node && !flag) throw new Error('requiresGrad_: a non-leaf tensor cannot stop requiring grad; use detach()');
    this.requiresGrad = flag || this.node !== null;
    return this;
  }

  /**
   * Back-propagates from this tensor: leaves that require grad accumulate dThis/dLeaf into `.grad`.
   * `grad` defaults to 1 for a one-element tensor. A second backward through the same graph is allowed.
   * @example const y = x.mul(x).sum(); y.backward(); x.grad
   */
  backward(grad?: TensorLike | BackwardOptions, options?: BackwardOptions): void { backward(this, grad, options); }

  // Elementwise ops.
  /** @example x.add(1) */
  add(y: TensorLike): Tensor { return ew.add(this, y); }
  /** @example x.sub(y) */
  sub(y: TensorLike): Tensor { return ew.sub(this, y); }
  /** @example x.mul(y) */
  mul(y: TensorLike): Tensor { return ew.mul(this, y); }
  /** @example x.div(2) */
  div(y: TensorLike): Tensor { return ew.div(this, y); }
  /** @example x.pow(2) */
  pow(y: TensorLike): Tensor { return ew.pow(this, y); }
  /** @example x.neg() */
  neg(): Tensor { return ew.neg(this); }
  /** @example x.exp() */
  exp(): Tensor { return ew.exp(this); }
  /** @example x.log() */
  log(): Tensor { return ew.log(this); }
  /** @example x.sqrt() */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** @example x.abs() */
  abs(): Tensor { return ew.abs(this); }
  /** @example x.square() */
  square(): Tensor { return ew.square(this); }
  /** @example x.tanh() */
  tanh(): Tensor { return ew.tanh(this); }
  /** @example x.sigmoid() */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /** @example x.relu() */
  relu(): Tensor { return ew.relu(this); }
  /** @example x.leakyRelu(0.1) */
  leakyRelu(slope = 0.01): Tensor { return ew.leakyRelu(this, slope); }
  /** @example x.sin() */
  sin(): Tensor { return ew.sin(this); }
  /** @example x.cos() */
  cos(): Tensor { return ew.cos(this); }
  /** @example x.clamp(0, 1) */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  /** @example x.maximum(0) */
  maximum(y: TensorLike): Tensor { return ew.maximum(this, y); }
  /** @example x.minimum(y) */
  minimum(y: TensorLike): Tensor { return ew.minimum(this, y); }

  // Reductions.
  /** @example x.sum() ; x.sum(0, true) */
  sum(axis?: Axis | null, keepDims = false): Tensor { return red.sum(this, axis, keepDims); }
  /** @example x.mean(-1) */
  mean(axis?: Axis | null, keepDims = false): Tensor { return red.mean(this, axis, keepDims); }
  /** @example x.max(1) */
  max(axis?: Axis | null, keepDims = false): Tensor { return red.max(this, axis, keepDims); }
  /** @example x.min() */
  min(axis?: Axis | null, keepDims = false): Tensor { return red.min(this, axis, keepDims); }
  /** @example x.logSumExp(-1) */
  logSumExp(axis?: Axis | null, keepDims = false): Tensor { return red.logSumExp(this, axis, keepDims); }

  // Linear algebra.
  /** @example a.matmul(b) */
  matmul(y: TensorLike): Tensor { return matmul(this, y); }

  // Shape ops.
  /** @example x.reshape([2, -1]) */
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /** @example x.flatten() */
  flatten(): Tensor { return sh.flatten(this); }
  /** @example x.transpose() ; x.transpose(0, 2) */
  transpose(dim0?: number, dim1?: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /** @example x.permute([2, 0, 1]) */
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  /** @example x.squeeze() ; x.squeeze(0) */
  squeeze(axis?: Axis): Tensor { return sh.squeeze(this, axis); }
  /** @example x.unsqueeze(0) */
  unsqueeze(axis: number): Tensor { return sh.unsqueeze(this, axis); }
  /** @example x.broadcastTo([4, 3]) */
  broadcastTo(shape: readonly number[]): Tensor { return sh.broadcastTo(this, shape); }
  /** @example x.slice([0, 1], [2, -1]) */
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor { return sh.slice(this, begin, size); }
  /** @example x.gather([0, 2], 1) */
  gather(indices: readonly number[] | readonly NestedArray[] | Tensor, axis = 0): Tensor { return sh.gather(this, indices, axis); }
  /** @example a.concat([b], 0) */
  concat(others: Tensor | readonly Tensor[], axis = 0): Tensor { return sh.concat([this, ...(others instanceof Tensor ? [others] : others)], axis); }
  /** @example a.stack([b], 0) */
  stack(others: Tensor | readonly Tensor[], axis = 0): Tensor { return sh.stack([this, ...(others instanceof Tensor ? [others] : others)], axis); }

  // Neural-net ops.
  /** @example logits.softmax() */
  softmax(axis = -1): Tensor { return neural.softmax(this, axis); }
  /** @example logits.logSoftmax() */
  logSoftmax(axis = -1): Tensor { return neural.logSoftmax(this, axis); }
  /** @example logits.crossEntropy([0, 2]) */
  crossEntropy(targets: readonly number[] | Tensor): Tensor { return neural.crossEntropy(this, targets); }
  /** @example pred.mseLoss(target) */
  mseLoss(target: TensorLike): Tensor { return neural.mseLoss(this, target); }
}
