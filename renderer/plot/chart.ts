// A PlotSpec (kernel/client/plotSpec.ts) as an Observable Plot figure. Colours come in the spec (the kernel's SVG
// fallback uses the same ones), so every mark is filled with literal colours and the legends are drawn here.
import * as Plot from '@observablehq/plot';
import type { GridLayer, PlotLayer, PlotSpec } from '../../kernel/client/plotSpec';

const fmt = (v: number | null): string => (v === null ? 'NaN' : String(Number(v.toPrecision(6))));

/** The marks of one layer. */
function marks(layer: PlotLayer, spec: PlotSpec): Plot.Markish[] {
  if (layer.type === 'line') {
    const rows = layer.x.map((x, i) => ({ x, y: layer.y[i] ?? NaN, series: layer.name }));
    const visible = spec.y.log ? rows.filter((r) => r.y > 0) : rows;
    return [
      Plot.line(rows, { x: 'x', y: (r: { y: number }) => (spec.y.log && !(r.y > 0) ? NaN : r.y), stroke: layer.color, strokeWidth: 1.8 }),
      Plot.tip(visible, Plot.pointerX({ x: 'x', y: 'y', title: (r: { x: number; y: number }) => `${layer.name}\n${spec.x.label ?? 'x'} ${r.x}: ${fmt(r.y)}` })),
    ];
  }
  if (layer.type === 'dot') {
    const rows = layer.x.map((x, i) => ({ x, y: layer.y[i], g: layer.group?.[i] ?? 0 }));
    return [
      Plot.dot(rows, { x: 'x', y: 'y', r: 3.2, fill: (r: { g: number }) => layer.colors[r.g % layer.colors.length], stroke: 'white', strokeWidth: 0.7 }),
      Plot.tip(rows, Plot.pointer({ x: 'x', y: 'y', title: (r: { x: number; y: number; g: number }) => `(${fmt(r.x)}, ${fmt(r.y)})${layer.group ? `\nclass ${r.g}` : ''}` })),
    ];
  }
  if (layer.type === 'bins') {
    const rows = layer.counts.map((count, i) => ({ x1: layer.edges[i], x2: layer.edges[i + 1], count }));
    return [
      Plot.rectY(rows, { x1: 'x1', x2: 'x2', y: 'count', fill: layer.color, fillOpacity: 0.55, insetLeft: 0.5 }),
      Plot.tip(rows, Plot.pointerX({ x1: 'x1', x2: 'x2', y: 'count', title: (r: { x1: number; x2: number; count: number }) => `${layer.name}\n[${fmt(r.x1)}, ${fmt(r.x2)}): ${r.count}` })),
    ];
  }
  return gridMarks(layer);
}

function gridMarks(g: GridLayer): Plot.Markish[] {
  const colour = Plot.scale({ color: { type: 'linear', domain: g.domain, range: g.colors, clamp: true } });
  const fill = (v: number | null) => (v === null ? '#888888' : String(colour.apply(v)));
  if (g.extent) {
    const { x: [xa, xb], y: [ya, yb] } = g.extent;
    const w = (xb - xa) / g.columns, h = (yb - ya) / g.rows;
    const cells = g.values.map((v, k) => {
      const r = Math.floor(k / g.columns), c = k % g.columns;
      return { x1: xa + c * w, x2: xa + (c + 1) * w, y1: yb - (r + 1) * h, y2: yb - r * h, fill: fill(v) };
    });
    return [Plot.rect(cells, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'fill' })];
  }
  const cells = g.values.map((v, k) => ({ row: g.rowLabels![Math.floor(k / g.columns)], column: g.columnLabels![k % g.columns], v, fill: fill(v) }));
  return [
    Plot.cell(cells, { x: 'column', y: 'row', fill: 'fill', inset: 0.5 }),
    Plot.tip(cells, Plot.pointer({ x: 'column', y: 'row', title: (c: { row: string; column: string; v: number | null }) => `${c.row}, ${c.column}\n${fmt(c.v)}` })),
  ];
}

/** The legend: a swatch per named line, histogram or class, and the colour bar of a grid. */
function legend(spec: PlotSpec): HTMLElement | undefined {
  const entries: { name: string; color: string }[] = [];
  for (const l of spec.layers) {
    if (l.type === 'line' || l.type === 'bins') entries.push({ name: l.name, color: l.color });
    if (l.type === 'dot' && l.group) for (const g of [...new Set(l.group)].sort((a, b) => a - b)) entries.push({ name: `class ${g}`, color: l.colors[g % l.colors.length] });
  }
  const grid = spec.layers.find((l): l is GridLayer => l.type === 'grid');
  if (entries.length < 2 && spec.kind !== 'scatter' && !grid) return undefined;
  const box = document.createElement('div');
  box.className = 'bp-plot-legend';
  for (const e of entries) {
    const item = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = 'bp-plot-swatch';
    swatch.style.background = e.color;
    item.append(swatch, document.createTextNode(e.name));
    box.append(item);
  }
  if (grid) {
    box.append(Plot.legend({ color: { type: 'linear', domain: grid.domain, range: grid.colors }, label: grid.label, width: 240 }));
  }
  return box;
}

/** The figure of a spec: the chart, and its legend above it. */
export function drawPlot(spec: PlotSpec): HTMLElement {
  const grid = spec.layers.find((l): l is GridLayer => l.type === 'grid');
  const labelled = grid?.rowLabels !== undefined;
  const longest = labelled ? Math.max(...grid.rowLabels!.map((s) => s.length)) : 0;
  const options: Plot.PlotOptions = {
    width: spec.width,
    height: spec.height,
    marginLeft: labelled ? Math.min(170, 30 + 6.5 * longest) : 56,
    marginBottom: labelled ? 60 : 40,
    style: { background: 'transparent', fontSize: '11px' },
    marks: spec.layers.flatMap((l) => marks(l, spec)),
  };
  if (labelled) {
    options.x = { label: spec.x.label, domain: grid.columnLabels, tickRotate: -60 };
    options.y = { label: spec.y.label, domain: grid.rowLabels };
  } else {
    // '~g': 0.01 rather than d3's SI '10m' on log axes
    options.x = { label: spec.x.label, type: spec.x.log ? 'log' : 'linear', domain: spec.x.domain, grid: false, ...(spec.x.log ? { tickFormat: '~g' } : {}) };
    options.y = { label: spec.y.label, type: spec.y.log ? 'log' : 'linear', domain: spec.y.domain, grid: true, ...(spec.y.log ? { tickFormat: '~g' } : {}), ...(spec.kind === 'histogram' ? { zero: true } : { nice: !spec.y.domain }) };
  }
  const figure = document.createElement('div');
  figure.className = 'bp-plot';
  figure.dataset.kind = spec.kind;
  if (spec.title) {
    const h = document.createElement('div');
    h.className = 'bp-plot-title';
    h.textContent = spec.title;
    figure.append(h);
  }
  const key = legend(spec);
  if (key) figure.append(key);
  figure.append(Plot.plot(options));
  return figure;
}
