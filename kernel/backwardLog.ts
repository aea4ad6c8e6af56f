/*
 * What the kernel remembers of backward() calls, for hovers, gradient checks and graph export:
 *
 * - the LAST backward() whole: its root (which keeps that graph alive, and only that one), the gradient it was
 *   seeded with, and a copy of every leaf that requires grad as it was then (an optimiser step changes
 *   parameters in place; a gradient check must replay the graph at the point where the gradient was taken);
 * - for every leaf that got a gradient: which cell and which step of it produced the gradient, how many
 *   backward() calls have added into it since it was last cleared, and a hash of its value at that time, so a
 *   hover can say "the value changed since" (a stale gradient). Kept in a WeakMap: nothing outlives its tensor.
 *
 * Whether a backward() added to an old `.grad` or started afresh (zeroGrad() before it) is read from the numbers:
 * after backward, `.grad` is either this call's share or the previous `.grad` plus that share.
 */
import { onBackward, Tensor } from './engine';
import { currentRequest } from './outbox';

/** The cell run a backward() happened in. */
export interface CellRef {
  cellId: string;
  executionCount: number;
}

export interface LastBackward {
  root: Tensor;
  /** dLoss/dRoot the backward started from (1 for a scalar loss), as float64. */
  seed: Float64Array;
  cell?: CellRef;
  /** 1-based count of backward() calls in that cell run. */
  step: number;
  /** 1-based count of backward() calls in the kernel's life. */
  index: number;
  /** Every leaf that requires grad, with its value at backward time. */
  leafValues: Map<Tensor, Float64Array>;
  /** This backward's share of the gradient of each such leaf (the sum over its edges). */
  leafGrads: Map<Tensor, Float64Array>;
}

/** Where a leaf's `.grad` came from. */
export interface GradOrigin {
  cell?: CellRef;
  step: number;
  index: number;
  /** backward() calls summed into `.grad` since it was last cleared (1 = just the last one). */
  contributions: number;
  /** Hash of the leaf's value when the last of them ran. */
  valueHash: number;
  /** The `.grad` object that backward() left (to tell accumulation from a fresh start next time). */
  grad: Tensor | null;
}

/** Cell runs by request id (the latest few: a backward() belongs to the request that is running). */
const cells = new Map<string, CellRef>();
const MAX_CELLS = 64;
let stepsOf = { requestId: '', steps: 0 };
let count = 0;
let last: LastBackward | undefined;
const origins = new WeakMap<Tensor, GradOrigin>();
let installed = false;

/**
 * A 32-bit hash of a tensor's storage (FNV-1a over the bits of each value): equal values give equal hashes, and a
 * changed value almost surely a different one.
 */
export function valueHash(t: Tensor): number {
  const d = t.data;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** Every tensor of the graph behind `root` that was made by an op, root first; and every leaf. */
export function graphTensors(root: Tensor): { ops: Tensor[]; leaves: Tensor[] } {
  const ops: Tensor[] = [], leaves: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const queue = [root];
  for (let k = 0; k < queue.length; k++) {
    const t = queue[k];
    if (!t.node) { leaves.push(t); continue; }
    ops.push(t);
    for (const x of t.node.inputs) if (!seen.has(x)) { seen.add(x); queue.push(x); }
  }
  return { ops, leaves };
}

/** Each leaf's share of this backward's gradient: the sum of the shares on its edges. */
function leafShares(ops: readonly Tensor[]): Map<Tensor, Float64Array> {
  const shares = new Map<Tensor, Float64Array>();
  for (const t of ops) {
    const node = t.node!;
    node.inputs.forEach((x, i) => {
      const share = node.edgeGrads?.[i];
      if (!x.isLeaf || !x.requiresGrad || !share) return;
      let acc = shares.get(x);
      if (!acc) { acc = new Float64Array(x.size); shares.set(x, acc); }
      const d = share.data;
      for (let j = 0; j < acc.length; j++) acc[j] += d[j];
    });
  }
  return shares;
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
  const requestId = currentRequest();
  if (stepsOf.requestId !== requestId) stepsOf = { requestId, steps: 0 };
  const step = ++stepsOf.steps;
  const cell = cells.get(requestId);
  const { ops } = graphTensors(root);
  const shares = leafShares(ops);
  const leafValues = new Map<Tensor, Float64Array>();
  for (const [leaf, share] of shares) {
    leafValues.set(leaf, Float64Array.from(leaf.data));
    const prev = origins.get(leaf);
    const g = leaf.grad;
    let contributions = 1;
    if (prev && prev.grad && g && prev.grad !== g && prev.grad.size === g.size) {
      // .grad = previous .grad + share (accumulated) or .grad = share (cleared before): whichever fits better
      if (maxDiff(g.data, prev.grad.data, share) < maxDiff(g.data, share)) contributions = prev.contributions + 1;
    }
    origins.set(leaf, { cell, step, index: count, contributions, valueHash: valueHash(leaf), grad: g });
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

/** Remembers which cell a request runs, so backward() calls during it can name the cell. */
export function noteCell(requestId: string, ref: CellRef): void {
  cells.set(requestId, { cellId: ref.cellId, executionCount: ref.executionCount });
  if (cells.size > MAX_CELLS) cells.delete(cells.keys().next().value as string);
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
  return valueHash(t) !== origin.valueHash;
}
