/*
 * A graph snapshot as a file: the JSON itself, mermaid flowchart text, Graphviz DOT, or an SVG drawing made
 * here (a layered layout: the loss on the right, each tensor one column left of the farthest op that uses it, so
 * every edge runs leftwards; an edge that skips columns goes round the boxes, along a lane above them), so an SVG
 * needs no browser. Every edge is labelled with the gradient that flowed back along it (its norm, mean or values)
 * and coloured as the notebook colours it (kernel/engine/gradScale.ts); edges a gradient check failed are red,
 * with ✗ in their label.
 *
 * Names in snapshots come from users: they are escaped for each format and never become markup.
 */
import type { GraphEdge, GraphNode, GraphSnapshot, JsonNumber, TensorSummary } from '../engine/trace';
import type { EdgeLabel, GraphFormat } from '../client/protocol';
import { formatNumber } from '../engine/format';
import { escapeHtml } from '../outputs/display';
import { classifySummary, FAILED_CHECK_COLOUR, scaleHue, type GradMark } from '../engine/gradScale';

/** Labels of drawings are short: 3 significant digits. */
const num = (x: JsonNumber) => formatNumber(x, 3);

/** A summary in one short line: the values when there are at most 4, else mean and norm. */
function short(s: TensorSummary): string {
  if (s.values && s.values.length <= 4) return s.shape.length === 0 ? num(s.values[0]) : `[${s.values.map(num).join(', ')}]`;
  return `μ ${num(s.mean)} ‖·‖ ${num(s.norm)}`;
}

/**
 * The label of an edge's gradient in the chosen format ('' when no gradient flowed along it).
 * @example edgeText({ from: 'a', to: 'b', argIndex: 0, grad: summary }, 'norm') // '‖g‖ 0.5'
 */
export function edgeText(e: GraphEdge, format: EdgeLabel): string {
  const g = e.grad;
  if (!g) return '';
  if (format === 'mean') return `mean ${num(g.mean)}`;
  if (format === 'values' && g.values && g.values.length <= 6) return short({ ...g, values: g.values });
  return `‖g‖ ${num(g.norm)}`;
}

function title(n: GraphNode): string {
  if (n.kind === 'op') return n.name ? `${n.name} = ${n.op}` : (n.op ?? n.id);
  return n.name ?? (n.requiresGrad ? 'parameter' : 'input');
}

/** The lines drawn in a node's box. */
export function nodeLines(n: GraphNode): string[] {
  const lines = [title(n), `[${n.shape.join(',')}] value ${short(n.value)}`];
  if (n.grad) lines.push(`grad ${short(n.grad)}`);
  return lines;
}

/** The label of an edge as drawn: its gradient, and ✗ when a gradient check failed its rule. */
function drawnLabel(e: GraphEdge, format: EdgeLabel): string {
  const label = edgeText(e, format);
  return e.check === 'fail' ? `✗ check failed${label ? ` · ${label}` : ''}` : label;
}

/** The notebook's mark of an edge, as a colour every SVG and DOT reader knows (#rrggbb). */
function edgeColour(e: GraphEdge): string {
  if (e.check === 'fail') return FAILED_CHECK_COLOUR;
  return markHex(classifySummary(e.grad && numericSummary(e.grad)));
}

function numericSummary(s: TensorSummary): { norm: number; nan: number; inf: number } {
  return { norm: typeof s.norm === 'number' ? s.norm : Number(s.norm), nan: s.nan, inf: s.inf };
}

/** A mark's colour as hex: the scale's hues at 65% saturation and 50% lightness, its flags' fixed colours. */
function markHex(m: GradMark): string {
  if (m.flag === 'none') return '#717171';
  if (m.flag === 'vanishing') return hslHex(220, 0.08, 0.55);
  if (m.flag === 'nonfinite') return hslHex(300, 0.85, 0.55);
  return hslHex(scaleHue(m.t), 0.65, 0.5);
}

function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)))).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** Mermaid text with `#quot;`-style entities for anything that could be syntax. */
function mermaidLabel(text: string): string {
  return text.replace(/[^\p{L}\p{N} .,:_+\-=()/'‖μ·[\]]/gu, (c) => `#${c.codePointAt(0)};`);
}

/**
 * Mermaid flowchart text: right to left, arrows the way the gradient flows (from each tensor to its inputs).
 * @example toMermaid(snapshot, 'norm').startsWith('flowchart RL')
 */
export function toMermaid(g: GraphSnapshot, edgeLabel: EdgeLabel = 'norm'): string {
  const key = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ['flowchart RL'];
  for (const n of g.nodes) {
    const [open, close] = n.kind === 'op' ? ['(', ')'] : n.requiresGrad ? ['[[', ']]'] : ['[', ']'];
    out.push(`  ${key.get(n.id)}${open}"${nodeLines(n).map(mermaidLabel).join('<br/>')}"${close}`);
  }
  const red: number[] = [];
  g.edges.forEach((e, i) => {
    const label = edgeText(e, edgeLabel);
    out.push(`  ${key.get(e.to)} -->${label ? `|"${mermaidLabel(label)}"|` : ''} ${key.get(e.from)}`);
    if (e.check === 'fail') red.push(i);
  });
  if (red.length) out.push(`  linkStyle ${red.join(',')} stroke:#d32f2f,stroke-width:3px,color:#d32f2f`);
  return out.join('\n') + '\n';
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * Graphviz DOT: each tensor a box (ops rounded), each edge from the tensor made back to its input, labelled
 * with its gradient and coloured as the notebook colours it; a failed check's edge red, its label saying so.
 * @example toDot(snapshot).startsWith('digraph backprop {')
 */
export function toDot(g: GraphSnapshot, edgeLabel: EdgeLabel = 'norm'): string {
  const out = ['digraph backprop {', '  rankdir=RL;', '  node [shape=box, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];'];
  for (const n of g.nodes) {
    const style = n.kind === 'op' ? ', style=rounded' : n.requiresGrad ? ', style=bold' : '';
    out.push(`  ${dotString(n.id)} [label=${dotString(nodeLines(n).join('\n'))}${style}];`);
  }
  for (const e of g.edges) {
    const style = e.check === 'fail' ? 'color=red, fontcolor=red, penwidth=2.5' : `color="${edgeColour(e)}"`;
    out.push(`  ${dotString(e.to)} -> ${dotString(e.from)} [label=${dotString(drawnLabel(e, edgeLabel))}, ${style}];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}


const CHAR_W = 6.6, LINE_H = 15, PAD = 8, COL_GAP = 90, ROW_GAP = 24, LANE_GAP = 18;

/**
 * The column of each node: 0 for the root (and for nodes no edge reaches), else one more than the farthest of
 * its users (Kahn's order over the edges from each tensor to its inputs), so every edge runs leftwards.
 */
function columnsOf(g: GraphSnapshot): Map<string, number> {
  const inputs = new Map<string, string[]>(), users = new Map<string, number>();
  for (const e of g.edges) {
    inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
    users.set(e.from, (users.get(e.from) ?? 0) + 1);
  }
  const column = new Map<string, number>();
  const ready = g.nodes.filter((n) => !users.get(n.id)).map((n) => n.id);
  for (const id of ready) column.set(id, 0);
  for (let k = 0; k < ready.length; k++) {
    const c = column.get(ready[k])!;
    for (const input of inputs.get(ready[k]) ?? []) {
      column.set(input, Math.max(column.get(input) ?? 0, c + 1));
      const left = users.get(input)! - 1;
      users.set(input, left);
      if (left === 0) ready.push(input);
    }
  }
  return column;
}

/**
 * An SVG drawing of the graph (see the top of this file).
 * @example toSvg(snapshot).startsWith('<svg')
 */
export function toSvg(g: GraphSnapshot, edgeLabel: EdgeLabel = 'norm'): string {
  const column = columnsOf(g);
  const byColumn: GraphNode[][] = [];
  for (const n of g.nodes) (byColumn[column.get(n.id) ?? 0] ??= []).push(n);
  // An edge skipping columns gets a lane of its own above the boxes.
  const lanes = new Map<GraphEdge, number>();
  for (const e of g.edges) {
    if ((column.get(e.from) ?? 0) - (column.get(e.to) ?? 0) > 1) lanes.set(e, lanes.size);
  }
  const top = PAD + (lanes.size ? lanes.size * LANE_GAP + ROW_GAP : 0);
  const boxes = new Map<string, { x: number; y: number; w: number; h: number; lines: string[]; node: GraphNode }>();
  const widths = Array.from(byColumn, (col) => Math.max(...(col ?? []).map((n) => Math.max(...nodeLines(n).map((l) => l.length)) * CHAR_W + 2 * PAD), 60));
  const columns = byColumn.length;
  let x = PAD, height = 0;
  for (let c = columns - 1; c >= 0; c--) {
    let y = top;
    for (const n of byColumn[c] ?? []) {
      const lines = nodeLines(n), h = lines.length * LINE_H + 2 * PAD;
      boxes.set(n.id, { x, y, w: widths[c], h, lines, node: n });
      y += h + ROW_GAP;
    }
    height = Math.max(height, y);
    x += widths[c] + COL_GAP;
  }
  const width = x - COL_GAP + PAD;
  const colours = [...new Set(g.edges.map(edgeColour))];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<defs>${colours.map((c, i) => `<marker id="arrow${i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="${c}"/></marker>`).join('')}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  if (g.truncated) parts.push(`<title>${escapeHtml(`showing ${g.truncated.shownNodes} of ${g.truncated.totalNodes} nodes`)}</title>`);
  for (const e of g.edges) {
    const a = boxes.get(e.to), b = boxes.get(e.from);
    if (!a || !b) continue;
    const fail = e.check === 'fail', colour = edgeColour(e);
    const mark = classifySummary(e.grad && numericSummary(e.grad));
    const strokeWidth = fail ? 2.5 : 1.2 + 2.4 * (mark.flag === 'none' ? 0 : mark.t);
    // from the left side of the tensor made to the right side of its input: the way the gradient flows
    const x1 = a.x, y1 = a.y + a.h / 2, x2 = b.x + b.w, y2 = b.y + b.h / 2;
    const lane = lanes.get(e);
    let d: string, lx: number, ly: number;
    if (lane === undefined) {
      const mx = (x1 + x2) / 2;
      d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      lx = mx; ly = (y1 + y2) / 2 - 4;
    } else {
      // into the gap left of the user, up to the lane, along it, down the gap right of the input
      const laneY = PAD + lane * LANE_GAP + LANE_GAP / 2, xa = x1 - COL_GAP / 3, xb = x2 + COL_GAP / 3;
      d = `M${x1},${y1} L${xa},${y1} L${xa},${laneY} L${xb},${laneY} L${xb},${y2} L${x2},${y2}`;
      lx = (xa + xb) / 2; ly = laneY - 4;
    }
    parts.push(`<path class="edge${fail ? ' fail' : ''}" d="${d}" fill="none" stroke="${colour}" stroke-width="${strokeWidth.toFixed(2)}" marker-end="url(#arrow${colours.indexOf(colour)})"/>`);
    const label = drawnLabel(e, edgeLabel);
    if (label) parts.push(`<text x="${lx}" y="${ly}" text-anchor="middle" fill="${colour}">${escapeHtml(label)}</text>`);
  }
  for (const { x: bx, y: by, w, h, lines, node } of boxes.values()) {
    const fill = node.kind === 'op' ? '#e8f0fe' : node.requiresGrad ? '#fff4e0' : '#f1f3f4';
    const stroke = node.grad ? markHex(classifySummary(numericSummary(node.grad))) : '#333333';
    parts.push(`<g class="node" data-id="${escapeHtml(node.id)}"><rect x="${bx}" y="${by}" width="${w}" height="${h}" rx="${node.kind === 'op' ? 10 : 2}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`);
    lines.forEach((l, i) => parts.push(`<text x="${bx + PAD}" y="${by + PAD + (i + 1) * LINE_H - 4}"${i === 0 ? ' font-weight="bold"' : ''}>${escapeHtml(l)}</text>`));
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/**
 * A snapshot in one of the export formats.
 * @example exportGraph(traceGraph(loss), 'dot')
 */
export function exportGraph(g: GraphSnapshot, format: GraphFormat, edgeLabel: EdgeLabel = 'norm'): string {
  switch (format) {
    case 'json': return JSON.stringify(g, null, 2) + '\n';
    case 'mermaid': return toMermaid(g, edgeLabel);
    case 'dot': return toDot(g, edgeLabel);
    case 'svg': return toSvg(g, edgeLabel);
    default: throw new Error(`export: unknown format '${String(format)}' (json, mermaid, dot or svg)`);
  }
}
