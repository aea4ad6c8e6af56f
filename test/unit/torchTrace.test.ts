// Graph snapshots against PyTorch: on a graph where x and h are each used twice and b is broadcast, every
// node's value and gradient and every edge's share of the gradient (the VJP of that one op, from PyTorch).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as engine from '../../kernel/engine';
import { Tensor, traceGraph, TensorSummary } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

interface TraceFixture {
  leaves: Record<'x' | 'W' | 'c' | 'b', Stored>;
  steps: [string, string, string[]][];
  values: Record<string, Stored>;
  grads: Record<string, Stored>;
  edges: { to: string; from: string; argIndex: number; grad: Stored | null }[];
}

const fixture = loadFixture<TraceFixture>('trace');
const functions = engine as unknown as Record<string, (...args: Tensor[]) => Tensor>;

/** A summary's values as a tensor, to compare with PyTorch's. */
function fromSummary(s: TensorSummary | undefined, what: string): Tensor {
  assert.ok(s?.values, `${what}: missing or without values`);
  return engine.tensor(s.values.map(Number), { shape: s.shape });
}

describe('traceGraph matches PyTorch', () => {
  const t: Record<string, Tensor> = {};
  for (const [k, s] of Object.entries(fixture.leaves)) t[k] = fromStored(s, k !== 'c');
  for (const [name, op, inputs] of fixture.steps) t[name] = functions[op](...inputs.map((k) => t[k]));
  for (const [k, v] of Object.entries(t)) v.name = k;
  const loss = t.loss;
  loss.backward();
  const snap = traceGraph(loss);
  const node = (name: string) => {
    const n = snap.nodes.find((m) => m.name === name);
    assert.ok(n, `node ${name}`);
    return n;
  };

  it('has one node per tensor and one edge per op argument', () => {
    assert.equal(snap.nodes.length, Object.keys(t).length);
    assert.equal(snap.edges.length, fixture.edges.length);
    for (const [name, op] of fixture.steps) assert.equal(node(name).op, op, name);
  });

  it('gives every node PyTorch\'s value and gradient', () => {
    for (const [name, value] of Object.entries(fixture.values)) {
      assertClose(fromSummary(node(name).value, `${name}.value`), value, `${name}: value`);
    }
    for (const [name, g] of Object.entries(fixture.grads)) assertClose(fromSummary(node(name).grad, `${name}.grad`), g, `${name}: grad`);
    assert.equal(node('c').grad, undefined, 'a constant has no gradient');
    assert.deepEqual(node('loss').grad?.values, [1]);
  });

  it('gives every edge PyTorch\'s share, and shares add up to the node\'s gradient', () => {
    for (const e of fixture.edges) {
      const edge = snap.edges.find((m) => m.from === node(e.from).id && m.to === node(e.to).id && m.argIndex === e.argIndex);
      assert.ok(edge, `edge ${e.from} -> ${e.to} (argument ${e.argIndex})`);
      if (e.grad === null) assert.equal(edge.grad, undefined, `${e.from} -> ${e.to}: no share for a constant`);
      else assertClose(fromSummary(edge.grad, `${e.from} -> ${e.to}`), e.grad, `${e.from} -> ${e.to}: share`);
    }
    for (const name of ['x', 'h']) {
      const shares = fixture.edges.filter((e) => e.from === name).map((e) => e.grad as Stored);
      assert.equal(shares.length, 2, `${name} is used twice`);
      const sum = shares[0].data.map((v, i) => v + shares[1].data[i]);
      assertClose(fromSummary(node(name).grad, name), { shape: shares[0].shape, data: sum }, `${name}: Σ shares = grad`);
    }
  });
});
