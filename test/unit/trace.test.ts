// Graph snapshots: structure, gradients on nodes and edges (a node's grad is the sum of its edges'), JSON
// safety, truncation, long chains, ids.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { GraphSnapshot, nn, summarize, Tensor, tensor, traceGraph, TensorSummary, scalar } from '../../kernel/engine';
import { parseSnapshotText } from '../../renderer/snapshot';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const valuesOf = (s: TensorSummary | undefined): number[] => (s?.values ?? []).map(num);

function byName(snap: GraphSnapshot, name: string) {
  const node = snap.nodes.find((n) => n.name === name);
  assert.ok(node, `node ${name}`);
  return node;
}

function close(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${x} != ${b[i]}`));
}

describe('traceGraph', () => {
  it('lists leaves and ops with their edges; before backward there are no gradients', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, name: 'x' });
    const w = tensor([0.5, -1, 2], { requiresGrad: true, name: 'w' });
    const c = tensor([1, 1, 1], { name: 'c' });
    const loss = x.mul(w).add(c).sum();
    const snap = traceGraph(loss);
    assert.equal(snap.version, 1);
    assert.equal(snap.step, 1);
    assert.equal(snap.nodes.length, 6);
    assert.equal(snap.root, snap.nodes[0].id, 'the root comes first');
    assert.deepEqual(snap.nodes.map((n) => n.op ?? n.name), ['sum', 'add', 'mul', 'c', 'x', 'w']);
    assert.deepEqual(snap.nodes.map((n) => n.kind), ['op', 'op', 'op', 'leaf', 'leaf', 'leaf']);
    assert.equal(byName(snap, 'c').requiresGrad, false);
    assert.deepEqual(snap.nodes[0].shape, []);
    const mul = snap.nodes[2];
    assert.deepEqual(snap.edges.filter((e) => e.to === mul.id).map((e) => [e.from, e.argIndex]),
      [[byName(snap, 'x').id, 0], [byName(snap, 'w').id, 1]]);
    assert.equal(snap.edges.length, 5);
    assert.ok(snap.nodes.every((n) => n.grad === undefined) && snap.edges.every((e) => e.grad === undefined));
    assert.deepEqual(valuesOf(mul.value), [0.5, -2, 6]);
  });

  it('after backward carries each node\'s gradient and each edge\'s share', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, name: 'x' });
    const w = tensor([0.5, -1, 2], { requiresGrad: true, name: 'w' });
    const c = tensor([1, 1, 1], { name: 'c' });
    const loss = x.mul(w).add(c).sum();
    loss.backward();
    const snap = traceGraph(loss);
    assert.deepEqual(valuesOf(snap.nodes[0].grad), [1]);
    assert.deepEqual(valuesOf(byName(snap, 'x').grad), [0.5, -1, 2]);
    assert.deepEqual(valuesOf(byName(snap, 'w').grad), [1, 2, 3]);
    assert.equal(byName(snap, 'c').grad, undefined, 'no gradient where none was computed');
    const edgeFromC = snap.edges.find((e) => e.from === byName(snap, 'c').id);
    assert.equal(edgeFromC?.grad, undefined);
    const edgeFromW = snap.edges.find((e) => e.from === byName(snap, 'w').id);
    assert.deepEqual(valuesOf(edgeFromW?.grad), [1, 2, 3]);
  });

  it('gives a tensor used twice the sum of its two edges\' shares', () => {
    const x = tensor([0.3, -0.7], { requiresGrad: true, name: 'x' });
    const h = x.tanh();
    h.name = 'h';
    const y = h.mul(h).add(h.sin().mul(x)).sum();
    y.backward();
    const snap = traceGraph(y);
    for (const name of ['x', 'h']) {
      const node = byName(snap, name);
      const out = snap.edges.filter((e) => e.from === node.id);
      assert.ok(out.length >= 2, `${name} is used more than once`);
      const total = out.reduce((acc, e) => acc.map((v, i) => v + valuesOf(e.grad)[i]), [0, 0]);
      close(valuesOf(node.grad), total, `${name}: grad = Σ edge grads`);
    }
    close(valuesOf(byName(snap, 'x').grad), Array.from((x.grad as Tensor).data), 'x: the leaf\'s .grad');
    // x·x as one op: two edges into the same node, argIndex 0 and 1.
    const z = x.mul(x).sum();
    z.backward();
    const s2 = traceGraph(z);
    const xs = s2.edges.filter((e) => e.from === byName(s2, 'x').id);
    assert.deepEqual(xs.map((e) => e.argIndex), [0, 1]);
    close(valuesOf(byName(s2, 'x').grad), [0.6, -1.4], 'd(x·x)/dx');
  });

  it('shows the gradient of the latest backward for a leaf whose .grad accumulated', () => {
    const w = tensor([2], { requiresGrad: true, name: 'w' });
    w.mul(3).sum().backward();
    const loss = w.mul(5).sum();
    loss.backward();
    assert.deepEqual(Array.from((w.grad as Tensor).data), [8]);
    assert.deepEqual(valuesOf(byName(traceGraph(loss), 'w').grad), [5]);
  });

  it('keeps the nodes nearest the root when over maxNodes, with edges between kept nodes only', () => {
    const x = tensor([1, 2], { requiresGrad: true, name: 'x' });
    let y = x;
    for (let i = 0; i < 20; i++) y = y.mul(1.01).add(x);
    const root = y.sum();
    const snap = traceGraph(root, { maxNodes: 10 });
    assert.deepEqual(snap.truncated, { totalNodes: traceGraph(root).nodes.length, shownNodes: 10 });
    assert.equal(snap.nodes.length, 10);
    assert.equal(snap.nodes[0].id, snap.root);
    assert.ok(snap.nodes.some((n) => n.name === 'x'), 'x feeds the last add directly: it is near the root');
    const ids = new Set(snap.nodes.map((n) => n.id));
    assert.ok(snap.edges.every((e) => ids.has(e.from) && ids.has(e.to)));
    assert.equal(traceGraph(root).truncated, undefined);
    assert.throws(() => traceGraph(root, { maxNodes: 0 }), /traceGraph: maxNodes must be a positive integer, got 0/);
    assert.throws(() => traceGraph(root, { max: 3 } as object), /traceGraph: unknown option 'max' \(supported: maxNodes, step, steps\)/);
  });

  it('walks a chain of 100,000 ops without recursion', () => {
    const x = scalar(0.5, { requiresGrad: true, name: 'x' });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    y.backward();
    const snap = traceGraph(y, { maxNodes: 50 });
    const total = snap.truncated?.totalNodes ?? 0;
    assert.ok(total >= 100_001, `every op and x are counted (${total})`);
    assert.equal(snap.nodes.length, 50);
    assert.equal(snap.nodes[0].op, 'add');
  });

  it('gives unique node ids, stable across snapshots, and a new snapshot id each time', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().mul(x).sum();
    const a = traceGraph(y), b = traceGraph(y, { step: 4 });
    assert.equal(new Set(a.nodes.map((n) => n.id)).size, a.nodes.length);
    assert.deepEqual(a.nodes.map((n) => n.id), b.nodes.map((n) => n.id));
    assert.notEqual(a.id, b.id);
    assert.equal(b.step, 4);
  });

  it('is plain JSON: non-finite numbers become strings', () => {
    const x = tensor([0, 1, -1], { requiresGrad: true, name: 'x' });
    const y = x.log().sum(); // log 0 = -Infinity, log -1 = NaN
    y.backward();
    const snap = traceGraph(y);
    const back = JSON.parse(JSON.stringify(snap)) as GraphSnapshot;
    assert.deepEqual(back, snap, 'nothing is lost through JSON');
    const log = snap.nodes.find((n) => n.op === 'log');
    assert.deepEqual(log?.value.values, ['-Infinity', 0, 'NaN']);
    assert.equal(log?.value.nan, 1);
    assert.equal(log?.value.inf, 1);
    assert.deepEqual(byName(snap, 'x').grad?.values, ['Infinity', 1, -1]);
    assert.ok(!JSON.stringify(snap).includes('null'));
  });
});

describe('the renderer reads snapshots', () => {
  it('accepts an MLP\'s snapshot as it is, through JSON, without warnings', () => {
    const model = new nn.MLP([3, 4, 2], { activation: 'tanh', seed: 0 });
    const loss = model.forward(tensor([[1, 0, -1], [0.5, 0.5, 0.5]])).crossEntropy([0, 1]);
    loss.backward();
    const snap = traceGraph(loss);
    const parsed = parseSnapshotText(JSON.stringify(snap));
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.snapshot.nodes.length, snap.nodes.length);
    assert.equal(parsed.snapshot.edges.length, snap.edges.length);
    assert.ok(parsed.snapshot.nodes.some((n) => n.group === 'layers.1' && n.name === 'layers.1.bias'));
  });
});

describe('summarize', () => {
  it('gives shape, values, mean, population std, min, max, L2 norm and counts', () => {
    const s = summarize(tensor([[1, 2], [3, 4]]));
    assert.deepEqual(s, { shape: [2, 2], values: [1, 2, 3, 4], mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4, norm: Math.sqrt(30), nan: 0, inf: 0 });
  });

  it('lists values only up to 16 elements', () => {
    assert.equal(summarize(tensor(new Float64Array(16))).values?.length, 16);
    const s = summarize(tensor(Float64Array.from({ length: 17 }, (_, i) => i)));
    assert.equal(s.values, undefined);
    assert.equal(s.mean, 8);
    assert.equal(s.max, 16);
  });

  it('makes every statistic NaN when a value is NaN, and handles infinities', () => {
    const s = summarize(tensor([1, NaN, Infinity]));
    assert.deepEqual([s.mean, s.std, s.min, s.max, s.norm, s.nan, s.inf], ['NaN', 'NaN', 'NaN', 'NaN', 'NaN', 1, 1]);
    const t = summarize(tensor([1, -Infinity]));
    assert.deepEqual([t.mean, t.min, t.max, t.norm, t.inf], ['-Infinity', '-Infinity', 1, 'Infinity', 1]);
    assert.equal(t.std, 'NaN');
  });

  it('summarises a scalar', () => {
    assert.deepEqual(summarize(scalar(-3)), { shape: [], values: [-3], mean: -3, std: 0, min: -3, max: -3, norm: 3, nan: 0, inf: 0 });
  });
});
