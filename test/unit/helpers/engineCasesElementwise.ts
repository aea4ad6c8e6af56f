// Gradient-table cases of the elementwise, comparison and reduction additions (atan2, the step functions, the
// activations, cumsum, var, std, norm, outer, dot): spread into engineCases.ts's gradCases.
import * as bp from '../../../kernel/engine';
import { Tensor } from '../../../kernel/engine';
import { erf } from '../../../kernel/engine/ops/activations';
import { cumsumAlong } from '../../../kernel/engine/ops/statistics';
import type { GradCase } from './engineCases';

let seed = 7100;
/** Normal values (seeded), pushed at least `gap` away from each point of `away`. */
function rnd(shape: number[], opts: { away?: number[]; gap?: number; scale?: number } = {}): Tensor {
  const t = bp.randn(shape, { seed: seed++ });
  const gap = opts.gap ?? 0.1;
  const d = Float64Array.from(t.data, (v) => {
    let x = v * (opts.scale ?? 1);
    for (const p of opts.away ?? []) if (Math.abs(x - p) < gap) x = x < p ? p - gap : p + gap;
    return x;
  });
  return bp.tensor(d, { shape, requiresGrad: true });
}
/** Values in (k + 0.1, k + 0.4) ∪ (k + 0.6, k + 0.9): away from integers and halves (the step functions' jumps). */
function offGrid(shape: number[]): Tensor {
  const t = bp.rand(shape, { seed: seed++ });
  return bp.tensor(Float64Array.from(t.data, (u, i) => (i % 5) - 2 + (u < 0.5 ? 0.1 + 0.6 * u : 0.3 + 0.6 * u)), { shape, requiresGrad: true });
}

const c = (op: string, title: string, inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor, extra: Partial<GradCase> = {}): GradCase =>
  ({ op, title, inputs, f, ...extra });
const stepOnly = { firstOrderOnly: 'a zero gradient: nothing to differentiate again' };

export const elementwiseGradCases: GradCase[] = [
  c('atan2', 'atan2 [2,3] and [2,3]', () => [rnd([2, 3]), rnd([2, 3], { away: [0] })], (y, x) => y.atan2(x)),
  c('atan2', 'atan2 [2,3] and [3] (broadcast)', () => [rnd([2, 3]), rnd([3], { away: [0] })], (y, x) => bp.atan2(y, x)),
  c('atan2', 'atan2 of a number', () => [rnd([4])], (x) => bp.atan2(0.5, x)),
  c('sign', 'sign [2,3]', () => [rnd([2, 3], { away: [0] })], (a) => a.sign().mul(a), stepOnly),
  c('floor', 'floor [2,3]', () => [offGrid([2, 3])], (a) => a.floor().add(a), stepOnly),
  c('ceil', 'ceil [5]', () => [offGrid([5])], (a) => bp.ceil(a).mul(a), stepOnly),
  c('round', 'round [2,3]', () => [offGrid([2, 3])], (a) => a.round().mul(a), stepOnly),
  c('elu', 'elu [2,3]', () => [rnd([2, 3], { away: [0] })], (a) => a.elu()),
  c('elu', 'elu alpha 0.5 []', () => [rnd([], { away: [0] })], (a) => bp.elu(a, 0.5)),
  c('selu', 'selu [2,3]', () => [rnd([2, 3], { away: [0] })], (a) => a.selu()),
  c('gelu', 'gelu [2,3]', () => [rnd([2, 3], { scale: 2 })], (a) => a.gelu()),
  c('gelu', 'gelu tanh [2,3]', () => [rnd([2, 3], { scale: 2 })], (a) => bp.gelu(a, { approximate: 'tanh' })),
  c('softplus', 'softplus [2,3]', () => [rnd([2, 3], { scale: 3 })], (a) => a.softplus()),
  c('softplus', 'softplus beta 2 threshold 1', () => [rnd([6], { away: [0.5], scale: 2 })], (a) => bp.softplus(a, 2, 1)),
  c('silu', 'silu [2,3]', () => [rnd([2, 3], { scale: 2 })], (a) => a.silu()),
  c('erf', 'erf (internal)', () => [rnd([2, 3])], (a) => erf(a)),
  c('cumsum', 'cumsum axis 1 of [2,3]', () => [rnd([2, 3])], (a) => a.cumsum(1)),
  c('cumsum', 'cumsum axis 0 of [3,2,2]', () => [rnd([3, 2, 2])], (a) => bp.cumsum(a, 0)),
  c('cumsum', 'cumsum from the end (internal)', () => [rnd([4, 2])], (a) => cumsumAlong(a, -2, true)),
  c('var', 'var of all [2,3]', () => [rnd([2, 3])], (a) => a.var()),
  c('var', 'var axis 1 keepDims, correction 0', () => [rnd([2, 4])], (a) => bp.var(a, 1, { correction: 0, keepDims: true })),
  c('var', 'var axes [0,2] of [2,3,2]', () => [rnd([2, 3, 2])], (a) => a.var([0, 2])),
  c('std', 'std of all [2,3]', () => [rnd([2, 3])], (a) => a.std()),
  c('std', 'std axis 0, correction 0', () => [rnd([3, 2])], (a) => bp.std(a, 0, { correction: 0 })),
  c('norm', 'norm 2 of [2,3]', () => [rnd([2, 3])], (a) => a.norm()),
  c('norm', 'norm 1 axis 1', () => [rnd([2, 3], { away: [0] })], (a) => a.norm(1, 1)),
  c('norm', 'norm Infinity axis 0 keepDims', () => [rnd([3, 2])], (a) => bp.norm(a, Infinity, 0, true)),
  c('norm', 'norm -Infinity', () => [rnd([4])], (a) => a.norm(-Infinity)),
  c('norm', 'norm 3 axis -1', () => [rnd([2, 3], { away: [0] })], (a) => a.norm(3, -1)),
  c('norm', 'norm 0.5', () => [rnd([3], { away: [0] })], (a) => a.norm(0.5)),
  c('outer', 'outer [3] and [2]', () => [rnd([3]), rnd([2])], (a, b) => a.outer(b)),
  c('dot', 'dot [4] and [4]', () => [rnd([4]), rnd([4])], (a, b) => bp.dot(a, b)),
];
