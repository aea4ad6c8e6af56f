// Snapshot → what to draw: which nodes and groups are visible, their label lines, edge labels, colours, and
// what was hidden. Pure (no DOM, no mermaid), so every decision here is unit-tested.
import { formatNumber, formatShape, LABEL_DIGITS, LABEL_VALUES, nonFiniteText, sizeOf, summaryText } from './format';
import { classifyGrad, classifyNorm, DEFAULT_SCALE, type GradMark, type GradScaleOptions } from './gradScale';
import type { EdgeLabel, GraphEdge, GraphNode, GraphSnapshot } from './types';

export type NodeKind = 'input' | 'parameter' | 'constant' | 'op' | 'loss';

/** An edge whose gradient rule failed a gradient check: red, thick, marked ✗, whatever its magnitude. */
export function failedCheck(mark: GradMark): GradMark {
  return { flag: mark.flag === 'none' ? 'ok' : mark.flag, t: 1, colour: '#d32f2f', symbol: '✗' };
}

export interface ViewOptions extends GradScaleOptions {
  /** Above this many nodes, groups start collapsed and at most this many boxes are drawn. */
  maxNodes: number;
  /**
   * What an edge label says (setting `backprop.graph.edgeLabel`): `norm` the gradient's L2 norm, `mean` its
   * mean, `values` its numbers when there are at most 4. A one-element gradient always shows its value (with
   * its sign), so a scalar used twice shows two numbers that add up to its gradient.
   */
  edgeLabel: EdgeLabel;
}

/** Never more boxes than this, whatever the settings: mermaid's layout of more would freeze the output for seconds. */
export const MAX_BOXES = 400;

/** At most this many expanded groups are drawn as outlined subgraphs. */
export const MAX_OUTLINED = 12;

export const DEFAULT_OPTIONS: ViewOptions = { ...DEFAULT_SCALE, maxNodes: 60, edgeLabel: 'norm' };

/**
 * `base` with the valid fields of untrusted settings (an output's `display`, an `options` message) put over it;
 * anything else in them is ignored.
 * @example withOptions(DEFAULT_OPTIONS, { edgeLabel: 'mean' }).edgeLabel === 'mean'
 */
export function withOptions(base: ViewOptions, over: unknown): ViewOptions {
  if (typeof over !== 'object' || over === null) return base;
  const o = over as Record<string, unknown>;
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : d);
  const edgeLabel = o.edgeLabel === 'norm' || o.edgeLabel === 'mean' || o.edgeLabel === 'values' ? o.edgeLabel : base.edgeLabel;
  return {
    maxNodes: num(o.maxNodes, base.maxNodes), vanishing: num(o.vanishing, base.vanishing), exploding: num(o.exploding, base.exploding), edgeLabel,
  };
}

/** What the user changed, kept across re-renders of the same output. */
export interface ViewState {
  /** Group name → expanded (true) or collapsed (false), overriding the default. */
  groups: Map<string, boolean>;
  /** How many boxes may be drawn; starts at `maxNodes`, grows with "show more". */
  limit?: number;
  /** Layout direction chosen by the user (else picked to fit the width). */
  direction?: Direction;
}

/** RL: inputs left, loss right, arrows pointing left. TB: loss on top, inputs below, arrows pointing down. */
export type Direction = 'RL' | 'TB';

export type LineRole = 'title' | 'shape' | 'value' | 'grad' | 'note';
export interface LabelLine { role: LineRole; text: string }

export interface ViewNode {
  /** A safe id for mermaid and the DOM: `n<i>` for a tensor, `c<i>` for a collapsed group. */
  key: string;
  kind: NodeKind | 'group';
  lines: LabelLine[];
  mark: GradMark;
  /** The tensor this box draws, or the members of a collapsed group. */
  node?: GraphNode;
  group?: { name: string; members: GraphNode[]; gradNorm: number };
  /** Key of the expanded group (subgraph) this box sits in. */
  parentGroup?: string;
  /** Inputs of this box that are not drawn. */
  hiddenInputs: number;
  /** Identifies the same thing across steps, for pins. */
  pinKey: string;
}

export interface ViewEdge {
  /** `e<i>`. */
  key: string;
  /** View node keys. Drawn from `to` back to `from`: the way the gradient flows. */
  from: string;
  to: string;
  edge: GraphEdge;
  /** The edge label ('' when no gradient flowed). */
  label: string;
  mark: GradMark;
  pinKey: string;
}

export interface ViewGroup {
  /** `g<i>`. */
  key: string;
  name: string;
  collapsed: boolean;
  size: number;
}

export interface ViewModel {
  snapshotId: string;
  step: number;
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Every group of the snapshot, collapsed or not (expanded ones are drawn as subgraphs). */
  groups: ViewGroup[];
  rootKey?: string;
  /** Tensors of the snapshot that are not drawn (in neither a box nor a collapsed group). */
  hiddenNodes: number;
  /** The box limit in force (for "show more"). */
  limit: number;
  /** Plain-language notes on what is hidden or truncated. */
  notes: string[];
  totalNodes: number;
  direction: Direction;
}

/**
 * What kind of tensor a node is: the root is the loss; leaves are parameters (they require grad), inputs
 * (named) or constants (unnamed).
 * @example nodeKind({ kind: 'leaf', requiresGrad: true, ... }, 'r') === 'parameter'
 */
export function nodeKind(n: GraphNode, rootId: string): NodeKind {
  if (n.id === rootId) return 'loss';
  if (n.kind === 'op') return 'op';
  if (n.requiresGrad) return 'parameter';
  return n.name ? 'input' : 'constant';
}

function title(n: GraphNode, kind: NodeKind): string {
  const op = n.op ?? 'op';
  switch (kind) {
    case 'loss': return n.name ? `${n.name} · ${op}` : `loss · ${op}`;
    case 'op': return n.name ? `${op} · ${n.name}` : op;
    case 'parameter': return n.name ?? 'parameter';
    case 'input': return n.name ?? 'input';
    case 'constant': return n.name ?? 'constant';
  }
}

/**
 * `∇ 0.25` (the numbers), `‖∇‖ 1.2` (the norm) or `mean ∇ 0.1`, with a warning mark and non-finite counts
 * where they apply. Boxes show values up to LABEL_VALUES numbers, then the norm.
 * @example gradLabel(edge.grad, classifyGrad(edge.grad)) === '∇ 0.25'
 */
export function gradLabel(g: GraphEdge['grad'], mark: GradMark, mode: EdgeLabel = 'values'): string {
  if (!g) return '';
  const sym = mark.symbol ? mark.symbol + ' ' : '';
  const n = sizeOf(g.shape);
  const maxValues = mode === 'values' ? LABEL_VALUES : 1;
  if (g.values && g.values.length === n && n <= maxValues) return `${sym}∇ ${summaryText(g, maxValues)}`;
  const bad = nonFiniteText(g);
  if (mode === 'mean') return `${sym}mean ∇ ${bad || formatNumber(g.mean, LABEL_DIGITS)}`;
  return `${sym}‖∇‖ ${bad || formatNumber(g.norm, LABEL_DIGITS)}`;
}

function nodeLines(n: GraphNode, kind: NodeKind, mark: GradMark): LabelLine[] {
  const lines: LabelLine[] = [
    { role: 'title', text: title(n, kind) },
    { role: 'shape', text: formatShape(n.shape) },
    { role: 'value', text: `${nonFiniteText(n.value) ? '⚠ ' : ''}= ${summaryText(n.value)}` },
  ];
  if (n.grad) lines.push({ role: 'grad', text: gradLabel(n.grad, mark) });
  else if (kind === 'constant' || kind === 'input') lines.push({ role: 'grad', text: 'no grad' });
  return lines;
}

function pinKeyOf(n: GraphNode): string {
  return n.name ? `name:${n.name}` : `id:${n.id}`;
}

/** The norm of a group's parameter gradients taken together, √(Σ‖∇‖²) (of all its members if it has no parameters). */
function groupGradNorm(members: GraphNode[]): number {
  const params = members.filter((m) => m.kind === 'leaf' && m.requiresGrad && m.grad);
  const pool = params.length ? params : members.filter((m) => m.grad);
  if (!pool.length) return NaN;
  return Math.sqrt(pool.reduce((s, m) => s + m.grad!.norm ** 2, 0));
}

/**
 * Builds the view: collapses groups (all of them by default when the graph has more than `maxNodes` tensors),
 * then, if still too many boxes, keeps those nearest the loss and notes what is hidden.
 * @example buildViewModel(snapshot, DEFAULT_OPTIONS, { groups: new Map() }).edges[0].label === '∇ 0.25'
 */
export function buildViewModel(s: GraphSnapshot, opts: ViewOptions = DEFAULT_OPTIONS, state: ViewState = { groups: new Map() }, width = 900): ViewModel {
  const maxNodes = Math.min(MAX_BOXES, Math.max(1, Math.floor(opts.maxNodes)));
  const defaultCollapsed = s.nodes.length > maxNodes;
  const groupNames: string[] = [];
  const members = new Map<string, GraphNode[]>();
  for (const n of s.nodes) {
    if (!n.group || n.id === s.root) continue;
    if (!members.has(n.group)) { members.set(n.group, []); groupNames.push(n.group); }
    members.get(n.group)!.push(n);
  }
  const groups: ViewGroup[] = groupNames.map((name, i) => ({
    key: `g${i}`, name, size: members.get(name)!.length,
    collapsed: !(state.groups.get(name) ?? !defaultCollapsed),
  }));
  const groupByName = new Map(groups.map((g) => [g.name, g]));

  // Units: one per drawn box, before the box limit.
  const unitOf = new Map<string, string>();
  const units: ViewNode[] = [];
  const unitIndex = new Map<string, ViewNode>();
  const addUnit = (u: ViewNode) => { units.push(u); unitIndex.set(u.key, u); };
  s.nodes.forEach((n, i) => {
    const g = n.group && n.id !== s.root ? groupByName.get(n.group) : undefined;
    if (g?.collapsed) {
      const key = `c${g.key.slice(1)}`;
      unitOf.set(n.id, key);
      if (!unitIndex.has(key)) {
        const ms = members.get(g.name)!;
        const gradNorm = groupGradNorm(ms);
        const mark = Number.isNaN(gradNorm) && !ms.some((m) => m.grad)
          ? classifyGrad(undefined, opts) : classifyNorm(gradNorm, opts);
        const params = ms.filter((m) => m.kind === 'leaf' && m.requiresGrad).length;
        addUnit({
          key, kind: 'group', mark, hiddenInputs: 0, pinKey: `group:${g.name}`,
          group: { name: g.name, members: ms, gradNorm },
          lines: [
            { role: 'title', text: `▸ ${g.name}` },
            { role: 'shape', text: `${ms.length} tensors · ${params} parameters` },
            ...(ms.some((m) => m.grad) ? [{ role: 'grad' as const, text: `${mark.symbol ? mark.symbol + ' ' : ''}‖∇ params‖ ${formatNumber(gradNorm, LABEL_DIGITS)}` }] : []),
          ],
        });
      }
      return;
    }
    const kind = nodeKind(n, s.root);
    const mark = classifyGrad(n.grad, opts);
    const key = `n${i}`;
    unitOf.set(n.id, key);
    addUnit({ key, kind, node: n, mark, lines: nodeLines(n, kind, mark), hiddenInputs: 0, pinKey: pinKeyOf(n), parentGroup: g?.key });
  });

  // Box limit: breadth-first from the loss against the edges, so what stays is what the gradient reaches first.
  const limit = Math.min(MAX_BOXES, Math.max(maxNodes, state.limit ?? maxNodes));
  let shown = units;
  if (units.length > limit) {
    const inputsOf = new Map<string, Set<string>>();
    for (const e of s.edges) {
      const a = unitOf.get(e.from)!, b = unitOf.get(e.to)!;
      if (a === b) continue;
      if (!inputsOf.has(b)) inputsOf.set(b, new Set());
      inputsOf.get(b)!.add(a);
    }
    const rootUnit = unitOf.get(s.root);
    const order: string[] = [];
    const seen = new Set<string>();
    const queue = rootUnit ? [rootUnit] : [];
    if (rootUnit) seen.add(rootUnit);
    for (let q = 0; q < queue.length && order.length < limit; q++) {
      const u = queue[q];
      order.push(u);
      for (const v of inputsOf.get(u) ?? []) if (!seen.has(v)) { seen.add(v); queue.push(v); }
    }
    // Boxes the loss does not reach (or no loss at all): fill up in snapshot order.
    for (let i = 0; i < units.length && order.length < limit; i++) {
      if (!seen.has(units[i].key)) { seen.add(units[i].key); order.push(units[i].key); }
    }
    const keep = new Set(order);
    shown = units.filter((u) => keep.has(u.key));
    for (const u of shown) {
      const hidden = [...(inputsOf.get(u.key) ?? [])].filter((v) => !keep.has(v)).length;
      if (hidden) {
        u.hiddenInputs = hidden;
        u.lines = [...u.lines, { role: 'note', text: `+${hidden} hidden input${hidden > 1 ? 's' : ''}` }];
      }
    }
  }
  const shownKeys = new Set(shown.map((u) => u.key));
  // Mermaid lays out each outlined group (subgraph) on its own, which is slow with many: beyond a few, no outlines.
  const outlined = new Set(shown.map((u) => u.parentGroup).filter((g): g is string => !!g));
  const unoutlined = outlined.size > MAX_OUTLINED ? outlined.size : 0;
  if (unoutlined) for (const u of shown) u.parentGroup = undefined;

  const edges: ViewEdge[] = [];
  for (const e of s.edges) {
    const from = unitOf.get(e.from)!, to = unitOf.get(e.to)!;
    if (from === to || !shownKeys.has(from) || !shownKeys.has(to)) continue;
    const mark = e.check === 'fail' ? failedCheck(classifyGrad(e.grad, opts)) : classifyGrad(e.grad, opts);
    const fromNode = unitIndex.get(from)!, toNode = unitIndex.get(to)!;
    edges.push({
      key: `e${edges.length}`, from, to, edge: e, mark, label: gradLabel(e.grad, mark, opts.edgeLabel),
      pinKey: `edge:${fromNode.pinKey}>${toNode.pinKey}#${e.argIndex}`,
    });
  }

  const drawnTensors = shown.reduce((c, u) => c + (u.group ? u.group.members.length : 1), 0);
  const hiddenNodes = s.nodes.length - drawnTensors;
  const notes: string[] = [];
  if (!s.nodes.length) notes.push('This graph has no tensors.');
  if (s.truncated) {
    notes.push(`The kernel sent ${s.truncated.shownNodes.toLocaleString('en-US')} of ${s.truncated.totalNodes.toLocaleString('en-US')} tensors of this graph; the rest are not in this output.`);
  }
  const accumulated = s.nodes.filter((n) => n.accumulatedGrad).map((n) => n.name ?? n.id);
  if (accumulated.length) {
    const names = accumulated.slice(0, 5).join(', ') + (accumulated.length > 5 ? ` and ${accumulated.length - 5} more` : '');
    notes.push(`The .grad of ${names} holds the sum over earlier backward() calls too (no zeroGrad() between them): it differs from this backward's gradients drawn here (Σ; see ${accumulated.length > 1 ? 'their cards' : 'its card'}).`);
  }
  const collapsed = groups.filter((g) => g.collapsed && shownKeys.has(`c${g.key.slice(1)}`)).length;
  if (collapsed) notes.push(`${collapsed} module group${collapsed > 1 ? 's are' : ' is'} collapsed: click one (▸) to expand it.`);
  if (unoutlined) notes.push(`${unoutlined} module groups are expanded, too many to outline: "Collapse all" folds them.`);
  if (hiddenNodes > 0) {
    notes.push(`Showing ${shown.length} of ${units.length.toLocaleString('en-US')} boxes, those nearest the loss; ${hiddenNodes.toLocaleString('en-US')} tensor${hiddenNodes > 1 ? 's are' : ' is'} hidden${limit === MAX_BOXES ? ` (at most ${MAX_BOXES} boxes are drawn)` : ''}.`);
  }
  return {
    snapshotId: s.id, step: s.step, nodes: shown, edges, groups,
    rootKey: unitOf.get(s.root), hiddenNodes, limit, notes, totalNodes: s.nodes.length,
    direction: state.direction ?? chooseDirection(shown, edges, width),
  };
}

/**
 * Right-to-left reads like the maths (inputs left, loss right), but a deep graph gets too wide for a notebook
 * column: then top-to-bottom (loss on top). Sizes are rough estimates of the boxes mermaid will draw.
 * @example chooseDirection(view.nodes, view.edges, 900) === 'RL'
 */
export function chooseDirection(nodes: readonly ViewNode[], edges: readonly ViewEdge[], width: number): Direction {
  if (!nodes.length) return 'RL';
  // longest path from the inputs gives each box its rank
  const rank = new Map<string, number>(nodes.map((n) => [n.key, 0]));
  for (let pass = 0, changed = true; changed && pass < nodes.length; pass++) {
    changed = false;
    for (const e of edges) {
      const r = rank.get(e.from)! + 1;
      if (r > rank.get(e.to)!) { rank.set(e.to, r); changed = true; }
    }
  }
  const ranks = Math.max(...rank.values()) + 1;
  const perRank = new Map<number, number>();
  for (const r of rank.values()) perRank.set(r, (perRank.get(r) ?? 0) + 1);
  const breadth = Math.max(...perRank.values());
  const chars = Math.max(...nodes.map((n) => Math.max(...n.lines.map((l) => Math.min(l.text.length, 40)))));
  const boxW = chars * 7.8 + 24, boxH = 4 * 16 + 24;
  const fit = (w: number, h: number) => Math.min(1, width / w, 720 / h);
  const rl = fit(ranks * (boxW + 80), breadth * (boxH + 28));
  const tb = fit(breadth * (boxW + 28), ranks * (boxH + 56));
  return rl >= 0.6 || rl >= tb ? 'RL' : 'TB';
}
