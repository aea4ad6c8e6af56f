// Notebook renderer `backprop-plot` for `application/vnd.backprop.plot+json`: the charts of `plot(...)`, drawn
// with Observable Plot. A second entry point (dist/plotRenderer.js), so the graph renderer's start is not taxed by
// the chart library, nor this one's by mermaid. An update of the output (a training loop) redraws it in place.
import type { ActivationFunction } from 'vscode-notebook-renderer';
import type { PlotSpec } from '../../kernel/client/plotSpec';
import { drawPlot } from './chart';

const STYLE = `
.bp-plot { font-family: var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-foreground, #1f2328); }
.bp-plot svg { overflow: visible; }
.bp-plot-title { font-weight: 600; margin: 2px 0 4px; }
.bp-plot-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; font-size: 11px; margin-bottom: 4px; }
.bp-plot-swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
.bp-plot-error { color: var(--vscode-errorForeground, #d1242f); white-space: pre-wrap; }
`;

/** The spec, checked enough that the drawing cannot trip over its shape (the JSON is untrusted). */
export function readSpec(json: unknown): PlotSpec {
  const s = json as PlotSpec | null;
  if (typeof s !== 'object' || s === null || s.version !== 1) throw new Error('not a plot (version 1) output');
  if (!Array.isArray(s.layers) || !s.layers.every((l) => typeof l === 'object' && l !== null && ['line', 'dot', 'bins', 'grid'].includes(l.type))) {
    throw new Error('a plot output whose layers are not line, dot, bins or grid');
  }
  if (!(s.width > 0 && s.height > 0) || typeof s.x !== 'object' || typeof s.y !== 'object') throw new Error('a plot output without its size or axes');
  // colours become SVG and CSS values: only #rrggbb, never url(...) or anything else a page could be made to load
  const colours = s.layers.flatMap((l) => ('color' in l ? [l.color] : 'colors' in l ? [...(l.colors as unknown[])] : []));
  if (!colours.every((c) => typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c))) throw new Error('a plot output with a colour that is not #rrggbb');
  return s;
}

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    if (!element.querySelector(':scope > style[data-bp-plot]')) {
      const style = document.createElement('style');
      style.dataset.bpPlot = '';
      style.textContent = STYLE;
      element.replaceChildren(style);
    }
    for (const child of Array.from(element.children)) if (child.tagName !== 'STYLE') child.remove();
    try {
      element.append(drawPlot(readSpec(item.json())));
    } catch (e) {
      const p = document.createElement('div');
      p.className = 'bp-plot-error';
      p.textContent = `the plot could not be drawn: ${(e as Error)?.message ?? String(e)}`;
      element.append(p);
    }
  },
});
