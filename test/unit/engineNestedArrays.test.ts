// Every public op called with plain nested arrays (and numbers) where it takes a tensor gives what it gives for
// tensor(...) of the same values: the one rule of creation.ts's `operand`.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { NestedArray, Tensor, tensor } from '../../kernel/engine';

type AnyFn = (...args: unknown[]) => Tensor;
const fns = bp as unknown as Record<string, AnyFn>;

const m: NestedArray[] = [[0.5, -1.5, 2], [3, -0.25, 1]];
const v: NestedArray[] = [1, -2, 0.5];
const pos: NestedArray[] = [[0.5, 1.5], [2, 3]];

/** [op, arguments]: every array among the arguments is what a cell would pass in place of a tensor. */
const nestedCalls: [string, unknown[]][] = [
  ['neg', [m]], ['exp', [m]], ['log', [pos]], ['sqrt', [pos]], ['abs', [m]], ['square', [m]], ['tanh', [m]],
  ['sigmoid', [m]], ['relu', [m]], ['leakyRelu', [m, 0.2]], ['sin', [m]], ['cos', [m]], ['clamp', [m, -1, 1]],
  ['add', [m, v]], ['sub', [v, m]], ['mul', [m, 2]], ['div', [2, pos]], ['pow', [pos, [2, 0.5]]],
  ['maximum', [m, v]], ['minimum', [v, m]],
  ['sum', [m]], ['sum', [m, 1, true]], ['mean', [m, 0]], ['max', [m, -1]], ['min', [m]], ['logSumExp', [m, 1]],
  ['matmul', [m, [[1], [2], [3]]]], ['matmul', [v, v]],
  ['reshape', [m, [3, 2]]], ['flatten', [m]], ['transpose', [m]], ['permute', [m, [1, 0]]], ['squeeze', [[[1, 2]]]],
  ['unsqueeze', [v, 0]], ['broadcastTo', [v, [2, 3]]], ['slice', [m, [0, 1], [2, 2]]], ['gather', [m, [1, 0], 0]],
  ['concat', [[m, m], 1]], ['stack', [[v, v]]],
  ['softmax', [m]], ['logSoftmax', [m, 0]], ['crossEntropy', [m, [2, 0]]], ['mseLoss', [m, v]],
  ['sum', [3]], ['exp', [0]],
  // --- elementwise, comparison and reduction additions ---
  ['where', [[[1, 0, 1], [0, 1, 1]], m, v]], ['gt', [m, v]], ['ge', [m, 0]], ['lt', [0, m]], ['le', [m, m]], ['eq', [v, v]],
  ['ne', [v, [1, 2, 3]]], ['sign', [m]], ['floor', [m]], ['ceil', [m]], ['round', [m]], ['elu', [m, 0.5]], ['selu', [m]],
  ['gelu', [m]], ['softplus', [m, 2]], ['silu', [m]], ['atan2', [m, v]], ['argMax', [m, 1]], ['argMin', [m]],
  ['cumsum', [m, 1]], ['var', [m, 1, { correction: 0 }]], ['std', [m]], ['norm', [m, 1, 0]], ['outer', [v, [1, 2]]],
  ['dot', [v, v]],
];

/** The same arguments with every nested array (and, for the first argument, a number) made a tensor. */
function asTensors(op: string, args: unknown[]): unknown[] {
  return args.map((a, i) => {
    if (i === 0 && (op === 'concat' || op === 'stack')) return (a as NestedArray[]).map((t) => tensor(t));
    if (i === 0 && typeof a === 'number') return tensor(a);
    const shapeArg = (op === 'reshape' || op === 'broadcastTo' || op === 'permute' || op === 'slice' || op === 'gather' || op === 'crossEntropy') && i > 0;
    return Array.isArray(a) && !shapeArg ? tensor(a as NestedArray[]) : a;
  });
}

describe('every public op accepts nested arrays and numbers where it takes a tensor', () => {
  for (const [op, args] of nestedCalls) {
    it(`${op}(${JSON.stringify(args)})`, () => {
      const expected = fns[op](...asTensors(op, args));
      const actual = fns[op](...args);
      assert.ok(actual instanceof Tensor);
      assert.equal(actual.dtype, 'float64');
      assert.deepEqual(actual.toArray(), expected.toArray());
    });
  }
  it('still names the op for a value that is none of these', () => {
    assert.throws(() => bp.exp(null as unknown as Tensor), /^Error: exp: expected a tensor, a number or nested arrays, got null$/);
    assert.throws(() => bp.sum('x' as unknown as Tensor), /^Error: sum: expected a tensor, a number or nested arrays, got string$/);
    assert.throws(() => bp.concat([tensor([1]), null as unknown as Tensor]), /^Error: concat: element 1 is not a tensor \(got null\)$/);
  });
});
