// Backward, step by step: what a graph snapshot carries so a reader can watch each vector-Jacobian product
// happen. backward() runs the nodes in reverse topological order; for each node this gives, per input edge, the
// op's local derivative ∂out/∂input in a form a person can multiply by hand: the derivative's values for
// elementwise ops (and for any op with a one-element result), the transposed operand for matmul, a formula for
// the ops that only move or sum numbers, and, for small tensors, the Jacobian itself. The gradient arriving at
// the node (ȳ) and each edge's share are already in the snapshot (node.grad, edge.grad).
//
// Everything is derived from the gradient table, never restated: a Jacobian row is the rule applied to a unit
// vector (exact, not finite differences), and an elementwise derivative is the rule applied to ones. The table
// below only says how to present an op; an op missing from it still gets its Jacobian when small.
import type { OpArgs } from './graph';
import { gradients } from './gradients';
import { noGrad } from './graph';
import { inputsFirst } from './graphWalk';
import { sumTo } from './ops/reductions';
import { sameShape } from './shape';
import { transpose } from './ops/shapeOps';
import { Tensor } from './tensor';
import type { JsonNumber, TensorSummary } from './trace';

/**
 * How an op's local derivative is shown:
 * - 'elementwise': `values` = ∂outₖ/∂xₖ in the output's shape; share = ȳ ⊙ values, summed over broadcast dims;
 * - 'scalar': the output has one element; `values` = ∂out/∂x in the input's shape; share = ȳ · values;
 * - 'matmul': `values` = the other operand transposed; share = ȳ·Bᵀ (input 0) or Aᵀ·ȳ (input 1);
 * - 'linear': the op moves, copies or sums numbers; `formula` says how ȳ is mapped back;
 * - 'other': no description beyond the Jacobian (an op this table does not know yet, custom ops).
 */
export type LocalKind = 'elementwise' | 'scalar' | 'matmul' | 'linear' | 'other';

/** How matmul's share is formed from ȳ and the matrix M. */
export type MatmulProduct = 'ȳ·M' | 'M·ȳ' | 'M·ȳᵀ' | 'ȳᵀ·M';

/** The Jacobian ∂out/∂input as a matrix: one row per output element, one column per input element (row-major). */
export interface JacobianMatrix {
  /** Output elements. */
  rows: number;
  /** Input elements. */
  cols: number;
  /** rows × cols entries, row-major. */
  values: JsonNumber[];
}

/** ∂out/∂input for one input edge of a step. */
export interface LocalDerivative {
  /** How to read it (see LocalKind). */
  kind: LocalKind;
  /** The derivative in symbols: `$0`, `$1`, ... stand for the inputs' names, `$out` for the output ('1 − $out²'). */
  formula?: string;
  /** Its values, summarised ('elementwise', 'scalar': the derivative; 'matmul': the transposed operand). */
  values?: TensorSummary;
  /** matmul: how the share is formed from ȳ and the matrix M in `values` (M·ȳᵀ, ȳᵀ·M: the input is stored transposed). */
  matmul?: MatmulProduct;
  /**
   * The Jacobian, where output and input are small (JACOBIAN_MAX, JACOBIAN_BUDGET); not where `values` say it all
   * ('scalar', and 'elementwise' on an input of the output's shape: diagonal).
   */
  jacobian?: JacobianMatrix;
}

/** One input edge of a step: which argument, and the op's derivative with respect to it. */
export interface StepInput {
  /** The argument's index (the edge's argIndex). */
  argIndex: number;
  /** The input's node id (the edge's from). */
  from: string;
  /** ∂out/∂input at this run's numbers. */
  local: LocalDerivative;
}

/** One step of backward(): a node's rule runs, taking ȳ (the node's grad) to a share on each input edge. */
export interface BackwardStep {
  /** The node whose rule runs. */
  node: string;
  /** Its inputs that receive a share, in argument order. */
  inputs: StepInput[];
}

/** Largest Jacobian sent (output elements × input elements): a 16-element output by a 16-element input. */
export const JACOBIAN_MAX = 256;
/** Most Jacobian entries in one snapshot, given to the steps nearest the loss first (bounds the JSON). */
export const JACOBIAN_BUDGET = 2048;
/** Largest output whose elementwise derivative is computed (beyond it, the formula alone: it would cost a pass). */
export const VALUES_MAX = 1 << 16;

interface Presentation {
  kind: 'elementwise' | 'matmul' | 'linear';
  /** The formula of ∂out/∂input i. */
  formula: (i: number, a: OpArgs) => string;
}

const pointwise = (formula: (i: number, a: OpArgs) => string): Presentation => ({ kind: 'elementwise', formula });
const linear = (formula: (i: number, a: OpArgs) => string): Presentation => ({ kind: 'linear', formula });
const axesText = (a: OpArgs) => (a.axes?.length ? `[${a.axes.join(', ')}]` : 'all');

/**
 * How each op of the gradient table is presented in a step (a new op: one line here; without one it is shown
 * by its Jacobian). Formulas are ∂out/∂input i, with $0, $1 the inputs and $out the output.
 */
export const presentations: Record<string, Presentation> = {
  add: pointwise(() => '1'),
  sub: pointwise((i) => (i === 0 ? '1' : '−1')),
  mul: pointwise((i) => (i === 0 ? '$1' : '$0')),
  div: pointwise((i) => (i === 0 ? '1/$1' : '−$0/$1²')),
  pow: pointwise((i) => (i === 0 ? '$1·$0^($1−1)' : '$out·ln $0')),
  neg: pointwise(() => '−1'),
  exp: pointwise(() => '$out'),
  log: pointwise(() => '1/$0'),
  sqrt: pointwise(() => '1/(2·$out)'),
  abs: pointwise(() => 'sign($0)'),
  square: pointwise(() => '2·$0'),
  tanh: pointwise(() => '1 − $out²'),
  sigmoid: pointwise(() => '$out·(1 − $out)'),
  relu: pointwise(() => '[$0 > 0]'),
  leakyRelu: pointwise((_i, a) => `$0 > 0 ? 1 : ${a.slope}`),
  sin: pointwise(() => 'cos $0'),
  cos: pointwise(() => '−sin $0'),
  clamp: pointwise((_i, a) => `[${a.min} ≤ $0 ≤ ${a.max}]`),
  maximum: pointwise((i) => (i === 0 ? '[$0 > $1] (½ at ties)' : '[$1 > $0] (½ at ties)')),
  minimum: pointwise((i) => (i === 0 ? '[$0 < $1] (½ at ties)' : '[$1 < $0] (½ at ties)')),
  where: pointwise((i) => (i === 1 ? '[$0 ≠ 0]' : '[$0 = 0]')),
  clone: pointwise(() => '1'),
  cast: pointwise(() => '1'),
  sum: linear((_i, a) => `ȳ copied back over axes ${axesText(a)}`),
  mean: linear((_i, a) => `ȳ/n copied back over axes ${axesText(a)}`),
  max: linear(() => 'ȳ to the first largest element, 0 elsewhere'),
  min: linear(() => 'ȳ to the first smallest element, 0 elsewhere'),
  logSumExp: linear(() => 'ȳ·softmax($0), copied back over the reduced axes'),
  matmul: { kind: 'matmul', formula: (i) => (i === 0 ? '$1ᵀ' : '$0ᵀ') }, // (see matmulFactor)
  reshape: linear(() => 'ȳ reshaped back to the shape of $0'),
  flatten: linear(() => 'ȳ reshaped back to the shape of $0'),
  squeeze: linear(() => 'ȳ reshaped back to the shape of $0'),
  unsqueeze: linear(() => 'ȳ reshaped back to the shape of $0'),
  permute: linear(() => 'ȳ permuted back'),
  transpose: linear(() => 'ȳ transposed back'),
  broadcastTo: linear(() => 'ȳ summed over the broadcast dims'),
  slice: linear(() => 'ȳ placed back in zeros of the shape of $0'),
  pad: linear(() => 'the box of ȳ where $0 was placed'),
  gather: linear(() => 'ȳ’s slices added back at their indices'),
  scatterAdd: linear(() => 'ȳ’s slices at the indices'),
  concat: linear((i) => `the part of ȳ where $${i} sits`),
  stack: linear((i) => `slice ${i} of ȳ`),
  softmax: linear(() => '$out ⊙ (ȳ − Σ ȳ⊙$out) along the axis'),
  logSoftmax: linear(() => 'ȳ − softmax($0)·Σ ȳ along the axis'),
  crossEntropy: pointwise(() => '(softmax($0) − onehot(targets))/N'),
  mseLoss: pointwise((i) => (i === 0 ? '2($0 − $1)/n' : '−2($0 − $1)/n')),
};

/** Input i's gradient for ȳ = g through t's op (its rule, or its custom VJP), in the input's shape; null: none. */
function vjp(t: Tensor, g: Tensor, i: number): Tensor | null {
  const node = t.node!, x = node.inputs[i];
  let raw: Tensor | null | undefined;
  if (node.vjp) {
    const all = node.vjp(g, node.inputs, t);
    raw = all instanceof Tensor ? all : all[i];
  } else {
    const rule = gradients[node.op];
    raw = rule ? rule(g, i, node.inputs, t, node.args) : null;
  }
  if (!(raw instanceof Tensor)) return null;
  return sameShape(raw.shape, x.shape) ? raw : sumTo(raw, x.shape);
}

function unit(t: Tensor, k: number): Tensor {
  const g = new Tensor(t.dtype === 'float32' ? new Float32Array(t.size) : new Float64Array(t.size), t.shape);
  g.data[k] = 1;
  return g;
}

function ones(t: Tensor): Tensor {
  const g = new Tensor(t.dtype === 'float32' ? new Float32Array(t.size) : new Float64Array(t.size), t.shape);
  g.data.fill(1);
  return g;
}

function jsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x === 0 ? 0 : x; // no -0: JSON has none
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** ∂t/∂input i by VJPs with unit vectors (row k: the gradient of output element k). */
function jacobian(t: Tensor, i: number, budget: { left: number }): JacobianMatrix | undefined {
  const x = t.node!.inputs[i];
  if (t.size * x.size > Math.min(JACOBIAN_MAX, budget.left) || t.size === 0 || x.size === 0) return undefined;
  budget.left -= t.size * x.size;
  const values: JsonNumber[] = [];
  for (let k = 0; k < t.size; k++) {
    const row = vjp(t, unit(t, k), i);
    if (!row) return undefined;
    for (let j = 0; j < x.size; j++) values.push(jsonNumber(row.data[j]));
  }
  return { rows: t.size, cols: x.size, values };
}

/**
 * How matmul's share for input i is formed from ȳ and a matrix M, and M: ȳ·op(b)ᵀ and op(a)ᵀ·ȳ, or, for an
 * operand stored transposed (transA/transB, as nn.Linear's weight), op(b)·ȳᵀ and ȳᵀ·op(a).
 */
function matmulFactor(t: Tensor, i: number): { M: Tensor; product: MatmulProduct; formula: string } {
  const { inputs, args } = t.node!;
  const T = (x: Tensor) => (x.ndim < 2 ? x : transpose(x, x.ndim - 2, x.ndim - 1));
  const opA = () => (args.transA ? T(inputs[0]) : inputs[0]), opB = () => (args.transB ? T(inputs[1]) : inputs[1]);
  if (i === 0) return args.transA ? { M: opB(), product: 'M·ȳᵀ', formula: '$1' } : { M: T(opB()), product: 'ȳ·M', formula: '$1ᵀ' };
  return args.transB ? { M: opA(), product: 'ȳᵀ·M', formula: '$0' } : { M: T(opA()), product: 'M·ȳ', formula: '$0ᵀ' };
}

function local(t: Tensor, i: number, summarize: (t: Tensor) => TensorSummary, budget: { left: number }): LocalDerivative {
  const node = t.node!, shown = node.vjp ? undefined : presentations[node.op];
  const out: LocalDerivative = { kind: t.size === 1 && shown?.kind !== 'matmul' ? 'scalar' : shown?.kind ?? 'other' };
  // a formula of how ȳ is moved says nothing once the output is one number: ∂out/∂x is then its values
  if (shown && !(out.kind === 'scalar' && shown.kind === 'linear')) out.formula = shown.formula(i, node.args);
  if (out.kind === 'matmul') {
    const { M, product, formula } = matmulFactor(t, i);
    Object.assign(out, { values: summarize(M), matmul: product, formula });
  }
  else if (out.kind === 'scalar') {
    const d = vjp(t, ones(t), i);
    if (d) out.values = summarize(d);
  } else if (out.kind === 'elementwise' && t.size <= VALUES_MAX) {
    // the rule on ones, before un-broadcasting: the diagonal of the Jacobian, in the output's shape
    const rule = gradients[node.op];
    const d = rule ? rule(ones(t), i, node.inputs, t, node.args) : null;
    if (d instanceof Tensor && d.size === t.size) out.values = summarize(d);
  }
  // not sent where `values` say it all: a one-element output's Jacobian is one row, and an elementwise op's on an
  // input of the output's shape is diagonal
  const redundant = out.kind === 'scalar' || (out.kind === 'elementwise' && out.values !== undefined && sameShape(node.inputs[i].shape, t.shape));
  const J = redundant ? undefined : jacobian(t, i, budget);
  if (J) out.jacobian = J;
  return out;
}

/**
 * A rule that cannot take a unit vector or ones (a custom VJP that expects its own shapes, say) costs only the
 * description: the step still shows ȳ and the share, and the graph output is never lost to it.
 */
function safely(describe: () => LocalDerivative): LocalDerivative {
  try { return describe(); } catch { return { kind: 'other' }; }
}

/**
 * The steps of the latest backward() from `root`, in the order it ran them (reverse topological), for the
 * nodes `shown` accepts: each with ∂out/∂input per input edge that received a share. Empty before backward().
 * @example backwardSteps(loss, () => true, summarize)[0].node // the loss's node id
 */
export function backwardSteps(root: Tensor, shown: (t: Tensor) => boolean, summarize: (t: Tensor) => TensorSummary,
  nodeId: (t: Tensor) => string): BackwardStep[] {
  if (!root.node?.grad) return [];
  const order = inputsFirst([root], (x) => x.node !== null && x.requiresGrad);
  const steps: BackwardStep[] = [], budget = { left: JACOBIAN_BUDGET };
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k], node = t.node!;
      if (!node.grad || !node.edgeGrads || !shown(t)) continue;
      const inputs: StepInput[] = [];
      node.inputs.forEach((x, i) => {
        if (!node.edgeGrads![i] || !shown(x)) return;
        inputs.push({ argIndex: i, from: nodeId(x), local: safely(() => local(t, i, summarize, budget)) });
      });
      steps.push({ node: nodeId(t), inputs });
    }
  });
  return steps;
}
