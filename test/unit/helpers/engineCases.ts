// Cases for the gradient-table tests: for every op of the table, functions of float64 inputs of several shapes
// (broadcasting included), with inputs away from the points where the op is not differentiable.
import * as bp from '../../../kernel/engine';
import { Tensor } from '../../../kernel/engine';
import { where, cast } from '../../../kernel/engine/ops/elementwise';
import { scatterAdd } from '../../../kernel/engine/ops/shapeOps';
import { matmulT } from '../../../kernel/engine/ops/linalg';
import { shapeCases } from './engineCasesShape';
import { normCases } from './engineCasesNorm';
import { elementwiseGradCases } from './engineCasesElementwise';
import { convCases } from './engineCasesConv';

export interface GradCase {
  /** The gradient-table key this case exercises. */
  op: string;
  title: string;
  inputs: () => Tensor[];
  f: (...xs: Tensor[]) => Tensor;
  /** gradcheck options when the defaults do not fit (float32 round trips). */
  tolerance?: { eps: number; atol: number; rtol: number };
  /** Why the second-order check is skipped, when it is. */
  firstOrderOnly?: string;
}

let seed = 1000;
/** Normal values, pushed away from 0 by at least `gap` when given (so relu, abs, ... are differentiable). */
export function rnd(shape: number[], opts: { gap?: number; positive?: boolean; scale?: number } = {}): Tensor {
  const t = bp.randn(shape, { seed: seed++ });
  const d = Float64Array.from(t.data, (v) => {
    let x = v * (opts.scale ?? 1);
    if (opts.positive) x = Math.abs(x) + 0.5;
    if (opts.gap !== undefined && Math.abs(x) < opts.gap) x = x < 0 ? x - opts.gap : x + opts.gap;
    return x;
  });
  return bp.tensor(d, { shape, requiresGrad: true });
}

const c = (op: string, title: string, inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor): GradCase => ({ op, title, inputs, f });

function binaries(op: string, fn: (a: Tensor, b: Tensor) => Tensor, positiveB = false): GradCase[] {
  const o = { positive: positiveB };
  return [
    c(op, `${op} [2,3] and [2,3]`, () => [rnd([2, 3]), rnd([2, 3], o)], fn),
    c(op, `${op} [2,3] and [3]`, () => [rnd([2, 3]), rnd([3], o)], fn),
    c(op, `${op} [3,1] and [1,4]`, () => [rnd([3, 1]), rnd([1, 4], o)], fn),
    c(op, `${op} [] and [2,2]`, () => [rnd([]), rnd([2, 2], o)], fn),
    c(op, `${op} [2,1,3] and [4,1]`, () => [rnd([2, 1, 3]), rnd([4, 1], o)], fn),
  ];
}

function unaries(op: string, fn: (a: Tensor) => Tensor, opts: { gap?: number; positive?: boolean } = {}): GradCase[] {
  return [
    c(op, `${op} [2,3]`, () => [rnd([2, 3], opts)], fn),
    c(op, `${op} []`, () => [rnd([], opts)], fn),
    c(op, `${op} [2,1,2]`, () => [rnd([2, 1, 2], opts)], fn),
  ];
}

function reductions(op: string, fn: (a: Tensor, axis?: number | number[], keep?: boolean) => Tensor): GradCase[] {
  return [
    c(op, `${op} all of [2,3]`, () => [rnd([2, 3])], (a) => fn(a)),
    c(op, `${op} axis 0 of [2,3]`, () => [rnd([2, 3])], (a) => fn(a, 0)),
    c(op, `${op} axis -1 keepDims of [2,3]`, () => [rnd([2, 3])], (a) => fn(a, -1, true)),
    c(op, `${op} axes [0,2] of [2,3,4]`, () => [rnd([2, 3, 4])], (a) => fn(a, [0, 2])),
    c(op, `${op} axes [1] keepDims of [2,3,4]`, () => [rnd([2, 3, 4])], (a) => fn(a, [1], true)),
    c(op, `${op} of []`, () => [rnd([])], (a) => fn(a)),
  ];
}

export const gradCases: GradCase[] = [
  ...binaries('add', (a, b) => a.add(b)),
  c('add', 'add a number', () => [rnd([2, 3])], (a) => bp.add(a, 1.5)),
  ...binaries('sub', (a, b) => a.sub(b)),
  c('sub', 'sub from a number', () => [rnd([2, 3])], (a) => bp.sub(2, a)),
  ...binaries('mul', (a, b) => a.mul(b)),
  c('mul', 'mul with itself', () => [rnd([3])], (a) => a.mul(a)),
  ...binaries('div', (a, b) => a.div(b), true),
  c('div', 'div a number by a tensor', () => [rnd([2, 2], { positive: true })], (a) => bp.div(1, a)),
  ...binaries('pow', (a, b) => a.abs().add(0.5).pow(b)),
  c('pow', 'pow with integer exponent on negatives', () => [rnd([2, 3])], (a) => a.pow(3)),
  {
    ...c('pow', 'pow with exponent 0 tensor', () => [rnd([3], { positive: true }), bp.tensor([0, 1, 2], { requiresGrad: true })], (a, b) => a.pow(b)),
    firstOrderOnly: 'd(aᵇ)/da is set to 0 where b = 0 (as PyTorch), so its derivative in b is 0 there, not 1/a',
  },
  c('pow', 'pow with a number base', () => [rnd([3])], (b) => bp.pow(2, b)),
  ...unaries('neg', (a) => a.neg()),
  ...unaries('exp', (a) => a.exp()),
  ...unaries('log', (a) => a.log(), { positive: true }),
  ...unaries('sqrt', (a) => a.sqrt(), { positive: true }),
  ...unaries('abs', (a) => a.abs(), { gap: 0.1 }),
  ...unaries('square', (a) => a.square()),
  ...unaries('tanh', (a) => a.tanh()),
  ...unaries('sigmoid', (a) => a.sigmoid()),
  ...unaries('relu', (a) => a.relu(), { gap: 0.1 }),
  ...unaries('leakyRelu', (a) => a.leakyRelu(), { gap: 0.1 }),
  c('leakyRelu', 'leakyRelu slope 0.2', () => [rnd([4], { gap: 0.1 })], (a) => bp.leakyRelu(a, 0.2)),
  ...unaries('sin', (a) => a.sin()),
  ...unaries('cos', (a) => a.cos()),
  c('clamp', 'clamp [-0.5, 0.5]', () => [bp.tensor([-1.3, -0.2, 0.1, 0.4, 0.9, 2], { requiresGrad: true })], (a) => a.clamp(-0.5, 0.5)),
  c('clamp', 'clamp min only', () => [bp.tensor([-1.3, -0.2, 0.1, 0.4], { requiresGrad: true })], (a) => a.clamp(0)),
  c('clamp', 'clamp max only', () => [bp.tensor([-1.3, -0.2, 0.1, 0.4], { requiresGrad: true })], (a) => bp.clamp(a, null, 0)),
  ...binaries('maximum', (a, b) => a.maximum(b)),
  c('maximum', 'maximum with a number', () => [rnd([2, 3], { gap: 0.1 })], (a) => a.maximum(0)),
  ...binaries('minimum', (a, b) => a.minimum(b)),
  c('where', 'where (internal)', () => [rnd([2, 3]), rnd([3])], (a, b) => where(bp.tensor([[1, 0, 1], [0, 0, 1]]), a, b)),
  c('clone', 'clone', () => [rnd([2, 3])], (a) => a.clone()),
  {
    ...c('cast', 'cast to float32 and back (internal)', () => [rnd([3])], (a) => cast(cast(a, 'float32'), 'float64').mul(3)),
    tolerance: { eps: 1e-2, atol: 1e-4, rtol: 1e-3 },
  },

  ...reductions('sum', (a, ax, k) => a.sum(ax, k)),
  ...reductions('mean', (a, ax, k) => a.mean(ax, k)),
  ...reductions('max', (a, ax, k) => a.max(ax, k)),
  ...reductions('min', (a, ax, k) => a.min(ax, k)),
  ...reductions('logSumExp', (a, ax, k) => a.logSumExp(ax, k)),

  c('matmul', 'matmul [2,3]@[3,4]', () => [rnd([2, 3]), rnd([3, 4])], (a, b) => a.matmul(b)),
  c('matmul', 'matmul [3]@[3]', () => [rnd([3]), rnd([3])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [3]@[3,2]', () => [rnd([3]), rnd([3, 2])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [2,3]@[3]', () => [rnd([2, 3]), rnd([3])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [2,2,3]@[3,4]', () => [rnd([2, 2, 3]), rnd([3, 4])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [2,1,2,3]@[3,3,2]', () => [rnd([2, 1, 2, 3]), rnd([3, 3, 2])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [3]@[2,3,2]', () => [rnd([3]), rnd([2, 3, 2])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul [2,2,3]@[3]', () => [rnd([2, 2, 3]), rnd([3])], (a, b) => bp.matmul(a, b)),
  c('matmul', 'matmul transA (internal)', () => [rnd([3, 2]), rnd([3, 4])], (a, b) => matmulT(a, b, true, false)),
  c('matmul', 'matmul transB (internal)', () => [rnd([2, 3]), rnd([4, 3])], (a, b) => matmulT(a, b, false, true)),
  c('matmul', 'matmul transA transB batched (internal)', () => [rnd([2, 3, 2]), rnd([4, 3])], (a, b) => matmulT(a, b, true, true)),

  c('reshape', 'reshape [2,3] to [3,-1]', () => [rnd([2, 3])], (a) => a.reshape([3, -1])),
  c('flatten', 'flatten [2,3,2]', () => [rnd([2, 3, 2])], (a) => a.flatten()),
  c('transpose', 'transpose [2,3]', () => [rnd([2, 3])], (a) => a.transpose()),
  c('transpose', 'transpose dims 0, 2 of [2,3,4]', () => [rnd([2, 3, 4])], (a) => a.transpose(0, 2)),
  c('transpose', 'transpose of a 1-D tensor', () => [rnd([3])], (a) => a.transpose()),
  c('permute', 'permute [2,0,1] of [2,3,4]', () => [rnd([2, 3, 4])], (a) => a.permute([2, 0, 1])),
  c('squeeze', 'squeeze all of [1,3,1]', () => [rnd([1, 3, 1])], (a) => a.squeeze()),
  c('squeeze', 'squeeze axis 0 of [1,3,1]', () => [rnd([1, 3, 1])], (a) => a.squeeze(0)),
  c('unsqueeze', 'unsqueeze -1 of [2,3]', () => [rnd([2, 3])], (a) => a.unsqueeze(-1)),
  c('broadcastTo', 'broadcastTo [3] to [2,3]', () => [rnd([3])], (a) => a.broadcastTo([2, 3])),
  c('broadcastTo', 'broadcastTo [2,1] to [3,2,4]', () => [rnd([2, 1])], (a) => a.broadcastTo([3, 2, 4])),
  c('slice', 'slice [1,1] size [1,-1] of [3,4]', () => [rnd([3, 4])], (a) => a.slice([1, 1], [1, -1])),
  c('slice', 'slice 1 of [4]', () => [rnd([4])], (a) => a.slice(1, 2)),
  c('gather', 'gather [0,2,2] of [3,2]', () => [rnd([3, 2])], (a) => a.gather([0, 2, 2])),
  c('gather', 'gather axis 1 with a [2,2] index tensor', () => [rnd([2, 3])], (a) => a.gather(bp.tensor([[2, 0], [1, 1]]), 1)),
  c('scatterAdd', 'scatterAdd (internal)', () => [rnd([3, 2])], (a) => scatterAdd(a, Int32Array.from([1, 0, 1]), [3], 0, [2, 2])),
  c('concat', 'concat axis 0', () => [rnd([2, 3]), rnd([1, 3])], (a, b) => bp.concat([a, b], 0)),
  c('concat', 'concat axis -1 of three', () => [rnd([2, 1]), rnd([2, 3]), rnd([2, 2])], (a, b, d) => a.concat([b, d], -1)),
  c('stack', 'stack axis 0', () => [rnd([2, 3]), rnd([2, 3])], (a, b) => bp.stack([a, b])),
  c('stack', 'stack axis -1 of scalars', () => [rnd([]), rnd([]), rnd([])], (a, b, d) => bp.stack([a, b, d], -1)),
  c('stack', 'stack axis 1', () => [rnd([2, 3]), rnd([2, 3])], (a, b) => a.stack(b, 1)),

  c('softmax', 'softmax last axis of [3,4]', () => [rnd([3, 4])], (a) => a.softmax()),
  c('softmax', 'softmax axis 0 of [3,4]', () => [rnd([3, 4])], (a) => bp.softmax(a, 0)),
  c('softmax', 'softmax of [2,3,2] axis 1', () => [rnd([2, 3, 2])], (a) => a.softmax(1)),
  c('logSoftmax', 'logSoftmax last axis of [3,4]', () => [rnd([3, 4])], (a) => a.logSoftmax()),
  c('logSoftmax', 'logSoftmax axis 1 of [2,3,2]', () => [rnd([2, 3, 2])], (a) => bp.logSoftmax(a, 1)),
  c('crossEntropy', 'crossEntropy [4,3]', () => [rnd([4, 3])], (a) => a.crossEntropy([0, 2, 1, 2])),
  c('crossEntropy', 'crossEntropy with a tensor of targets', () => [rnd([2, 5])], (a) => bp.crossEntropy(a, bp.tensor([4, 0]))),
  c('mseLoss', 'mseLoss [4,2]', () => [rnd([4, 2]), rnd([4, 2])], (a, b) => a.mseLoss(b)),
  c('mseLoss', 'mseLoss broadcast [2,3] and [3]', () => [rnd([2, 3]), rnd([3])], (a, b) => bp.mseLoss(a, b)),
  c('mseLoss', 'mseLoss against a number', () => [rnd([3])], (a) => bp.mseLoss(a, 0.5)),
  ...shapeCases,
  // --- normalisation ---
  ...normCases,
  // --- elementwise, comparison and reduction additions ---
  ...elementwiseGradCases,
  // --- convolution ---
  ...convCases,
];
