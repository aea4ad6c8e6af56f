/*
 * The `text/plain` of a graph output: what Jupyter, GitHub and the CLI show where the renderer is absent.
 * One line per node, nearest the root first, each with its value and gradient:
 *
 *   graph after backward() #3: 5 nodes, 4 edges
 *     t7 = tanh(t6)              []   value 0.7616   grad 1
 *     t6 = add(t5, b)            []   value 1        grad 0.42
 *     w (leaf)                   [2]  value [0.5, -1] grad [0.84, 1.26]
 */
import type { GraphSnapshot, TensorSummary } from '../engine';
import { formatNumber } from '../engine/format';

/** Nodes listed before the rest is counted. */
const MAX_LINES = 40;

export function graphText(g: GraphSnapshot): string {
  const label = new Map(g.nodes.map((n) => [n.id, n.name ?? n.id]));
  const inputs = new Map<string, string[]>();
  for (const e of [...g.edges].sort((a, b) => a.argIndex - b.argIndex)) {
    const list = inputs.get(e.to) ?? [];
    list.push(label.get(e.from) ?? e.from);
    inputs.set(e.to, list);
  }
  const rows = g.nodes.slice(0, MAX_LINES).map((n) => {
    const name = label.get(n.id)!;
    const what = n.kind === 'op' ? `${name} = ${n.op}(${(inputs.get(n.id) ?? []).join(', ')})` : `${name} (leaf)`;
    const grad = n.grad ? `   grad ${summaryText(n.grad)}` : '';
    return `  ${what.padEnd(28)} [${n.shape.join(',')}]   value ${summaryText(n.value)}${grad}`;
  });
  const more = g.nodes.length > MAX_LINES ? [`  ... ${g.nodes.length - MAX_LINES} more nodes`] : [];
  const truncated = g.truncated ? ` (showing ${g.truncated.shownNodes} of ${g.truncated.totalNodes})` : '';
  return [`graph after backward() #${g.step}: ${g.nodes.length} nodes, ${g.edges.length} edges${truncated}`, ...rows, ...more].join('\n');
}

const num = (x: number | string) => formatNumber(x);

function summaryText(s: TensorSummary): string {
  if (s.values) return s.values.length === 1 && s.shape.length === 0 ? num(s.values[0]) : `[${s.values.map(num).join(', ')}]`;
  return `mean ${num(s.mean)} std ${num(s.std)} min ${num(s.min)} max ${num(s.max)}`;
}
