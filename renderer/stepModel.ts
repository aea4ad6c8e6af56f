// Backward, step by step, as text (pure: no DOM). From a snapshot's `backwardSteps` this makes, for each step,
// the gradient arriving at the node (ȳ), and for each input edge the vector-Jacobian product written as an
// equation with this run's numbers — ∂L/∂w = ∂L/∂mul · x = 1 · 2 = 2 — computed here from ȳ and the local
// derivative, beside the share the engine kept (they agree: test/unit/stepThrough.test.ts). Where a tensor gets
// shares along several edges, the step that gives the last one also shows their sum. For scalar graphs,
// chainPaths() writes the chain rule from the loss to a leaf: one product per path, summed over paths.
import { formatNumber, sizeOf } from './format';
import type { BackwardStep, LocalDerivative, StepInput } from './stepSnapshot';
import type { GraphEdge, GraphNode, GraphSnapshot, TensorSummary } from './types';

/** Digits of the numbers in equations. */
const DIGITS = 4;
/** Values written out in an equation; larger tensors are written as their shape and norm. */
const SHOWN_VALUES = 16;

/** One input edge of a step: its VJP as an equation. */
export interface StepTerm {
  input: StepInput;
  from: GraphNode;
  edge?: GraphEdge;
  /** ∂out/∂input in symbols, with the nodes' names. */
  formula: string;
  /** ∂L/∂input = … = …: the VJP with this run's numbers. */
  equation: string;
  /** The op's local derivative in words and numbers: ∂o/∂add = 1 − o² = 0.5 (elementwise). */
  localText: string;
  /** The product computed from ȳ and the local derivative (flat, row-major), where the numbers allow it. */
  product?: number[];
  /** Set at the step that gives the input its last share, when it has several: their sum. */
  sum?: { equation: string; parts: TensorSummary[]; total?: TensorSummary };
}

/** One step: the node whose rule runs, what arrives at it and what leaves along each input edge. */
export interface StepView {
  index: number;
  node: GraphNode;
  /** `add`, `tanh · o`: the node as the step list shows it. */
  title: string;
  /** ȳ = ∂L/∂node = … */
  gradIn: string;
  terms: StepTerm[];
}

/** The name a node goes by in equations: its own, else its op (made unique with its id when another shares it). */
export function symbolNames(s: GraphSnapshot): Map<string, string> {
  const base = new Map(s.nodes.map((n) => [n.id, n.name ?? n.op ?? n.id]));
  const count = new Map<string, number>();
  for (const b of base.values()) count.set(b, (count.get(b) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const n of s.nodes) {
    const b = base.get(n.id)!;
    names.set(n.id, (count.get(b) ?? 0) > 1 && !n.name ? `${b}${subscript(n.id)}` : b);
  }
  return names;
}

function subscript(id: string): string {
  const digits = '₀₁₂₃₄₅₆₇₈₉';
  return id.replace(/^t/, '').replace(/\d/g, (d) => digits[Number(d)]);
}

const num = (x: number) => formatNumber(x, DIGITS);

/** Flat values as an array literal in the tensor's shape: 2, [1, 2], [[1, 2], [3, 4]]. */
function nested(values: readonly number[], shape: readonly number[]): string {
  if (shape.length === 0) return num(values[0]);
  const inner = sizeOf(shape.slice(1)), parts: string[] = [];
  for (let k = 0; k < shape[0]; k++) parts.push(nested(values.slice(k * inner, (k + 1) * inner), shape.slice(1)));
  return `[${parts.join(', ')}]`;
}

/**
 * A tensor summary in an equation: its values when they are few, else its shape and norm.
 * @example tensorText({ shape: [2], values: [1, 2], ... }) === '[1, 2]'
 */
export function tensorText(s: TensorSummary | undefined): string {
  if (!s) return '?';
  const n = sizeOf(s.shape);
  if (s.values && s.values.length === n && n <= SHOWN_VALUES) return nested(s.values, s.shape);
  return `(${s.shape.join('×')} tensor, ‖·‖ ${num(s.norm)})`;
}

function valuesText(values: readonly number[], shape: readonly number[]): string {
  return values.length <= SHOWN_VALUES ? nested(values, shape) : `(${shape.join('×')} tensor)`;
}

/** A Jacobian as rows of numbers: [[a, b], [c, d]]. */
export function matrixText(j: NonNullable<LocalDerivative['jacobian']>): string {
  return nested(j.values, [j.rows, j.cols]);
}

/** A negative number after an operator, in brackets: 1 · (-1.5), 0.79 + (-1.18). */
const operand = (text: string) => (text.startsWith('-') ? `(${text})` : text);

/** Full values of a summary, when it lists them all. */
function valuesOf(s: TensorSummary | undefined): number[] | undefined {
  return s?.values && s.values.length === sizeOf(s.shape) ? s.values : undefined;
}

/** Sums `values` of shape `from` over the dims broadcast from `to` (un-broadcasting, as backward() does). */
export function sumToShape(values: readonly number[], from: readonly number[], to: readonly number[]): number[] | undefined {
  if (from.length < to.length) return undefined;
  const off = from.length - to.length;
  for (let d = 0; d < to.length; d++) if (to[d] !== from[d + off] && to[d] !== 1) return undefined;
  const out = new Array<number>(sizeOf(to)).fill(0);
  const idx = new Array<number>(from.length).fill(0);
  for (let k = 0; k < values.length; k++) {
    let flat = 0;
    for (let d = 0; d < to.length; d++) flat = flat * to[d] + (to[d] === 1 ? 0 : idx[d + off]);
    out[flat] += values[k];
    for (let d = from.length - 1; d >= 0; d--) { if (++idx[d] < from[d]) break; idx[d] = 0; }
  }
  return out;
}

/** rows×inner times inner×cols, flat row-major. */
function matmul(a: readonly number[], b: readonly number[], rows: number, inner: number, cols: number): number[] {
  const out = new Array<number>(rows * cols).fill(0);
  for (let r = 0; r < rows; r++) for (let k = 0; k < inner; k++) for (let c = 0; c < cols; c++) out[r * cols + c] += a[r * inner + k] * b[k * cols + c];
  return out;
}

function transposed(x: readonly number[], rows: number, cols: number): number[] {
  const out = new Array<number>(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/**
 * ȳ times the local derivative, from the numbers the snapshot carries: the Jacobian where there is one, else
 * the elementwise or one-element derivative, else the 2-D matmul operand; undefined where they are not all there.
 */
export function vjpProduct(gradIn: TensorSummary | undefined, local: LocalDerivative, outShape: readonly number[],
  inShape: readonly number[]): number[] | undefined {
  const y = valuesOf(gradIn), v = valuesOf(local.values);
  if (!y) return undefined;
  if (local.jacobian && local.jacobian.rows === y.length) return matmul(y, local.jacobian.values, 1, y.length, local.jacobian.cols);
  if (!v) return undefined;
  if (local.kind === 'scalar' && y.length === 1) return v.map((d) => y[0] * d);
  if (local.kind === 'elementwise' && v.length === y.length) return sumToShape(y.map((g, k) => g * v[k]), outShape, inShape);
  if (local.kind === 'matmul' && local.matmul && outShape.length === 2 && local.values!.shape.length === 2) {
    const [m, n] = outShape, [r, c] = local.values!.shape, yT = transposed(y, m, n);
    const p = local.matmul === 'ȳ·M' ? r === n && matmul(y, v, m, n, c)
      : local.matmul === 'M·ȳ' ? c === m && matmul(v, y, r, m, n)
        : local.matmul === 'M·ȳᵀ' ? c === n && matmul(v, yT, r, n, m)
          : r === m && matmul(yT, v, n, m, c);
    return p && p.length === sizeOf(inShape) ? p : undefined;
  }
  return undefined;
}

/** What the op's local derivative is, in one line (the Jacobian itself, when there is one, is drawn apart). */
function localText(local: LocalDerivative, formula: string, out: string, input: string): string {
  const d = `∂${out}/∂${input}`, values = tensorText(local.values);
  switch (local.kind) {
    case 'elementwise': return `${d} = ${formula} = ${values} (elementwise: ȳ is multiplied entry by entry${local.values ? '' : '; too large to list'})`;
    case 'scalar': return `${d} = ${formula ? `${formula} = ` : ''}${values}`;
    case 'matmul': return `matmul multiplies ȳ by ${formula} = ${values}`;
    case 'linear': return `no multiplication by numbers: ${formula}`;
    default: return local.jacobian ? `${d}: the Jacobian below (from the op's own vector-Jacobian product)` : `${d}: not listed (the op is large; the share is the engine's)`;
  }
}

/** A factor of a product in brackets when it has several terms: 1 − o² becomes (1 − o²). */
function grouped(formula: string, kind: LocalDerivative['kind']): string {
  return kind !== 'linear' && kind !== 'other' && / [−+] |\?/.test(formula) && !/^\(.*\)$/.test(formula) ? `(${formula})` : formula;
}

/** The formula with `$0`, `$1`, `$out` replaced by the nodes' names. */
function named(formula: string, step: BackwardStep, into: readonly GraphEdge[], names: Map<string, string>): string {
  const argNames = new Map<number, string>();
  for (const e of into) argNames.set(e.argIndex, names.get(e.from) ?? e.from);
  return formula.replace(/\$(out|\d+)/g, (_m, k: string) => (k === 'out' ? names.get(step.node) ?? 'out' : argNames.get(Number(k)) ?? `x${k}`));
}

function equationOf(t: { input: StepInput; formula: string }, dL: (id: string) => string, name: (id: string) => string,
  node: GraphNode, inShape: readonly number[], product: number[] | undefined, share: TensorSummary | undefined): string {
  const { local } = t.input;
  const lhs = dL(t.input.from), yBar = dL(node.id), y = tensorText(node.grad);
  const result = product ? valuesText(product, inShape) : tensorText(share);
  const factor = operand(local.jacobian && local.kind !== 'elementwise' && local.kind !== 'matmul' ? matrixText(local.jacobian) : tensorText(local.values));
  switch (local.kind) {
    case 'elementwise': return `${lhs} = ${yBar} ⊙ ${t.formula} = ${y} ⊙ ${factor} = ${result}`;
    case 'scalar': return `${lhs} = ${yBar} · ${t.formula || `∂${name(node.id)}/∂${name(t.input.from)}`} = ${y} · ${factor} = ${result}`;
    case 'matmul': {
      const M = operand(tensorText(local.values)), yT = `(${yBar})ᵀ`;
      switch (local.matmul) {
        case 'M·ȳ': return `${lhs} = ${t.formula} · ${yBar} = ${M} · ${y} = ${result}`;
        case 'M·ȳᵀ': return `${lhs} = ${t.formula} · ${yT} = ${M} · ${y}ᵀ = ${result}`;
        case 'ȳᵀ·M': return `${lhs} = ${yT} · ${t.formula} = ${y}ᵀ · ${M} = ${result}`;
        default: return `${lhs} = ${yBar} · ${t.formula} = ${y} · ${M} = ${result}`;
      }
    }
    case 'linear': return local.jacobian ? `${lhs} = ${t.formula} = ${y} · J = ${y} · ${factor} = ${result}` : `${lhs} = ${t.formula} = ${result}`;
    default: return local.jacobian ? `${lhs} = ${yBar} · J = ${y} · ${factor} = ${result}` : `${lhs} = VJP of ${node.op ?? 'the op'}(${yBar}) = ${result}`;
  }
}

/**
 * The snapshot's backward steps as text, in the order backward() ran them; [] when it has none.
 * @example buildSteps(snapshot)[0].terms[0].equation // '∂L/∂w = ∂L/∂mul · x = 1 · 2 = 2'
 */
export function buildSteps(s: GraphSnapshot): StepView[] {
  const steps = s.backwardSteps ?? [];
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  const names = symbolNames(s);
  const root = byId.get(s.root);
  const L = root?.name ?? 'L';
  const dL = (id: string) => (id === s.root ? `∂${L}/∂${L}` : `∂${L}/∂${names.get(id) ?? id}`);
  const edgesInto = new Map<string, GraphEdge[]>();
  for (const e of s.edges) { const list = edgesInto.get(e.to); if (list) list.push(e); else edgesInto.set(e.to, [e]); }
  const edgeOf = (step: BackwardStep, x: StepInput) => edgesInto.get(step.node)?.find((e) => e.from === x.from && e.argIndex === x.argIndex);
  // the last step giving each tensor a share, and how many shares it gets
  const last = new Map<string, number>(), sharesOf = new Map<string, Array<[BackwardStep, StepInput]>>();
  steps.forEach((st, k) => {
    for (const x of st.inputs) { last.set(x.from, k); const l = sharesOf.get(x.from); if (l) l.push([st, x]); else sharesOf.set(x.from, [[st, x]]); }
  });
  const views: StepView[] = [];
  steps.forEach((step, k) => {
    const node = byId.get(step.node);
    if (!node) return;
    const terms = step.inputs.map((input): StepTerm => {
      const from = byId.get(input.from)!, edge = edgeOf(step, input);
      const formula = input.local.formula ? grouped(named(input.local.formula, step, edgesInto.get(step.node) ?? [], names), input.local.kind) : '';
      const product = vjpProduct(node.grad, input.local, node.shape, from.shape);
      const term: StepTerm = { input, from, edge, formula, equation: '', localText: localText(input.local, formula, names.get(node.id) ?? node.id, names.get(from.id) ?? from.id), product };
      term.equation = equationOf(term, dL, (id) => names.get(id) ?? id, node, from.shape, product, edge?.grad);
      if (last.get(input.from) === k && (sharesOf.get(input.from)?.length ?? 0) > 1 && step.inputs.filter((x) => x.from === input.from).at(-1) === input) {
        const parts = (sharesOf.get(input.from) ?? []).map(([st, x]) => edgeOf(st, x)?.grad).filter((g): g is TensorSummary => g !== undefined);
        term.sum = {
          parts, total: from.grad,
          equation: `${dL(input.from)} = ${parts.map((p, i) => (i ? operand(tensorText(p)) : tensorText(p))).join(' + ')} = ${tensorText(from.grad)}`,
        };
      }
      return term;
    });
    const title = node.name ? `${node.op ?? 'leaf'} · ${node.name}` : names.get(node.id) ?? node.id;
    views.push({ index: views.length, node, title, gradIn: `ȳ = ${dL(node.id)} = ${tensorText(node.grad)}`, terms });
  });
  return views;
}

/** One path of the chain rule from the loss down to a leaf: the nodes passed and the factor of each edge. */
export interface ChainPath {
  /** Node ids, the loss first, the leaf last. */
  nodes: string[];
  /** ∂(node k)/∂(node k+1) at this run's numbers. */
  factors: number[];
  product: number;
}

/** The most paths listed (their number can grow exponentially with depth). */
export const MAX_PATHS = 24;

/**
 * The chain rule from the loss to `leaf` in a graph of one-element tensors: every path, the product of the
 * local derivatives along it, and the sum over paths (which is the leaf's gradient). Undefined when the graph
 * is not scalar or a factor is missing.
 * @example chainPaths(s, 't2')?.text // '∂L/∂w = 1 · 2 + 1 · 0.42 · 2 = 2.84'
 */
export function chainPaths(s: GraphSnapshot, leaf: string): { paths: ChainPath[]; total: number; more: boolean; text: string } | undefined {
  if (!s.backwardSteps?.length || s.nodes.some((n) => sizeOf(n.shape) !== 1)) return undefined;
  const factorInto = new Map<string, Array<{ from: string; factor: number | undefined }>>();
  for (const st of s.backwardSteps) {
    factorInto.set(st.node, st.inputs.map((x) => {
      const v = valuesOf(x.local.values) ?? x.local.jacobian?.values;
      return { from: x.from, factor: v && v.length === 1 ? v[0] : undefined };
    }));
  }
  const paths: ChainPath[] = [];
  let more = false, missing = false;
  // depth first from the loss, iterative; each stack entry is a partial path
  const stack: ChainPath[] = [{ nodes: [s.root], factors: [], product: 1 }];
  while (stack.length) {
    const p = stack.pop()!, at = p.nodes.at(-1)!;
    if (at === leaf) {
      if (paths.length >= MAX_PATHS) { more = true; break; }
      paths.push(p);
      continue;
    }
    for (const { from, factor } of (factorInto.get(at) ?? []).slice().reverse()) {
      if (factor === undefined) { missing = true; continue; }
      stack.push({ nodes: [...p.nodes, from], factors: [...p.factors, factor], product: p.product * factor });
    }
  }
  if (missing && !paths.length) return undefined;
  const names = symbolNames(s), L = s.nodes.find((n) => n.id === s.root)?.name ?? 'L';
  const total = paths.reduce((a, p) => a + p.product, 0);
  const terms = paths.map((p) => p.factors.map((f, i) => (i ? operand(num(f)) : num(f))).join(' · '));
  const text = `∂${L}/∂${names.get(leaf) ?? leaf} = ${terms.length ? terms.join(' + ') : '0'}${more ? ' + …' : ''} = ${num(total)}`;
  return { paths, total, more, text };
}
