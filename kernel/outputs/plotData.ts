/*
 * What `plot(data, options)` was given, turned into a PlotSpec (kernel/client/plotSpec.ts): pure, no output.
 * The reductions happen here, once, so the renderer and the SVG fallback draw the same picture: long series are
 * thinned, histograms counted, a decision boundary sampled on a grid, a Jacobian flattened to a labelled matrix.
 */
import { linspace, noGrad, stack, Tensor } from '../engine';
import { multiIndex } from '../engine/finiteDifferences';
import type { BinsLayer, GridLayer, LineLayer, PlotAxis, PlotLayer, PlotSpec } from '../client/protocol';

/** A series of numbers: an array or a tensor (read flat, in row-major order). */
export type Series = Tensor | readonly number[];

/** Points to scatter: an `[N, 2]` tensor or `[x, y]` pairs, with an optional decision boundary drawn under them. */
export interface ScatterData {
  scatter: Tensor | readonly (readonly number[])[];
  /** Each point's class (0, 1, …): its colour. */
  labels?: Series;
  /** The model's value over the plane: called (without recording) with a `[M, 2]` grid of points, returns M values (e.g. the probability of class 1). */
  boundary?: (grid: Tensor) => Tensor;
  /** Grid cells per side for the boundary (default 60). */
  resolution?: number;
}

/** Histograms of one or several series (e.g. each layer's gradient), over shared bins. `null` entries are skipped. */
export interface HistogramData {
  histogram: Series | Record<string, Series | null | undefined>;
  /** Number of bins (default 30). */
  bins?: number;
}

/**
 * A matrix as a heatmap with labelled rows and columns, such as `jacobian(f, x)`: its last `columnDims` dims are
 * the columns (the inputs), the others the rows (the outputs).
 */
export interface HeatmapData {
  heatmap: Tensor | readonly (readonly number[])[];
  /** Name of the rows' tensor, for labels such as `y[0,1]` (default 'y'). */
  rows?: string;
  /** Name of the columns' tensor, for labels such as `x[2]` (default 'x'). */
  columns?: string;
  /** How many trailing dims are columns (default: the later half, `ceil(ndim / 2)`, right for a jacobian of equal ranks and a hessian). */
  columnDims?: number;
}

/** What `plot` draws: a line (one series), lines (a record of series), points, histograms, or a heatmap. */
export type PlotData = Series | Record<string, Series> | ScatterData | HistogramData | HeatmapData;

/** How a plot looks; all optional. */
export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Log scales (a loss over many orders of magnitude). */
  logX?: boolean;
  logY?: boolean;
  /** Size in pixels (default 560 × 320). */
  width?: number;
  height?: number;
  /**
   * Which output the call updates. By default each place in the code that calls `plot` has one output per cell
   * run, updated in place by later calls from the same place (a loop); calls with the same key share one output.
   */
  key?: string;
}

/** Most points a line keeps; longer series are thinned evenly (the last point always kept). */
export const MAX_LINE_POINTS = 2000;
/** Most cells of a heatmap. */
export const MAX_HEATMAP_CELLS = 65536;

/** Observable's categorical palette ("observable10"): the same colours the renderer's library uses by default. */
export const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];
/** Negative red, zero near white, positive blue (ColorBrewer's RdBu ends). */
const DIVERGING: [string, string, string] = ['#b2182b', '#f7f7f7', '#2166ac'];
/** A decision boundary: the tints of classes 0 and 1 at the ends, white where the model hesitates. */
const BOUNDARY: [string, string, string] = ['#a9bde9', '#f7f7f7', '#f7d98f'];

const OPTION_KEYS = ['title', 'xLabel', 'yLabel', 'logX', 'logY', 'width', 'height', 'key'];
const KINDS = ['scatter', 'histogram', 'heatmap'] as const;

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a tensor of shape [${v.shape.join(',')}]`;
  return Array.isArray(v) ? 'an array' : typeof v;
}

function isNumbers(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((e) => typeof e === 'number');
}

/** Rows of numbers, all of length `n` when it is given. */
function isRows(v: unknown, n?: number): v is readonly (readonly number[])[] {
  return Array.isArray(v) && v.every((r) => isNumbers(r) && r.length === (n ?? (v[0] as unknown[]).length));
}

function isSeries(v: unknown): v is Series {
  return v instanceof Tensor || isNumbers(v);
}

/** A series as plain numbers. */
function numbers(what: string, v: unknown): number[] {
  if (v instanceof Tensor) return Array.from(v.data);
  if (isNumbers(v)) return v.slice();
  throw new Error(`plot: ${what} must be a tensor or an array of numbers, got ${describeValue(v)}`);
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function extent(values: readonly number[], log = false): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function checkOptions(options: unknown): PlotOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new Error(`plot: options must be an object, got ${describeValue(options)}`);
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length) throw new Error(`plot: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${OPTION_KEYS.join(', ')})`);
  const o = options as PlotOptions;
  for (const k of ['width', 'height'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 100 && v <= 4000)) throw new Error(`plot: ${k} must be a number of pixels from 100 to 4000, got ${String(v)}`);
  }
  return o;
}

/** The indices kept of a series of n points: all, or MAX_LINE_POINTS evenly spaced with the last. */
function thinned(n: number): number[] {
  if (n <= MAX_LINE_POINTS) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (MAX_LINE_POINTS - 1);
  return Array.from({ length: MAX_LINE_POINTS }, (_, i) => Math.round(i * step));
}

function lineLayers(series: Record<string, Series>): LineLayer[] {
  return Object.entries(series).map(([name, s], k) => {
    const ys = numbers(`series '${name}'`, s);
    const kept = thinned(ys.length);
    return { type: 'line', name, color: PALETTE[k % PALETTE.length], x: kept.map((i) => i + 1), y: kept.map((i) => finiteOrNull(ys[i])) };
  });
}

function pointsOf(scatter: ScatterData['scatter']): { x: number[]; y: number[] } {
  if (scatter instanceof Tensor) {
    if (scatter.ndim !== 2 || scatter.shape[1] !== 2) throw new Error(`plot: scatter points must be a tensor of shape [N, 2], got shape [${scatter.shape.join(',')}]`);
    const d = scatter.data, n = scatter.shape[0];
    return { x: Array.from({ length: n }, (_, i) => d[2 * i]), y: Array.from({ length: n }, (_, i) => d[2 * i + 1]) };
  }
  if (!isRows(scatter, 2)) {
    throw new Error(`plot: scatter points must be a tensor of shape [N, 2] or an array of [x, y] pairs, got ${describeValue(scatter)}`);
  }
  return { x: scatter.map((p) => p[0]), y: scatter.map((p) => p[1]) };
}

function scatterSpec(data: ScatterData, o: PlotOptions): Pick<PlotSpec, 'kind' | 'layers' | 'x' | 'y'> {
  const { x, y } = pointsOf(data.scatter);
  const group = data.labels === undefined ? undefined : numbers('labels', data.labels);
  if (group && group.length !== x.length) throw new Error(`plot: ${group.length} labels for ${x.length} scatter points`);
  if (group && !group.every((g) => Number.isInteger(g) && g >= 0)) throw new Error('plot: labels must be class indices (integers >= 0)');
  const layers: PlotLayer[] = [];
  const pad = (r: [number, number] | undefined): [number, number] => {
    const [lo, hi] = r ?? [0, 1];
    const m = (hi - lo) * 0.08 || 1;
    return [lo - m, hi + m];
  };
  const xDomain = pad(extent(x)), yDomain = pad(extent(y));
  if (data.boundary !== undefined) {
    if (typeof data.boundary !== 'function') throw new Error(`plot: boundary must be a function of a [M, 2] grid, got ${describeValue(data.boundary)}`);
    const n = data.resolution ?? 60;
    if (!Number.isInteger(n) || n < 2 || n > 256) throw new Error(`plot: resolution must be an integer from 2 to 256, got ${String(n)}`);
    layers.push(boundaryGrid(data.boundary, n, xDomain, yDomain));
  }
  layers.push({ type: 'dot', x, y, ...(group ? { group } : {}), colors: PALETTE });
  return { kind: 'scatter', layers, x: { label: o.xLabel, domain: xDomain }, y: { label: o.yLabel, domain: yDomain } };
}

/** The boundary function over an n × n grid of cell centres; row 0 is the top (largest y). */
function boundaryGrid(f: (grid: Tensor) => Tensor, n: number, xd: [number, number], yd: [number, number]): GridLayer {
  const hx = (xd[1] - xd[0]) / n, hy = (yd[1] - yd[0]) / n;
  const xs = linspace(xd[0] + hx / 2, xd[1] - hx / 2, n), ys = linspace(yd[1] - hy / 2, yd[0] + hy / 2, n);
  const grid = stack([xs.reshape([1, n]).broadcastTo([n, n]).flatten(), ys.reshape([n, 1]).broadcastTo([n, n]).flatten()], 1);
  const out = noGrad(() => f(grid) as unknown);
  if (!(out instanceof Tensor) || out.size !== n * n) {
    throw new Error(`plot: boundary must return one value per grid point (${n * n}, from a [${n * n}, 2] grid), got ${describeValue(out)}`);
  }
  const values = Array.from(out.data, finiteOrNull);
  const [lo, hi] = extent(values.filter((v): v is number => v !== null)) ?? [0, 1];
  // probabilities: 0, ½, 1 at the ends and middle; anything else: its own range
  const domain: [number, number, number] = lo >= 0 && hi <= 1 ? [0, 0.5, 1] : [lo, (lo + hi) / 2, hi];
  return { type: 'grid', rows: n, columns: n, values, extent: { x: xd, y: yd }, domain, colors: BOUNDARY, label: 'boundary' };
}

function histogramSpec(data: HistogramData, o: PlotOptions): Pick<PlotSpec, 'kind' | 'layers' | 'x' | 'y'> {
  const bins = data.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new Error(`plot: bins must be an integer from 1 to 1000, got ${String(bins)}`);
  const h = data.histogram;
  const entries: [string, number[]][] = isSeries(h)
    ? [['values', numbers('histogram', h)]]
    : typeof h === 'object' && h !== null && !Array.isArray(h)
      ? Object.entries(h).filter(([, s]) => s !== null && s !== undefined).map(([name, s]) => [name, numbers(`histogram '${name}'`, s)])
      : (() => { throw new Error(`plot: histogram must be a tensor, an array of numbers or a record of them, got ${describeValue(h)}`); })();
  const [lo, hi] = extent(entries.flatMap(([, v]) => v)) ?? [0, 1];
  const [a, b] = lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
  const edges = Array.from({ length: bins + 1 }, (_, i) => a + ((b - a) * i) / bins);
  const layers: BinsLayer[] = entries.map(([name, values], k) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor(((v - a) / (b - a)) * bins))]++;
    }
    return { type: 'bins', name, color: PALETTE[k % PALETTE.length], edges, counts };
  });
  return { kind: 'histogram', layers, x: { label: o.xLabel ?? 'value' }, y: { label: o.yLabel ?? 'count', log: o.logY } };
}

/** `y[1,0]`: a name and a multi-index (the bare name for a 0-d part). */
function indexLabel(name: string, flat: number, shape: readonly number[]): string {
  return shape.length === 0 ? name : `${name}[${multiIndex(flat, shape).join(',')}]`;
}

function heatmapSpec(data: HeatmapData, o: PlotOptions): Pick<PlotSpec, 'kind' | 'layers' | 'x' | 'y'> {
  const m = data.heatmap;
  let values: number[], shape: number[];
  if (m instanceof Tensor) {
    values = Array.from(m.data);
    shape = [...m.shape];
  } else if (isRows(m)) {
    values = m.flat();
    shape = [m.length, m[0]?.length ?? 0];
  } else {
    throw new Error(`plot: heatmap must be a tensor or an array of equal-length rows of numbers, got ${describeValue(m)}`);
  }
  const columnDims = data.columnDims ?? Math.ceil(shape.length / 2);
  if (!Number.isInteger(columnDims) || columnDims < 0 || columnDims > shape.length) {
    throw new Error(`plot: columnDims must be an integer from 0 to ${shape.length} for a heatmap of shape [${shape.join(',')}], got ${String(columnDims)}`);
  }
  const rowShape = shape.slice(0, shape.length - columnDims), colShape = shape.slice(shape.length - columnDims);
  const rows = rowShape.reduce((p, d) => p * d, 1), columns = colShape.reduce((p, d) => p * d, 1);
  if (rows * columns > MAX_HEATMAP_CELLS) throw new Error(`plot: a heatmap of ${rows} × ${columns} cells is too large (at most ${MAX_HEATMAP_CELLS})`);
  const rowName = data.rows ?? 'y', colName = data.columns ?? 'x';
  const bound = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs)) || 1;
  const layer: GridLayer = {
    type: 'grid', rows, columns, values: values.map(finiteOrNull),
    rowLabels: Array.from({ length: rows }, (_, i) => indexLabel(rowName, i, rowShape)),
    columnLabels: Array.from({ length: columns }, (_, j) => indexLabel(colName, j, colShape)),
    domain: [-bound, 0, bound], colors: DIVERGING, label: `∂${rowName}/∂${colName}`,
  };
  return { kind: 'heatmap', layers: [layer], x: { label: o.xLabel ?? `${colName} (inputs)` }, y: { label: o.yLabel ?? `${rowName} (outputs)` } };
}

/** The spec of a plot call: validates the data and the options, and names `plot` in every error. */
export function plotSpec(data: PlotData, options?: PlotOptions): PlotSpec {
  const o = checkOptions(options);
  const kind = typeof data === 'object' && data !== null && !(data instanceof Tensor) && !Array.isArray(data)
    ? KINDS.find((k) => k in data) : undefined;
  let body: Pick<PlotSpec, 'kind' | 'layers' | 'x' | 'y'>;
  if (kind === 'scatter') body = scatterSpec(data as ScatterData, o);
  else if (kind === 'histogram') body = histogramSpec(data as HistogramData, o);
  else if (kind === 'heatmap') body = heatmapSpec(data as HeatmapData, o);
  else if (isSeries(data) || (typeof data === 'object' && data !== null && !Array.isArray(data))) {
    const series = isSeries(data) ? { [o.yLabel ?? 'value']: data } : data as Record<string, Series>;
    if (Object.keys(series).length === 0) throw new Error('plot: no series to draw (an empty record)');
    const x: PlotAxis = { label: o.xLabel ?? 'step', log: o.logX }, y: PlotAxis = { label: o.yLabel, log: o.logY };
    body = { kind: 'line', layers: lineLayers(series), x, y };
  } else {
    throw new Error(`plot: expected a series (tensor or number[]), a record of series, { scatter }, { histogram } or { heatmap }, got ${describeValue(data)}`);
  }
  const heat = body.kind === 'heatmap' ? (body.layers[0] as GridLayer) : undefined;
  return {
    version: 1, ...body,
    ...(o.title !== undefined ? { title: String(o.title) } : {}),
    width: o.width ?? (heat ? Math.min(900, Math.max(480, 140 + 28 * heat.columns)) : 560),
    height: o.height ?? (heat ? Math.min(900, Math.max(200, 90 + 22 * heat.rows)) : 320),
  };
}
