// The legend under the graph: the log colour scale with its thresholds, the warning marks, the box shapes
// per kind, and which way the arrows point.
import { FLAG_COLOUR, scaleColour, scaleTicks, type GradScaleOptions } from './gradScale';
import { formatNumber } from './format';

const SVG_NS = 'http://www.w3.org/2000/svg';

function chip(text: string, colour?: string, glyph?: SVGSVGElement): HTMLElement {
  const c = document.createElement('span');
  c.className = 'bp-chip';
  if (glyph) c.appendChild(glyph);
  else if (colour) {
    const sw = document.createElement('span');
    sw.className = 'bp-swatch';
    sw.style.setProperty('--bp-c', colour);
    c.appendChild(sw);
  }
  c.appendChild(document.createTextNode(text));
  return c;
}

/** A 26×14 drawing of a box outline, in the shape mermaid uses for that kind. */
function shapeGlyph(kind: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', '26');
  svg.setAttribute('height', '14');
  svg.setAttribute('viewBox', '0 0 26 14');
  const add = (tag: string, attrs: Record<string, string | number>) => {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    e.setAttribute('fill', 'none');
    e.setAttribute('stroke', 'currentColor');
    svg.appendChild(e);
  };
  const box = { x: 1, y: 1, width: 24, height: 12 };
  if (kind === 'input') add('polygon', { points: '5,1 25,1 21,13 1,13' });
  else if (kind === 'parameter') { add('rect', { ...box, 'stroke-width': 1.8 }); add('path', { d: 'M4 1V13M22 1V13' }); }
  else if (kind === 'constant') add('rect', { ...box, 'stroke-dasharray': '2 2' });
  else if (kind === 'op') add('rect', { ...box, rx: 3 });
  else if (kind === 'loss') add('polygon', { points: '5,1 21,1 25,7 21,13 5,13 1,7', 'stroke-width': 2 });
  else add('rect', { ...box, 'stroke-dasharray': '5 2', 'stroke-width': 1.8 });
  return svg;
}

/**
 * Builds the legend element.
 * @example root.appendChild(legend(DEFAULT_SCALE))
 */
export function legend(scale: GradScaleOptions): HTMLElement {
  const box = document.createElement('div');
  box.className = 'bp-legend';

  const bar = document.createElement('span');
  bar.className = 'bp-scale';
  const title = document.createElement('span');
  title.textContent = 'gradient norm ‖∇‖ (log scale)';
  const gradient = document.createElement('span');
  gradient.className = 'bp-bar';
  gradient.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(scaleColour).join(', ')})`;
  const ticks = document.createElement('span');
  ticks.className = 'bp-ticks';
  for (const t of scaleTicks(scale, 5)) {
    const s = document.createElement('span');
    s.style.left = `${(t.t * 100).toFixed(1)}%`;
    s.textContent = t.label;
    ticks.appendChild(s);
  }
  bar.append(title, gradient, ticks);
  box.appendChild(bar);

  box.append(
    chip(`▼ vanishing < ${formatNumber(scale.vanishing)}`, FLAG_COLOUR.vanishing),
    chip(`▲ exploding > ${formatNumber(scale.exploding)}`, scaleColour(1)),
    chip('⚠ NaN / Inf', FLAG_COLOUR.nonfinite),
    chip('no gradient', 'var(--bp-muted)'),
  );
  for (const [kind, text] of [['input', 'input'], ['parameter', 'parameter'], ['constant', 'constant'], ['op', 'op'], ['loss', 'loss'], ['group', 'module (collapsed)']]) {
    box.appendChild(chip(text, undefined, shapeGlyph(kind)));
  }
  box.appendChild(chip('arrows: the way ∇ flows, from the loss back to the inputs'));
  return box;
}
