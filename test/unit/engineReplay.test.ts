// replay() for every op of the table: recomputing a recorded graph node by node from nudged leaves gives what
// calling the function on the nudged leaves gives (the recorded args are enough to recompute each op).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replay, Tensor, tensor } from '../../kernel/engine';
import { gradCases } from './helpers/engineCases';

/** Recomputes `root` with leaves swapped for `leaves`' replacements, node by node (iteratively). */
function replayGraph(root: Tensor, swap: Map<Tensor, Tensor>): Tensor {
  const memo = new Map<Tensor, Tensor>(swap);
  const stack: Tensor[] = [root];
  while (stack.length) {
    const t = stack[stack.length - 1];
    if (memo.has(t) || !t.node) { if (!memo.has(t)) memo.set(t, t); stack.pop(); continue; }
    const pending = t.node.inputs.filter((x) => !memo.has(x));
    if (pending.length) { stack.push(...pending); continue; }
    memo.set(t, replay(t, t.node.inputs.map((x) => memo.get(x) as Tensor)));
    stack.pop();
  }
  return memo.get(root) as Tensor;
}

describe('replay recomputes every op from nudged inputs', () => {
  for (const c of gradCases) {
    it(c.title, () => {
      const xs = c.inputs();
      const y = c.f(...xs);
      const nudged = xs.map((x) => tensor(Float64Array.from(x.data, (v) => v + 1e-3), { shape: [...x.shape], requiresGrad: true }));
      const expected = c.f(...nudged);
      const got = replayGraph(y, new Map(xs.map((x, i) => [x, nudged[i]])));
      assert.deepEqual(got.shape, expected.shape);
      assert.deepEqual(Array.from(got.data), Array.from(expected.data));
      assert.equal(got.gradFn, y.gradFn);
    });
  }
});
