// The renderer's pure parts: snapshot validation, number formatting, the colour scale, the view model
// (kinds, labels, grouping, collapse, truncation), the mermaid text (escaping) and the gradient-flow order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flatGraph, deepGraph, HOSTILE, hostileGraph, mlpGraph, nanGraph, scalarGraph, toJson } from '../e2e/fixtures/graphs';
import { formatNumber, formatShape, statRows, summaryText, valueGrid } from '../../renderer/format';
import { classifyGrad, classifyNorm, scalePosition, scaleTicks, DEFAULT_SCALE } from '../../renderer/gradScale';
import { gradientFlow } from '../../renderer/gradientFlow';
import { clipLine, mermaidText, placeholder } from '../../renderer/mermaidText';
import { parseSnapshot, parseSnapshotText, SnapshotError } from '../../renderer/snapshot';
import type { GraphSnapshot, TensorSummary } from '../../renderer/types';
import { buildViewModel, chooseDirection, DEFAULT_OPTIONS, gradLabel, MAX_BOXES, MAX_OUTLINED, nodeKind, withOptions, type ViewState } from '../../renderer/viewModel';

const parse = (o: unknown): GraphSnapshot => parseSnapshotText(toJson(o)).snapshot;
const fresh = (): ViewState => ({ groups: new Map() });
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);

describe('snapshot validation', () => {
  it('reads "NaN", "Infinity" and "-Infinity" as numbers', () => {
    const s = parse(nanGraph());
    const log = s.nodes.find((n) => n.op === 'log')!;
    assert.ok(Number.isNaN(log.value.values![0]));
    assert.equal(log.value.nan, 1);
    const z = s.nodes.find((n) => n.name === 'z')!;
    assert.equal(z.grad!.values![0], Infinity);
    assert.equal(parseSnapshotText('{"version":1,"nodes":[],"edges":[],"x":"-Infinity"}').snapshot.nodes.length, 0);
  });
  it('names the problem for a wrong version, bad JSON or a malformed node', () => {
    assert.throws(() => parseSnapshot({ version: 2, nodes: [], edges: [] }), (e: Error) => e instanceof SnapshotError && /version 1.*\(2\)/.test(e.message));
    assert.throws(() => parseSnapshotText('{"version":1,'), /not valid JSON/);
    assert.throws(() => parseSnapshot([1, 2]), /expected a JSON object, got an array/);
    const bad = scalarGraph() as any;
    bad.nodes[1].value.mean = 'lots';
    assert.throws(() => parseSnapshot(bad), /graph\.nodes\[1\]\.value\.mean: expected a number, got the string "lots"/);
  });
  it('skips edges to unknown nodes with a warning instead of failing', () => {
    const s = scalarGraph() as any;
    s.edges.push({ from: 'nope', to: s.root, argIndex: 0 });
    const { snapshot, warnings } = parseSnapshot(JSON.parse(toJson(s)));
    assert.equal(snapshot.edges.length, s.edges.length - 1);
    assert.match(warnings.join(), /1 edge/);
  });
  it('hands on the settings an output asks to be drawn with, and only an object', () => {
    const display = { maxNodes: 7, edgeLabel: 'mean' };
    assert.deepEqual(parseSnapshot({ ...scalarGraph(), display }).display, display);
    assert.equal(parseSnapshot({ ...scalarGraph(), display: 'mean' }).display, undefined);
    assert.equal(parseSnapshot(scalarGraph()).display, undefined);
  });
});

describe('settings', () => {
  it('puts the valid fields of untrusted settings over the base, and ignores the rest', () => {
    assert.deepEqual(withOptions(DEFAULT_OPTIONS, { maxNodes: 7, edgeLabel: 'values' }), { ...DEFAULT_OPTIONS, maxNodes: 7, edgeLabel: 'values' });
    const mean = withOptions(DEFAULT_OPTIONS, { edgeLabel: 'mean' });
    assert.deepEqual(withOptions(mean, { maxNodes: -1, edgeLabel: '<b>', vanishing: NaN, exploding: 'big' }), mean);
    assert.equal(withOptions(mean, undefined), mean);
    assert.equal(withOptions(mean, 'values'), mean);
  });
  it('draws edge labels as the settings say', () => {
    const s = parse(mlpGraph());
    const labels = (edgeLabel: unknown) => buildViewModel(s, withOptions(DEFAULT_OPTIONS, { edgeLabel }), fresh()).edges.map((e) => e.label).filter(Boolean);
    assert.ok(labels('mean').some((l) => l.startsWith('mean ∇')));
    assert.ok(!labels('norm').some((l) => l.startsWith('mean ∇')));
  });
});

describe('format', () => {
  it('writes numbers short, exponents for the very small and large, and non-finite names', () => {
    assert.equal(formatNumber(0.25), '0.25');
    assert.equal(formatNumber(-3), '-3');
    assert.equal(formatNumber(1 / 3), '0.3333');
    assert.equal(formatNumber(0.000123456), '1.235e-4');
    assert.equal(formatNumber(123456.7), '1.235e5');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '-Infinity');
    assert.equal(formatShape([]), 'scalar');
    assert.equal(formatShape([2, 3]), '[2×3]');
  });
  it('shows up to 4 values, a summary beyond', () => {
    const s = (values: number[]): TensorSummary => ({ shape: [values.length], values, mean: 1, std: 2, min: 0, max: 3, norm: 5, nan: 0, inf: 0 });
    assert.equal(summaryText(s([1, 2, 3, 4])), '[1, 2, 3, 4]');
    assert.equal(summaryText(s([1, 2, 3, 4, 5])), 'μ 1 σ 2');
    assert.equal(summaryText(s([1 / 3, 2])), '[0.333, 2]');
    const ok = classifyGrad(s([1, 2, 3]));
    assert.equal(gradLabel(s([1, 2, 3]), ok, 'norm'), '‖∇‖ 5');
    assert.equal(gradLabel(s([1, 2, 3]), ok, 'mean'), 'mean ∇ 1');
    assert.equal(gradLabel(s([1, 2, 3]), ok, 'values'), '∇ [1, 2, 3]');
    assert.equal(gradLabel(s([1, 2, 3, 4, 5]), ok, 'values'), '‖∇‖ 5');
    assert.equal(gradLabel({ ...s([-0.5]), shape: [] }, ok, 'norm'), '∇ -0.5');
    assert.equal(summaryText({ ...s([0.5]), shape: [] }), '0.5');
    assert.deepEqual(valueGrid({ ...s([1, 2.5, 1 / 3, 4, 5, 6]), shape: [2, 3] }), [['1', '2.5', '0.3333'], ['4', '5', '6']]);
    assert.deepEqual(statRows({ ...s([1]), nan: 2 }).at(-1), ['non-finite', '2 NaN']);
  });
});

describe('colour scale', () => {
  const g = (norm: number, nan = 0): TensorSummary => ({ shape: [], mean: 0, std: 0, min: 0, max: 0, norm, nan, inf: 0 });
  it('flags vanishing (including exactly zero), exploding and non-finite gradients', () => {
    assert.equal(classifyGrad(g(0)).flag, 'vanishing');
    assert.equal(classifyGrad(g(1e-9)).symbol, '▼');
    assert.equal(classifyGrad(g(1e5)).flag, 'exploding');
    assert.equal(classifyGrad(g(1, 2)).flag, 'nonfinite');
    assert.equal(classifyGrad(g(NaN)).symbol, '⚠');
    assert.equal(classifyGrad(undefined).flag, 'none');
    assert.equal(classifyGrad(g(0.5)).flag, 'ok');
  });
  it('is logarithmic between the thresholds', () => {
    close(scalePosition(1e-6), 0);
    close(scalePosition(1e3), 1);
    close(scalePosition(10 ** -1.5), 0.5);
    assert.notEqual(classifyNorm(1e-3).colour, classifyNorm(1).colour);
    assert.deepEqual(scaleTicks(DEFAULT_SCALE, 10).map((t) => t.label), ['1e-6', '1e-5', '1e-4', '0.001', '0.01', '0.1', '1', '10', '100', '1000']);
  });
});

describe('view model', () => {
  it('gives each tensor its kind, and a tensor used twice two edge gradients that add up to its own', () => {
    const s = parse(scalarGraph());
    const v = buildViewModel(s, DEFAULT_OPTIONS, fresh());
    const kindOf = (name: string) => nodeKind(s.nodes.find((n) => n.name === name)!, s.root);
    assert.equal(kindOf('x1'), 'input');
    assert.equal(kindOf('w1'), 'parameter');
    assert.equal(kindOf('loss'), 'loss');
    assert.equal(kindOf('o'), 'op');
    const o = s.nodes.find((n) => n.name === 'o')!;
    const oKey = v.nodes.find((n) => n.node === o)!.key;
    const twice = v.edges.filter((e) => e.from === oKey);
    assert.equal(twice.length, 2);
    close(twice[0].edge.grad!.values![0] + twice[1].edge.grad!.values![0], o.grad!.values![0]);
    // micrograd's neuron: o = tanh(0.8814) = 0.7071, dL/do = 2o on each... o·o gives o on each edge
    assert.deepEqual(twice.map((e) => e.label), ['∇ 0.707', '∇ 0.707']);
    assert.deepEqual(v.nodes.find((n) => n.node === o)!.lines.map((l) => l.text), ['tanh · o', 'scalar', '= 0.707', '∇ 1.41']);
    const x1 = v.nodes.find((n) => n.node?.name === 'x1')!;
    assert.equal(x1.lines.at(-1)!.text, 'no grad');
    assert.equal(v.rootKey, v.nodes.find((n) => n.kind === 'loss')!.key);
    assert.equal(v.hiddenNodes, 0);
    assert.deepEqual(v.notes, []);
  });
  it('draws small graphs expanded, with groups as subgraphs', () => {
    const v = buildViewModel(parse(mlpGraph()), DEFAULT_OPTIONS, fresh());
    assert.deepEqual(v.groups.map((g) => [g.name, g.collapsed, g.size]), [['layers.0', false, 5], ['layers.1', false, 4]]);
    assert.ok(v.nodes.filter((n) => n.parentGroup === 'g0').length === 5);
    for (const e of v.edges) assert.equal(e.label === '', e.edge.grad === undefined);
    assert.ok(v.edges.some((e) => /^‖∇‖ \d/.test(e.label)) && v.edges.some((e) => /^∇ -?\d/.test(e.label)));
  });
  it('collapses every group when the graph is larger than maxNodes, and honours the user’s toggles', () => {
    const s = parse(mlpGraph());
    const v = buildViewModel(s, { ...DEFAULT_OPTIONS, maxNodes: 10 }, fresh());
    assert.ok(v.groups.every((g) => g.collapsed));
    const boxes = v.nodes.filter((n) => n.kind === 'group');
    assert.deepEqual(boxes.map((b) => b.lines[0].text), ['▸ layers.0', '▸ layers.1']);
    // edges inside a collapsed group are not drawn; edges across it keep their own gradient
    assert.ok(v.edges.every((e) => e.from !== e.to));
    assert.ok(v.edges.some((e) => e.to === boxes[1].key && e.from === boxes[0].key && e.label === '‖∇‖ 0.446'));
    const open = buildViewModel(s, { ...DEFAULT_OPTIONS, maxNodes: 10 }, { groups: new Map([['layers.1', true]]) });
    assert.deepEqual(open.groups.map((g) => g.collapsed), [true, false]);
    const shut = buildViewModel(s, DEFAULT_OPTIONS, { groups: new Map([['layers.0', false]]) });
    assert.deepEqual(shut.groups.map((g) => g.collapsed), [true, false]);
    assert.match(shut.notes.join(), /1 module group is collapsed/);
  });
  it('keeps a 2,000-node graph to maxNodes boxes nearest the loss and says what is hidden', () => {
    const raw = flatGraph(2000);
    const v = buildViewModel(parse(raw), DEFAULT_OPTIONS, fresh());
    assert.equal(v.nodes.length, 60);
    assert.equal(v.hiddenNodes, raw.nodes.length - 60);
    assert.ok(v.nodes.some((n) => n.kind === 'loss'));
    assert.match(v.notes.join(' '), new RegExp(`Showing 60 of ${raw.nodes.length.toLocaleString("en-US")} boxes.*${(raw.nodes.length - 60).toLocaleString('en-US')} tensors are hidden`));
    assert.ok(v.nodes.some((n) => n.lines.some((l) => /^\+\d+ hidden input/.test(l.text))));
    const more = buildViewModel(parse(raw), DEFAULT_OPTIONS, { groups: new Map(), limit: 120 });
    assert.equal(more.nodes.length, 120);
    assert.equal(buildViewModel(parse(raw), DEFAULT_OPTIONS, { groups: new Map(), limit: 10_000 }).nodes.length, MAX_BOXES);
    assert.equal(buildViewModel(parse(raw), { ...DEFAULT_OPTIONS, maxNodes: 5000 }).nodes.length, MAX_BOXES);
  });
  it('collapses a deep grouped graph into group boxes', () => {
    const v = buildViewModel(parse(deepGraph(100)), DEFAULT_OPTIONS, fresh());
    assert.ok(v.nodes.length <= 60);
    assert.ok(v.nodes.filter((n) => n.kind === 'group').length >= 50);
  });
  it('lays out right to left unless the graph is too deep for the width', () => {
    const scalar = buildViewModel(parse(scalarGraph()));
    assert.equal(scalar.direction, 'RL');
    const deep = buildViewModel(parse(deepGraph(6)), { ...DEFAULT_OPTIONS, maxNodes: 100 });
    assert.equal(deep.direction, 'TB');
    assert.equal(chooseDirection(deep.nodes, deep.edges, 10_000), 'RL');
    assert.equal(buildViewModel(parse(deepGraph(6)), DEFAULT_OPTIONS, { groups: new Map(), direction: 'RL' }).direction, 'RL');
    assert.ok(mermaidText(deep).startsWith('flowchart TB\n'));
  });
  it('outlines at most MAX_OUTLINED expanded groups', () => {
    const few = buildViewModel(parse(deepGraph(MAX_OUTLINED)), { ...DEFAULT_OPTIONS, maxNodes: 1000 });
    assert.equal(new Set(few.nodes.map((n) => n.parentGroup).filter(Boolean)).size, MAX_OUTLINED);
    const many = buildViewModel(parse(deepGraph(MAX_OUTLINED + 1)), { ...DEFAULT_OPTIONS, maxNodes: 1000 });
    assert.ok(many.nodes.every((n) => n.parentGroup === undefined));
    assert.match(many.notes.join(), new RegExp(`${MAX_OUTLINED + 1} module groups are expanded, too many to outline`));
    assert.ok(!mermaidText(many).includes('subgraph'));
  });
  it('notes a snapshot the kernel truncated', () => {
    const raw = { ...scalarGraph(), truncated: { totalNodes: 12000, shownNodes: 500 } };
    assert.match(buildViewModel(parse(raw)).notes[0], /500 of 12,000 tensors/);
  });
  it('marks NaN and infinite gradients on nodes and edges', () => {
    const v = buildViewModel(parse(nanGraph()));
    const w = v.nodes.find((n) => n.node?.name === 'w')!;
    assert.equal(w.mark.flag, 'nonfinite');
    assert.match(w.lines.at(-1)!.text, /^⚠ ∇ \[NaN, 0.693\]$/);
    const z = v.nodes.find((n) => n.node?.name === 'z')!;
    assert.match(z.lines.at(-1)!.text, /Infinity/);
  });
});

describe('mermaid text', () => {
  it('replaces everything outside a safe alphabet in labels', () => {
    assert.equal(placeholder('<img src=x onerror=alert(1)>'), '_img src=x onerror=alert(1)_');
    assert.equal(placeholder('"]-->'), '__--_');
    assert.equal(placeholder('%%{init'), '___init');
    assert.equal(placeholder('`a` #35; b\nc'), '_a_ _35_ b c');
    assert.equal(placeholder('<>'), '__');
    assert.equal(placeholder(''), '_');
    assert.equal(clipLine('x'.repeat(60)).length, 40);
  });
  it('contains no snapshot text that mermaid could read as syntax', () => {
    const text = mermaidText(buildViewModel(parse(hostileGraph())));
    for (const bad of ['<', '>"', '%%', '`', '#', ';', '&', '{init']) {
      assert.ok(!text.replace(/-->|<br>/g, '').includes(bad), `${JSON.stringify(bad)} in\n${text}`);
    }
    // every line is one of the few statement forms, with ids we made
    const label = '"[^"\\n]*"';
    const stmt = new RegExp(`^(flowchart (RL|TB)|  end|  subgraph g\\d+ \\[${label}\\]|\\s+[nc]\\d+(\\[/|\\[\\[|\\{\\{|\\(|\\[)${label}(/\\]|\\]\\]|\\}\\}|\\)|\\])|  [nc]\\d+ e\\d+@-->(\\|${label}\\|)? [nc]\\d+)$`);
    for (const line of text.split('\n')) assert.match(line, stmt);
    assert.equal(text.split('\n').length, 1 + 5 + 2 + 4);
    assert.ok(HOSTILE.length > 0);
  });
  it('draws each edge from the made tensor back to its input, with the edge id mermaid keeps', () => {
    const v = buildViewModel(parse(scalarGraph()));
    const text = mermaidText(v);
    const e = v.edges[0];
    assert.ok(text.includes(`  ${e.to} ${e.key}@-->|"${placeholder(e.label)}"| ${e.from}`));
  });
});

describe('gradient flow', () => {
  it('lists parameters in the order the forward pass uses them', () => {
    const bars = gradientFlow(parse(mlpGraph()), DEFAULT_SCALE);
    assert.deepEqual(bars.map((b) => b.label), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
    assert.ok(bars.every((b) => b.norm > 0 && b.mark.flag === 'ok'));
    assert.deepEqual(gradientFlow(parse(deepGraph(3)), DEFAULT_SCALE).map((b) => b.label),
      ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias']);
  });
});
