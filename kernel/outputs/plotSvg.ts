/*
 * The `image/svg+xml` fallback of a plot output: the same PlotSpec drawn as a static SVG string, for the HTML
 * export, Jupyter, GitHub and any viewer without the backprop-plot renderer. Written by hand, because the kernel
 * has no DOM (only renderer/ may touch one) and the charting libraries that draw SVG need one (Observable Plot,
 * uPlot), or draw it asynchronously and weigh ~800 KB (Vega): see docs/plots.md. Axes, ticks, lines, dots, bins,
 * grids and legends; each heatmap cell carries a <title> with its value (a hover where the SVG is inline).
 */
import type { GridLayer, PlotAxis, PlotLayer, PlotSpec } from '../client/protocol';
import { escapeHtml } from './display';

interface Scale {
  (v: number): number;
  ticks: number[];
  format: (v: number) => string;
  log: boolean;
}

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/** Short tick text: 0.25, 1200, 1e-6. */
function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const e = Math.floor(Math.log10(a) + 1e-9), m = v / 10 ** e;
    return `${Math.abs(m - 1) < 1e-9 ? '' : `${Number(m.toPrecision(2))}×`}1e${e}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** Evenly spaced round ticks over [lo, hi], about `count` of them (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, p = 10 ** Math.floor(Math.log10(raw)), r = raw / p;
  const step = (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * p;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Powers of ten over [lo, hi] (both > 0), thinned to at most ~8; a narrow range gets 2× and 5× too. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let e = a; e <= b; e += every) {
    for (const m of b - a <= 3 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out.length ? out : [lo, hi];
}

function scale(axis: PlotAxis, data: [number, number], range: [number, number], pad: boolean): Scale {
  let [lo, hi] = axis.domain ?? data;
  if (axis.log) {
    if (!(lo > 0)) lo = Math.min(hi > 0 ? hi / 10 : 1, 1);
    if (!(hi > lo)) hi = lo * 10;
    const [l0, l1] = [Math.log10(lo), Math.log10(hi)];
    const f = ((v: number) => range[0] + ((Math.log10(v) - l0) / (l1 - l0)) * (range[1] - range[0])) as Scale;
    f.ticks = logTicks(lo, hi);
    f.format = tickText;
    f.log = true;
    return f;
  }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  if (pad && !axis.domain) { const m = (hi - lo) * 0.04; lo -= m; hi += m; }
  const f = ((v: number) => range[0] + ((v - lo) / (hi - lo)) * (range[1] - range[0])) as Scale;
  f.ticks = niceTicks(lo, hi);
  f.format = tickText;
  f.log = false;
  return f;
}

function finiteExtent(values: Iterable<number | null>, log: boolean): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
    lo = Math.min(lo, v); hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : [log ? 1 : 0, log ? 10 : 1];
}

/** The colour of `v` between three stops (linear in RGB, as the renderer's library interpolates). */
export function gridColor(layer: Pick<GridLayer, 'domain' | 'colors'>, v: number | null): string {
  if (v === null) return '#888888';
  const [d0, d1, d2] = layer.domain;
  const rgb = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const [c0, c1, c2] = layer.colors.map(rgb);
  const [t, a, b] = v <= d1 ? [d1 > d0 ? (Math.max(v, d0) - d0) / (d1 - d0) : 1, c0, c1] : [d2 > d1 ? (Math.min(v, d2) - d1) / (d2 - d1) : 0, c1, c2];
  return `#${a.map((x, i) => Math.round(x + (b[i] - x) * t).toString(16).padStart(2, '0')).join('')}`;
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

/** The legend entries: one per named line or histogram, one per class of dots. */
function legendOf(spec: PlotSpec): { name: string; color: string }[] {
  const out: { name: string; color: string }[] = [];
  for (const l of spec.layers) {
    if (l.type === 'line' || l.type === 'bins') out.push({ name: l.name, color: l.color });
    if (l.type === 'dot' && l.group) {
      const classes = [...new Set(l.group)].sort((p, q) => p - q);
      for (const g of classes) out.push({ name: `class ${g}`, color: l.colors[g % l.colors.length] });
    }
  }
  return out.length > 1 || spec.kind === 'scatter' ? out : [];
}

/** The SVG picture of a plot spec. */
export function plotSvg(spec: PlotSpec): string {
  const { width: W, height: H } = spec;
  const grid = spec.layers.find((l): l is GridLayer => l.type === 'grid');
  const labelled = grid?.rowLabels !== undefined;
  const legend = legendOf(spec);
  const longest = labelled ? Math.max(...grid.rowLabels!.map((s) => s.length)) : 0;
  const left = labelled ? Math.min(170, 30 + 6.5 * longest) : 58;
  const right = legend.length || grid ? 130 : 18;
  const top = spec.title ? 34 : 14, bottom = labelled ? 26 + 6.5 * Math.min(14, Math.max(...grid.columnLabels!.map((s) => s.length))) : 44;
  const x0 = left, x1 = W - right, y0 = H - bottom, y1 = top;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<rect width="${W}" height="${H}" fill="white"/>`];
  if (spec.title) out.push(`<text x="${x0}" y="20" font-size="13" font-weight="600">${escapeHtml(spec.title)}</text>`);

  if (labelled) {
    drawMatrix(out, grid, x0, x1, y0, y1);
  } else {
    const xs = spec.layers.flatMap((l: PlotLayer) => (l.type === 'line' || l.type === 'dot' ? l.x : l.type === 'bins' ? [l.edges[0], l.edges[l.edges.length - 1]] : []));
    const ys = spec.layers.flatMap((l: PlotLayer) => (l.type === 'line' || l.type === 'dot' ? l.y : l.type === 'bins' ? [0, ...l.counts] : []));
    const sx = scale(spec.x, finiteExtent(xs, !!spec.x.log), [x0, x1], spec.kind !== 'histogram' && spec.kind !== 'line');
    const sy = scale(spec.y, finiteExtent(ys, !!spec.y.log), [y0, y1], spec.kind !== 'histogram');
    out.push(`<g stroke="#e5e5e5">${sy.ticks.map((t) => `<line x1="${x0}" x2="${x1}" y1="${f1(sy(t))}" y2="${f1(sy(t))}"/>`).join('')}</g>`);
    for (const l of spec.layers) drawLayer(out, l, sx, sy, y0);
    out.push(`<g stroke="#888">`, `<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}"/>`, `</g>`);
    out.push(`<g fill="#444" text-anchor="middle">${sx.ticks.map((t) => `<text x="${f1(sx(t))}" y="${y0 + 15}">${escapeHtml(sx.format(t))}</text>`).join('')}</g>`);
    out.push(`<g fill="#444" text-anchor="end">${sy.ticks.map((t) => `<text x="${x0 - 5}" y="${f1(sy(t) + 4)}">${escapeHtml(sy.format(t))}</text>`).join('')}</g>`);
  }
  if (spec.x.label) out.push(`<text x="${f1((x0 + x1) / 2)}" y="${H - 6}" text-anchor="middle" fill="#222">${escapeHtml(spec.x.label)}${spec.x.log ? ' (log)' : ''}</text>`);
  if (spec.y.label) out.push(`<text transform="translate(12 ${f1((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${escapeHtml(spec.y.label)}${spec.y.log ? ' (log)' : ''}</text>`);
  legend.forEach((e, k) => out.push(`<rect x="${x1 + 14}" y="${y1 + 4 + 18 * k}" width="12" height="12" fill="${e.color}"/>`,
    `<text x="${x1 + 30}" y="${y1 + 14 + 18 * k}">${escapeHtml(e.name)}</text>`));
  if (grid) drawColorBar(out, grid, x1 + 14, y1 + 8 + 18 * legend.length);
  out.push('</svg>');
  return out.join('');
}

function drawLayer(out: string[], l: PlotLayer, sx: Scale, sy: Scale, y0: number): void {
  if (l.type === 'line') {
    let d = '', pen = false;
    l.x.forEach((x, i) => {
      const y = l.y[i];
      const ok = y !== null && (!sy.log || y > 0);
      if (ok) { d += `${pen ? 'L' : 'M'}${f1(sx(x))},${f1(sy(y))}`; pen = true; } else pen = false;
    });
    out.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.8" stroke-linejoin="round"/>`);
  } else if (l.type === 'dot') {
    out.push(`<g stroke="white" stroke-width="0.7">${l.x.map((x, i) => `<circle cx="${f1(sx(x))}" cy="${f1(sy(l.y[i]))}" r="3.2" fill="${l.colors[(l.group?.[i] ?? 0) % l.colors.length]}"/>`).join('')}</g>`);
  } else if (l.type === 'bins') {
    out.push(`<g fill="${l.color}" fill-opacity="0.55">${l.counts.map((c, i) => {
      const xa = sx(l.edges[i]), xb = sx(l.edges[i + 1]), y = sy(c);
      return c > 0 ? `<rect x="${f1(xa)}" y="${f1(y)}" width="${f1(Math.max(0.5, xb - xa - 0.5))}" height="${f1(y0 - y)}"/>` : '';
    }).join('')}</g>`);
  } else if (l.extent) {
    // a decision boundary: runs of cells of one colour become one rectangle (a compact SVG)
    const cw = (sx(l.extent.x[1]) - sx(l.extent.x[0])) / l.columns, ch = (sy(l.extent.y[0]) - sy(l.extent.y[1])) / l.rows;
    const left = sx(l.extent.x[0]), top = sy(l.extent.y[1]);
    for (let r = 0; r < l.rows; r++) {
      for (let c = 0; c < l.columns;) {
        const colour = gridColor(l, quantise(l.values[r * l.columns + c]));
        let end = c + 1;
        while (end < l.columns && gridColor(l, quantise(l.values[r * l.columns + end])) === colour) end++;
        out.push(`<rect x="${f1(left + c * cw)}" y="${f1(top + r * ch)}" width="${f1((end - c) * cw + 0.5)}" height="${f1(ch + 0.5)}" fill="${colour}"/>`);
        c = end;
      }
    }
  }
}

const quantise = (v: number | null) => (v === null ? null : Math.round(v * 16) / 16);

/** A labelled matrix (a Jacobian): one cell per entry with its value as a tooltip, row and column labels. */
function drawMatrix(out: string[], g: GridLayer, x0: number, x1: number, y0: number, y1: number): void {
  const cw = (x1 - x0) / g.columns, ch = (y0 - y1) / g.rows;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.columns; c++) {
      const v = g.values[r * g.columns + c];
      out.push(`<rect x="${f1(x0 + c * cw)}" y="${f1(y1 + r * ch)}" width="${f1(cw + 0.3)}" height="${f1(ch + 0.3)}" fill="${gridColor(g, v)}">`
        + `<title>${escapeHtml(`${g.rowLabels![r]}, ${g.columnLabels![c]}: ${v === null ? 'NaN' : Number(v.toPrecision(6))}`)}</title></rect>`);
    }
  }
  const everyRow = Math.max(1, Math.ceil(12 / ch)), everyCol = Math.max(1, Math.ceil(12 / cw));
  out.push(`<g fill="#444" text-anchor="end">${g.rowLabels!.map((s, r) => (r % everyRow ? '' : `<text x="${x0 - 5}" y="${f1(y1 + (r + 0.5) * ch + 4)}">${escapeHtml(s)}</text>`)).join('')}</g>`);
  out.push(`<g fill="#444" text-anchor="end">${g.columnLabels!.map((s, c) => (c % everyCol ? '' : `<text transform="translate(${f1(x0 + (c + 0.5) * cw + 4)} ${y0 + 6}) rotate(-60)">${escapeHtml(s)}</text>`)).join('')}</g>`);
}

/** The colour scale: a vertical bar from the largest value (top) to the least, with the three stops labelled. */
function drawColorBar(out: string[], g: GridLayer, x: number, y: number): void {
  const h = 90, steps = 18;
  if (g.label) out.push(`<text x="${x}" y="${y + 8}">${escapeHtml(g.label)}</text>`);
  for (let k = 0; k < steps; k++) {
    const v = g.domain[2] - ((g.domain[2] - g.domain[0]) * (k + 0.5)) / steps;
    out.push(`<rect x="${x}" y="${f1(y + 18 + (h * k) / steps)}" width="14" height="${f1(h / steps + 0.5)}" fill="${gridColor(g, v)}"/>`);
  }
  [2, 1, 0].forEach((i, k) => out.push(`<text x="${x + 20}" y="${f1(y + 22 + (h * k) / 2)}">${escapeHtml(tickText(Number(g.domain[i].toPrecision(3))))}</text>`));
}
