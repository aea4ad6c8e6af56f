// Walks of the recorded graph behind a tensor, iterative (a chain of 100,000 ops is fine), for backward(),
// graph snapshots, and what the kernel keeps of each backward(): every tensor nearest the root first, inputs
// before outputs, and each leaf's share of the latest backward's gradient.
import type { Tensor } from './tensor';

/**
 * A set of tensor ids as bitmaps of 4096 ids each. Ids of one graph are mostly close together, so a walk over a
 * graph of 100,000s of tensors touches a few small arrays instead of growing a hash set (which, in the big heap
 * such a graph makes, costs several times as much through garbage collection).
 */
class IdMarks {
  private readonly chunks = new Map<number, Uint8Array>();
  private lastKey = -1;
  private last: Uint8Array = new Uint8Array(0);

  /** Marks `id`; false when it was marked already. */
  add(id: number): boolean {
    const key = Math.floor(id / 4096);
    if (key !== this.lastKey) {
      let chunk = this.chunks.get(key);
      if (!chunk) { chunk = new Uint8Array(4096); this.chunks.set(key, chunk); }
      this.lastKey = key;
      this.last = chunk;
    }
    const i = id % 4096;
    if (this.last[i] === 1) return false;
    this.last[i] = 1;
    return true;
  }
}

/** Every tensor of the graph behind `root`, root first, breadth first: nearest the root first. */
export function tensorsBehind(root: Tensor): Tensor[] {
  const order: Tensor[] = [root];
  const seen = new IdMarks();
  seen.add(root.id);
  for (let k = 0; k < order.length; k++) {
    const node = order[k].node;
    if (!node) continue;
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) if (seen.add(inputs[i].id)) order.push(inputs[i]);
  }
  return order;
}

/**
 * The tensors reachable from `starts` through inputs that `follow` accepts (the starts always), each after its
 * inputs: a topological order, depth first.
 */
export function inputsFirst(starts: readonly Tensor[], follow: (x: Tensor) => boolean): Tensor[] {
  const order: Tensor[] = [], done = new Set<Tensor>();
  for (const start of starts) {
    if (done.has(start)) continue;
    done.add(start);
    const stack: Tensor[] = [start], next: number[] = [0];
    while (stack.length) {
      const top = stack.length - 1, t = stack[top], inputs = t.node ? t.node.inputs : [];
      if (next[top] < inputs.length) {
        const x = inputs[next[top]++];
        if (!done.has(x) && follow(x)) { done.add(x); stack.push(x); next.push(0); }
      } else { stack.pop(); next.pop(); order.push(t); }
    }
  }
  return order;
}

/**
 * Each leaf's share of the latest backward's gradient: the sum of the shares kept on its edges, over the op
 * tensors of `order` (a leaf outside the walk, or for which `keep` says no, is left out). A leaf with one
 * edge gets that edge's share itself (shares are never written to); only sums are new arrays.
 */
export function leafShares(order: readonly Tensor[], keep: (leaf: Tensor) => boolean = () => true): Map<Tensor, ArrayLike<number>> {
  const shares = new Map<Tensor, ArrayLike<number>>();
  const summed = new Set<ArrayLike<number>>();
  for (let k = 0; k < order.length; k++) {
    const node = order[k].node, edgeGrads = node?.edgeGrads;
    if (!node || !edgeGrads) continue;
    for (let i = 0; i < node.inputs.length; i++) {
      const x = node.inputs[i], share = edgeGrads[i];
      if (!share || x.node !== null || !keep(x)) continue;
      const prev = shares.get(x);
      if (!prev) { shares.set(x, share.data); continue; }
      let acc = prev as Float64Array;
      if (!summed.has(prev)) { acc = Float64Array.from(prev); summed.add(acc); shares.set(x, acc); }
      const d = share.data;
      for (let j = 0; j < acc.length; j++) acc[j] += d[j];
    }
  }
  return shares;
}
