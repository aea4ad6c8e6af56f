// Draws the view model: mermaid lays out boxes with placeholder labels (mermaidText.ts), then this file swaps
// in the real label text with textContent, colours boxes and edges by gradient, gives edges coloured arrow
// heads and wide invisible hit areas, and tags everything with `data-bp` keys for hover and click.
import mermaid from 'mermaid';
import { clipLine, mermaidText } from './mermaidText';
import type { ThemeKind } from './theme';
import type { LabelLine, ViewModel } from './viewModel';

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT_SIZE = 13;
const LINE_HEIGHT = 16;

export interface DrawnGraph {
  svg: SVGSVGElement;
  width: number;
  height: number;
  /** View keys (`n3`, `c0`, `e5`, `g1`) of everything drawn, for tests and messages. */
  drawnNodes: number;
  drawnEdges: number;
  /** Edge key → the edge label text as drawn. */
  edgeLabels: Map<string, string>;
}

let renderCount = 0;
/** Mermaid keeps global state (its config), so renders run one at a time. */
let queue: Promise<unknown> = Promise.resolve();

function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Multi-line label text centred on (0, 0), each line a tspan whose text is set with textContent. */
function labelText(lines: readonly LabelLine[], anchor: 'middle' | 'start' = 'middle'): SVGTextElement {
  const text = svgEl('text', { 'text-anchor': anchor });
  lines.forEach((line, i) => {
    const t = svgEl('tspan', { x: 0, y: (i - (lines.length - 1) / 2) * LINE_HEIGHT, 'dominant-baseline': 'central', class: `bp-line-${line.role}` });
    t.textContent = clipLine(line.text);
    text.appendChild(t);
  });
  return text;
}

/** Replaces mermaid's label content inside `holder` with our own text. */
function replaceLabel(holder: Element, lines: readonly LabelLine[]): SVGTextElement {
  holder.replaceChildren();
  holder.removeAttribute('transform');
  const text = labelText(lines);
  holder.appendChild(text);
  return text;
}

function arrowMarker(defs: SVGDefsElement, id: string, colour: string): string {
  if (!defs.querySelector(`marker[id="${id}"]`)) {
    const m = svgEl('marker', { id, viewBox: '0 0 10 10', refX: 5, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 9, markerHeight: 9, orient: 'auto' });
    const p = svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z' });
    p.style.fill = colour;
    m.appendChild(p);
    defs.appendChild(m);
  }
  return `url(#${id})`;
}

/**
 * Lays out and draws `view` into `host` (replacing its content).
 * @example const drawn = await drawGraph(view, viewportDiv, 'dark', 'Menlo, monospace')
 */
export function drawGraph(view: ViewModel, host: HTMLElement, theme: ThemeKind, font: string): Promise<DrawnGraph> {
  return serial(async () => {
    const prefix = `bp${++renderCount}x`;
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: theme === 'dark' || theme === 'hc' ? 'dark' : 'default',
      fontFamily: font,
      themeVariables: { fontFamily: font, fontSize: `${FONT_SIZE}px` },
      maxTextSize: 5_000_000,
      maxEdges: 20_000,
      markdownAutoWrap: false,
      flowchart: { htmlLabels: false, useMaxWidth: false, wrappingWidth: 100_000, nodeSpacing: 28, rankSpacing: 46, padding: 10, curve: 'basis' },
    });
    const { svg: source } = await mermaid.render(`${prefix}svg`, mermaidText(view, prefix));
    const holder = document.createElement('div');
    holder.innerHTML = source;
    const svg = holder.querySelector('svg');
    if (!svg) throw new Error('mermaid returned no drawing');
    svg.querySelectorAll('style').forEach((s) => s.remove());
    svg.removeAttribute('style');
    svg.classList.add('bp-graph');
    const vb = (svg.getAttribute('viewBox') ?? '0 0 100 100').split(/\s+/).map(Number);
    const [, , w, h] = vb;
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    host.replaceChildren(svg);

    const strip = (id: string) => (id.startsWith(prefix) ? id.slice(prefix.length) : id);
    const nodeByKey = new Map(view.nodes.map((n) => [n.key, n]));
    let drawnNodes = 0;
    for (const g of Array.from(svg.querySelectorAll<SVGGElement>('g.node'))) {
      const m = /^flowchart-(.+)-\d+$/.exec(g.id);
      const n = m && nodeByKey.get(strip(m[1]));
      if (!n) continue;
      drawnNodes++;
      g.dataset.bp = n.key;
      if (n.node) g.dataset.id = n.node.id;
      g.classList.add('bp-node', `bp-kind-${n.kind}`, `bp-flag-${n.mark.flag}`);
      g.style.setProperty('--bp-c', n.mark.colour);
      if (n.key === view.rootKey) g.classList.add('bp-root-node');
      const label = g.querySelector('g.label') ?? g.querySelector('text')?.parentElement;
      if (label) replaceLabel(label, n.lines);
      else g.appendChild(labelText(n.lines));
    }
    for (const group of view.groups) {
      const c = svg.querySelector(`g.cluster[id="${prefix}${group.key}"]`);
      const label = c?.querySelector('.cluster-label');
      if (!c || !label) continue;
      (label as SVGGElement).dataset.bp = group.key;
      const text = replaceLabel(label, [{ role: 'title', text: `▾ ${group.name}` }]);
      // mermaid put the label's top-left where the text box starts; our text is centred on its origin
      const rect = c.querySelector('rect');
      const cx = rect ? Number(rect.getAttribute('x')) + Number(rect.getAttribute('width')) / 2 : 0;
      const cy = rect ? Number(rect.getAttribute('y')) + LINE_HEIGHT / 2 + 4 : 0;
      label.setAttribute('transform', `translate(${cx}, ${cy})`);
      text.setAttribute('text-anchor', 'middle');
    }

    const defs = svg.querySelector('defs') ?? svg.insertBefore(svgEl('defs'), svg.firstChild);
    const markers = new Map<string, string>();
    const edgeLabels = new Map<string, string>();
    const backgrounds: Array<[SVGRectElement, SVGTextElement]> = [];
    let drawnEdges = 0;
    for (const e of view.edges) {
      const path = svg.querySelector<SVGPathElement>(`path[id="${prefix}${e.key}"]`);
      if (!path) continue;
      drawnEdges++;
      path.classList.add('bp-edge', `bp-flag-${e.mark.flag}`);
      path.dataset.bp = e.key;
      // the snapshot's ids, so tests (here and in VS Code) can find an edge by its tensors
      path.dataset.from = e.edge.from;
      path.dataset.to = e.edge.to;
      path.style.setProperty('--bp-c', e.mark.colour);
      path.style.setProperty('--bp-w', `${(1.2 + 2.4 * (e.mark.flag === 'none' ? 0 : e.mark.t)).toFixed(2)}px`);
      if (!markers.has(e.mark.colour)) markers.set(e.mark.colour, arrowMarker(defs, `${prefix}m${markers.size}`, e.mark.colour));
      path.setAttribute('marker-end', markers.get(e.mark.colour)!);
      const hit = path.cloneNode() as SVGPathElement;
      hit.removeAttribute('id');
      hit.removeAttribute('marker-end');
      hit.removeAttribute('style');
      hit.setAttribute('class', 'bp-hit');
      path.after(hit);
      const labelGroup = svg.querySelector(`g.label[data-id="${prefix}${e.key}"]`)?.closest('g.edgeLabel');
      if (labelGroup && e.label) {
        (labelGroup as SVGGElement).dataset.bp = e.key;
        (labelGroup as SVGGElement).dataset.from = e.edge.from;
        (labelGroup as SVGGElement).dataset.to = e.edge.to;
        (labelGroup as SVGGElement).style.setProperty('--bp-c', e.mark.colour);
        labelGroup.replaceChildren();
        const bg = svgEl('rect', { class: 'bp-label-bg' });
        const text = labelText([{ role: 'grad', text: e.label }]);
        labelGroup.append(bg, text);
        backgrounds.push([bg, text]);
        edgeLabels.set(e.key, e.label);
      }
    }
    // measure every label first, then write: one layout instead of one per label
    const boxes = backgrounds.map(([, text]) => text.getBBox());
    backgrounds.forEach(([bg], i) => {
      const b = boxes[i];
      bg.setAttribute('x', String(b.x - 4));
      bg.setAttribute('y', String(b.y - 2));
      bg.setAttribute('width', String(b.width + 8));
      bg.setAttribute('height', String(b.height + 4));
    });
    // Labels a little wider than mermaid measured (e.g. a font fallback) must not be cut: grow the view box.
    const box = svg.getBBox();
    const x0 = Math.min(vb[0], box.x - 4), y0 = Math.min(vb[1], box.y - 4);
    const x1 = Math.max(vb[0] + w, box.x + box.width + 4), y1 = Math.max(vb[1] + h, box.y + box.height + 4);
    svg.setAttribute('viewBox', `${x0} ${y0} ${x1 - x0} ${y1 - y0}`);
    svg.setAttribute('width', String(x1 - x0));
    svg.setAttribute('height', String(y1 - y0));
    return { svg, width: x1 - x0, height: y1 - y0, drawnNodes, drawnEdges, edgeLabels };
  });
}
