// Gradient-table cases of the convolution group (spread into gradCases): conv1d and conv2d with every option,
// the two internal ops their gradients are made of (convInputGrad, convWeightGrad), maxPool2d on distinct values
// (a finite difference must not move the maximum) and avgPool2d with padding.
import * as bp from '../../../kernel/engine';
import { Tensor } from '../../../kernel/engine';
import { convInputGrad, convWeightGrad } from '../../../kernel/engine/ops/conv';
import type { ConvWindow } from '../../../kernel/engine/ops/convGeometry';
import type { GradCase } from './engineCases';

let seed = 7000;
const rnd = (shape: number[]): Tensor => bp.randn(shape, { seed: seed++, requiresGrad: true });

/** Distinct values spaced 0.1 apart in a random order: a nudge of 1e-6 never changes which one is largest. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), order = bp.rand([n], { seed: seed++ }).data;
  const ranks = Array.from(order, (_v, i) => i).sort((a, b) => order[a] - order[b]);
  const data = new Float64Array(n);
  ranks.forEach((r, i) => { data[r] = (i - n / 2) * 0.1; });
  return bp.tensor(data, { shape, requiresGrad: true });
}

const c = (op: string, title: string, inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor): GradCase => ({ op, title, inputs, f });
const win = (w: Partial<ConvWindow>): ConvWindow => ({ kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...w });

export const convCases: GradCase[] = [
  c('conv2d', 'conv2d [2,3,5,5] ⋆ [4,3,3,3] with bias', () => [rnd([2, 3, 5, 5]), rnd([4, 3, 3, 3]), rnd([4])], (x, w, b) => bp.conv2d(x, w, b)),
  c('conv2d', 'conv2d stride 2, padding 1, no bias', () => [rnd([1, 2, 6, 5]), rnd([3, 2, 3, 3])], (x, w) => x.conv2d(w, null, { stride: 2, padding: 1 })),
  c('conv2d', 'conv2d stride [2,1], padding [1,0], dilation [1,2]', () => [rnd([1, 2, 5, 7]), rnd([2, 2, 2, 3]), rnd([2])],
    (x, w, b) => bp.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2] })),
  c('conv2d', 'conv2d groups 2', () => [rnd([2, 4, 4, 4]), rnd([4, 2, 2, 2]), rnd([4])], (x, w, b) => bp.conv2d(x, w, b, { groups: 2, padding: 1 })),
  c('conv2d', 'conv2d options without a bias argument', () => [rnd([1, 1, 4, 4]), rnd([2, 1, 3, 3])], (x, w) => bp.conv2d(x, w, { padding: 1 })),
  c('conv1d', 'conv1d [2,3,7] ⋆ [2,3,3] with bias', () => [rnd([2, 3, 7]), rnd([2, 3, 3]), rnd([2])], (x, w, b) => bp.conv1d(x, w, b)),
  c('conv1d', 'conv1d stride 2, padding 1, dilation 2, groups 2', () => [rnd([1, 4, 9]), rnd([2, 2, 3])],
    (x, w) => x.conv1d(w, null, { stride: 2, padding: 1, dilation: 2, groups: 2 })),
  c('convInputGrad', 'convInputGrad (internal) of stride 2, padding 1', () => [rnd([2, 3, 3, 3]), rnd([3, 2, 3, 3])],
    (g, w) => convInputGrad(g, w, win({ stride: [2, 2], padding: [1, 1] }), [2, 2, 5, 6])),
  c('convInputGrad', 'convInputGrad (internal) 1-D, groups 2', () => [rnd([1, 4, 5]), rnd([4, 1, 3])],
    (g, w) => convInputGrad(g, w, win({ kernel: [1, 3], groups: 2 }), [1, 2, 7])),
  c('convWeightGrad', 'convWeightGrad (internal) of dilation 2', () => [rnd([2, 2, 6, 6]), rnd([2, 3, 2, 2])],
    (x, g) => convWeightGrad(x, g, win({ dilation: [2, 2] }), [3, 2, 3, 3])),
  c('maxPool2d', 'maxPool2d 2 of [2,2,4,4]', () => [distinct([2, 2, 4, 4])], (x) => x.maxPool2d(2)),
  c('maxPool2d', 'maxPool2d 3, stride 2, padding 1 (overlapping windows)', () => [distinct([1, 2, 5, 5])], (x) => bp.maxPool2d(x, 3, { stride: 2, padding: 1 })),
  c('maxPool2d', 'maxPool2d [2,3], stride [1,2]', () => [distinct([1, 1, 4, 7])], (x) => bp.maxPool2d(x, [2, 3], { stride: [1, 2] })),
  c('avgPool2d', 'avgPool2d 2 of [2,2,4,4]', () => [rnd([2, 2, 4, 4])], (x) => x.avgPool2d(2)),
  c('avgPool2d', 'avgPool2d 3, stride 2, padding 1', () => [rnd([1, 2, 5, 6])], (x) => bp.avgPool2d(x, 3, { stride: 2, padding: 1 })),
];
