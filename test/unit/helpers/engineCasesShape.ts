// Gradient-table cases of the shape ops, losses and embedding (pad, tile, flatten's dims, split and chunk through
// slice, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, huberLoss, embedding): spread into gradCases.
import * as bp from '../../../kernel/engine';
import { Tensor } from '../../../kernel/engine';
import type { GradCase } from './engineCases';

let seed = 5000;
function rnd(shape: number[], map: (v: number) => number = (v) => v): Tensor {
  const t = bp.randn(shape, { seed: seed++ });
  return bp.tensor(Float64Array.from(t.data, map), { shape, requiresGrad: true });
}
/** Values in (0.1, 0.9): probabilities away from the clamps of binaryCrossEntropy. */
const prob = (v: number): number => 0.5 + 0.4 * Math.tanh(v);

const c = (op: string, title: string, inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor): GradCase => ({ op, title, inputs, f });

export const shapeCases: GradCase[] = [
  c('pad', 'pad [2,3] by [[1,0],[2,1]]', () => [rnd([2, 3])], (a) => a.pad([[1, 0], [2, 1]])),
  c('pad', 'pad with value 1.5 of [3]', () => [rnd([3])], (a) => bp.pad(a, [[2, 2]], 1.5)),
  c('pad', 'pad a [] tensor', () => [rnd([])], (a) => bp.pad(a, [])),
  c('pad', 'pad [2,1,2] on the middle dim', () => [rnd([2, 1, 2])], (a) => a.pad([[0, 0], [1, 2], [0, 0]])),
  c('tile', 'tile [2,3] by [2,2]', () => [rnd([2, 3])], (a) => a.tile([2, 2])),
  c('tile', 'tile [3] by [2,1,2] (more reps than dims)', () => [rnd([3])], (a) => bp.tile(a, [2, 1, 2])),
  c('tile', 'tile [2,3] by [3] (fewer reps than dims)', () => [rnd([2, 3])], (a) => bp.tile(a, [3])),
  c('tile', 'tile a [] tensor by 3', () => [rnd([])], (a) => bp.tile(a, 3)),
  c('flatten', 'flatten dims 1 to 2 of [2,3,2,2]', () => [rnd([2, 3, 2, 2])], (a) => a.flatten(1, 2)),
  c('flatten', 'flatten from dim -2 of [2,3,4]', () => [rnd([2, 3, 4])], (a) => bp.flatten(a, -2)),
  c('slice', 'split [4,3] in sizes [1,3], weighted sum of the pieces', () => [rnd([4, 3])], (a) => {
    const [p, q] = a.split([1, 3]);
    return p.mul(2).sum(0).add(q.square().sum(0));
  }),
  c('slice', 'chunk [2,5] in 3 along axis 1, pieces concatenated', () => [rnd([2, 5])], (a) => bp.concat(bp.chunk(a, 3, 1).map((p, i) => p.mul(i + 1)), 1)),
  c('binaryCrossEntropy', 'binaryCrossEntropy [2,3] with soft targets', () => [rnd([2, 3], prob), rnd([2, 3], prob)], (p, t) => p.binaryCrossEntropy(t)),
  c('binaryCrossEntropy', 'binaryCrossEntropy with 0/1 targets', () => [rnd([4], prob)], (p) => bp.binaryCrossEntropy(p, [1, 0, 0, 1])),
  c('binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits [2,3]', () => [rnd([2, 3]), rnd([2, 3], prob)], (x, t) => x.binaryCrossEntropyWithLogits(t)),
  c('binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits of a []', () => [rnd([])], (x) => bp.binaryCrossEntropyWithLogits(x, bp.tensor(1))),
  c('nllLoss', 'nllLoss [4,3]', () => [rnd([4, 3])], (a) => a.logSoftmax().nllLoss([0, 2, 1, 2])),
  c('nllLoss', 'nllLoss [3] with one target', () => [rnd([3])], (a) => bp.nllLoss(a, bp.tensor(1))),
  c('nllLoss', 'nllLoss [2,3,2] with targets [2,2]', () => [rnd([2, 3, 2])], (a) => bp.nllLoss(a, [[0, 2], [1, 1]])),
  c('huberLoss', 'huberLoss [2,3] (both sides of delta 1)', () => [rnd([2, 3]), rnd([2, 3], (v) => 1.5 * v)], (p, t) => p.huberLoss(t)),
  c('huberLoss', 'huberLoss delta 0.3, broadcast [2,3] and [3]', () => [rnd([2, 3]), rnd([3])], (p, t) => bp.huberLoss(p, t, { delta: 0.3 })),
  c('embedding', 'embedding [2,2] indices of weight [4,3], a row twice', () => [rnd([4, 3])], (w) => bp.embedding([[0, 2], [3, 2]], w)),
  c('embedding', 'embedding as a method of a tensor of indices', () => [rnd([5, 2])], (w) => bp.tensor([4, 0, 4]).embedding(w)),
];
