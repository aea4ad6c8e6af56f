// Bad input: every op validates before computing and throws an Error naming the op and the shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { tensor, zeros } from '../../kernel/engine';

const cases: [string, () => unknown, RegExp][] = [
  ['matmul inner dims', () => zeros([2, 3]).matmul(zeros([4, 5])), /^matmul: shapes \[2,3\] and \[4,5\] do not match \(3 != 4\)$/],
  ['matmul of a scalar', () => bp.matmul(2, zeros([3])), /^matmul: shapes \[\] and \[3\] need at least 1 dim each$/],
  ['matmul batch dims', () => zeros([2, 2, 3]).matmul(zeros([3, 3, 2])), /^matmul: shapes \[2,2,3\] and \[3,3,2\] cannot be broadcast/],
  ['matmul 1-D', () => bp.matmul(zeros([3]), zeros([4])), /^matmul: shapes \[3\] and \[4\] do not match \(3 != 4\)$/],
  ['add broadcast', () => zeros([2, 3]).add(zeros([4])), /^add: shapes \[2,3\] and \[4\] cannot be broadcast$/],
  ['mul broadcast', () => bp.mul(zeros([2, 3]), zeros([3, 2])), /^mul: shapes \[2,3\] and \[3,2\] cannot be broadcast$/],
  ['maximum broadcast', () => bp.maximum(zeros([2]), zeros([3])), /^maximum: shapes \[2\] and \[3\] cannot be broadcast$/],
  ['add of null', () => zeros([2]).add(null as unknown as number), /^add: expected a tensor, a number or nested arrays, got null$/],
  ['sum axis', () => zeros([2, 3]).sum(3), /^sum: axis 3 is out of range for shape \[2,3\]$/],
  ['mean negative axis', () => zeros([2, 3]).mean(-3), /^mean: axis -3 is out of range for shape \[2,3\]$/],
  ['sum repeated axis', () => zeros([2, 3]).sum([0, -2]), /^sum: axis 0 is repeated for shape \[2,3\]$/],
  ['sum non-integer axis', () => zeros([2, 3]).sum(0.5), /^sum: axis 0.5 is not an integer$/],
  ['max of an empty axis', () => zeros([0, 3]).max(0), /^max: cannot reduce over an empty axis of shape \[0,3\]$/],
  ['logSumExp axis', () => zeros([2]).logSumExp(1), /^logSumExp: axis 1 is out of range for shape \[2\]$/],
  ['reshape size', () => zeros([2, 3]).reshape([4, -1]), /^reshape: cannot reshape tensor of shape \[2,3\] \(6 elements\) to \[4,-1\]$/],
  ['reshape two -1', () => zeros([2, 3]).reshape([-1, -1]), /^reshape: only one -1 is allowed in \[-1,-1\]$/],
  ['permute', () => zeros([2, 3]).permute([0, 0]), /^permute: dims \[0,0\] repeat a dim of shape \[2,3\]$/],
  ['permute length', () => zeros([2, 3]).permute([0]), /^permute: dims \[0\] must list each of the 2 dims of shape \[2,3\] once$/],
  ['transpose without dims on 3-D', () => zeros([2, 3, 4]).transpose(), /^transpose: give the two dims to swap for shape \[2,3,4\]/],
  ['transpose dim', () => zeros([2, 3]).transpose(0, 2), /^transpose: axis 2 is out of range for shape \[2,3\]$/],
  ['squeeze axis', () => zeros([2, 3]).squeeze(2), /^squeeze: axis 2 is out of range for shape \[2,3\]$/],
  ['unsqueeze axis', () => zeros([2, 3]).unsqueeze(4), /^unsqueeze: axis 4 is out of range for shape \[2,3\]$/],
  ['broadcastTo', () => zeros([2, 3]).broadcastTo([3, 3]), /^broadcastTo: shape \[2,3\] cannot be broadcast to \[3,3\]$/],
  ['slice', () => zeros([2, 3]).slice([1, 2], [2, 1]), /^slice: begin \[1,2\] and size \[2,1\] are out of range for shape \[2,3\]$/],
  ['gather index', () => zeros([2, 3]).gather([0, 2]), /^gather: index 2 at position 1 is out of range \[0, 2\) for dim 0 of shape \[2,3\]$/],
  ['gather non-integer index', () => zeros([2, 3]).gather(tensor([0.5])), /^gather: index 0.5 at position 0 is not an integer for dim 0 of shape \[2,3\]$/],
  ['concat', () => bp.concat([zeros([2, 3]), zeros([2, 2])]), /^concat: shapes \[2,3\] and \[2,2\] do not match except along axis 0$/],
  ['concat of nothing', () => bp.concat([]), /^concat: expected a non-empty array of tensors$/],
  ['stack', () => bp.stack([zeros([2, 3]), zeros([2, 2])]), /^stack: shapes \[2,3\] and \[2,2\] must all be equal$/],
  ['softmax axis', () => zeros([2, 3]).softmax(2), /^softmax: axis 2 is out of range for shape \[2,3\]$/],
  ['crossEntropy target', () => bp.crossEntropy(zeros([2, 3]), [0, 3]), /^crossEntropy: target 3 at position 1 is out of range \[0, 3\) \(a class index\) for logits \[2,3\]$/],
  ['crossEntropy count', () => bp.crossEntropy(zeros([2, 3]), [0]), /^crossEntropy: logits \[2,3\] need 2 targets, got 1$/],
  ['crossEntropy rank', () => bp.crossEntropy(zeros([3]), [0]), /^crossEntropy: logits must be 2-D \[N, C\], got shape \[3\]$/],
  ['mseLoss', () => bp.mseLoss(zeros([2, 3]), zeros([2])), /^mseLoss: shapes \[2,3\] and \[2\] cannot be broadcast$/],
  ['clamp without bounds', () => zeros([2]).clamp(), /^clamp: give at least one of min and max/],
  ['leakyRelu slope', () => zeros([2]).leakyRelu(NaN), /^leakyRelu: slope must be a finite number/],
  ['tensor ragged', () => tensor([[1, 2], [3]]), /^tensor: nested arrays are ragged/],
  ['tensor non-number', () => tensor([1, 'a' as unknown as number]), /^tensor: expected a number at depth 1, got string/],
  ['tensor shape option', () => tensor([1, 2, 3], { shape: [2, 2] }), /^tensor: 3 values do not fit shape \[2,2\] \(4 elements\)$/],
  ['zeros dtype', () => zeros([2], { dtype: 'int32' as 'float32' }), /^zeros: unknown dtype 'int32'/],
  ['randn shape', () => bp.randn([2, -1]), /^randn: shape \[2,-1\] must hold non-negative integers$/],
  ['eye', () => bp.eye(1.5), /^eye: n must be a non-negative integer, got 1.5$/],
  ['arange step', () => bp.arange(0, 1, 0), /^arange: step must not be 0$/],
  ['linspace count', () => bp.linspace(0, 1, -1), /^linspace: count must be a non-negative integer, got -1$/],
  ['item', () => zeros([2]).item(), /^item: tensor of shape \[2\] has 2 elements, expected 1$/],
];

describe('bad arguments throw an Error naming the op and the shapes', () => {
  for (const [title, f, message] of cases) {
    it(title, () => assert.throws(f, (e: unknown) => e instanceof Error && message.test(e.message)));
  }
});

describe('nothing is half-computed', () => {
  it('a failing op records nothing and leaves its inputs untouched', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const before = Array.from(x.data);
    assert.throws(() => x.add(zeros([2])));
    assert.deepEqual(Array.from(x.data), before);
    assert.equal(x.grad, null);
  });
});
