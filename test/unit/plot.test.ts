// plot(): the specs it builds from each kind of data (pure), their SVG fallback, and, in the kernel, one output per
// call site updated in place and throttled, with the last call shown when the cell ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jacobian, randn, tensor, type Tensor } from '../../kernel/engine';
import { MAX_LINE_POINTS, PALETTE, plotSpec } from '../../kernel/outputs/plotData';
import { gridColor, logTicks, niceTicks, plotSvg } from '../../kernel/outputs/plotSvg';
import { plotBundle } from '../../kernel/outputs/plotOutput';
import type { BinsLayer, DotLayer, GridLayer, LineLayer, PlotSpec } from '../../kernel/client/plotSpec';
import { PLOT_MIME, type CellOutputMessage } from '../../kernel/client/protocol';
import type { CellOutput, KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';

const layer = <T>(spec: PlotSpec, i = 0) => spec.layers[i] as T;

describe('plot specs', () => {
  it('a series is one line over the step (1-based), NaN and Infinity become gaps (null)', () => {
    const spec = plotSpec([3, 2, NaN, 1, Infinity], { title: 'loss', logY: true });
    assert.equal(spec.kind, 'line');
    assert.equal(spec.title, 'loss');
    assert.deepEqual(spec.y, { label: undefined, log: true });
    assert.equal(spec.x.label, 'step');
    const l = layer<LineLayer>(spec);
    assert.deepEqual(l.x, [1, 2, 3, 4, 5]);
    assert.deepEqual(l.y, [3, 2, null, 1, null]);
    assert.equal(l.color, PALETTE[0]);
    assert.doesNotThrow(() => JSON.stringify(spec));
  });

  it('a record of series is several lines, each its own colour; a tensor is read flat', () => {
    const spec = plotSpec({ train: tensor([[1, 2], [3, 4]]), test: [5, 6] });
    assert.deepEqual(spec.layers.map((l) => (l as LineLayer).name), ['train', 'test']);
    assert.deepEqual(layer<LineLayer>(spec).y, [1, 2, 3, 4]);
    assert.equal(layer<LineLayer>(spec, 1).color, PALETTE[1]);
  });

  it('a long series is thinned to MAX_LINE_POINTS, keeping its first and last point', () => {
    const l = layer<LineLayer>(plotSpec(Array.from({ length: 100000 }, (_, i) => i)));
    assert.equal(l.x.length, MAX_LINE_POINTS);
    assert.equal(l.x[0], 1);
    assert.equal(l.x[l.x.length - 1], 100000);
    assert.equal(l.y[l.y.length - 1], 99999);
  });

  it('a scatter: points coloured by label, and a boundary sampled on a grid with row 0 at the top', () => {
    const points = tensor([[0, 0], [1, 2], [-1, 1]]);
    let calls = 0;
    const spec = plotSpec({ scatter: points, labels: [0, 1, 1], resolution: 4, boundary: (g: Tensor) => { calls++; return g.slice([0, 1], [-1, 1]); } });
    assert.equal(calls, 1);
    assert.equal(spec.kind, 'scatter');
    const [grid, dots] = [layer<GridLayer>(spec, 0), layer<DotLayer>(spec, 1)];
    assert.deepEqual(dots.x, [0, 1, -1]);
    assert.deepEqual(dots.group, [0, 1, 1]);
    assert.equal(grid.rows, 4);
    assert.equal(grid.values.length, 16);
    // the boundary is y itself: the top row holds the largest y, the bottom row the least, constant along a row
    const rowValue = (r: number) => grid.values[r * 4]!;
    assert.ok(rowValue(0) > rowValue(3));
    assert.equal(grid.values[1], rowValue(0));
    // the domain holds every point, padded
    assert.ok(grid.extent!.y[0] < 0 && grid.extent!.y[1] > 2 && grid.extent!.x[0] < -1 && grid.extent!.x[1] > 1);
    assert.deepEqual(spec.x.domain, grid.extent!.x);
  });

  it('histograms share their bins, and count every finite value once', () => {
    const a = randn([1000], { seed: 1 }), b = [0.5, 0.5, NaN, 2];
    const spec = plotSpec({ histogram: { a, b, skipped: null }, bins: 20 });
    assert.equal(spec.kind, 'histogram');
    const [ha, hb] = [layer<BinsLayer>(spec, 0), layer<BinsLayer>(spec, 1)];
    assert.equal(spec.layers.length, 2);
    assert.equal(ha.edges.length, 21);
    assert.equal(ha.edges, hb.edges);
    assert.equal(ha.counts.reduce((s, c) => s + c, 0), 1000);
    assert.equal(hb.counts.reduce((s, c) => s + c, 0), 3);
    assert.equal(ha.counts.length, 20);
  });

  it('a jacobian as a heatmap: rows are the outputs, columns the inputs, labelled by multi-index', () => {
    const W = randn([3, 4], { seed: 2 });
    const J = jacobian((x) => x.matmul(W.transpose()), randn([1, 4], { seed: 3 }));   // [1, 3, 1, 4]
    const spec = plotSpec({ heatmap: J, rows: 'z', columns: 'a' });
    const g = layer<GridLayer>(spec);
    assert.equal(spec.kind, 'heatmap');
    assert.deepEqual([g.rows, g.columns], [3, 4]);
    assert.deepEqual(g.rowLabels, ['z[0,0]', 'z[0,1]', 'z[0,2]']);
    assert.deepEqual(g.columnLabels, ['a[0,0]', 'a[0,1]', 'a[0,2]', 'a[0,3]']);
    assert.deepEqual(g.values, Array.from(W.data));
    const bound = Math.max(...Array.from(W.data, Math.abs));
    assert.deepEqual(g.domain, [-bound, 0, bound]);
    // columnDims splits an odd rank: y [3] of x [2, 2]
    const g2 = layer<GridLayer>(plotSpec({ heatmap: randn([3, 2, 2], { seed: 4 }), columnDims: 2 }));
    assert.deepEqual([g2.rows, g2.columns, g2.rowLabels![2], g2.columnLabels![3]], [3, 4, 'y[2]', 'x[1,1]']);
    // a plain matrix
    assert.deepEqual(layer<GridLayer>(plotSpec({ heatmap: [[1, 2], [3, 4]] })).rowLabels, ['y[0]', 'y[1]']);
  });

  it('bad data and options throw, naming plot and what was wrong', () => {
    const bad: [unknown, unknown, RegExp][] = [
      ['loss', undefined, /^Error: plot: expected a series \(tensor or number\[\]\), a record of series, \{ scatter \}, \{ histogram \} or \{ heatmap \}, got string/],
      [{ a: 'x' }, undefined, /plot: series 'a' must be a tensor or an array of numbers, got string/],
      [{ scatter: tensor([1, 2, 3]) }, undefined, /plot: scatter points must be a tensor of shape \[N, 2\], got shape \[3\]/],
      [{ scatter: [[0, 0]], labels: [0, 1] }, undefined, /plot: 2 labels for 1 scatter points/],
      [{ scatter: [[0, 0]], boundary: () => tensor([1, 2]) }, undefined, /plot: boundary must return one value per grid point \(3600, from a \[3600, 2\] grid\), got a tensor of shape \[2\]/],
      [{ histogram: [1, 2], bins: 0 }, undefined, /plot: bins must be an integer from 1 to 1000, got 0/],
      [{ heatmap: [[1, 2], [3]] }, undefined, /plot: heatmap must be a tensor or an array of equal-length rows/],
      [{ heatmap: tensor([[1]]), columnDims: 3 }, undefined, /plot: columnDims must be an integer from 0 to 2 for a heatmap of shape \[1,1\], got 3/],
      [[1], { colour: 'red' }, /plot: unknown option colour \(known: title, xLabel/],
      [[1], { width: 5 }, /plot: width must be a number of pixels from 100 to 4000, got 5/],
      [{}, undefined, /plot: no series to draw/],
    ];
    for (const [data, options, message] of bad) assert.throws(() => plotSpec(data as never, options as never), message);
  });
});

describe('plot SVG fallback', () => {
  it('draws the same layers: a path per line, a circle per point, a rect per non-empty bin, a cell per matrix entry', () => {
    const line = plotSvg(plotSpec({ a: [1, 2, 3], b: [3, 2, 1] }, { title: 'two' }));
    assert.match(line, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="560" height="320"/);
    assert.equal(line.match(/<path /g)?.length, 2);
    assert.match(line, />two</);
    assert.match(line, />a</);   // the legend
    const dots = plotSvg(plotSpec({ scatter: [[0, 0], [1, 1], [2, 0]], labels: [0, 1, 0] }));
    assert.equal(dots.match(/<circle /g)?.length, 3);
    assert.match(dots, />class 1</);
    const hist = plotSvg(plotSpec({ histogram: [0, 0, 1, 5], bins: 5 }));
    assert.equal(hist.match(/fill-opacity="0.55"><rect|<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+"\/>/g)?.length, 3);
    const heat = plotSvg(plotSpec({ heatmap: [[1, -2], [0.5, 0]] }));
    assert.equal(heat.match(/<title>/g)?.length, 4);
    assert.match(heat, /<title>y\[0\], x\[1\]: -2<\/title>/);
  });

  it('a line on a log scale breaks at values <= 0 and NaN, and ticks at powers of ten', () => {
    const svg = plotSvg(plotSpec([1, 0.1, 0, 0.01, NaN, 0.001], { logY: true }));
    const d = /<path d="([^"]+)"/.exec(svg)![1];
    assert.equal(d.match(/M/g)?.length, 3);
    const rounded = (ticks: number[]) => ticks.map((v) => Number(v.toPrecision(12)));
    assert.deepEqual(rounded(logTicks(0.01, 1)), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    assert.deepEqual(rounded(logTicks(0.0001, 1)), [0.0001, 0.001, 0.01, 0.1, 1]);
    assert.deepEqual(rounded(logTicks(1e-9, 1e3)), [1e-9, 1e-7, 1e-5, 1e-3, 1e-1, 10, 1000]);
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('escapes every text from the cell: a hostile title or series name stays text', () => {
    const svg = plotSvg(plotSpec({ '<script>x</script>': [1, 2], b: [1] }, { title: '"><img src=x onerror=alert(1)>' }));
    assert.doesNotMatch(svg, /<script|<img/);
    assert.match(svg, /&#60;script&#62;/);
  });

  it('colours a grid between its three stops', () => {
    const g = { domain: [-1, 0, 1] as [number, number, number], colors: ['#000000', '#808080', '#ffffff'] as [string, string, string] };
    assert.deepEqual([gridColor(g, -1), gridColor(g, 0), gridColor(g, 1), gridColor(g, 0.5), gridColor(g, 7), gridColor(g, null)],
      ['#000000', '#808080', '#ffffff', '#c0c0c0', '#ffffff', '#888888']);
  });

  it('the bundle carries the spec, the SVG and a line of text', () => {
    const b = plotBundle([0.5, 0.25], { title: 'loss' });
    assert.deepEqual(Object.keys(b), [PLOT_MIME, 'image/svg+xml', 'text/plain']);
    assert.equal(b['text/plain'], 'loss: line of value (2 points, last 0.25)');
  });
});

describe('kernel: plot outputs', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });
  const plots = (outputs: CellOutput[]) =>
    outputs.filter((o): o is Extract<CellOutput, { kind: 'display' }> => o.kind === 'display' && PLOT_MIME in o.data);

  it('a loop that plots every step has one output, updated in place (throttled), showing the last step', async () => {
    let displays = 0, updates = 0;
    const count = (m: CellOutputMessage) => { if (m.type === 'display') displays++; if (m.type === 'updateOutput') updates++; };
    const r = await kernel.run([
      'const losses: number[] = [];',
      'const t0 = Date.now();',
      'for (let i = 1; Date.now() - t0 < 700 || i <= 2000; i++) { losses.push(1 / i); plot(losses, { title: "loss" }); }',
      'losses.length',
    ].join('\n'), { onMessage: count });
    assert.equal(r.status, 'ok');
    const shown = plots(r.outputs);
    assert.equal(shown.length, 1);
    assert.equal(displays, 1);
    assert.ok(updates >= 1 && updates < 20, `throttled: ${updates} updates`);
    const last = r.outputs.find((o) => o.kind === 'executeResult');
    const n = Number(last?.kind === 'executeResult' ? last.data['text/plain'] : NaN);
    const spec = shown[0].data[PLOT_MIME] as PlotSpec;
    const l = spec.layers[0] as LineLayer;
    assert.equal(l.x[l.x.length - 1], n, 'the last call is the one shown');
    assert.match(String(shown[0].data['image/svg+xml']), /^<svg /);
  });

  it('calls from two places are two outputs; the same key shares one; a bad call fails its cell naming plot', async () => {
    const r = await kernel.run('plot([1, 2]);\nplot({ histogram: [1, 2, 3] });\nfor (const k of [1, 2]) plot([k], { key: "one" });');
    assert.equal(r.status, 'ok');
    assert.deepEqual(plots(r.outputs).map((o) => (o.data[PLOT_MIME] as PlotSpec).kind), ['line', 'histogram', 'line']);
    const bad = await kernel.run('plot({ scatter: tensor([1, 2]) })');
    assert.equal(bad.status, 'error');
    assert.ok(bad.outputs.some((o) => o.kind === 'error' && /plot: scatter points must be a tensor of shape \[N, 2\]/.test(o.evalue)));
  });
});
