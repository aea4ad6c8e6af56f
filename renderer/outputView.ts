// One graph output: builds its DOM (header, notes, zoomable graph, pins, legend, gradient-flow chart), wires
// hover, pin, collapse and "show more", and keeps what the user did (zoom, pins, group toggles) in an
// OutputState that survives re-renders of the same output.
import { edgeCard, nodeCard } from './cards';
import { flowChart } from './flowChart';
import { gradientFlow } from './gradientFlow';
import { classifyGrad } from './gradScale';
import { drawGraph } from './graphView';
import { attachKeyboard, refocus } from './keyboard';
import { legend } from './legend';
import { NON_FINITE_CSS, nonFiniteWarning } from './nonFinite';
import { stepperPanel } from './stepper';
import type { RenderedMessage } from './messages';
import { parseSnapshotText } from './snapshot';
import { CSS } from './styles';
import { currentTheme, labelFont } from './theme';
import type { GraphNode, GraphSnapshot } from './types';
import { buildViewModel, MAX_BOXES, nodeKind, withOptions, type ViewModel, type ViewNode, type ViewOptions, type ViewState } from './viewModel';
import { attachZoomPan, newZoomState, type ZoomPan, type ZoomState } from './zoomPan';

export interface OutputState {
  view: ViewState;
  zoom: ZoomState;
  /** Pin keys (ViewNode/ViewEdge `pinKey`), in pin order. */
  pins: string[];
  lastStep?: number;
  /** The key of the graph element that had the keyboard focus when Enter re-rendered the graph: focused again. */
  focusKey?: string;
  /** Bumped by every render; an older render that finishes late does nothing. */
  generation: number;
  zoomPan?: ZoomPan;
}

export const newOutputState = (): OutputState => ({ view: { groups: new Map() }, zoom: newZoomState(), pins: [], generation: 0 });

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'bp-btn', text);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function newRoot(): HTMLDivElement {
  const root = el('div', `bp-root bp-theme-${currentTheme()}`);
  root.appendChild(el('style', undefined, CSS));
  return root;
}

/** Replaces the element's content with a clear message (malformed JSON, wrong version, drawing failed). */
export function showError(element: HTMLElement, message: string): void {
  const root = newRoot();
  const box = el('div', 'bp-error');
  box.append(el('strong', undefined, 'Cannot draw this computation graph'), el('pre', undefined, message));
  root.appendChild(box);
  element.replaceChildren(root);
}

/** A box for a tensor that is not drawn on its own (inside a collapsed group), so it can still have a card. */
function looseNode(n: GraphNode, s: GraphSnapshot, view: ViewModel, opts: ViewOptions): ViewNode {
  const kind = nodeKind(n, s.root);
  const drawn = view.nodes.find((v) => v.node === n);
  if (drawn) return drawn;
  const pinKey = n.name ? `name:${n.name}` : `id:${n.id}`;
  return { key: '', kind, node: n, lines: [], hiddenInputs: 0, pinKey, mark: classifyGrad(n.grad, opts) };
}

export interface RenderArgs {
  element: HTMLElement;
  outputId: string;
  text: string;
  /** Drawn with these, under the output's own `display` settings, under `overrides`. */
  options: ViewOptions;
  /** Settings that changed after the output was made (an `options` message). */
  overrides?: object;
  state: OutputState;
  post: (m: RenderedMessage) => void;
  rerender: () => void;
  signal?: AbortSignal;
}

/**
 * Draws one output; throws (with a readable message) when the snapshot cannot be read or drawn.
 * @example await renderOutput({ element, outputId: item.id, text: item.text(), options, state, post, rerender })
 */
export async function renderOutput(a: RenderArgs): Promise<void> {
  const { element, state } = a;
  const generation = ++state.generation;
  const { snapshot, warnings, display } = parseSnapshotText(a.text);
  const options = withOptions(withOptions(a.options, display), a.overrides);
  const view = buildViewModel(snapshot, options, state.view, element.clientWidth || 900);
  const bars = gradientFlow(snapshot, options);

  const root = newRoot();
  // Build off to the side and swap when drawn, so a re-render never flashes an empty output.
  const old = Array.from(element.children);
  const building = old.length > 0;
  if (building) root.style.cssText = 'position:absolute;left:0;top:0;right:0;visibility:hidden;';
  if (building && getComputedStyle(element).position === 'static') element.style.position = 'relative';

  const header = el('div', 'bp-header');
  const step = el('span', 'bp-step', `step ${snapshot.step}`);
  step.title = 'how many times backward() has run in this cell';
  if (state.lastStep !== undefined && snapshot.step !== state.lastStep) step.classList.add('bp-flash');
  state.lastStep = snapshot.step;
  header.append(
    el('span', 'bp-title', 'Computation graph'), step,
    el('span', 'bp-summary', `${snapshot.nodes.length.toLocaleString('en-US')} tensors · ${snapshot.edges.length.toLocaleString('en-US')} edges`),
  );
  const toolbar = el('span', 'bp-toolbar');
  header.appendChild(toolbar);
  root.appendChild(header);

  const notes = el('ul', 'bp-notes');
  for (const n of view.notes) notes.appendChild(el('li', undefined, n));
  if (view.hiddenNodes > 0 && view.limit < MAX_BOXES && view.nodes.length >= view.limit) {
    const more = Math.min(MAX_BOXES, view.limit + options.maxNodes);
    (notes.lastChild as HTMLElement).appendChild(button('show more', `draw up to ${more} boxes`, () => {
      state.view.limit = more;
      a.rerender();
    }));
  }
  for (const w of warnings) notes.appendChild(el('li', 'bp-warn', w));
  if (notes.children.length) root.appendChild(notes);

  const viewport = el('div', 'bp-viewport');
  viewport.appendChild(el('div', 'bp-busy', `Laying out ${view.nodes.length} boxes…`));
  const tip = el('div', 'bp-tip');
  tip.hidden = true;
  const pins = el('div', 'bp-pins');
  const hint = el('div', 'bp-hint', 'hover or Tab: statistics · click or Enter: pin · drag: pan · Ctrl/⌘ + wheel: zoom');
  root.append(viewport, hint, tip, pins, legend(options));
  element.appendChild(root);

  let drawn;
  try {
    drawn = await drawGraph(view, viewport, currentTheme(), labelFont());
  } catch (e) {
    root.remove();
    throw e;
  }
  if (generation !== state.generation || a.signal?.aborted) { root.remove(); return; }
  drawn.svg.setAttribute('aria-label', `computation graph: ${drawn.drawnNodes} boxes, ${drawn.drawnEdges} edges, each labelled with its gradient`);
  for (const o of old) o.remove();
  root.style.cssText = '';

  state.zoomPan?.dispose();
  const zp = attachZoomPan(viewport, drawn.svg, drawn.width, drawn.height, state.zoom);
  state.zoomPan = zp;
  if (snapshot.nonFinite) {
    root.appendChild(el('style', undefined, NON_FINITE_CSS));
    root.insertBefore(nonFiniteWarning(snapshot.nonFinite, drawn.svg, (r) => zp.reveal(r)), viewport);
  }
  toolbar.append(
    button('−', 'zoom out (or Ctrl + wheel)', () => zp.zoomBy(1 / 1.25)),
    button('+', 'zoom in (or Ctrl + wheel)', () => zp.zoomBy(1.25)),
    button('Fit', 'fit to width', () => zp.fit()),
    button(view.direction === 'RL' ? '↕' : '↔', view.direction === 'RL' ? 'lay out top to bottom' : 'lay out right to left', () => {
      state.view.direction = view.direction === 'RL' ? 'TB' : 'RL';
      state.zoom.auto = true;
      a.rerender();
    }),
  );
  if (view.groups.length) {
    const setAll = (expanded: boolean) => () => { for (const g of view.groups) state.view.groups.set(g.name, expanded); a.rerender(); };
    toolbar.append(button('Expand all', 'expand every module group', setAll(true)), button('Collapse all', 'collapse every module group', setAll(false)));
  }

  // Cards: hover shows one that follows the pointer; click pins it below the graph.
  const nodeByKey = new Map(view.nodes.map((n) => [n.key, n]));
  const edgeByKey = new Map(view.edges.map((e) => [e.key, e]));
  const cardFor = (key: string): HTMLElement | undefined => {
    const n = nodeByKey.get(key);
    if (n) return nodeCard(n, options);
    const e = edgeByKey.get(key);
    return e ? edgeCard(e, view, options) : undefined;
  };
  /** Puts the card next to the point (x, y) of the screen, on the side where it fits. */
  const place = (at: { x: number; y: number }) => {
    const r = root.getBoundingClientRect();
    const x = at.x - r.left, yy = at.y - r.top;
    const w = tip.offsetWidth || 240;
    tip.style.left = `${Math.max(0, x + 14 + w > r.width ? x - 14 - w : x + 14)}px`;
    const h = tip.offsetHeight || 200;
    // near the bottom of the output, above the pointer: below it the card would run past the output's end
    tip.style.top = `${Math.max(0, yy + 14 + h > r.height ? yy - 14 - h : yy + 14)}px`;
  };
  const pointer = (ev: MouseEvent) => ({ x: ev.clientX, y: ev.clientY });
  const show = (card: HTMLElement | undefined, at: { x: number; y: number }) => {
    if (!card) { tip.hidden = true; return; }
    tip.replaceChildren(card);
    tip.hidden = false;
    place(at);
  };
  let hovered = '';
  const hot = (key: string, on: boolean) => {
    for (const e of view.edges) {
      if (e.key === key || e.from === key || e.to === key) drawn.svg.querySelector(`path.bp-edge[data-bp="${e.key}"]`)?.classList.toggle('bp-edge-hot', on);
    }
  };
  const keyAt = (ev: Event) => (ev.target as Element).closest?.('[data-bp]')?.getAttribute('data-bp') ?? '';
  drawn.svg.addEventListener('pointermove', (ev) => {
    const key = keyAt(ev);
    if (key !== hovered) {
      if (hovered) hot(hovered, false);
      hovered = key;
      if (key) hot(key, true);
      show(key && !key.startsWith('g') ? cardFor(key) : undefined, pointer(ev));
    } else if (key) place(pointer(ev));
  });
  drawn.svg.addEventListener('pointerleave', () => { if (hovered) hot(hovered, false); hovered = ''; tip.hidden = true; });

  const pinKeyOf = (key: string) => nodeByKey.get(key)?.pinKey ?? edgeByKey.get(key)?.pinKey;
  const drawPins = () => {
    pins.replaceChildren();
    drawn.svg.querySelectorAll('.bp-pinned').forEach((e) => e.classList.remove('bp-pinned'));
    for (const pk of state.pins) {
      const n = view.nodes.find((v) => v.pinKey === pk);
      const e = view.edges.find((v) => v.pinKey === pk);
      const t = n || e ? undefined : snapshot.nodes.find((v) => (v.name ? `name:${v.name}` : `id:${v.id}`) === pk);
      const card = n ? nodeCard(n, options) : e ? edgeCard(e, view, options) : t ? nodeCard(looseNode(t, snapshot, view, options), options)
        : el('div', 'bp-card', `${pk.replace(/^\w+:/, '')}: not in this step's graph`);
      card.dataset.pin = pk;
      const close = button('×', 'unpin', () => { state.pins = state.pins.filter((p) => p !== pk); drawPins(); });
      close.className = 'bp-close';
      card.appendChild(close);
      pins.appendChild(card);
      const key = n?.key ?? e?.key;
      if (key) drawn.svg.querySelectorAll(`[data-bp="${key}"]`).forEach((x) => x.classList.add('bp-pinned'));
    }
  };
  const togglePin = (pk: string) => {
    state.pins = state.pins.includes(pk) ? state.pins.filter((p) => p !== pk) : [...state.pins, pk];
    drawPins();
  };
  /** The module group whose title, collapsed box or member this is, if any. */
  const groupOf = (key: string) => key.startsWith('g') ? view.groups.find((g) => g.key === key)
    : nodeByKey.get(key)?.group ? view.groups.find((g) => g.name === nodeByKey.get(key)!.group!.name) : undefined;
  /** What a click or Enter does: a group (its title, or a box inside it) collapses or expands, else a card is pinned. */
  const activate = (key: string) => {
    const group = groupOf(key);
    if (group) {
      state.view.groups.set(group.name, group.collapsed);
      a.rerender();
      return;
    }
    const pk = pinKeyOf(key);
    if (pk) togglePin(pk);
  };
  drawn.svg.addEventListener('click', (ev) => {
    if (zp.dragged()) return;
    const key = keyAt(ev);
    if (key) activate(key);
  });
  attachKeyboard(drawn.svg, {
    label: (key) => {
      const n = nodeByKey.get(key), e = edgeByKey.get(key), g = view.groups.find((x) => x.key === key);
      if (n) return n.lines.map((l) => l.text).join(', ');
      if (e) return `gradient ${e.label} from ${nodeByKey.get(e.from)?.lines[0].text ?? '?'} into ${nodeByKey.get(e.to)?.lines[0].text ?? '?'}`;
      return g ? `module group ${g.name}: Enter ${g.collapsed ? 'expands' : 'collapses'} it` : key;
    },
    focus: (key, target) => {
      if (hovered) hot(hovered, false);
      hovered = key;
      hot(key, true);
      zp.reveal(target.getBoundingClientRect());
      const r = target.getBoundingClientRect();
      show(key.startsWith('g') ? undefined : cardFor(key), { x: r.right, y: r.top });
    },
    blur: () => { if (hovered) hot(hovered, false); hovered = ''; tip.hidden = true; },
    activate: (key) => {
      // after a group collapses, its box (cN) has the focus; after it expands, its title (gN)
      const group = groupOf(key);
      state.focusKey = !group ? key : group.collapsed ? group.key : `c${group.key.slice(1)}`;
      activate(key);
    },
  });
  if (state.focusKey !== undefined) {
    const key = state.focusKey;
    state.focusKey = undefined;
    refocus(drawn.svg, key);
  }
  drawPins();
  const stepper = stepperPanel(snapshot, drawn.svg, state);
  if (stepper) root.insertBefore(stepper, pins);

  root.appendChild(flowChart(bars, options, (i, how, at) => {
    if (how === 'leave') { tip.hidden = true; return; }
    if (how === 'pin') togglePin(bars[i].node.name ? `name:${bars[i].node.name}` : `id:${bars[i].node.id}`);
    else show(nodeCard(looseNode(bars[i].node, snapshot, view, options), options), at);
  }));

  a.post({
    type: 'rendered', id: a.outputId, snapshotId: snapshot.id, step: snapshot.step,
    nodes: drawn.drawnNodes, edges: drawn.drawnEdges,
    edgeLabels: view.edges.map((e) => drawn.edgeLabels.get(e.key) ?? ''),
    nodeTitles: view.nodes.map((n) => n.lines[0].text),
    hiddenNodes: view.hiddenNodes,
    collapsedGroups: view.groups.filter((g) => g.collapsed).map((g) => g.name),
    notes: view.notes,
    display: { maxNodes: options.maxNodes, edgeLabel: options.edgeLabel },
  });
}
