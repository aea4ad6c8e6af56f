/*
 * The JSON of a plot output (PLOT_MIME, `application/vnd.backprop.plot+json`): what `plot(...)` in a cell sends,
 * and what the `backprop-plot` renderer draws. Data only, already reduced by the kernel (bins counted, long series
 * thinned, a decision boundary sampled on a grid), so the renderer and the kernel's SVG fallback draw the same
 * picture from it. Numbers that are not finite are `null` (JSON has no NaN): a gap in a line.
 */

export interface PlotAxis {
  label?: string;
  /** A log scale (values <= 0 are left out). */
  log?: boolean;
  /** The range shown, where the kernel fixed it (a decision boundary's grid). */
  domain?: [number, number];
}

/** One line: y over x (a loss curve: x is the step). */
export interface LineLayer {
  type: 'line';
  name: string;
  color: string;
  x: number[];
  y: (number | null)[];
}

/** Points, coloured by `group` (a class label) when there is one. */
export interface DotLayer {
  type: 'dot';
  x: number[];
  y: number[];
  /** Index into `colors` for each point (its class); absent: every point `colors[0]`. */
  group?: number[];
  colors: string[];
}

/** A histogram: `counts[i]` values fell in [edges[i], edges[i + 1]). */
export interface BinsLayer {
  type: 'bins';
  name: string;
  color: string;
  edges: number[];
  counts: number[];
}

/**
 * Values on a grid of `rows` × `columns` cells, row-major, row 0 at the top. Either over a region of the plane
 * (`extent`, a decision boundary: row 0 is the largest y) or a labelled matrix (`rowLabels`/`columnLabels`, a
 * Jacobian: rows are outputs, columns inputs).
 */
export interface GridLayer {
  type: 'grid';
  rows: number;
  columns: number;
  values: (number | null)[];
  extent?: { x: [number, number]; y: [number, number] };
  rowLabels?: string[];
  columnLabels?: string[];
  /** What the colour means, for the legend ('p(class 1)', '∂y/∂x'). */
  label?: string;
  /** Colours are interpolated linearly between `colors[k]` at `domain[k]` (three stops: low, middle, high). */
  domain: [number, number, number];
  colors: [string, string, string];
}

export type PlotLayer = LineLayer | DotLayer | BinsLayer | GridLayer;

export interface PlotSpec {
  version: 1;
  /** What was asked for: the renderer picks axes and legends by it. */
  kind: 'line' | 'scatter' | 'histogram' | 'heatmap';
  title?: string;
  width: number;
  height: number;
  x: PlotAxis;
  y: PlotAxis;
  /** Drawn in order: a grid under the dots. */
  layers: PlotLayer[];
}
