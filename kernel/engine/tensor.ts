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
import * as parts from './ops/shapeParts';
import * as losses from './ops/losses';
import { embedding } from './ops/embedding';
import type { IndexLike } from './ops/indices';
import * as norm from './ops/norm';
import * as cmp from './ops/compare';
import * as act from './ops/activations';
import * as stats from './ops/statistics';
import * as vec from './ops/vectors';
import type { MaskLike } from './ops/elementwise';
import type { GeluOptions } from './ops/activations';
import type { VarOptions } from './ops/statistics';
import * as conv from './ops/conv';
import * as pool from './ops/pool';

/** Nested arrays of numbers, as accepted by `tensor()`. */
export type NestedArray = number | NestedArray[];
/** Anything an op accepts as an operand: a tensor, a number, or nested arrays. */
export type TensorLike = Tensor | number | NestedArray[];
/** The axes a reduction or squeeze works on: one axis or several; negative counts from the end (-1 is the last). */
export type Axis = number | readonly number[];

let nextId = 1;

/**
 * An n-dimensional array of float64 or float32 values that records the ops made from it, for reverse-mode
 * autodiff: `backward()` from a result fills the `.grad` of every leaf that requires grad. Every op is both a
 * method here and a function of the same name (`x.add(y)` is `add(x, y)`). Make tensors with `tensor()`,
 * `zeros()`, `randn()` and the other creation functions.
 * @example
 * const w = randn([3, 2], { requiresGrad: true, seed: 0, name: 'w' });
 * const loss = tensor([[1, 2, 3]]).matmul(w).tanh().sum();
 * loss.backward(); // w.grad: shape [3, 2]
 */
export class Tensor {
  /** Contiguous row-major storage. Read it; do not write it (views such as reshape share it). */
  readonly data: FloatArray;
  /** The size of each dim, outermost first; `[]` for a scalar. @example tensor([[1, 2, 3]]).shape // [1, 3] */
  readonly shape: readonly number[];
  /** The number of elements (the product of `shape`; 1 for shape `[]`). */
  readonly size: number;
  /** The element type: 'float64' (the default) or 'float32'. */
  readonly dtype: Dtype;
  /** A unique, increasing id (stable node ids for graph snapshots). */
  readonly id: number;
  /** Whether backward() computes a gradient for this tensor (ops on it record the graph). */
  requiresGrad: boolean;
  /**
   * dRoot/dThis, accumulated by each `root.backward()` for a leaf that requires grad (null until then; a non-leaf
   * keeps it only after retainGrad()). Same shape and dtype as the tensor.
   */
  grad: Tensor | null = null;
  /** A label shown in graphs, hovers and gradient checks (a cell's top-level variable name, or nn's parameter path). */
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

  /** The number of dims (`shape.length`): 0 for a scalar, 2 for a matrix. */
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
   * Gradient: d clone(a)/da = g
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
  /**
   * `add(this, y)`: a + b, broadcasting.
   * Gradient: d(a+b)/da = g, d(a+b)/db = g
   * @example x.add(1)
   */
  add(y: TensorLike): Tensor { return ew.add(this, y); }
  /**
   * `sub(this, y)`: a − b, broadcasting.
   * Gradient: d(a−b)/da = g, d(a−b)/db = −g
   * @example x.sub(y)
   */
  sub(y: TensorLike): Tensor { return ew.sub(this, y); }
  /**
   * `mul(this, y)`: a · b elementwise, broadcasting.
   * Gradient: d(a·b)/da = g·b, d(a·b)/db = g·a
   * @example x.mul(y)
   */
  mul(y: TensorLike): Tensor { return ew.mul(this, y); }
  /**
   * `div(this, y)`: a / b elementwise, broadcasting.
   * Gradient: d(a/b)/da = g/b, d(a/b)/db = −g·(a/b)/b
   * @example x.div(2)
   */
  div(y: TensorLike): Tensor { return ew.div(this, y); }
  /**
   * `pow(this, y)`: a ** b elementwise, broadcasting.
   * Gradient: d(aᵇ)/da = g·b·aᵇ⁻¹ (0 where b = 0), d(aᵇ)/db = g·aᵇ·ln a (0 where a = 0 and b ≥ 0), as PyTorch
   * @example x.pow(2)
   */
  pow(y: TensorLike): Tensor { return ew.pow(this, y); }
  /**
   * `neg(this)`: −x.
   * Gradient: d(−a)/da = −g
   * @example x.neg()
   */
  neg(): Tensor { return ew.neg(this); }
  /**
   * `exp(this)`: eˣ.
   * Gradient: d(eᵃ)/da = g·eᵃ
   * @example x.exp()
   */
  exp(): Tensor { return ew.exp(this); }
  /**
   * `log(this)`: Natural logarithm (log 0 = −∞, negative → NaN).
   * Gradient: d(ln a)/da = g/a
   * @example x.log()
   */
  log(): Tensor { return ew.log(this); }
  /**
   * `sqrt(this)`: √x.
   * Gradient: d(√a)/da = g/(2√a)
   * @example x.sqrt()
   */
  sqrt(): Tensor { return ew.sqrt(this); }
  /**
   * `abs(this)`: |x| (gradient 0 at 0, as PyTorch).
   * Gradient: d|a|/da = g·sign(a), 0 at 0
   * @example x.abs()
   */
  abs(): Tensor { return ew.abs(this); }
  /**
   * `square(this)`: x².
   * Gradient: d(a²)/da = 2·g·a
   * @example x.square()
   */
  square(): Tensor { return ew.square(this); }
  /**
   * `tanh(this)`: Hyperbolic tangent.
   * Gradient: d(tanh a)/da = g·(1 − tanh²a)
   * @example x.tanh()
   */
  tanh(): Tensor { return ew.tanh(this); }
  /**
   * `sigmoid(this)`: 1 / (1 + e⁻ˣ), computed without overflow.
   * Gradient: dσ(a)/da = g·σ(a)·(1 − σ(a))
   * @example x.sigmoid()
   */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /**
   * `relu(this)`: max(x, 0); NaN stays NaN (gradient 0 at 0, 1 at NaN, as PyTorch).
   * Gradient: d relu(a)/da = g·[not a ≤ 0] (0 at 0, g at NaN)
   * @example x.relu()
   */
  relu(): Tensor { return ew.relu(this); }
  /**
   * `leakyRelu(this, slope)`: x for x > 0, slope·x otherwise; `slope` defaults to 0.01 (gradient `slope` at 0 and at NaN, as PyTorch).
   * Gradient: d leakyRelu(a)/da = g·(a > 0 ? 1 : slope)
   * @example x.leakyRelu(0.1)
   */
  leakyRelu(slope = 0.01): Tensor { return ew.leakyRelu(this, slope); }
  /**
   * `sin(this)`: sin x.
   * Gradient: d(sin a)/da = g·cos a
   * @example x.sin()
   */
  sin(): Tensor { return ew.sin(this); }
  /**
   * `cos(this)`: cos x.
   * Gradient: d(cos a)/da = −g·sin a
   * @example x.cos()
   */
  cos(): Tensor { return ew.cos(this); }
  /**
   * `clamp(this, min, max)`: x limited to [min, max] (either bound may be omitted with null/undefined); the gradient passes where
   * min ≤ x ≤ max, bounds included, as PyTorch.
   * Gradient: d clamp(a)/da = g·[min ≤ a ≤ max]
   * @example x.clamp(0, 1)
   */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  /**
   * `maximum(this, y)`: The larger of a and b elementwise (ties split the gradient half-half, as PyTorch).
   * Gradient: d max(a,b)/da = g·[a > b] + ½g·[a = b] (g where either is NaN)
   * @example x.maximum(0)
   */
  maximum(y: TensorLike): Tensor { return ew.maximum(this, y); }
  /**
   * `minimum(this, y)`: The smaller of a and b elementwise (ties split the gradient half-half, as PyTorch).
   * Gradient: d min(a,b)/da = g·[a < b] + ½g·[a = b] (g where either is NaN)
   * @example x.minimum(y)
   */
  minimum(y: TensorLike): Tensor { return ew.minimum(this, y); }

  // Reductions.
  /**
   * `sum(this, axis, keepDims)`: Sum over `axis` (all elements when omitted).
   * Gradient: d Σa/da = g broadcast back over the summed axes
   * @example x.sum() ; x.sum(0, true)
   */
  sum(axis?: Axis | null, keepDims = false): Tensor { return red.sum(this, axis, keepDims); }
  /**
   * `mean(this, axis, keepDims)`: Mean over `axis` (all elements when omitted).
   * Gradient: d mean(a)/da = g/count broadcast back
   * @example x.mean(-1)
   */
  mean(axis?: Axis | null, keepDims = false): Tensor { return red.mean(this, axis, keepDims); }
  /**
   * `max(this, axis, keepDims)`: Maximum over `axis`; the gradient goes to the first maximal element.
   * Gradient: d max(a)/da = g at the first maximal element, 0 elsewhere
   * @example x.max(1)
   */
  max(axis?: Axis | null, keepDims = false): Tensor { return red.max(this, axis, keepDims); }
  /**
   * `min(this, axis, keepDims)`: Minimum over `axis`; the gradient goes to the first minimal element.
   * Gradient: d min(a)/da = g at the first minimal element, 0 elsewhere
   * @example x.min()
   */
  min(axis?: Axis | null, keepDims = false): Tensor { return red.min(this, axis, keepDims); }
  /**
   * `logSumExp(this, axis, keepDims)`: log Σ exp(x) over `axis`, computed stably (shifted by the maximum).
   * Gradient: d logΣexp(a)/da = g·exp(a − logΣexp(a)) = g·softmax(a)
   * @example x.logSumExp(-1)
   */
  logSumExp(axis?: Axis | null, keepDims = false): Tensor { return red.logSumExp(this, axis, keepDims); }

  // Linear algebra.
  /**
   * `matmul(this, y)`: Matrix product with NumPy semantics: 1-D·1-D is a dot product, 2-D·2-D a matrix product, and ≥ 3-D
   * operands are batches of matrices with broadcast batch dims.
   * Gradient: d(a@b)/da = g·bᵀ, d(a@b)/db = aᵀ·g
   * @example a.matmul(b)
   */
  matmul(y: TensorLike): Tensor { return matmul(this, y); }

  // Shape ops.
  /**
   * `reshape(this, shape)`: The same values in a new shape (one entry may be -1: inferred). Shares storage.
   * Gradient: d reshape(a)/da = g in a's shape
   * @example x.reshape([2, -1])
   */
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /**
   * `flatten(this, startDim, endDim)`: Dims `startDim` to `endDim` (both included; negative counts from the end) merged into one, as
   * torch.flatten; with no arguments, all of them: the values as a 1-D tensor. Shares storage.
   * Gradient: d flatten(a)/da = g in a's shape
   * @example x.flatten() ; x.flatten(1) // [N, C, H, W] → [N, C·H·W]
   */
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  /**
   * `transpose(this, dim0, dim1)`: Swaps two dims; with no arguments a 2-D tensor's two dims (0-D and 1-D tensors are returned as they are).
   * Gradient: d transpose(a)/da = transpose(g) with the same two dims
   * @example x.transpose() ; x.transpose(0, 2)
   */
  transpose(dim0?: number, dim1?: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /**
   * `permute(this, dims)`: Reorders the dims: result dim i is input dim dims[i].
   * Gradient: d permute(a, p)/da = permute(g, p⁻¹)
   * @example x.permute([2, 0, 1])
   */
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  /**
   * `squeeze(this, axis)`: Removes size-1 dims: all of them, or those in `axis` (a dim that is not 1 is left alone, as PyTorch).
   * Gradient: d squeeze(a)/da = g in a's shape
   * @example x.squeeze() ; x.squeeze(0)
   */
  squeeze(axis?: Axis): Tensor { return sh.squeeze(this, axis); }
  /**
   * `unsqueeze(this, axis)`: Inserts a size-1 dim at `axis` (negative counts from the end of the result).
   * Gradient: d unsqueeze(a)/da = g in a's shape
   * @example x.unsqueeze(0)
   */
  unsqueeze(axis: number): Tensor { return sh.unsqueeze(this, axis); }
  /**
   * `broadcastTo(this, shape)`: Repeats size-1 (and missing leading) dims to reach `shape`, with NumPy's rules (-1: keep that dim's size).
   * Gradient: d broadcastTo(a)/da = g summed over the broadcast dims
   * @example x.broadcastTo([4, 3])
   */
  broadcastTo(shape: readonly number[]): Tensor { return sh.broadcastTo(this, shape); }
  /**
   * `slice(this, begin, size)`: The box starting at `begin` of size `size` (as TensorFlow.js: a number applies to dim 0; missing entries
   * mean begin 0 / size -1; size -1 = to the end).
   * Gradient: d slice(a)/da = g placed back at `begin` in zeros of a's shape
   * @example x.slice([0, 1], [2, -1])
   */
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor { return sh.slice(this, begin, size); }
  /**
   * `gather(this, indices, axis)`: Whole slices along `axis` picked by `indices` (repeats allowed), as TensorFlow.js's gather /
   * PyTorch's index_select. Indices with dims (a tensor or nested arrays) replace dim `axis` by their shape.
   * Gradient: d gather(a)/da = g's slices added back at their indices
   * @example x.gather([0, 2], 1)
   */
  gather(indices: readonly number[] | readonly NestedArray[] | Tensor | number, axis = 0): Tensor { return sh.gather(this, indices, axis); }
  /**
   * `concat([this, ...others], axis)`: Joins tensors along an existing `axis`; the other dims must match.
   * Gradient: d concat(xs)/dxᵢ = the part of g along `axis` where xᵢ sits
   * @example a.concat([b], 0)
   */
  concat(others: Tensor | readonly Tensor[], axis = 0): Tensor { return sh.concat([this, ...(others instanceof Tensor ? [others] : others)], axis); }
  /**
   * `stack([this, ...others], axis)`: Stacks same-shaped tensors along a new `axis`.
   * Gradient: d stack(xs)/dxᵢ = the i-th slice of g along `axis`
   * @example a.stack([b], 0)
   */
  stack(others: Tensor | readonly Tensor[], axis = 0): Tensor { return sh.stack([this, ...(others instanceof Tensor ? [others] : others)], axis); }

  // Neural-net ops.
  /**
   * `softmax(this, axis)`: exp(x) / Σ exp(x) along `axis` (default the last).
   * Gradient: d softmax(a)/da = s·(g − Σ g·s) along the axis, s = softmax(a)
   * @example logits.softmax()
   */
  softmax(axis = -1): Tensor { return neural.softmax(this, axis); }
  /**
   * `logSoftmax(this, axis)`: x − logΣexp(x) along `axis` (default the last), stable for large logits.
   * Gradient: d logSoftmax(a)/da = g − softmax(a)·Σ g along the axis
   * @example logits.logSoftmax()
   */
  logSoftmax(axis = -1): Tensor { return neural.logSoftmax(this, axis); }
  /**
   * `crossEntropy(this, targets)`: Mean over the N rows of −log softmax(logits)[target]: logits [N, C], targets N class indices.
   * Gradient: d crossEntropy(a, t)/da = g·(softmax(a) − onehot(t))/N
   * @example logits.crossEntropy([0, 2])
   */
  crossEntropy(targets: readonly number[] | Tensor): Tensor { return neural.crossEntropy(this, targets); }
  /**
   * `mseLoss(this, target)`: Mean of (pred − target)² over all elements (shapes broadcast).
   * Gradient: d mean((p − t)²)/dp = 2g·(p − t)/n, d/dt = −2g·(p − t)/n (n = elements of the broadcast shape)
   * @example pred.mseLoss(target)
   */
  mseLoss(target: TensorLike): Tensor { return neural.mseLoss(this, target); }

  // --- shape ops, losses, embedding ---
  /**
   * `pad(this, pads, value)`: x with a border of `value` around it: `pads[d] = [before, after]` elements added on each side of dim
   * d, one pair per dim (numpy.pad's constant mode).
   * Gradient: d pad(a)/da = the box of g where a sits
   * @example x.pad([[1, 1], [0, 2]]) // [2,3] → [4,5]
   */
  pad(pads: readonly (readonly number[])[], value = 0): Tensor { return parts.pad(this, pads, value); }
  /**
   * `tile(this, reps)`: x repeated `reps[d]` times along each dim (torch.tile): fewer reps than dims are padded with leading 1s;
   * more reps than dims treat x as having leading dims of size 1.
   * Gradient: d tile(a)/da = g summed over the copies
   * @example tensor([1, 2]).tile([2, 3]) // shape [2, 6]
   */
  tile(reps: number | readonly number[]): Tensor { return parts.tile(this, reps); }
  /**
   * `split(this, sizeOrSections, axis)`: x cut along `axis` (torch.split): a number is the size of every piece (the last may be
   * smaller); an array lists the pieces' sizes, which must add up to that dim. Each piece is a `slice` node of x.
   * Gradient: each piece's gradient lands where the piece was cut from (slice's rule)
   * @example const [a, b] = x.split([1, 2], 1)
   */
  split(sizeOrSections: number | readonly number[], axis = 0): Tensor[] { return parts.split(this, sizeOrSections, axis); }
  /**
   * `chunk(this, chunks, axis)`: x cut into `chunks` pieces along `axis` (torch.chunk): each of ⌈n / chunks⌉ elements, the last
   * smaller; fewer pieces when they run out. Each piece is a `slice` node of x.
   * Gradient: each piece's gradient lands where the piece was cut from (slice's rule)
   * @example const [q, k, v] = qkv.chunk(3, -1)
   */
  chunk(chunks: number, axis = 0): Tensor[] { return parts.chunk(this, chunks, axis); }
  /**
   * `binaryCrossEntropy(this, targets)`: Mean of −(t·ln p + (1 − t)·ln(1 − p)) over all elements: probabilities in [0, 1], targets
   * of the same shape. Each log is clamped at −100, as PyTorch.
   * Gradient: d bce(p, t)/dp = g·(p − t)/(max(p(1 − p), 1e-12)·n), d/dt = g·(ln(1 − p) − ln p)/n (logs clamped at −100)
   * @example logits.sigmoid().binaryCrossEntropy([1, 0, 1])
   */
  binaryCrossEntropy(targets: TensorLike): Tensor { return losses.binaryCrossEntropy(this, targets); }
  /**
   * `binaryCrossEntropyWithLogits(this, targets)`: binaryCrossEntropy(sigmoid(logits), targets) in one stable step: the mean of
   * max(x, 0) − x·t + ln(1 + e^−|x|), exact for logits of any size.
   * Gradient: d bceLogits(x, t)/dx = g·(σ(x) − t)/n, d/dt = −g·x/n
   * @example logits.binaryCrossEntropyWithLogits([1, 0, 1])
   */
  binaryCrossEntropyWithLogits(targets: TensorLike): Tensor { return losses.binaryCrossEntropyWithLogits(this, targets); }
  /**
   * `nllLoss(this, targets)`: Mean over the targets of −logProbs at each target class: logProbs [N, C] with targets [N] (or [C] with
   * one target, or [N, C, d1, ...] with targets [N, d1, ...]); targets are class indices.
   * Gradient: d nllLoss(a, t)/da = −g/M at each target's entry, 0 elsewhere (M targets)
   * @example logits.logSoftmax().nllLoss([2, 0, 1])
   */
  nllLoss(targets: IndexLike): Tensor { return losses.nllLoss(this, targets); }
  /**
   * `huberLoss(this, target, { delta })`: Mean over all elements (shapes broadcast) of ½d² where |d| < δ and δ(|d| − ½δ) elsewhere,
   * d = pred − target (delta defaults to 1).
   * Gradient: d huber(p, t)/dp = g·clamp(p − t, −δ, δ)/n, d/dt = −g·clamp(p − t, −δ, δ)/n
   * @example pred.huberLoss(target, { delta: 0.5 })
   */
  huberLoss(target: TensorLike, opts?: losses.HuberOptions): Tensor { return losses.huberLoss(this, target, opts); }
  /**
   * `embedding(this, weight)`: The rows of `weight` [num, dim] at the indices held by this tensor (integers, any shape): shape
   * [...this.shape, dim], as PyTorch's F.embedding.
   * Gradient: d embedding(i, W)/dW = g's rows added into W's rows at the indices; the indices get none
   * @example tensor([[0, 2], [1, 1]]).embedding(weight) // weight [10, 3] → [2, 2, 3]
   */
  embedding(weight: TensorLike): Tensor { return embedding(this, weight); }
  // --- normalisation ---
  /**
   * `dropout(this, opts)`: zeroes each element with probability p and scales the rest by 1/(1 − p); the input itself
   * when `training` is false or p = 0.
   * Gradient: d dropout(a)/da = g·mask/(1 − p), the forward's mask
   * @example x.dropout({ p: 0.2, seed: 0 })
   */
  dropout(opts?: norm.DropoutOptions): Tensor { return norm.dropout(this, opts); }
  /**
   * `layerNorm(this, normalizedShape, weight, bias, opts)`: (x − μ)/√(σ² + ε)·w + b over the last dims (`normalizedShape`).
   * Gradient: d layerNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) over the normalised dims, d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
   * @example x.layerNorm([4])
   */
  layerNorm(normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, opts?: norm.LayerNormOptions): Tensor {
    return norm.layerNorm(this, normalizedShape, weight, bias, opts);
  }
  /**
   * `batchNorm(this, runningMean, runningVar, weight, bias, opts)`: each channel of x [N, C, ...] normalised with the batch's
   * statistics (training: true, which updates the running ones in place) or the running ones (the default).
   * Gradient: d batchNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) per channel in training, ĝ·r in evaluation; d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
   * @example x.batchNorm(runningMean, runningVar, gamma, beta, { training: true })
   */
  batchNorm(runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, opts?: norm.BatchNormOptions): Tensor {
    return norm.batchNorm(this, runningMean, runningVar, weight, bias, opts);
  }
  // --- elementwise, comparison and reduction additions ---
  /**
   * `where(cond, this, other)`: this where cond is true (non-zero), other elsewhere, broadcasting (as PyTorch's x.where(cond, y)).
   * Gradient: d where(c,a,b)/da = g·c, d/db = g·(1 − c); the mask c gets none
   * @example x.where(gt(x, 0), 0)
   */
  where(cond: MaskLike, other: TensorLike): Tensor { return ew.where(cond, this, other); }
  /**
   * `gt(this, y)`: 1 where a > b, else 0 (broadcasting; NaN compares false). A mask in the operands' dtype that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example x.gt(0)
   */
  gt(y: TensorLike): Tensor { return cmp.gt(this, y); }
  /**
   * `ge(this, y)`: 1 where a ≥ b, else 0 (broadcasting; NaN compares false). A mask that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example x.ge(y)
   */
  ge(y: TensorLike): Tensor { return cmp.ge(this, y); }
  /**
   * `lt(this, y)`: 1 where a < b, else 0 (broadcasting; NaN compares false). A mask that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example x.lt(0)
   */
  lt(y: TensorLike): Tensor { return cmp.lt(this, y); }
  /**
   * `le(this, y)`: 1 where a ≤ b, else 0 (broadcasting; NaN compares false). A mask that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example x.le(1)
   */
  le(y: TensorLike): Tensor { return cmp.le(this, y); }
  /**
   * `eq(this, y)`: 1 where a = b, else 0 (broadcasting; NaN equals nothing). A mask that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example logits.argMax(1).eq(labels).mean() // accuracy
   */
  eq(y: TensorLike): Tensor { return cmp.eq(this, y); }
  /**
   * `ne(this, y)`: 1 where a ≠ b, else 0 (broadcasting; NaN differs from everything). A mask that does not require grad.
   * Gradient: none (the result does not require grad)
   * @example x.ne(0)
   */
  ne(y: TensorLike): Tensor { return cmp.ne(this, y); }
  /**
   * `sign(this)`: −1, 0 or 1 by the sign of x (0 for ±0 and for NaN, as PyTorch).
   * Gradient: d sign(a)/da = 0
   * @example x.sign()
   */
  sign(): Tensor { return cmp.sign(this); }
  /**
   * `floor(this)`: The largest integer ≤ x.
   * Gradient: d floor(a)/da = 0
   * @example x.floor()
   */
  floor(): Tensor { return cmp.floor(this); }
  /**
   * `ceil(this)`: The smallest integer ≥ x.
   * Gradient: d ceil(a)/da = 0
   * @example x.ceil()
   */
  ceil(): Tensor { return cmp.ceil(this); }
  /**
   * `round(this)`: x rounded to the nearest integer, halves to the even one (round(2.5) = 2), as PyTorch.
   * Gradient: d round(a)/da = 0
   * @example x.round()
   */
  round(): Tensor { return cmp.round(this); }
  /**
   * `elu(this, alpha)`: x for x > 0, alpha·(eˣ − 1) otherwise; `alpha` defaults to 1.
   * Gradient: d elu(a)/da = g for a > 0, g·(elu(a) + alpha) for a ≤ 0
   * @example x.elu()
   */
  elu(alpha = 1): Tensor { return act.elu(this, alpha); }
  /**
   * `selu(this)`: scale·elu(x, alpha) with PyTorch's constants (alpha ≈ 1.6733, scale ≈ 1.0507).
   * Gradient: d selu(a)/da = g·scale for a > 0, g·(selu(a) + scale·alpha) for a ≤ 0
   * @example x.selu()
   */
  selu(): Tensor { return act.selu(this); }
  /**
   * `gelu(this, opts)`: x·Φ(x), Φ the standard normal CDF; `{ approximate: 'tanh' }` for PyTorch's tanh approximation.
   * Gradient: d gelu(a)/da = g·(Φ(a) + a·φ(a)) (exact); the tanh form's derivative for 'tanh'
   * @example x.gelu() ; x.gelu({ approximate: 'tanh' })
   */
  gelu(opts?: GeluOptions): Tensor { return act.gelu(this, opts); }
  /**
   * `softplus(this, beta, threshold)`: log(1 + e^(beta·x))/beta, and x where beta·x > threshold (defaults 1 and 20).
   * Gradient: d softplus(a)/da = g·σ(beta·a), g where beta·a > threshold
   * @example x.softplus()
   */
  softplus(beta = 1, threshold = 20): Tensor { return act.softplus(this, beta, threshold); }
  /**
   * `silu(this)`: x·σ(x) (swish).
   * Gradient: d silu(a)/da = g·σ(a)·(1 + a·(1 − σ(a)))
   * @example x.silu()
   */
  silu(): Tensor { return act.silu(this); }
  /**
   * `atan2(this, x)`: the angle of the point (x, this) in (−π, π], elementwise, broadcasting.
   * Gradient: d atan2(y,x)/dy = g·x/(x² + y²), d/dx = −g·y/(x² + y²)
   * @example y.atan2(x)
   */
  atan2(x: TensorLike): Tensor { return ew.atan2(this, x); }
  /**
   * `argMax(this, axis, keepDims)`: the index of the first maximal element along `axis` (of the flattened tensor when omitted;
   * NaN counts as the maximum), as a float64 tensor of integers that does not require grad.
   * Gradient: none (indices do not require grad)
   * @example logits.argMax(1)
   */
  argMax(axis?: number | null, keepDims = false): Tensor { return stats.argMax(this, axis, keepDims); }
  /**
   * `argMin(this, axis, keepDims)`: the index of the first minimal element along `axis` (of the flattened tensor when omitted;
   * NaN counts as the minimum), as a float64 tensor of integers that does not require grad.
   * Gradient: none (indices do not require grad)
   * @example x.argMin(-1)
   */
  argMin(axis?: number | null, keepDims = false): Tensor { return stats.argMin(this, axis, keepDims); }
  /**
   * `cumsum(this, axis)`: running sums along `axis`.
   * Gradient: d cumsum(a)/da = the running sums of g from the end of the axis
   * @example x.cumsum(0)
   */
  cumsum(axis: number): Tensor { return stats.cumsum(this, axis); }
  /**
   * `var(this, axis, opts)`: the variance over `axis` (all elements when omitted), Σ(x − mean)²/(N − correction), correction 1 by default.
   * Gradient: d var(a)/da = g·2(a − mean(a))/(N − correction)
   * @example x.var() ; x.var(0, { correction: 0 })
   */
  var(axis?: Axis | null, opts?: VarOptions): Tensor { return stats.variance(this, axis, opts); }
  /**
   * `std(this, axis, opts)`: the standard deviation over `axis`, √var (correction 1 by default).
   * Gradient: d std(a)/da = g·(a − mean(a))/((N − correction)·std(a)), 0 where std is 0 (as PyTorch)
   * @example x.std(-1, { keepDims: true })
   */
  std(axis?: Axis | null, opts?: VarOptions): Tensor { return stats.std(this, axis, opts); }
  /**
   * `norm(this, p, axis, keepDims)`: the vector p-norm over `axis` (all elements when omitted), p = 2 by default; Infinity is max|x|.
   * Gradient: d‖a‖ₚ/da = g·sign(a)·|a|ᵖ⁻¹/‖a‖ₚᵖ⁻¹, and 0 where the norm is 0, as PyTorch
   * @example x.norm() ; x.norm(1, -1)
   */
  norm(p = 2, axis?: Axis | null, keepDims = false): Tensor { return stats.norm(this, p, axis, keepDims); }
  /**
   * `outer(this, b)`: the outer product of two 1-D tensors, shape [n, m].
   * Gradient: d outer(a,b)/da = g·b, d/db = aᵀ·g (matrix-vector products)
   * @example a.outer(b)
   */
  outer(b: TensorLike): Tensor { return vec.outer(this, b); }
  /**
   * `dot(this, b)`: the inner product of two 1-D tensors of the same length, shape [].
   * Gradient: d dot(a,b)/da = g·b, d/db = g·a
   * @example a.dot(b)
   */
  dot(b: TensorLike): Tensor { return vec.dot(this, b); }
  // --- convolution ---
  /**
   * `conv1d(this, w, b, opts)`: 1-D convolution of this [N, C, L] with w [O, C/groups, K] and an optional bias [O].
   * Gradient: d conv1d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, L
   * @example signal.conv1d(w, b, { padding: 2 })
   */
  conv1d(w: Tensor, b?: Tensor | null | conv.ConvOptions, opts?: conv.ConvOptions): Tensor { return conv.conv1d(this, w, b, opts); }
  /**
   * `conv2d(this, w, b, opts)`: 2-D convolution of this [N, C, H, W] with w [O, C/groups, kH, kW] and an optional bias [O].
   * Gradient: d conv2d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, H, W
   * @example images.conv2d(w, b, { stride: 1, padding: 1 })
   */
  conv2d(w: Tensor, b?: Tensor | null | conv.ConvOptions, opts?: conv.ConvOptions): Tensor { return conv.conv2d(this, w, b, opts); }
  /**
   * `maxPool2d(this, kernelSize, opts)`: the maximum of each window of this [N, C, H, W] (stride defaults to the kernel size).
   * Gradient: d maxPool2d/dx = g sent to the first maximal element of each window
   * @example x.maxPool2d(2)
   */
  maxPool2d(kernelSize: number | [number, number], opts?: pool.PoolOptions): Tensor { return pool.maxPool2d(this, kernelSize, opts); }
  /**
   * `avgPool2d(this, kernelSize, opts)`: the mean of each window of this [N, C, H, W], padding counted (stride defaults to the kernel size).
   * Gradient: d avgPool2d/dx = g/(kH·kW) spread back over each window
   * @example x.avgPool2d(2)
   */
  avgPool2d(kernelSize: number | [number, number], opts?: pool.PoolOptions): Tensor { return pool.avgPool2d(this, kernelSize, opts); }
}
