/*
 * `plot(...)`, the cell global: a chart as a display output (PLOT_MIME, drawn by the backprop-plot renderer) with
 * an `image/svg+xml` fallback (plotSvg.ts) and a line of text. Called again from the same place in the same cell
 * run (a training loop), it updates that output in place, throttled as graph outputs are: at most every 250 ms and
 * never more often than keeps drawing under ~2% of the cell's time; the last call is always shown when the cell ends.
 */
import { PLOT_MIME, type MimeBundle, type PlotSpec } from '../client/protocol';
import { send } from '../process/outbox';
import { newOutputId, outputRequestId, runningCell, type CellRun } from '../process/runContext';
import { plotSpec, type PlotData, type PlotOptions } from './plotData';
import { plotSvg } from './plotSvg';

/** Least time between two updates of one plot output, in ms. */
const MIN_INTERVAL_MS = 250;

/** One plot output of a cell run. */
interface LivePlot {
  outputId: string;
  /** The latest call not shown yet (built lazily: a throttled call costs nothing but this). */
  pending: { data: PlotData; options?: PlotOptions } | null;
  /** performance.now() before which no update is sent. */
  nextAt: number;
}

const plotsOf = new WeakMap<CellRun, Map<string, LivePlot>>();

/** One line saying what the chart shows, for viewers that draw neither the plot nor SVG. */
export function plotText(spec: PlotSpec): string {
  const title = spec.title ? `${spec.title}: ` : '';
  const parts = spec.layers.map((l) => {
    if (l.type === 'line') {
      const last = l.y.length ? l.y[l.y.length - 1] : null;
      return `${l.name} (${l.y.length} points${last === null ? '' : `, last ${Number(last.toPrecision(6))}`})`;
    }
    if (l.type === 'bins') return `${l.name} (${l.counts.reduce((a, b) => a + b, 0)} values in ${l.counts.length} bins)`;
    if (l.type === 'dot') return `${l.x.length} points`;
    return `${l.rows} × ${l.columns} grid`;
  });
  return `${title}${spec.kind} of ${parts.join(', ')}`;
}

/** The mime bundle of a plot: its spec for the renderer, the SVG picture, and the text. */
export function plotBundle(data: PlotData, options?: PlotOptions): MimeBundle {
  const spec = plotSpec(data, options);
  return { [PLOT_MIME]: spec, 'image/svg+xml': plotSvg(spec), 'text/plain': plotText(spec) };
}

/** Where plot() was called from (the stack above it): calls from one place in a loop share an output. */
function callSite(): string {
  return (new Error().stack ?? '').split('\n').slice(3).join('\n');
}

/**
 * Draws a chart in the cell's output: a line chart, several lines, a scatter plot with an optional decision
 * boundary, histograms, or a heatmap (a Jacobian, rows = outputs, columns = inputs, values on hover). Called again
 * from the same place in a loop, it updates its output in place (at most every 250 ms; the last call always shows).
 * Exported notebooks and other viewers show its SVG picture.
 * @example plot(losses, { title: 'loss', logY: true })              // a loss curve (number[] or 1-D tensor)
 * @example plot({ train: trainLosses, test: testLosses })           // several lines
 * @example plot({ scatter: points, labels, boundary: (g) => softmax(model.forward(g)).slice([0, 1], [-1, 1]) })
 * @example plot({ histogram: { w1: l1.weight.grad, w2: l2.weight.grad }, bins: 40 })
 * @example plot({ heatmap: jacobian((x) => layer.forward(x), x0), rows: 'y', columns: 'x' })
 */
export function plot(data: PlotData, options?: PlotOptions): void {
  const run = runningCell();
  if (!run) {
    // after its cell ended (a timer): a new output of the last cell, as display() does
    send({ type: 'display', requestId: outputRequestId(), outputId: newOutputId('display'), data: plotBundle(data, options) });
    return;
  }
  const plots = plotsOf.get(run) ?? new Map<string, LivePlot>();
  plotsOf.set(run, plots);
  const key = options?.key !== undefined ? `key:${options.key}` : callSite();
  const live = plots.get(key);
  if (!live) {
    // the first call builds at once, so a mistake in the data is this call's error
    const bundle = plotBundle(data, options);
    const p: LivePlot = { outputId: newOutputId('display'), pending: null, nextAt: 0 };
    plots.set(key, p);
    show(run, p, bundle, true);
    return;
  }
  live.pending = { data, options };
  if (performance.now() >= live.nextAt) flush(run, live);
}

function show(run: CellRun, p: LivePlot, data: MimeBundle, first: boolean, started = performance.now()): void {
  send(first
    ? { type: 'display', requestId: run.requestId, outputId: p.outputId, data }
    : { type: 'updateOutput', requestId: run.requestId, outputId: p.outputId, data });
  const now = performance.now();
  p.nextAt = now + Math.max(MIN_INTERVAL_MS, 50 * (now - started));
}

function flush(run: CellRun, p: LivePlot): void {
  const pending = p.pending;
  if (!pending) return;
  p.pending = null;
  const started = performance.now();
  show(run, p, plotBundle(pending.data, pending.options), false, started);
}

/** The run ends: every plot shows its last call. A call that fails now says so on stderr. */
export function showLastPlots(run: CellRun): void {
  const plots = plotsOf.get(run);
  if (!plots) return;
  plotsOf.delete(run);
  for (const p of plots.values()) {
    try {
      flush(run, p);
    } catch (e) {
      send({ type: 'stream', requestId: run.requestId, name: 'stderr', text: `plot failed: ${(e as Error).message}\n` });
    }
  }
}
