// The gradient-flow chart's data: each parameter's gradient norm, in the order the forward pass uses them
// (first layer first), so a gradient that shrinks or blows up layer by layer shows as a slope.
import { classifyGrad, type GradMark, type GradScaleOptions } from './gradScale';
import type { GraphNode, GraphSnapshot } from './types';

export interface FlowBar {
  node: GraphNode;
  label: string;
  /** NaN when there is no gradient. */
  norm: number;
  mark: GradMark;
}

/**
 * Parameters (leaves that require grad), first layer first: sorted by their longest path to the loss, farthest
 * first (a layer's weight sits farther from the loss than the next layer's), then by their order in the snapshot.
 * @example gradientFlow(snapshot, DEFAULT_SCALE).map((b) => b.label) // ['layers.0.weight', 'layers.0.bias', ...]
 */
export function gradientFlow(s: GraphSnapshot, opts: GradScaleOptions): FlowBar[] {
  // Kahn's order, then longest distances to the root walking it backwards
  const indeg = new Map<string, number>(s.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of s.edges) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e.to);
  }
  const order = s.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  for (let q = 0; q < order.length; q++) {
    for (const t of out.get(order[q]) ?? []) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) order.push(t);
    }
  }
  const dist = new Map<string, number>([[s.root, 0]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i];
    for (const t of out.get(id) ?? []) {
      const d = dist.get(t);
      if (d !== undefined && d + 1 > (dist.get(id) ?? -1)) dist.set(id, d + 1);
    }
  }
  const index = new Map(s.nodes.map((n, i) => [n.id, i]));
  return s.nodes
    .filter((n) => n.kind === 'leaf' && n.requiresGrad)
    .map((n) => ({ n, d: dist.get(n.id) ?? -1 }))
    .sort((a, b) => (b.d - a.d) || (index.get(a.n.id)! - index.get(b.n.id)!))
    .map(({ n }) => ({
      node: n,
      label: n.name ?? n.id,
      norm: n.grad ? n.grad.norm : NaN,
      mark: classifyGrad(n.grad, opts),
    }));
}
