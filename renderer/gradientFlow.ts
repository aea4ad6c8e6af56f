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
 * Parameters (leaves that require grad) sorted by the forward position of their first use.
 * @example gradientFlow(snapshot, DEFAULT_SCALE).map((b) => b.label) // ['layers.0.weight', 'layers.0.bias', ...]
 */
export function gradientFlow(s: GraphSnapshot, opts: GradScaleOptions): FlowBar[] {
  // Kahn's order over the whole graph gives every node a forward position.
  const indeg = new Map<string, number>(s.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of s.edges) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e.to);
  }
  const pos = new Map<string, number>();
  const queue = s.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  for (let q = 0; q < queue.length; q++) {
    pos.set(queue[q], q);
    for (const t of out.get(queue[q]) ?? []) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  const firstUse = (n: GraphNode) => Math.min(...(out.get(n.id) ?? []).map((t) => pos.get(t) ?? Infinity), Infinity);
  const index = new Map(s.nodes.map((n, i) => [n.id, i]));
  return s.nodes
    .filter((n) => n.kind === 'leaf' && n.requiresGrad)
    .map((n) => ({ n, use: firstUse(n) }))
    .sort((a, b) => (a.use - b.use) || (index.get(a.n.id)! - index.get(b.n.id)!))
    .map(({ n }) => ({
      node: n,
      label: n.name ?? n.id,
      norm: n.grad ? n.grad.norm : NaN,
      mark: classifyGrad(n.grad, opts),
    }));
}
