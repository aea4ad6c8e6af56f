// Backward, step by step: the steps a snapshot carries (kernel/engine/stepThrough.ts) and the equations the
// renderer writes from them (renderer/stepModel.ts). For a graph of every case of the gradient table, the steps
// come in the order backward() ran them, and ȳ times each step's local derivative — multiplied out by the
// renderer from the snapshot's numbers alone — is the share the engine computed on that edge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as bp from '../../kernel/engine';
import { Tensor } from '../../kernel/engine';
import { JACOBIAN_BUDGET, JACOBIAN_MAX } from '../../kernel/engine/stepThrough';
import { parseSnapshotText, SnapshotError } from '../../renderer/snapshot';
import { buildSteps, chainPaths, sumToShape, tensorText } from '../../renderer/stepModel';
import type { GraphSnapshot } from '../../renderer/types';
import { toJson } from '../e2e/fixtures/graphs';
import { gradCases } from './helpers/engineCases';

/** The snapshot as the renderer reads it: through JSON and validation. */
const read = (s: bp.GraphSnapshot): GraphSnapshot => parseSnapshotText(toJson(s)).snapshot;

/** Equal to 1e-9 relative (1e-6 where the engine's share is float32: the renderer multiplies in float64). */
function close(a: readonly number[], b: readonly number[], what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  const tol = b.every((x) => Math.fround(x) === x) ? 1e-6 : 1e-9;
  a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) <= tol * Math.max(1, Math.abs(b[k])), `${what}[${k}]: ${x} != ${b[k]}`));
}

/** Small graphs for the ops whose table cases are too big for the snapshot to list their numbers (> 16 elements). */
const r = (shape: number[], seed: number) => bp.randn(shape, { seed, requiresGrad: true });
const smallCases = [
  { op: 'flatten', title: 'flatten [2,1,2]', inputs: () => [r([2, 1, 2], 1)], f: (a: Tensor) => a.flatten() },
  { op: 'permute', title: 'permute [2,0,1] of [2,1,3]', inputs: () => [r([2, 1, 3], 2)], f: (a: Tensor) => a.permute([2, 0, 1]) },
  { op: 'softmax', title: 'softmax of [2,3]', inputs: () => [r([2, 3], 3)], f: (a: Tensor) => a.softmax() },
  { op: 'logSoftmax', title: 'logSoftmax of [3,2] axis 0', inputs: () => [r([3, 2], 4)], f: (a: Tensor) => bp.logSoftmax(a, 0) },
  { op: 'matmul', title: 'nn.Linear (weight stored transposed)', inputs: () => [r([3, 2], 5)], f: (x: Tensor) => new bp.nn.Linear(2, 2, { seed: 6 }).forward(x) },
] as Array<{ op: string; title: string; inputs: () => Tensor[]; f: (...xs: Tensor[]) => Tensor }>;

/** A scalar loss from an op's output: Σ out ⊙ weights, so ȳ at the op is not all ones. */
function lossOf(out: Tensor): Tensor {
  const w = bp.randn(out.shape, { seed: 7 });
  return out.mul(w).sum();
}

describe('backward steps of every op of the gradient table', () => {
  const verified = new Map<string, number>(), eligible = new Set<string>();
  for (const c of [...gradCases, ...smallCases]) {
    it(c.title, () => {
      const xs = c.inputs();
      const loss = lossOf(c.f(...xs));
      loss.backward();
      const raw = bp.traceGraph(loss);
      const s = read(raw);
      const steps = s.backwardSteps ?? [];
      assert.ok(steps.length >= 2, 'the loss sum and the weighting mul at least');
      assert.equal(steps[0].node, s.root, 'the first step is the loss');
      // reverse topological order: a node's step comes before the step of every op node among its inputs
      const at = new Map(steps.map((st, k) => [st.node, k]));
      for (const st of steps) for (const x of st.inputs) if (at.has(x.from)) assert.ok(at.get(x.from)! > at.get(st.node)!, `${x.from} after ${st.node}`);
      // every op node that got a gradient has its step; every edge with a share is one input of one step
      for (const n of s.nodes) if (n.kind === 'op' && n.grad) assert.ok(at.has(n.id), `step for ${n.op} ${n.id}`);
      const withShare = s.edges.filter((e) => e.grad).map((e) => `${e.from}>${e.to}#${e.argIndex}`).sort();
      assert.deepEqual(steps.flatMap((st) => st.inputs.map((x) => `${x.from}>${st.node}#${x.argIndex}`)).sort(), withShare);
      for (const view of buildSteps(s)) {
        for (const t of view.terms) {
          assert.ok(t.equation.startsWith(`∂L/∂`), t.equation);
          const share = t.edge?.grad?.values;
          if (view.node.op === c.op && share && view.node.grad?.values) eligible.add(c.op);
          if (!t.product || !share) continue;
          close(t.product, share, `${c.title}: ${view.title} → input ${t.input.argIndex}`);
          if (view.node.op === c.op) verified.set(c.op, (verified.get(c.op) ?? 0) + 1);
        }
      }
    });
  }
  it('checked the product of every op whose numbers the snapshot lists against the engine', () => {
    assert.deepEqual([...eligible].filter((op) => !verified.has(op)), []);
    // the ops of the table at the time of writing, at least
    const table = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'tanh', 'sigmoid', 'relu', 'leakyRelu',
      'sin', 'cos', 'clamp', 'maximum', 'minimum', 'where', 'clone', 'cast', 'sum', 'mean', 'max', 'min', 'logSumExp', 'matmul', 'reshape',
      'flatten', 'squeeze', 'unsqueeze', 'permute', 'transpose', 'broadcastTo', 'slice', 'pad', 'gather', 'scatterAdd', 'concat', 'stack',
      'softmax', 'logSoftmax', 'crossEntropy', 'mseLoss'];
    assert.deepEqual(table.filter((op) => !verified.has(op)), []);
  });
});

describe('the equation of each step, on a scalar neuron', () => {
  // micrograd's example: L = tanh(x·w + b)·tanh(x·w + b) (o used twice)
  const x = bp.tensor(2, { name: 'x' }), w = bp.tensor(-3, { requiresGrad: true, name: 'w' });
  const b = bp.tensor(6.8813735870195432, { requiresGrad: true, name: 'b' });
  const xw = x.mul(w);
  const o = xw.add(b).tanh();
  o.name = 'o';
  const L = o.mul(o);
  L.name = 'L';
  L.backward();
  const s = read(bp.traceGraph(L));
  const steps = buildSteps(s);

  it('runs from the loss to the inputs: mul (L), tanh, add, mul', () => {
    assert.deepEqual(steps.map((v) => v.title), ['mul · L', 'tanh · o', 'add', 'mul']);
    assert.equal(steps[0].gradIn, 'ȳ = ∂L/∂L = 1');
  });
  it('writes the VJP with this run’s numbers, as the issue spells it', () => {
    const mulW = steps[3];
    assert.equal(mulW.terms.length, 1, 'x does not require grad: one term');
    // ∂L/∂(x·w) = ∂L/∂o · (1 − o²) = 1.414 · 0.5 = 0.7071; then ∂L/∂w = ∂L/∂mul · x
    assert.equal(mulW.terms[0].equation, '∂L/∂w = ∂L/∂mul · x = 0.7071 · 2 = 1.414');
    assert.equal(steps[1].terms[0].equation, '∂L/∂add = ∂L/∂o · (1 − o²) = 1.414 · 0.5 = 0.7071');
  });
  it('sums the shares of a tensor used twice at the step that completes it', () => {
    const first = steps[0];
    assert.equal(first.terms.length, 2);
    assert.equal(first.terms[0].sum, undefined);
    assert.equal(first.terms[1].sum?.equation, '∂L/∂o = 0.7071 + 0.7071 = 1.414');
    assert.equal(first.terms[0].equation, '∂L/∂o = ∂L/∂L · o = 1 · 0.7071 = 0.7071');
  });
  it('writes the sum on the term of the input whose last share this step gives, wherever it sits', () => {
    const a = bp.scalar(0.5, { requiresGrad: true, name: 'a' }), b = bp.scalar(-1.5, { requiresGrad: true, name: 'b' });
    const f = a.mul(b).add(a.square()).tanh();
    f.backward();
    const views = buildSteps(read(bp.traceGraph(f)));
    const sums = views.flatMap((v) => v.terms.filter((t) => t.sum).map((t) => ({ step: v.node.op, to: t.from.name, eq: t.sum!.equation })));
    assert.equal(sums.length, 1);
    assert.equal(sums[0].to, 'a');
    assert.equal(sums[0].step, views.at(-1)!.node.op, 'the last step that gives a a share');
    assert.equal(sums[0].eq, `∂L/∂a = 0.7864 + (-1.18) = ${a.grad!.item().toPrecision(4)}`, 'negative shares in brackets');
  });
  it('the chain rule along every path from the loss to a leaf adds up to its gradient', () => {
    const wId = s.nodes.find((n) => n.name === 'w')!.id;
    const chain = chainPaths(s, wId)!;
    assert.equal(chain.paths.length, 2, 'through either factor of o·o');
    const opOf = (id: string) => s.nodes.find((n) => n.id === id)!.op ?? 'leaf';
    for (const p of chain.paths) assert.deepEqual(p.nodes.map(opOf), ['mul', 'tanh', 'add', 'mul', 'leaf']);
    assert.ok(Math.abs(chain.total - w.grad!.item()) < 1e-12, `${chain.total} vs ${w.grad!.item()}`);
    assert.equal(chain.text, '∂L/∂w = 0.7071 · 0.5 · 1 · 2 + 0.7071 · 0.5 · 1 · 2 = 1.414');
    assert.equal(chainPaths(s, s.nodes.find((n) => n.name === 'x')!.id)?.paths.length ?? 0, 0, 'x gets no gradient');
  });
});

describe('steps of larger tensors', () => {
  it('show matmul’s transposed operand, elementwise derivatives and small Jacobians', () => {
    const a = bp.tensor([[1, 2], [3, 4]], { requiresGrad: true, name: 'a' }), B = bp.tensor([[5, 6, 7], [8, 9, 10]], { name: 'B' });
    const L = a.matmul(B).relu().sum();
    L.backward();
    const steps = read(bp.traceGraph(L)).backwardSteps!;
    const mm = steps[2].inputs[0].local;
    assert.equal(mm.kind, 'matmul');
    assert.equal(mm.formula, '$1ᵀ');
    assert.deepEqual(mm.values?.values, [5, 8, 6, 9, 7, 10], 'Bᵀ');
    assert.deepEqual(mm.jacobian?.rows, 6);
    const relu = steps[1].inputs[0].local;
    assert.equal(relu.kind, 'elementwise');
    assert.deepEqual(relu.values?.values, [1, 1, 1, 1, 1, 1]);
    assert.equal(relu.jacobian, undefined, 'diagonal: its values say it all');
    const text = buildSteps(read(bp.traceGraph(L)))[2].terms[0].equation;
    assert.equal(text, '∂L/∂a = ∂L/∂matmul · Bᵀ = [[1, 1, 1], [1, 1, 1]] · [[5, 8], [6, 9], [7, 10]] = [[18, 27], [18, 27]]');
  });
  it('are bounded for large tensors: summaries only, no Jacobian', () => {
    const a = bp.randn([300, 200], { requiresGrad: true, seed: 1 }), B = bp.randn([200, 100], { seed: 2 });
    const L = a.matmul(B).tanh().mean();
    L.backward();
    const snap = bp.traceGraph(L);
    const json = JSON.stringify(snap.backwardSteps);
    assert.ok(json.length < 4000, `${json.length} characters`);
    for (const st of snap.backwardSteps!) for (const x of st.inputs) assert.equal(x.local.jacobian, undefined);
    assert.ok(snap.backwardSteps![1].inputs[0].local.values, 'the tanh derivative is summarised');
  });
  it('keep the Jacobians of one snapshot within a budget, nearest the loss first', () => {
    let h = bp.randn([4, 4], { requiresGrad: true, seed: 3 });
    const M = bp.randn([4, 4], { seed: 4 });
    for (let k = 0; k < 30; k++) h = h.matmul(M).tanh();
    const L = h.sum();
    L.backward();
    const steps = bp.traceGraph(L).backwardSteps!.filter((st) => st.inputs[0].local.kind === 'matmul');
    const sizes = steps.map((st) => st.inputs.reduce((a, x) => a + (x.local.jacobian?.values.length ?? 0), 0));
    assert.equal(sizes.length, 30);
    assert.ok(sizes.reduce((a, b) => a + b, 0) <= JACOBIAN_BUDGET);
    assert.ok(sizes.every((n) => n <= JACOBIAN_MAX));
    assert.ok(sizes[0] === 256 && sizes.at(-1) === 0, 'the first steps have theirs, the last do not');
  });
  it('are left out before backward() and with steps: false', () => {
    const w = bp.tensor([1, 2], { requiresGrad: true });
    const L = w.square().sum();
    assert.equal(bp.traceGraph(L).backwardSteps, undefined);
    L.backward();
    assert.equal(bp.traceGraph(L, { steps: false }).backwardSteps, undefined);
    assert.equal(bp.traceGraph(L).backwardSteps?.length, 2);
  });
  it('cover custom ops (customGrad) by their Jacobian', () => {
    const cube = bp.customGrad((x: Tensor) => ({ value: x.mul(x).mul(x), gradFunc: (dy: Tensor) => dy.mul(x.square().mul(3)) }));
    const x = bp.tensor([1, 2], { requiresGrad: true, name: 'x' });
    const L = cube(x).sum();
    L.backward();
    const steps = buildSteps(read(bp.traceGraph(L)));
    const t = steps[1].terms[0];
    assert.equal(t.input.local.kind, 'other');
    assert.deepEqual(t.input.local.jacobian?.values, [3, 0, 0, 12]);
    assert.deepEqual(t.product, [3, 12]);
  });
});

describe('a custom VJP that fails on a unit vector', () => {
  it('costs only its description: the graph and its other steps are kept', () => {
    const picky = bp.customGrad((x: Tensor) => ({
      value: x.mul(2),
      gradFunc: (dy: Tensor) => { if (dy.data.some((v) => v === 0)) throw new Error('picky: no zeros'); return dy.mul(2); },
    }));
    const x = bp.tensor([1, 2], { requiresGrad: true });
    const L = picky(x).square().sum();
    L.backward();
    const steps = bp.traceGraph(L).backwardSteps!;
    assert.equal(steps.length, 3);
    assert.deepEqual(steps[2].inputs[0].local, { kind: 'other' });
    assert.equal(steps[1].inputs[0].local.kind, 'elementwise');
  });
});

describe('reading steps from untrusted JSON', () => {
  const base = { version: 1, id: 'g', step: 1, root: 't2', nodes: [
    { id: 't1', kind: 'leaf', shape: [], requiresGrad: true, value: { shape: [], mean: 1, std: 0, min: 1, max: 1, norm: 1, nan: 0, inf: 0 } },
    { id: 't2', kind: 'op', op: 'neg', shape: [], requiresGrad: true, value: { shape: [], mean: -1, std: 0, min: -1, max: -1, norm: 1, nan: 0, inf: 0 } },
  ], edges: [{ from: 't1', to: 't2', argIndex: 0 }] };
  it('names the field that is wrong', () => {
    const bad = { ...base, backwardSteps: [{ node: 't2', inputs: [{ argIndex: 0, from: 't1', local: { kind: 'other', jacobian: { rows: 2, cols: 2, values: [1] } } }] }] };
    assert.throws(() => parseSnapshotText(JSON.stringify(bad)), (e: Error) => e instanceof SnapshotError && /graph\.backwardSteps\[0\]\.inputs\[0\]\.local\.jacobian/.test(e.message));
    assert.throws(() => parseSnapshotText(JSON.stringify({ ...base, backwardSteps: {} })), /graph\.backwardSteps: expected an array/);
  });
  it('drops steps naming unknown nodes, with a warning', () => {
    const odd = { ...base, backwardSteps: [{ node: 't9', inputs: [] }, { node: 't2', inputs: [{ argIndex: 0, from: 't1', local: { kind: '<b>', formula: '<i>' } }] }] };
    const { snapshot, warnings } = parseSnapshotText(JSON.stringify(odd));
    assert.equal(snapshot.backwardSteps?.length, 1);
    assert.equal(snapshot.backwardSteps?.[0].inputs[0].local.kind, 'other');
    assert.match(warnings.join('\n'), /1 backward step\(s\) name nodes that are not in the graph/);
  });
  it('formats numbers and un-broadcasts as backward() does', () => {
    assert.deepEqual(sumToShape([1, 2, 3, 4, 5, 6], [2, 3], [3]), [5, 7, 9]);
    assert.deepEqual(sumToShape([1, 2, 3, 4, 5, 6], [2, 3], [2, 1]), [6, 15]);
    assert.deepEqual(sumToShape([1, 2], [2], []), [3]);
    assert.equal(tensorText({ shape: [2, 2], values: [1, 2, 3, 4], mean: 0, std: 0, min: 0, max: 0, norm: 5.477, nan: 0, inf: 0 }), '[[1, 2], [3, 4]]');
    assert.equal(tensorText({ shape: [20], mean: 0, std: 0, min: 0, max: 0, norm: 5.477, nan: 0, inf: 0 }), '(20 tensor, ‖·‖ 5.477)');
  });
});
