/*
 * What the kernel remembers of backward() calls, for hovers, gradient checks and graph export:
 *
 * - the LAST backward() whole: its root (which keeps that graph alive, and only that one), the gradient it was
 *   seeded with, and a copy of every leaf that requires grad as it was then (an optimiser step changes
 *   parameters in place; a gradient check must replay the graph at the point where the gradient was taken);
 * - for every leaf that got a gradient: which cell and which step of it produced the gradient, how many
 *   backward() calls have added into it since it was last cleared, and a copy of its value at that time, so a
 *   hover can say "the value changed since" (a stale gradient). Kept in a WeakMap: nothing outlives its tensor.
 *   That copy is also what the last backward() is replayed from; each leaf has one, reused by its next backward().
 *
 * Whether a backward() added to an old `.grad` or started afresh (zeroGrad() before it) is read from the numbers:
 * after backward, `.grad` is either this call's share or the previous `.grad` plus that share.
 *
 * This runs after every backward(), so it stays cheap: one walk of the graph, one copy of each parameter (into a
 * buffer it reuses), no allocation for a leaf with a single edge.
 */
import { onBackward, Tensor } from '../engine';
import { leafShares, tensorsBehind } from '../engine/graphWalk';
import { lastCell, type CellRef } from '../process/runContext';

export interface LastBackward {
  root: Tensor;
  /** dLoss/dRoot the backward started from (1 for a scalar loss), as float64. */
  seed: Float64Array;
  cell?: CellRef;
  /** 1-based count of backward() calls in that cell run. */
  step: number;
  /** 1-based count of backward() calls in the kernel's life. */
  index: number;
  /** Every leaf that requires grad, with its value at backward time (valid until the next backward()). */
  leafValues: Map<Tensor, Float64Array>;
  /** This backward's share of the gradient of each such leaf (the sum over its edges). */
  leafGrads: Map<Tensor, ArrayLike<number>>;
}

/** Where a leaf's `.grad` came from. */
export interface GradOrigin {
  cell?: CellRef;
  step: number;
  index: number;
  /** backward() calls summed into `.grad` since it was last cleared (1 = just the last one). */
  contributions: number;
  /** The leaf's value when the last of them ran. */
  value: Float64Array;
  /** The `.grad` object that backward() left (to tell accumulation from a fresh start next time). */
  grad: Tensor | null;
  /**
   * The root of that backward(), while the notebook keeps it (a gradient check can then replay its graph): kept
   * for the last backward() of each cell run only (see RootSlot).
   */
  root: RootSlot;
}

/**
 * Where the root of one backward() can be found later. A WeakRef keeps its target alive until the current job
 * ends, so one made at every backward() of a training loop would keep every step's graph alive until the loop
 * ends: the slot holds the root strongly while it is the latest backward(), and takes a WeakRef only when a
 * backward() of another cell run replaces it (one WeakRef per run). A root replaced within its own run is dropped.
 */
class RootSlot {
  private strong: Tensor | null;
  private weak: WeakRef<Tensor> | undefined;
  constructor(root: Tensor, readonly run: unknown) { this.strong = root; }
  deref(): Tensor | undefined { return this.strong ?? this.weak?.deref(); }
  /** A newer backward() took over: keep this root weakly if it ended its run, else let it go. */
  demote(sameRun: boolean): void {
    if (this.strong && !sameRun) this.weak = new WeakRef(this.strong);
    this.strong = null;
  }
}
let latestSlot: RootSlot | undefined;

/** backward() calls outside any cell run (a test's, say), counted as the steps of one run. */
let unowned = 0;
let count = 0;
let last: LastBackward | undefined;
const origins = new WeakMap<Tensor, GradOrigin>();
let installed = false;

/** Every tensor of the graph behind `root` that was made by an op, root first; and every leaf. */
export function graphTensors(root: Tensor): { ops: Tensor[]; leaves: Tensor[] } {
  const ops: Tensor[] = [], leaves: Tensor[] = [];
  for (const t of tensorsBehind(root)) (t.node ? ops : leaves).push(t);
  return { ops, leaves };
}

/** Largest |a − b − c| (c optional). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, c?: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i] - (c ? c[i] : 0));
    if (!(d <= m)) m = d;
  }
  return m;
}

function record(root: Tensor): void {
  count++;
  // the run that is running, or the last one (a backward() from its timer after it ended)
  const run = lastCell();
  const step = run ? run.backwards : ++unowned;
  const cell = run?.cell;
  const shares = root.node ? leafShares(tensorsBehind(root), (leaf) => leaf.requiresGrad) : new Map<Tensor, ArrayLike<number>>();
  const leafValues = new Map<Tensor, Float64Array>();
  latestSlot?.demote(latestSlot.run === run);
  const rootRef = latestSlot = new RootSlot(root, run);
  for (const [leaf, share] of shares) {
    const prev = origins.get(leaf);
    const value = prev && prev.value.length === leaf.size ? prev.value : new Float64Array(leaf.size);
    value.set(leaf.data);
    leafValues.set(leaf, value);
    const g = leaf.grad;
    let contributions = 1;
    // `.grad` is this call's share itself (it was cleared before), or the previous `.grad` plus the share; when
    // it is neither object, the numbers tell which
    if (prev && prev.grad && g && g.data !== share && prev.grad !== g && prev.grad.size === g.size
      && maxDiff(g.data, prev.grad.data, share) < maxDiff(g.data, share)) contributions = prev.contributions + 1;
    origins.set(leaf, { cell, step, index: count, contributions, value, grad: g, root: rootRef });
  }
  const seed = root.node?.grad ? Float64Array.from(root.node.grad.data) : Float64Array.from(root.grad?.data ?? [1]);
  last = root.node ? { root, seed, cell, step, index: count, leafValues, leafGrads: shares } : last;
}

/** Starts listening to backward() calls (once per process). */
export function installBackwardLog(): void {
  if (installed) return;
  installed = true;
  onBackward(record);
}

/** The last backward() of the kernel's life, if its root was made by an op. */
export function lastBackward(): LastBackward | undefined {
  return last;
}

/** Where `t.grad` came from, when a backward() seen by this log wrote it. */
export function gradOrigin(t: Tensor): GradOrigin | undefined {
  const o = origins.get(t);
  // a `.grad` the user replaced (or cleared, then set by hand) is not ours to explain
  return o && o.grad === t.grad ? o : undefined;
}

/** True when the tensor's value differs from its value at the backward() that produced its gradient. */
export function isStale(t: Tensor, origin: GradOrigin): boolean {
  const d = t.data, v = origin.value;
  if (d.length !== v.length) return true;
  for (let i = 0; i < d.length; i++) if (d[i] !== v[i] && !(d[i] !== d[i] && v[i] !== v[i])) return true;
  return false;
}
