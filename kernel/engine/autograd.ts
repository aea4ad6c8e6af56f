// backward(): the work every op shares, done once. From the root, an iterative depth-first walk gives a
// topological order (no recursion: a chain of 100,000 ops is fine); then, in reverse order, each node's rule
// from the gradient table gives each input's share, which is un-broadcast (summed over broadcast dims) and
// shape-checked here, naming the op. Shares accumulate in a map of temporaries; only when every rule has run
// are leaves' `.grad`, retained non-leaf `.grad`s and the kept edge shares (node.grad, node.edgeGrads) written,
// so nothing is half-updated when a rule throws.
//
// A second backward() through the same graph is allowed (graphs are never freed; `retainGraph` is accepted
// and has no effect): the gradients accumulate again into the leaves, as with retainGraph: true in PyTorch.
import { fmt, sameShape, broadcastsTo } from './shape';
import { alloc, copyAs, type FloatArray } from './dtype';
import { isGradEnabled, OpNode, withGradMode } from './graph';
import { Tensor, TensorLike } from './tensor';
import { gradients } from './gradients';
import { add, cast } from './ops/elementwise';
import { sumTo } from './ops/reductions';
import { asTensor, full } from './creation';
import { inputsFirst } from './graphWalk';

/** Options of `backward()`, as PyTorch's. @example loss.backward(undefined, { createGraph: true }) */
export interface BackwardOptions {
  /** Accepted for PyTorch compatibility; graphs are never freed, so it has no effect. */
  retainGraph?: boolean;
  /** Record the backward pass itself so gradients can be differentiated again (double backward). */
  createGraph?: boolean;
}

type Listener = (root: Tensor) => void;
const listeners: Listener[] = [];

/**
 * Calls `listener(root)` after every backward() completes. Returns a function that unsubscribes.
 * @example const off = onBackward((root) => console.log('backward from', root.gradFn)); off();
 */
export function onBackward(listener: Listener): () => void {
  listeners.push(listener);
  return () => { const i = listeners.indexOf(listener); if (i >= 0) listeners.splice(i, 1); };
}

/** Tensors that require grad and were made by ops, inputs before outputs, reachable from root. */
function topologicalOrder(root: Tensor): Tensor[] {
  return inputsFirst([root], (x) => x.node !== null && x.requiresGrad);
}

/** A share from a rule, un-broadcast to the input's shape, or an error that names the op. */
function fit(op: string, i: number, share: unknown, x: Tensor): Tensor {
  if (!(share instanceof Tensor)) throw new Error(`backward: gradient of '${op}' input ${i} is not a tensor (got ${share === null ? 'null' : typeof share})`);
  let s = share;
  if (!sameShape(s.shape, x.shape)) {
    if (!broadcastsTo(x.shape, s.shape)) throw new Error(`backward: gradient of '${op}' input ${i} has shape ${fmt(s.shape)} but input has shape ${fmt(x.shape)}`);
    s = sumTo(s, x.shape);
  }
  return s.dtype === x.dtype ? s : cast(s, x.dtype);
}

interface Pass { grads: Map<Tensor, Tensor>; nodes: Array<{ t: Tensor; grad: Tensor | null; shares: (Tensor | null)[] }> }

/** Runs every rule from root down; touches nothing outside the returned temporaries. */
function propagate(root: Tensor, seed: Tensor, createGraph: boolean, keep: (t: Tensor) => boolean): Pass {
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const nodes: Pass['nodes'] = [];
  if (root.node === null) return { grads, nodes };
  const order = topologicalOrder(root);
  withGradMode(createGraph, () => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k], node = t.node as OpNode, g = grads.get(t) ?? null;
      if (!keep(t)) grads.delete(t);
      const shares: (Tensor | null)[] = new Array<Tensor | null>(node.inputs.length).fill(null);
      nodes.push({ t, grad: g, shares });
      if (g === null) continue;
      const custom = node.vjp ? node.vjp(g, node.inputs, t) : null;
      const customList = custom instanceof Tensor ? [custom] : custom;
      if (customList && customList.length !== node.inputs.length) {
        throw new Error(`backward: the gradient function of '${node.op}' returned ${customList.length} gradients for ${node.inputs.length} inputs`);
      }
      const rule = node.vjp ? null : gradients[node.op];
      if (!node.vjp && !rule) throw new Error(`backward: no gradient rule for op '${node.op}'`);
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i];
        if (!x.requiresGrad) continue;
        const raw = customList ? customList[i] : (rule as NonNullable<typeof rule>)(g, i, node.inputs, t, node.args);
        if (raw === null || raw === undefined) continue;
        const share = fit(node.op, i, raw, x);
        shares[i] = share;
        const prev = grads.get(x);
        grads.set(x, prev ? add(prev, share) : share);
      }
    }
  });
  return { grads, nodes };
}

function seedFor(root: Tensor, grad: TensorLike | undefined): Tensor {
  if (!(root instanceof Tensor)) throw new Error('backward: expected a tensor');
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor of shape ${fmt(root.shape)} does not require grad and has no gradFn (create an input with { requiresGrad: true })`);
  }
  if (grad === undefined || grad === null) {
    if (root.size !== 1) throw new Error(`backward: grad can be implicitly created only for a one-element tensor, got shape ${fmt(root.shape)} (pass a gradient of that shape)`);
    const d = alloc('backward', root.dtype, root.shape);
    d[0] = 1;
    return new Tensor(d, root.shape);
  }
  // A plain number is the gradient of every element (y.backward(2) on a [1,1] y, as torch.full_like(y, 2)).
  const g = typeof grad === 'number' ? full(root.shape, grad, { dtype: root.dtype }) : asTensor('backward', grad, root.dtype);
  if (!sameShape(g.shape, root.shape)) throw new Error(`backward: gradient has shape ${fmt(g.shape)} but the tensor has shape ${fmt(root.shape)}`);
  return g.dtype === root.dtype ? g : new Tensor(copyAs('backward', root.dtype, g.shape, g.data), g.shape);
}

function isOptions(x: unknown): x is BackwardOptions {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && !Array.isArray(x);
}

/**
 * `g`, or a copy when its storage already backs another `.grad` or the seed (identity-like rules such as add
 * and reshape pass storage through), so no two `.grad`s share storage and writing one cannot change another.
 */
function own(g: Tensor, used: Set<FloatArray>): Tensor {
  if (!used.has(g.data)) { used.add(g.data); return g; }
  const c = new Tensor(copyAs('backward', g.dtype, g.shape, g.data), g.shape);
  used.add(c.data);
  return c;
}

/** Implements Tensor.backward (see there). `grad` may also be the options object. */
export function backward(root: Tensor, grad?: TensorLike | BackwardOptions, options?: BackwardOptions): void {
  if (isOptions(grad)) { options = grad; grad = undefined; }
  const createGraph = options?.createGraph === true;
  const seed = seedFor(root, grad);
  const { grads, nodes } = propagate(root, seed, createGraph, (t) => t.retainsGrad);
  // Every rule has run: now write the results.
  withGradMode(createGraph, () => {
    const used = new Set<FloatArray>([seed.data]);
    for (const n of nodes) { n.t.node!.grad = n.grad; n.t.node!.edgeGrads = n.shares; }
    for (const [t, g] of grads) {
      if (!(t.node === null ? t.requiresGrad : t.retainsGrad)) continue;
      t.grad = t.grad ? add(t.grad, g) : own(createGraph ? g : detached(g), used);
    }
  });
  for (const l of listeners.slice()) l(root);
}

function detached(g: Tensor): Tensor {
  return g.node === null && !g.requiresGrad ? g : new Tensor(g.data, g.shape);
}

/**
 * Gradients of root with respect to `inputs` (zeros for an input root does not depend on), without touching any
 * `.grad`, the kept edge shares, or the backward listeners — PyTorch's autograd.grad. Used by grad() and
 * gradcheck().
 * @example const [dx] = computeGrads(y, [x]);
 */
export function computeGrads(root: Tensor, inputs: readonly Tensor[], grad?: TensorLike, options?: { createGraph?: boolean }): Tensor[] {
  return reachedGrads(root, inputs, grad, options).map((g, i) => g ?? new Tensor(alloc('computeGrads', inputs[i].dtype, inputs[i].shape), inputs[i].shape));
}

/** computeGrads, with null for each input no gradient reached (root does not depend on it): what grad() checks. */
export function reachedGrads(root: Tensor, inputs: readonly Tensor[], grad?: TensorLike, options?: { createGraph?: boolean }): (Tensor | null)[] {
  const createGraph = options?.createGraph === true;
  const seed = seedFor(root, grad);
  const wanted = new Set(inputs);
  const { grads } = propagate(root, seed, createGraph, (t) => wanted.has(t));
  const used = new Set<FloatArray>([seed.data]);
  return inputs.map((x) => {
    const g = grads.get(x);
    if (!g) return null;
    return createGraph ? g : own(detached(g), used);
  });
}

export { isGradEnabled };
