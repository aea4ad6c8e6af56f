// The gradient-flow chart: one bar per parameter, first layer on the left, height = log10 of its gradient
// norm, with the vanishing and exploding zones shaded, so a gradient that dies or blows up across layers is
// visible at a glance. Plain SVG.
import { formatNumber } from './format';
import type { GradScaleOptions } from './gradScale';
import type { FlowBar } from './gradientFlow';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The decades the y axis spans: the thresholds and every finite, positive norm, with a margin. */
export function flowRange(bars: readonly FlowBar[], scale: GradScaleOptions): [number, number] {
  const logs = bars.map((b) => b.norm).filter((n) => n > 0 && Number.isFinite(n)).map(Math.log10);
  const lo = Math.floor(Math.min(Math.log10(scale.vanishing) - 1, ...logs));
  const hi = Math.ceil(Math.max(Math.log10(scale.exploding) + 1, ...logs));
  return [Math.max(lo, -30), Math.min(hi, 30)];
}

/** What happened to a bar: pointed at or focused ('hover', at a point of the screen), left, clicked or Enter ('pin'). */
export type BarAction = 'hover' | 'leave' | 'pin';

/**
 * Draws the chart; `onBar` is called when a bar is hovered, focused, left, clicked or activated with Enter or Space
 * (each bar is a focusable button), so the caller can show or pin a card.
 * @example root.appendChild(flowChart(gradientFlow(snapshot, scale), scale, (i, how, at) => ...))
 */
export function flowChart(bars: readonly FlowBar[], scale: GradScaleOptions,
  onBar: (i: number, how: BarAction, at: { x: number; y: number }) => void): HTMLElement {
  const box = document.createElement('div');
  box.className = 'bp-flow';
  const title = document.createElement('h3');
  title.textContent = bars.length
    ? `Gradient flow: ‖∇‖ of each parameter, first layer → last (log scale)`
    : 'Gradient flow: no parameters (tensors with requiresGrad) in this graph';
  box.appendChild(title);
  if (!bars.length) return box;

  const [lo, hi] = flowRange(bars, scale);
  const longest = Math.min(18, Math.max(...bars.map((b) => b.label.length)));
  // rotated 40°, a label of n characters reaches about 4.2·n px down
  const left = 44, right = 78, top = 8, plotH = 120, labelH = bars.length <= 24 ? 14 + Math.ceil(longest * 4.2) : 12;
  const slot = Math.min(40, 640 / bars.length);
  const plotW = slot * bars.length;
  const width = left + plotW + right;
  const height = top + plotH + labelH;
  const y = (v: number) => top + plotH * (1 - (Math.log10(v) - lo) / (hi - lo));
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'gradient norm per parameter' }) as SVGSVGElement;
  svg.style.width = `${width}px`;
  svg.appendChild(svgEl('title', {}, 'gradient norm per parameter'));

  svg.appendChild(svgEl('rect', { class: 'bp-zone bp-zone-low', x: left, y: y(scale.vanishing), width: plotW, height: top + plotH - y(scale.vanishing) }));
  svg.appendChild(svgEl('rect', { class: 'bp-zone bp-zone-high', x: left, y: top, width: plotW, height: y(scale.exploding) - top }));
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  for (let e = lo; e <= hi; e += step) {
    svg.appendChild(svgEl('line', { class: 'bp-gridline', x1: left, x2: left + plotW, y1: y(10 ** e), y2: y(10 ** e) }));
    svg.appendChild(svgEl('text', { x: left - 4, y: y(10 ** e) + 3, 'text-anchor': 'end' }, formatNumber(10 ** e)));
  }
  svg.appendChild(svgEl('text', { x: left + plotW + 4, y: y(scale.vanishing) + 11 }, '▼ vanishing'));
  svg.appendChild(svgEl('text', { x: left + plotW + 4, y: y(scale.exploding) - 3 }, '▲ exploding'));
  svg.appendChild(svgEl('line', { class: 'bp-axis', x1: left, x2: left, y1: top, y2: top + plotH }));
  svg.appendChild(svgEl('line', { class: 'bp-axis', x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH }));

  bars.forEach((b, i) => {
    const x = left + i * slot + slot * 0.15, w = slot * 0.7;
    const finite = Number.isFinite(b.norm) && b.norm > 0;
    const yTop = finite ? y(b.norm) : b.mark.flag === 'nonfinite' ? top : top + plotH - 2;
    const rect = svgEl('rect', { class: 'bp-barrect', x, y: yTop, width: w, height: Math.max(2, top + plotH - yTop), 'data-bar': i });
    rect.style.fill = b.mark.colour;
    if (b.mark.flag === 'nonfinite') rect.style.fillOpacity = '0.45';
    const pointer = (ev: MouseEvent) => ({ x: ev.clientX, y: ev.clientY }), corner = () => {
      const r = rect.getBoundingClientRect();
      return { x: r.right, y: r.top };
    };
    rect.addEventListener('pointerenter', (ev) => onBar(i, 'hover', pointer(ev)));
    rect.addEventListener('pointermove', (ev) => onBar(i, 'hover', pointer(ev)));
    rect.addEventListener('pointerleave', (ev) => onBar(i, 'leave', pointer(ev)));
    rect.addEventListener('click', (ev) => onBar(i, 'pin', pointer(ev)));
    rect.setAttribute('tabindex', '0');
    rect.setAttribute('role', 'button');
    rect.setAttribute('aria-label', `${b.label}: gradient norm ${formatNumber(b.norm)}`);
    // keyboard focus only (a click focuses too, and its hover card stays at the pointer)
    rect.addEventListener('focus', () => { if (rect.matches(':focus-visible')) onBar(i, 'hover', corner()); });
    rect.addEventListener('blur', () => onBar(i, 'leave', corner()));
    rect.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); onBar(i, 'pin', corner()); }
      else if (ev.key === 'Escape') onBar(i, 'leave', corner());
    });
    svg.appendChild(rect);
    if (b.mark.symbol) svg.appendChild(svgEl('text', { x: x + w / 2, y: yTop - 3, 'text-anchor': 'middle' }, b.mark.symbol));
    if (labelH > 20) {
      const label = b.label.length > 18 ? '…' + b.label.slice(-17) : b.label;
      svg.appendChild(svgEl('text', { x: x + w / 2, y: top + plotH + 6, transform: `rotate(40 ${x + w / 2} ${top + plotH + 6})` }, label));
    }
  });
  box.appendChild(svg);
  return box;
}
