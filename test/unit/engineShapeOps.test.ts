// The shape ops, losses and embedding beyond what the PyTorch fixtures (ops-shape.json) and the gradient-table
// cases check: argument forms (nested arrays, numbers), edge values, one node per loss, the errors that name the op
// and its arguments, and the modules nn.Embedding and nn.Flatten.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { nn, randn, Tensor, tensor, traceGraph, zeros } from '../../kernel/engine';

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-12): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `element ${i}: ${a[i]} != ${b[i]}`);
};

describe('pad', () => {
  it('adds a border of the value, numpy.pad constant mode, and takes nested arrays', () => {
    assert.deepEqual(bp.pad([[1, 2]], [[1, 0], [0, 2]], 9).toArray(), [[9, 9, 9, 9], [1, 2, 9, 9]]);
    assert.deepEqual(tensor([1, 2]).pad([[0, 0]]).toArray(), [1, 2]);
  });
  it('is slice\'s gradient: slicing then summing sends zeros outside the box', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    x.slice([1, 1], [1, 2]).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [[0, 0, 0], [0, 1, 1]]);
  });
  it('refuses pads that are not one pair of non-negative integers per dim', () => {
    assert.throws(() => zeros([2, 3]).pad([[1, 1]]), /^Error: pad: pads \[\[1,1\]\] must give one \[before, after\] pair per dim \(2\), got 1 for shape \[2,3\]$/);
    assert.throws(() => zeros([2]).pad([[-1, 0]]), /^Error: pad: pads \[\[-1,0\]\] must hold pairs of non-negative integers for shape \[2\]$/);
    assert.throws(() => zeros([2]).pad([[1, 0.5]]), /pad: .*non-negative integers for shape \[2\]/);
  });
});

describe('tile', () => {
  it('repeats along each dim, padding reps or dims with leading 1s (torch.tile)', () => {
    assert.deepEqual(bp.tile([1, 2], [2, 2]).toArray(), [[1, 2, 1, 2], [1, 2, 1, 2]]);
    assert.deepEqual(tensor([[1], [2]]).tile(3).toArray(), [[1, 1, 1], [2, 2, 2]]);
    assert.deepEqual(tensor([1, 2]).tile([0]).shape, [0]);
  });
  it('sums the copies\' gradients', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.tile([3]).mul(tensor([1, 2, 3, 4, 5, 6])).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [9, 12]);
  });
  it('refuses negative or fractional reps', () => {
    assert.throws(() => zeros([2]).tile([-1]), /^Error: tile: reps must be non-negative integers, got \[-1\] for shape \[2\]$/);
  });
});

describe('split and chunk', () => {
  it('split by a size (the last piece smaller) or by sizes, along any axis; each piece is a slice node', () => {
    const x = bp.arange(10, { requiresGrad: true }).reshape([5, 2]);
    const pieces = x.split(2);
    assert.deepEqual(pieces.map((p) => p.shape), [[2, 2], [2, 2], [1, 2]]);
    assert.deepEqual(pieces[2].toArray(), [[8, 9]]);
    assert.ok(pieces.every((p) => p.gradFn === 'slice'));
    assert.deepEqual(bp.split([[1, 2, 3]], [2, 1], 1).map((p) => p.toArray()), [[[1, 2]], [[3]]]);
  });
  it('chunk gives ⌈n/chunks⌉-sized pieces, fewer when they run out (torch.chunk)', () => {
    assert.deepEqual(bp.chunk(bp.arange(6), 4).map((p) => p.toArray()), [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(bp.chunk(zeros([0, 2]), 3).map((p) => p.shape), [[0, 2], [0, 2], [0, 2]]);
  });
  it('gradients of the pieces land where they were cut from', () => {
    const x = tensor([1, 2, 3, 4, 5], { requiresGrad: true });
    const [a, b] = x.chunk(2);
    a.sum().add(b.mul(10).sum()).backward();
    assert.deepEqual(x.grad?.toArray(), [1, 1, 1, 10, 10]);
  });
  it('refuse sizes that do not fit, and tensors of shape []', () => {
    assert.throws(() => zeros([4, 2]).split([1, 2]), /^Error: split: sizes \[1,2\] add up to 3, but axis 0 of shape \[4,2\] has 4$/);
    assert.throws(() => zeros([4]).split(0), /^Error: split: size 0 must be a positive integer \(axis 0 of shape \[4\]\)$/);
    assert.throws(() => zeros([4]).chunk(0), /^Error: chunk: chunks must be a positive integer, got 0 \(shape \[4\]\)$/);
    assert.throws(() => bp.split(tensor(1), 1), /^Error: split: cannot cut a tensor of shape \[\] into pieces$/);
    assert.throws(() => zeros([2, 3]).chunk(2, 2), /^Error: chunk: axis 2 is out of range for shape \[2,3\]$/);
  });
});

describe('flatten(startDim, endDim)', () => {
  it('merges the dims from startDim to endDim; no arguments is 1-D as before; a view of the same storage', () => {
    const x = zeros([2, 3, 4, 5]);
    assert.deepEqual(x.flatten().shape, [120]);
    assert.deepEqual(x.flatten(1).shape, [2, 60]);
    assert.deepEqual(bp.flatten(x, 1, 2).shape, [2, 12, 5]);
    assert.deepEqual(x.flatten(-2).shape, [2, 3, 20]);
    assert.deepEqual(x.flatten(2, 2).shape, [2, 3, 4, 5]);
    assert.deepEqual(bp.flatten(tensor(3)).shape, [1]);
    assert.equal(x.flatten(1).data, x.data);
    assert.deepEqual(bp.flatten([[1, 2], [3, 4]]).toArray(), [1, 2, 3, 4]);
  });
  it('refuses a startDim after endDim or outside the shape', () => {
    assert.throws(() => zeros([2, 3, 4]).flatten(2, 1), /^Error: flatten: startDim 2 comes after endDim 1 for shape \[2,3,4\]$/);
    assert.throws(() => zeros([2, 3]).flatten(3), /^Error: flatten: axis 3 is out of range for shape \[2,3\]$/);
  });
});

describe('binary cross-entropy', () => {
  it('clamps each log at −100 as PyTorch: probabilities 0 and 1 give a finite loss and PyTorch\'s gradient', () => {
    const p = tensor([0, 1], { requiresGrad: true });
    const loss = bp.binaryCrossEntropy(p, [0.2, 0.9]);
    close(loss.data, [15]);
    loss.backward();
    close(p.grad!.data, [-1e11, 5e10], 1e-9); // PyTorch 1.13: (p − t)/max(p(1 − p), 1e-12)/n
  });
  it('with logits stays finite and exact for huge logits', () => {
    const x = tensor([800, -800], { requiresGrad: true });
    const loss = x.binaryCrossEntropyWithLogits([0, 1]);
    close(loss.data, [800]);
    loss.backward();
    close(x.grad!.data, [0.5, -0.5]);
  });
  it('is one node in the graph, as every loss', () => {
    const logits = randn([3], { requiresGrad: true, seed: 1 });
    const opsOf = (loss: Tensor): (string | undefined)[] => traceGraph(loss).nodes.filter((n) => n.kind === 'op').map((n) => n.op).sort();
    assert.deepEqual(opsOf(logits.sigmoid().binaryCrossEntropy([1, 0, 1])), ['binaryCrossEntropy', 'sigmoid']);
    assert.deepEqual(opsOf(logits.binaryCrossEntropyWithLogits([1, 0, 1])), ['binaryCrossEntropyWithLogits']);
    assert.deepEqual(opsOf(bp.huberLoss(logits, [0, 0, 0])), ['huberLoss']);
    assert.deepEqual(opsOf(bp.nllLoss(logits, tensor(2))), ['nllLoss']);
  });
  it('refuses probabilities outside [0, 1] and targets of another shape', () => {
    assert.throws(() => bp.binaryCrossEntropy([0.5, 1.5], [0, 1]), /^Error: binaryCrossEntropy: probs must be in \[0, 1\], got 1.5 at position 1 \(shape \[2\]\)$/);
    assert.throws(() => bp.binaryCrossEntropy(tensor([0.5, 0.5]), tensor([[1, 0]])), /^Error: binaryCrossEntropy: probs \[2\] and targets \[1,2\] must have the same shape$/);
    assert.throws(() => bp.binaryCrossEntropyWithLogits(zeros([3]), zeros([2])), /^Error: binaryCrossEntropyWithLogits: logits \[3\] and targets \[2\] must have the same shape$/);
  });
});

describe('nllLoss', () => {
  it('of logSoftmax is crossEntropy, with targets as numbers, nested arrays or a tensor', () => {
    const x = randn([4, 3], { seed: 2 }), t = [2, 0, 1, 1];
    close(x.logSoftmax().nllLoss(t).data, Array.from(x.crossEntropy(t).data), 1e-14);
    close(bp.nllLoss(x, tensor(t)).data, Array.from(bp.nllLoss(x, t).data));
    close(bp.nllLoss([[-1, -2], [-3, -4]], [1, 0]).data, [2.5]);
  });
  it('refuses fractional, out-of-range and misshapen targets, naming the op and the index', () => {
    assert.throws(() => bp.nllLoss(zeros([2, 3]), [0, 1.5]), /^Error: nllLoss: index 1.5 at position 1 is not an integer \(class indices of logProbs \[2,3\]\)$/);
    assert.throws(() => bp.nllLoss(zeros([2, 3]), [3, 0]), /^Error: nllLoss: index 3 at position 0 is out of range \[0, 3\) \(class indices of logProbs \[2,3\]\)$/);
    assert.throws(() => bp.nllLoss(zeros([2, 3]), [-1, 0]), /nllLoss: index -1 at position 0 is out of range/);
    assert.throws(() => bp.nllLoss(zeros([2, 3]), [0]), /^Error: nllLoss: logProbs \[2,3\] need targets of shape \[2\], got \[1\]$/);
    assert.throws(() => bp.nllLoss(tensor(1), [0]), /^Error: nllLoss: logProbs must have a class dim/);
  });
});

describe('huberLoss', () => {
  it('is ½d² inside delta and delta·(|d| − ½delta) outside, mean over the broadcast shape', () => {
    close(bp.huberLoss([0.5, 3], 0).data, [(0.125 + 2.5) / 2]);
    close(tensor([[0.5], [3]]).huberLoss([0, 0], { delta: 2 }).data, [(0.125 + 0.125 + 4 + 4) / 4]);
  });
  it('refuses a delta that is not positive, and unknown options', () => {
    assert.throws(() => bp.huberLoss(zeros([2]), zeros([2]), { delta: 0 }), /^Error: huberLoss: delta must be a positive number, got 0$/);
    assert.throws(() => bp.huberLoss(zeros([2]), zeros([2]), { beta: 1 } as bp.HuberOptions), /^Error: huberLoss: unknown option 'beta' \(supported: delta\)$/);
    assert.throws(() => bp.huberLoss(zeros([2]), zeros([3])), /^Error: huberLoss: shapes \[2\] and \[3\] cannot be broadcast$/);
  });
});

describe('embedding', () => {
  it('looks up rows for indices of any shape and scatter-adds the gradient (a repeated row gets both)', () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const y = bp.embedding([[2, 0], [2, 2]], w);
    assert.deepEqual(y.shape, [2, 2, 2]);
    assert.deepEqual(y.toArray(), [[[5, 6], [1, 2]], [[5, 6], [5, 6]]]);
    assert.equal(y.gradFn, 'embedding');
    y.sum().backward();
    assert.deepEqual(w.grad?.toArray(), [[1, 1], [0, 0], [3, 3]]);
    assert.deepEqual(bp.embedding(1, [[1, 2], [3, 4]]).toArray(), [3, 4]);
    assert.deepEqual(tensor([1]).embedding(w).toArray(), [[3, 4]]);
  });
  it('refuses fractional and out-of-range indices, naming the op and the index, and a weight that is not 2-D', () => {
    assert.throws(() => bp.embedding([0, 2.5], zeros([4, 3])), /^Error: embedding: index 2.5 at position 1 is not an integer \(rows of weight \[4,3\]\)$/);
    assert.throws(() => bp.embedding(tensor([[0, 4]]), zeros([4, 3])), /^Error: embedding: index 4 at position 1 is out of range \[0, 4\) \(rows of weight \[4,3\]\)$/);
    assert.throws(() => bp.embedding([0], zeros([4])), /^Error: embedding: weight must be 2-D \[num, dim\], got shape \[4\]$/);
  });
});

describe('nn.Embedding and nn.Flatten', () => {
  it('nn.Embedding: weight [num, dim] drawn from N(0, 1) as PyTorch, seeded, named by path', () => {
    const emb = new nn.Embedding(200, 50, { seed: 3 });
    assert.deepEqual(emb.weight.shape, [200, 50]);
    const v = Array.from(emb.weight.data), mean = v.reduce((a, b) => a + b) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(std - 1) < 0.03, `mean ${mean}, std ${std}`);
    assert.deepEqual(Array.from(new nn.Embedding(200, 50, { seed: 3 }).weight.data), v);
    assert.deepEqual(emb.namedParameters().map(([n]) => n), ['weight']);
    const model = new nn.Sequential(new nn.Embedding(10, 4, { seed: 0 }), new nn.Flatten(), new nn.Linear(12, 1, { seed: 0 }));
    assert.deepEqual(model.namedParameters().map(([n]) => n), ['0.weight', '2.weight', '2.bias']);
    assert.deepEqual(model.forward(tensor([[1, 2, 3], [4, 4, 0]])).shape, [2, 1]);
    assert.equal(String(emb), 'Embedding(200, 50)');
    assert.throws(() => new nn.Embedding(0, 3), /^Error: nn.Embedding: num must be a positive integer, got 0$/);
    assert.throws(() => new nn.Embedding(2, 3, { sead: 1 } as nn.EmbeddingOptions), /^Error: nn.Embedding: unknown option 'sead'/);
  });
  it('nn.Flatten keeps the batch dim (startDim 1, endDim -1) as PyTorch', () => {
    assert.deepEqual(new nn.Flatten().forward(zeros([2, 3, 4, 5])).shape, [2, 60]);
    assert.deepEqual(new nn.Flatten(0, 1).forward(zeros([2, 3, 4])).shape, [6, 4]);
    assert.equal(String(new nn.Flatten()), 'Flatten(startDim=1, endDim=-1)');
    assert.deepEqual(new nn.Flatten().parameters(), []);
  });
});

describe('plain nested arrays wherever a tensor is', () => {
  it('every new op takes nested arrays for its tensor operands', () => {
    const results: Tensor[] = [bp.pad([[1]], [[1, 1], [0, 0]]), bp.tile([1, 2], 2), ...bp.split([1, 2, 3], 1), ...bp.chunk([[1, 2]], 2, 1),
      bp.flatten([[1], [2]]), bp.binaryCrossEntropy([0.5], [1]), bp.binaryCrossEntropyWithLogits([0.5], [1]),
      bp.nllLoss([[-1, -2]], [0]), bp.huberLoss([1, 2], [[0, 0]]), bp.embedding([0], [[1, 2]])];
    assert.ok(results.every((t) => t instanceof Tensor && t.dtype === 'float64'));
  });
});
