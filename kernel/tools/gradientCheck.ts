/*
 * Checks the gradients of a recorded backward() against finite differences, by replaying its graph.
 *
 * The graph is recomputed in float64 from its leaves (each op's `replay`, under noGrad), with one leaf element
 * nudged by ±eps at a time: (f(x+eps) − f(x−eps)) / 2eps, where f = Σ seed·root, is dLoss/dx for that element.
 * Two checks come out of it:
 *
 * - per parameter (every leaf that requires grad): the gradient backward() gave it against the numeric one,
 *   end to end. Big tensors are sampled (`sampleSize` elements, always including the largest gradient).
 * - per edge: each op's own vector-Jacobian product, on its own, against nudging that op's input and replaying
 *   only that op. This is what names the culprit: a customGrad with a wrong gradient fails on its edges only.
 *
 * It also says when the numbers cannot be trusted: a graph whose replay does not give the same value twice (or
 * not the recorded one) uses randomness; an input of relu/abs/max/min/clamp/maximum/minimum within eps of its
 * kink makes the one-sided slopes differ there.
 */
import { broadcastTo, Generator, noGrad, replay, reshape, sum, Tensor, tensor } from '../engine';
import { nodeId } from '../engine/trace';
import { inputsFirst } from '../engine/graphWalk';
import { centralDifference, ErrorTally, multiIndex } from '../engine/finiteDifferences';
import { graphTensors, LastBackward } from '../outputs/backwardLog';

export interface GradientCheckOptions {
  /** Nudge size (default 1e-6). */
  eps?: number;
  /** An element passes when |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-5 and 1e-3). */
  atol?: number;
  rtol?: number;
  /** Elements checked per tensor; bigger tensors are sampled (default 64). */
  sampleSize?: number;
  /** Seed of the sample (default 0: the same elements every time). */
  seed?: number;
  /** Names for tensors that have no `name` (e.g. the variable holding them). */
  names?: Map<Tensor, string>;
  /** Check only this leaf: its gradient, and the rules of the ops it feeds. */
  only?: Tensor;
  /** Check each op's rule on its own (default true; needs the recorded edge shares of this very backward). */
  edges?: boolean;
}

export interface ElementError {
  /** Multi-index into the tensor's shape. */
  index: number[];
  analytic: number;
  numeric: number;
}

export interface ParamCheck {
  name: string;
  /** Graph node id (`t<id>`, as in the graph snapshot). */
  node: string;
  shape: number[];
  size: number;
  /** Elements compared (size, unless sampled). */
  checked: number;
  maxAbsError: number;
  /** max |analytic − numeric| / max(|analytic|, |numeric|), 0 where both are 0. */
  maxRelError: number;
  worst: ElementError;
  ok: boolean;
}

export interface EdgeCheck {
  from: string;
  to: string;
  argIndex: number;
  /** The op of `to` whose gradient rule was checked. */
  op: string;
  /** True when that op has inputs within eps of its kink: a failure there says little about the rule. */
  atKink: boolean;
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  worst: ElementError;
  ok: boolean;
}

export interface KinkReport {
  op: string;
  node: string;
  /** Elements of the op's input(s) within eps of the kink. */
  count: number;
}

export interface GradientCheckReport {
  ok: boolean;
  eps: number; atol: number; rtol: number; sampleSize: number;
  /** The dtype the graph was recorded in (the check itself always runs in float64). */
  dtype: string;
  params: ParamCheck[];
  edges: EdgeCheck[];
  /** Ops with at least one failing edge away from a kink, each once: the gradient rules that look wrong. */
  failingOps: string[];
  /** Set when replaying the graph is not deterministic: why. */
  randomness?: string;
  kinks: KinkReport[];
  /** True when any tensor was sampled rather than checked whole. */
  sampled: boolean;
  /** Ops nodes of the graph and replays run. */
  nodes: number;
  replays: number;
}

const KINK_OPS = new Set(['relu', 'leakyRelu', 'abs', 'clamp', 'max', 'min', 'maximum', 'minimum', 'sign', 'floor', 'ceil', 'round']);
/** Ops that draw random numbers when they run (none in the engine's table yet; custom ops may). */
const RANDOM_OPS = new Set(['dropout']);

function f64(data: ArrayLike<number>, shape: readonly number[]): Tensor {
  return tensor(Float64Array.from(data), { shape: [...shape] });
}

/** Which elements to nudge: all of them, or `k` distinct ones (the largest |gradient| always among them). */
export function sampleIndices(size: number, k: number, grad: ArrayLike<number>, gen: Generator): number[] {
  if (size <= k) return Array.from({ length: size }, (_, i) => i);
  let top = 0;
  for (let i = 1; i < size; i++) if (Math.abs(grad[i]) > Math.abs(grad[top])) top = i;
  const picked = new Set<number>([top]);
  while (picked.size < k) picked.add(Math.floor(gen.uniform() * size));
  return [...picked].sort((a, b) => a - b);
}

/** The tally's numbers as a report gives them. */
function errorsOf(t: ErrorTally, shape: readonly number[]) {
  const { flat, analytic, numeric } = t.worst;
  return { checked: t.checked, maxAbsError: t.maxAbs, maxRelError: t.maxRel, worst: { index: multiIndex(flat, shape), analytic, numeric }, ok: t.ok };
}

/** One op recomputed in float64 from float64 inputs (a cast back to float32 would undo the point). */
function replayOp(t: Tensor, inputs: Tensor[]): Tensor {
  const out = t.node!.op === 'cast' ? inputs[0] : replay(t, inputs);
  return out.dtype === 'float64' ? out : f64(out.data, out.shape);
}

/**
 * The graph in evaluation order with, for each leaf, the ops downstream of it: nudging a leaf only recomputes
 * what depends on it.
 */
class Replayer {
  /** Op tensors, inputs before outputs. */
  readonly order: Tensor[];
  /** Leaves' values, then (after the first full run) every tensor's unnudged value. */
  private base = new Map<Tensor, Tensor>();
  replays = 0;

  constructor(private readonly root: Tensor, private readonly seed: Float64Array, ops: Tensor[], leaves: Tensor[],
    leafValues: Map<Tensor, Float64Array>) {
    // op tensors, inputs first (as backward() orders them)
    const inGraph = new Set(ops);
    this.order = inputsFirst(ops, (x) => inGraph.has(x));
    for (const leaf of leaves) this.base.set(leaf, f64(leafValues.get(leaf) ?? leaf.data, leaf.shape));
  }

  /**
   * Values of every tensor, replayed from the leaves' values (`over` replaces some leaves). With `only`, just
   * those ops are recomputed and the rest keep their values from `fix()`.
   */
  run(over?: Map<Tensor, Tensor>, only?: readonly Tensor[]): Map<Tensor, Tensor> {
    this.replays++;
    const values = new Map<Tensor, Tensor>(this.base);
    if (over) for (const [t, v] of over) values.set(t, v);
    noGrad(() => {
      for (const t of only ?? this.order) values.set(t, replayOp(t, t.node!.inputs.map((x) => values.get(x)!)));
    });
    return values;
  }

  /** Takes these values as the unnudged point, for later runs with `only`. */
  fix(values: Map<Tensor, Tensor>): void {
    this.base = values;
  }

  /** Σ seed · root for one replay. */
  objective(values: Map<Tensor, Tensor>): number {
    const r = values.get(this.root)!.data;
    let s = 0;
    for (let i = 0; i < r.length; i++) s += this.seed[i] * r[i];
    return s;
  }

  /** The ops that depend on `leaf`, in evaluation order. */
  downstream(leaf: Tensor): Tensor[] {
    const hit = new Set<Tensor>([leaf]);
    const out: Tensor[] = [];
    for (const t of this.order) if (t.node!.inputs.some((x) => hit.has(x))) { hit.add(t); out.push(t); }
    return out;
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y || (x !== x && y !== y)) continue;
    if (!(Math.abs(x - y) <= tol * Math.max(1, Math.abs(x), Math.abs(y)))) return false;
  }
  return true;
}

/** Elements of an op's input within `eps` of the op's kink, from the replayed (float64) values. */
function kinkCount(t: Tensor, values: Map<Tensor, Tensor>, eps: number): number {
  const node = t.node!, xs = node.inputs.map((x) => values.get(x)!);
  const near = (d: ArrayLike<number>, at: (v: number, i: number) => boolean): number => {
    let n = 0;
    for (let i = 0; i < d.length; i++) if (at(d[i], i)) n++;
    return n;
  };
  switch (node.op) {
    case 'relu': case 'leakyRelu': case 'abs': case 'sign':
      return near(xs[0].data, (v) => Math.abs(v) <= eps);
    // the step functions jump at integers (round: at halves)
    case 'floor': case 'ceil':
      return near(xs[0].data, (v) => Math.abs(v - Math.round(v)) <= eps);
    case 'round':
      return near(xs[0].data, (v) => Math.abs(v - Math.floor(v) - 0.5) <= eps);
    case 'clamp': {
      const lo = node.args.min ?? -Infinity, hi = node.args.max ?? Infinity;
      return near(xs[0].data, (v) => Math.abs(v - lo) <= eps || Math.abs(v - hi) <= eps);
    }
    case 'maximum': case 'minimum': {
      const shape = values.get(t)!.shape;
      const a = noGrad(() => broadcastTo(xs[0], shape)).data, b = noGrad(() => broadcastTo(xs[1], shape)).data;
      return near(a, (v, i) => Math.abs(v - b[i]) <= eps);
    }
    case 'max': case 'min': {
      // a tie: two or more elements of a reduced group within eps of the group's extreme
      const x = xs[0], axes = node.args.axes ?? x.shape.map((_, d) => d);
      const kept = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
      return noGrad(() => {
        const extreme = broadcastTo(reshape(values.get(t)!, kept), x.shape).data;
        const mask = f64(Array.from(x.data, (v, i) => (Math.abs(v - extreme[i]) <= eps ? 1 : 0)), x.shape);
        const counts = sum(mask, axes).data;
        let ties = 0;
        for (let i = 0; i < counts.length; i++) if (counts[i] > 1) ties += counts[i];
        return ties;
      });
    }
    default:
      return 0;
  }
}

/**
 * Checks the gradients of a recorded backward() (see the top of this file).
 * @example const report = checkBackward(lastBackward()!, { sampleSize: 32 }); report.ok
 */
export function checkBackward(rec: LastBackward, opts: GradientCheckOptions = {}): GradientCheckReport {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3, sampleSize = opts.sampleSize ?? 64;
  if (!(eps > 0)) throw new Error(`gradient check: eps must be > 0, got ${eps}`);
  if (!(Number.isInteger(sampleSize) && sampleSize >= 1)) throw new Error(`gradient check: sampleSize must be a positive integer, got ${sampleSize}`);
  const { root } = rec;
  const { ops, leaves } = graphTensors(root);
  const replayer = new Replayer(root, rec.seed, ops, leaves, rec.leafValues);
  const gen = new Generator(opts.seed ?? 0);
  const nameOf = (t: Tensor): string => t.name ?? opts.names?.get(t) ?? nodeId(t);

  // Determinism: the same point twice, and against what was recorded.
  const base = replayer.run();
  const again = replayer.run();
  replayer.fix(base);
  let randomness: string | undefined;
  const randomOps = ops.filter((t) => RANDOM_OPS.has(t.node!.op)).map((t) => t.node!.op);
  if (randomOps.length) randomness = `the graph has ops that draw random numbers (${[...new Set(randomOps)].join(', ')})`;
  else if (!sameValues(base.get(root)!.data, again.get(root)!.data, 0)) {
    randomness = 'replaying the graph twice at the same point gave different values';
  } else if (!sameValues(base.get(root)!.data, root.data, root.dtype === 'float32' ? 1e-4 : 1e-9)) {
    randomness = 'replaying the graph does not give the recorded value (randomness, or an input changed in place since)';
  }

  const kinks: KinkReport[] = [];
  for (const t of replayer.order) {
    if (!KINK_OPS.has(t.node!.op)) continue;
    const count = kinkCount(t, base, eps);
    if (count > 0) kinks.push({ op: t.node!.op, node: nodeId(t), count });
  }

  const kinked = new Set(kinks.map((k) => k.node));
  let sampled = false;
  // End to end, per parameter.
  const params: ParamCheck[] = [];
  for (const leaf of leaves) {
    const analytic = rec.leafGrads.get(leaf);
    if (!leaf.requiresGrad || !analytic || (opts.only && leaf !== opts.only)) continue;
    const only = replayer.downstream(leaf);
    const x = f64(base.get(leaf)!.data, leaf.shape);
    const idx = sampleIndices(leaf.size, sampleSize, analytic, gen);
    if (idx.length < leaf.size) sampled = true;
    const tally = new ErrorTally(atol, rtol);
    const objective = () => [replayer.objective(replayer.run(new Map([[leaf, x]]), only))];
    for (const i of idx) tally.add(i, analytic[i], centralDifference(x.data, i, eps, objective)[0]);
    params.push({ name: nameOf(leaf), node: nodeId(leaf), shape: [...leaf.shape], size: leaf.size, ...errorsOf(tally, leaf.shape) });
  }

  // Each op's rule on its own: nudge one input of one op, replay that op, weigh the change by the op's gradient.
  const edges: EdgeCheck[] = [];
  for (const t of replayer.order) {
    const node = t.node!, g = node.grad;
    if (!g || !node.edgeGrads || opts.edges === false) continue;
    const gd = g.data;
    node.inputs.forEach((x, argIndex) => {
      const share = node.edgeGrads![argIndex];
      if (!share || !x.requiresGrad || (opts.only && x !== opts.only)) return;
      const inputs = node.inputs.map((y) => base.get(y)!);
      const nudged = f64(inputs[argIndex].data, x.shape);
      inputs[argIndex] = nudged;
      const idx = sampleIndices(x.size, sampleSize, share.data, gen);
      if (idx.length < x.size) sampled = true;
      const tally = new ErrorTally(atol, rtol);
      // the op's output weighed by its gradient: Σ g·op(inputs)
      const weighed = () => {
        replayer.replays++;
        const y = noGrad(() => replayOp(t, inputs)).data;
        let s = 0;
        for (let j = 0; j < y.length; j++) s += gd[j] * y[j];
        return [s];
      };
      for (const i of idx) tally.add(i, share.data[i], centralDifference(nudged.data, i, eps, weighed)[0]);
      edges.push({ from: nodeId(x), to: nodeId(t), argIndex, op: node.op, atKink: kinked.has(nodeId(t)), ...errorsOf(tally, x.shape) });
    });
  }

  const failingOps = [...new Set(edges.filter((e) => !e.ok && !e.atKink).map((e) => e.op))];
  return {
    ok: params.every((p) => p.ok) && edges.every((e) => e.ok),
    eps, atol, rtol, sampleSize, dtype: root.dtype, params, edges, failingOps, randomness, kinks, sampled,
    nodes: ops.length, replays: replayer.replays,
  };
}
