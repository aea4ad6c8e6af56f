// Gradient-table cases of the normalisation group (layerNorm, batchNorm, dropout), spread into engineCases'
// gradCases: finite differences in float64, first and second order, float32 agreement, replay.
import * as bp from '../../../kernel/engine';
import { Tensor } from '../../../kernel/engine';
import type { GradCase } from './engineCases';
import { rnd } from './engineCases';

const c = (op: string, title: string, inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor): GradCase => ({ op, title, inputs, f });
/** Running statistics of C channels (constants: they never require grad). */
const stats = (channels: number): [Tensor, Tensor] => [bp.randn([channels], { seed: 70 }).mul(0.3), bp.rand([channels], { seed: 71 }).add(0.5)];
const [mean3, var3] = stats(3);
// A cubic of the output: a plain sum of a normalised tensor has zero gradient in x, which would test nothing.
const cube = (y: Tensor): Tensor => y.pow(3);

export const normCases: GradCase[] = [
  c('layerNorm', 'layerNorm [3,4] over [4] with weight and bias', () => [rnd([3, 4]), rnd([4]), rnd([4])], (x, w, b) => cube(bp.layerNorm(x, [4], w, b))),
  c('layerNorm', 'layerNorm [2,3,2] over [3,2], no weight or bias', () => [rnd([2, 3, 2])], (x) => cube(x.layerNorm([3, 2]))),
  c('layerNorm', 'layerNorm [2,3] over 3, weight only, eps 0.1', () => [rnd([2, 3]), rnd([3])], (x, w) => cube(bp.layerNorm(x, 3, w, null, { eps: 0.1 }))),
  c('layerNorm', 'layerNorm [2,4] over [4], bias only', () => [rnd([2, 4]), rnd([4])], (x, b) => cube(x.layerNorm([4], null, b))),
  c('layerNorm', 'layerNorm [5] over [5] (no leading dims)', () => [rnd([5]), rnd([5]), rnd([5])], (x, w, b) => cube(bp.layerNorm(x, [5], w, b))),
  c('batchNorm', 'batchNorm training [5,3] with weight and bias', () => [rnd([5, 3]), rnd([3]), rnd([3])],
    (x, w, b) => cube(bp.batchNorm(x, null, null, w, b, { training: true }))),
  c('batchNorm', 'batchNorm training [3,2,4], no weight or bias', () => [rnd([3, 2, 4])], (x) => cube(x.batchNorm(null, null, null, null, { training: true }))),
  c('batchNorm', 'batchNorm training [2,3,2,2] with weight and bias', () => [rnd([2, 3, 2, 2]), rnd([3]), rnd([3])],
    (x, w, b) => cube(bp.batchNorm(x, null, null, w, b, { training: true, eps: 0.01 }))),
  c('batchNorm', 'batchNorm evaluation [4,3] with weight and bias', () => [rnd([4, 3]), rnd([3]), rnd([3])],
    (x, w, b) => cube(bp.batchNorm(x, mean3, var3, w, b))),
  c('batchNorm', 'batchNorm evaluation [2,3,2,2], bias only', () => [rnd([2, 3, 2, 2]), rnd([3])],
    (x, b) => cube(x.batchNorm(mean3, var3, null, b, { training: false }))),
  c('dropout', 'dropout p 0.5, seeded', () => [rnd([4, 5])], (x) => bp.dropout(x, { seed: 1 }).mul(x)),
  c('dropout', 'dropout p 0.2, seeded, as a method', () => [rnd([3, 3])], (x) => x.dropout({ p: 0.2, seed: 2 }).square()),
  c('dropout', 'dropout p 1 (zeros)', () => [rnd([2, 2])], (x) => bp.dropout(x, { p: 1, seed: 3 }).add(x.square())),
];
