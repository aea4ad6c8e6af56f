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

/** The non-tensor arguments of every op, by name. */
export interface OpArgs {
  axes?: number[];          // reductions
  keepDims?: boolean;
  axis?: number;            // softmax, logSoftmax, gather, concat, stack, scatterAdd
  shape?: number[];         // reshape, broadcastTo, pad, scatterAdd (the result's shape)
  dims?: number[];          // permute
  dim0?: number; dim1?: number; // transpose
  slope?: number;           // leakyRelu
  min?: number; max?: number; // clamp (±Infinity when absent)
  begin?: number[]; size?: number[]; // slice, pad
  indices?: Int32Array; indexShape?: number[]; // gather, scatterAdd
  transA?: boolean; transB?: boolean; // matmul
  targets?: Int32Array;     // crossEntropy
  dtype?: Dtype;            // cast
}

/** A rule of the gradient table: the gradient for input `i` of the op that made `out`, given dRoot/dOut = g. */
export type Rule = (g: Tensor, i: number, x: readonly Tensor[], out: Tensor, a: OpArgs) => Tensor | null;

/** A caller-supplied VJP (recordOp): gradients for all inputs at once; null entries mean none. */
export type CustomVjp = (g: Tensor, inputs: readonly Tensor[], out: Tensor) => ReadonlyArray<Tensor | null> | Tensor;

export interface OpNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly args: OpArgs;
  /** Set for ops recorded with recordOp; table ops use gradients[op]. */
  readonly vjp: CustomVjp | null;
  /** Set for ops recorded with recordOp; table ops use forwards[op]. */
  readonly replay: ((inputs: Tensor[]) => Tensor) | null;
  edgeGrads: (Tensor | null)[] | null;
  grad: Tensor | null;
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

/** Attaches a node to `out` when recording is on and an input requires grad. Returns `out`. */
export function record(op: string, inputs: readonly Tensor[], out: Tensor, args: OpArgs = EMPTY,
  vjp: CustomVjp | null = null, replay: ((inputs: Tensor[]) => Tensor) | null = null): Tensor {
  if (!gradEnabled) return out;
  let needs = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) { needs = true; break; }
  if (!needs) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, args, vjp, replay, edgeGrads: null, grad: null };
  return out;
}

const EMPTY: OpArgs = Object.freeze({});
