/*
 * The recorded computation graph. Every tensor made by an op while gradients are recorded (`requiresGrad` on an
 * input, not inside `noGrad`) carries a `node: OpNode`; leaves (tensors made by the user) have `node === null`.
 *
 *   Tensor ──node──► OpNode { op, inputs[], args, edgeGrads[], grad, vjp?, replay? }
 *                             │
 *                             └─ inputs[i] is the tensor of argument i: the edge  from = inputs[i] ─► to = tensor,
 *                                argIndex = i
 *
 * - `op`: the op's name, the key of its rule in the gradient table (`gradients.ts`) and of its forward in
 *   `ops/forwards.ts` ('add', 'matmul', ...); custom ops (recordOp) use any name.
 * - `args`: the op's non-tensor arguments (axes, keepDims, shape, slope, ...), enough to recompute the op from new
 *   inputs: `replay(tensor, newInputs)`.
 * - After each `backward()` that reaches the node: `grad` is the total gradient dRoot/d(this tensor) and
 *   `edgeGrads[i]` is input i's share of dRoot/d(inputs[i]) through this op (the VJP after un-broadcasting), or
 *   null when input i does not require grad. A leaf's total is its `.grad` (which accumulates across calls);
 *   a node's `grad`/`edgeGrads` hold the latest backward only.
 * - `vjp`/`replay`: set only for ops recorded with `recordOp` (customGrad); table ops use gradients[op] and
 *   forwards[op].
 * - Only tensors that require grad get a node; an input that does not require grad is still listed in `inputs`
 *   (its edge has no share). `computeGrads` (autograd.grad) runs the same rules but writes none of these fields.
 * - Tensors have a unique increasing `id` (a stable node id for graph snapshots), an optional `name`, and an
 *   optional `group` (module path, set by nn).
 */
import type { Tensor } from './tensor';
import type { Dtype } from './dtype';
import type { ConvWindow } from './ops/convGeometry';

/** The non-tensor arguments of every op, by name. */
export interface OpArgs {
  /** Reductions: the reduced axes, normalised (non-negative, sorted). */
  axes?: number[];
  /** Reductions: whether the reduced axes are kept as size 1. */
  keepDims?: boolean;
  /** softmax, logSoftmax, gather, concat, stack, scatterAdd: the axis, normalised. */
  axis?: number;
  /** reshape, broadcastTo, scatterAdd: the result's shape. */
  shape?: number[];
  /** permute: result dim i is input dim dims[i]. */
  dims?: number[];
  /** transpose: the first of the two swapped dims. */
  dim0?: number;
  /** transpose: the second of the two swapped dims. */
  dim1?: number;
  /** leakyRelu: the slope for x ≤ 0. */
  slope?: number;
  /** clamp: the lower bound (-Infinity when absent). */
  min?: number;
  /** clamp: the upper bound (Infinity when absent). */
  max?: number;
  /** slice: where the box starts in the larger tensor. */
  begin?: number[];
  /** slice: the box's size. */
  size?: number[];
  /** gather, scatterAdd, embedding: the checked indices, flat. */
  indices?: Int32Array;
  /** gather, scatterAdd, embedding: the shape of the indices. */
  indexShape?: number[];
  /** matmul: the first operand is read transposed (last two dims). */
  transA?: boolean;
  /** matmul: the second operand is read transposed (last two dims). */
  transB?: boolean;
  /** crossEntropy, nllLoss: the class index of each row (of each target position). */
  targets?: Int32Array;
  /** cast: the result's dtype. */
  dtype?: Dtype;
  // --- shape ops, losses, embedding ---
  /** pad: [before, after] elements added on each side of each dim. */
  pads?: [number, number][];
  /** pad: the value of the border. */
  value?: number;
  /** tile: the repeats of each dim of the result (as many as its dims). */
  reps?: number[];
  /** flatten: the first of the merged dims, normalised. */
  startDim?: number;
  /** flatten: the last of the merged dims, normalised. */
  endDim?: number;
  /** huberLoss: where the loss turns from quadratic to linear. */
  delta?: number;
  // --- normalisation --- (layerNorm, batchNorm: `axes` are the dims the statistics are taken over)
  /** layerNorm, batchNorm: added to the variance before the square root. */
  eps?: number;
  /** layerNorm, batchNorm: a weight is input 1. */
  hasWeight?: boolean;
  /** layerNorm, batchNorm: a bias is the input after the weight (or input 1 without one). */
  hasBias?: boolean;
  /** layerNorm: the normalised trailing shape. */
  normalizedShape?: number[];
  /** batchNorm: normalised with the batch's statistics (true) or with runningMean and runningVar (false). */
  training?: boolean;
  /** batchNorm: the running statistics' momentum. */
  momentum?: number;
  /** batchNorm in evaluation: the running mean it used (a copy, [C]). */
  runningMean?: Tensor;
  /** batchNorm in evaluation: the running variance it used (a copy, [C]). */
  runningVar?: Tensor;
  /** dropout: the probability of zeroing an element; norm: the order p (1, 2, Infinity, -Infinity, 0 or any other number). */
  p?: number;
  /** dropout: 0 or 1/(1 − p) for each element, in the input's shape. */
  mask?: Tensor;
  // --- elementwise, comparison and reduction additions ---
  /** elu: the scale of the negative part. */
  alpha?: number;
  /** gelu: 'none' (exact) or 'tanh'. */
  approximate?: 'none' | 'tanh';
  /** softplus: the sharpness beta. */
  beta?: number;
  /** softplus: above beta·x > threshold the result is x. */
  threshold?: number;
  /** cumsum: sum from the end of the axis instead of its start (cumsum's gradient). */
  reverse?: boolean;
  /** var, std: subtracted from the count in the divisor (1: Bessel's correction). */
  correction?: number;
  // --- convolution ---
  /** conv1d, conv2d, their gradient ops, maxPool2d, avgPool2d: the window (kernel, stride, padding, dilation, groups). */
  window?: ConvWindow;
}

/** A rule of the gradient table: the gradient for input `i` of the op that made `out`, given dRoot/dOut = g. */
export type Rule = (g: Tensor, i: number, x: readonly Tensor[], out: Tensor, a: OpArgs) => Tensor | null;

/** A caller-supplied VJP (recordOp): gradients for all inputs at once; null entries mean none. */
export type CustomVjp = (g: Tensor, inputs: readonly Tensor[], out: Tensor) => ReadonlyArray<Tensor | null> | Tensor;

/** How a tensor was made: the op, its inputs and arguments, and what the latest backward() left on it (see above). */
export interface OpNode {
  /** The op's name: its key in the gradient table ('add', 'matmul', ...) or a custom op's name. */
  readonly op: string;
  /** The tensor of each argument, in order (edge i runs from inputs[i] to the tensor). */
  readonly inputs: readonly Tensor[];
  /** The op's non-tensor arguments, enough to recompute it (replay). */
  readonly args: OpArgs;
  /** Set for ops recorded with recordOp; table ops use gradients[op]. */
  readonly vjp: CustomVjp | null;
  /** Set for ops recorded with recordOp; table ops use forwards[op]. */
  readonly replay: ((inputs: Tensor[]) => Tensor) | null;
  /** After a backward(): input i's share of dRoot/d(inputs[i]) through this op (null where it needs none). */
  edgeGrads: (Tensor | null)[] | null;
  /** After a backward(): dRoot/d(this tensor), the latest backward only. */
  grad: Tensor | null;
  /** Where the op was called, captured only under detectAnomaly(true) (its stack is formatted when read). */
  readonly site: Error | null;
}

let gradEnabled = true;

/**
 * Whether ops record a graph right now (false inside noGrad).
 * @example noGrad(() => isGradEnabled()) // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Switches recording back on. For a host that terminated running code from outside (the kernel's interrupt):
 * that skips the `finally` of withGradMode, and the mode is a dynamic scope that never outlives a synchronous run.
 */
export function resetGradMode(): void {
  gradEnabled = true;
}

/** Runs fn with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try { return fn(); } finally { gradEnabled = prev; }
}

/**
 * Runs `fn` without recording a graph and returns its result.
 * @example const y = noGrad(() => w.mul(2)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

let anomalyMode = false;

/**
 * Anomaly mode: every recorded op keeps its call site, so a NaN or ±Infinity in a graph (`findNonFinite`) is traced
 * to the line that called the op that made it, in forward or backward. It costs a stack capture per op (the bench
 * measures it); off, nothing is captured. Returns the mode now in force.
 * @example detectAnomaly(true); const y = x.log(); findNonFinite(y)?.site // the stack of the log() call
 */
export function detectAnomaly(enabled = true): boolean {
  anomalyMode = Boolean(enabled);
  return anomalyMode;
}

/**
 * Whether ops keep their call sites now (detectAnomaly).
 * @example isAnomalyEnabled() // false
 */
export function isAnomalyEnabled(): boolean {
  return anomalyMode;
}

/** The call stack of an op being recorded, deep enough to get past the engine's own frames. */
function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const site = new Error('call site');
  Error.stackTraceLimit = limit;
  return site;
}

/** Attaches a node to `out` when recording is on and an input requires grad. Returns `out`. */
export function record(op: string, inputs: readonly Tensor[], out: Tensor, args: OpArgs = EMPTY,
  vjp: CustomVjp | null = null, replay: ((inputs: Tensor[]) => Tensor) | null = null): Tensor {
  if (!gradEnabled) return out;
  let needs = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) { needs = true; break; }
  if (!needs) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, args, vjp, replay, edgeGrads: null, grad: null, site: anomalyMode ? captureSite() : null };
  return out;
}

const EMPTY: OpArgs = Object.freeze({});
