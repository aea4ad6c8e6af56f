// Graph snapshots: the recorded graph behind a tensor as plain JSON data (the GraphSnapshot of docs/graph-format.md),
// every value and gradient reduced to a TensorSummary. The walk is iterative (breadth first from the root), so
// chains of any length are fine, and truncation keeps the nodes nearest the root.
import { leafShares, tensorsBehind } from './graphWalk';
import { backwardSteps, type BackwardStep } from './stepThrough';
import { checkOptions } from './options';
import { Tensor } from './tensor';

/** A number as JSON can carry it: non-finite values are written as strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** A tensor reduced to JSON-safe statistics (values too when it is small), as graphs show it. */
export interface TensorSummary {
  /** The tensor's shape. */
  shape: number[];
  /** Every value, where size <= 16. */
  values?: JsonNumber[];
  /** The mean of the values. */
  mean: JsonNumber;
  /** The population standard deviation. */
  std: JsonNumber;
  /** The smallest value. */
  min: JsonNumber;
  /** The largest value. */
  max: JsonNumber;
  /** The L2 norm. */
  norm: JsonNumber;
  /** Count of NaN entries. */
  nan: number;
  /** Count of ±Infinity entries. */
  inf: number;
}

/** One tensor of a graph snapshot. */
export interface GraphNode {
  /** A stable id, unique within the kernel ('t42'). */
  id: string;
  /** 'leaf' for tensors made by the user, 'op' for results of ops. */
  kind: 'leaf' | 'op';
  /** The op that made it (for kind 'op'). */
  op?: string;
  /** The tensor's name, if it has one. */
  name?: string;
  /** The module path it belongs to ('layers.0'), set by nn. */
  group?: string;
  /** The tensor's shape. */
  shape: number[];
  /** Whether it requires grad. */
  requiresGrad: boolean;
  /** Its values, summarised. */
  value: TensorSummary;
  /** dRoot/dNode of the latest backward, summarised (nodes that require grad, after backward()). */
  grad?: TensorSummary;
  /**
   * A leaf's `.grad`, summarised, where it differs from `grad`: it also holds earlier backward() calls' gradients
   * (accumulated without zeroGrad() between them).
   */
  accumulatedGrad?: TensorSummary;
}

/** One argument of an op: from the input's node to the result's. */
export interface GraphEdge {
  /** The input's node id. */
  from: string;
  /** The op result's node id. */
  to: string;
  /** Which argument of the op the input is (0 for a in a.sub(b)). */
  argIndex: number;
  /** The input's share of dRoot/dInput through this op, summarised (after backward(), inputs that require grad). */
  grad?: TensorSummary;
  /** Set by a gradient check of the graph (never by traceGraph): whether this edge's rule agreed with finite differences. */
  check?: 'pass' | 'fail';
}

/**
 * The computation graph behind a tensor as plain JSON data (what traceGraph returns and the notebook renderer draws).
 * @example display(traceGraph(loss))
 */
export interface GraphSnapshot {
  /** The format's version. */
  version: 1;
  /** A unique id of this snapshot. */
  id: string;
  /** The 1-based count of backward() calls this snapshot belongs to. */
  step: number;
  /** The root node's id. */
  root: string;
  /** Every tensor shown, nearest the root first. */
  nodes: GraphNode[];
  /** Every argument of every shown op whose input is shown. */
  edges: GraphEdge[];
  /** Set when nodes were left out (maxNodes): how many there are and how many are shown. */
  truncated?: { totalNodes: number; shownNodes: number };
  /**
   * After backward(): its steps in the order it ran them, each node's local derivatives per input edge, for
   * watching the gradient flow node by node (see stepThrough.ts).
   */
  backwardSteps?: BackwardStep[];
  /** Set by the kernel (never by traceGraph) when a value or gradient is NaN or ±Infinity: where the first came from. */
  nonFinite?: NonFiniteMark;
}

/** The node that made a graph's first NaN or ±Infinity (findNonFinite), as the kernel marks it in a snapshot. */
export interface NonFiniteMark {
  /** The node's id: the op's result (forward, backward) or the leaf. */
  node: string;
  /** 'forward': the op made the value; 'backward': its gradient rule did; 'leaf': the value came in as data. */
  phase: 'forward' | 'backward' | 'leaf';
  /** The op, e.g. 'log'. */
  op?: string;
  /** The bad value. */
  value: 'NaN' | 'Infinity' | '-Infinity';
  /** One line that says it, e.g. `log(-1) = NaN`. */
  message: string;
  /** The cell that called the op, as errors name it ('cell[3]'). */
  cell?: string;
  /** The 1-based line in that cell. */
  line?: number;
}

/** Options of traceGraph. @example traceGraph(loss, { maxNodes: 50 }) */
export interface TraceOptions {
  /** Keep at most this many nodes, the nearest the root (default 500). */
  maxNodes?: number;
  /** The 1-based count of backward() calls this snapshot belongs to (default 1; the kernel sets it). */
  step?: number;
  /** Include the steps of the latest backward() (`backwardSteps`; default true). */
  steps?: boolean;
}

/** How many values a summary lists. */
const MAX_VALUES = 16;

function jsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** Summary statistics of raw values; as in PyTorch, one NaN makes every statistic NaN. std is the population one. */
function summarizeValues(shape: readonly number[], data: ArrayLike<number>): TensorSummary {
  const n = data.length;
  let nan = 0, inf = 0, sum = 0, sumSq = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = data[i];
    if (x !== x) { nan++; continue; }
    if (x === Infinity || x === -Infinity) inf++;
    sum += x; sumSq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  let mean = n > 0 ? sum / n : NaN;
  let variance = 0;
  if (n > 0 && inf === 0) {
    for (let i = 0; i < n; i++) { const d = data[i] - mean; variance += d * d; }
    variance /= n;
  } else variance = NaN;
  let norm = Math.sqrt(sumSq);
  if (nan > 0) { mean = NaN; variance = NaN; min = NaN; max = NaN; norm = NaN; }
  if (n === 0) { min = NaN; max = NaN; }
  const summary: TensorSummary = {
    shape: [...shape],
    mean: jsonNumber(mean), std: jsonNumber(Math.sqrt(variance)), min: jsonNumber(min), max: jsonNumber(max),
    norm: jsonNumber(norm), nan, inf,
  };
  if (n <= MAX_VALUES) summary.values = Array.from(data, jsonNumber);
  return summary;
}

/**
 * A tensor's shape, values (up to 16), mean, std, min, max, L2 norm and NaN/Infinity counts, as JSON-safe data.
 * @example summarize(tensor([1, 2, 3])) // { shape: [3], values: [1, 2, 3], mean: 2, ... }
 */
export function summarize(t: Tensor): TensorSummary {
  return summarizeValues(t.shape, t.data);
}

let snapshotCount = 0;
/**
 * Whether a leaf's `.grad` differs from this backward's sum of its shares by more than rounding (the sum is taken
 * in float64 here, the `.grad` in the tensor's dtype and in another order).
 */
function differs(grad: Tensor, share: ArrayLike<number>): boolean {
  const tol = grad.dtype === 'float32' ? 1e-5 : 1e-12, d = grad.data;
  for (let i = 0; i < d.length; i++) {
    const a = d[i], b = share[i];
    if (a === b || (a !== a && b !== b)) continue;
    if (!(Math.abs(a - b) <= tol * (Math.abs(a) + Math.abs(b)))) return true;
  }
  return false;
}

// Ids stay unique across kernel restarts: the load time and a random tag, then a counter.
const sessionTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * The id of a tensor's node in every graph snapshot (and in gradient-check reports, which name the same nodes):
 * the one place this contract is written.
 */
export function nodeId(t: Tensor): string {
  return `t${t.id}`;
}

/**
 * The computation graph behind `root` as a GraphSnapshot (see docs/graph-format.md): one node per tensor, one edge per
 * argument of each op. After `root.backward()` each node that requires grad carries `grad` (dRoot/dNode for
 * this backward: for a leaf, the sum of its edges' shares, so a `.grad` accumulated over earlier calls does not
 * leak in), and each edge from an input that requires grad carries that input's share of it.
 * @example const loss = x.mul(w).sum(); loss.backward(); const g = traceGraph(loss); g.nodes.length // 4
 */
export function traceGraph(root: Tensor, opts: TraceOptions = {}): GraphSnapshot {
  if (!(root instanceof Tensor)) throw new Error('traceGraph: root must be a tensor');
  checkOptions('traceGraph', opts, ['maxNodes', 'step', 'steps']);
  const maxNodes = opts.maxNodes ?? 500;
  if (!Number.isInteger(maxNodes) || maxNodes < 1) throw new Error(`traceGraph: maxNodes must be a positive integer, got ${maxNodes}`);
  const step = opts.step ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new Error(`traceGraph: step must be a positive integer, got ${step}`);

  const order = tensorsBehind(root);
  const shown = order.length > maxNodes ? order.slice(0, maxNodes) : order;
  const kept = new Set(shown);

  // Each shown leaf's gradient for this backward: the sum of the shares on its outgoing edges, over the whole
  // graph (so truncation does not change it).
  const leafGrads = leafShares(order, (leaf) => kept.has(leaf));

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const t of shown) {
    const node = t.node;
    const out: GraphNode = {
      id: nodeId(t), kind: node ? 'op' : 'leaf', shape: [...t.shape], requiresGrad: t.requiresGrad, value: summarize(t),
    };
    if (node) out.op = node.op;
    if (t.name !== undefined) out.name = t.name;
    if (t.group !== undefined) out.group = t.group;
    const g = node ? node.grad : t === root ? t.grad : null;
    const leafGrad = leafGrads.get(t);
    if (g) out.grad = summarize(g);
    else if (leafGrad) {
      out.grad = summarizeValues(t.shape, leafGrad);
      if (t.grad && differs(t.grad, leafGrad)) out.accumulatedGrad = summarize(t.grad);
    }
    nodes.push(out);
    if (!node) continue;
    node.inputs.forEach((input, i) => {
      if (!kept.has(input)) return;
      const edge: GraphEdge = { from: nodeId(input), to: nodeId(t), argIndex: i };
      const share = node.edgeGrads?.[i];
      if (share) edge.grad = summarize(share);
      edges.push(edge);
    });
  }

  const snapshot: GraphSnapshot = {
    version: 1, id: `g-${sessionTag}-${++snapshotCount}`, step, root: nodeId(root), nodes, edges,
  };
  if (shown.length < order.length) snapshot.truncated = { totalNodes: order.length, shownNodes: shown.length };
  if (opts.steps !== false) {
    const steps = backwardSteps(root, (t) => kept.has(t), summarize, nodeId);
    if (steps.length) snapshot.backwardSteps = steps;
  }
  return snapshot;
}
