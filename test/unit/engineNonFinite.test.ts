// findNonFinite: the first op that made a NaN or ±Infinity from finite inputs, in forward order, else the first
// gradient rule that did in backward order; detectAnomaly keeps call sites.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectAnomaly, findNonFinite, isAnomalyEnabled, tensor, Tensor } from '../../kernel/engine';

const leaf = (v: Parameters<typeof tensor>[0], name: string): Tensor => tensor(v, { requiresGrad: true, name });

describe('findNonFinite', () => {
  afterEach(() => { detectAnomaly(false); });

  it('finds nothing in a finite graph, values and gradients', () => {
    const x = leaf([1, 2], 'x');
    const y = x.log().sum();
    y.backward();
    assert.equal(findNonFinite(y), undefined);
  });

  it('log of -1: the op, the element and the input value that caused it', () => {
    const x = leaf([2, -1, 3], 'x');
    const loss = x.log().exp().sum();
    const o = findNonFinite(loss);
    assert.ok(o);
    assert.equal(o.phase, 'forward');
    assert.equal(o.op, 'log');
    assert.equal(o.index, 1);
    assert.ok(Number.isNaN(o.value));
    assert.deepEqual(o.inputValues, [-1]);
    assert.equal(o.message, 'log(-1) = NaN');
    assert.equal(o.site, null, 'no call site without anomaly mode');
  });

  it('div by 0, broadcasting a number: the first op in forward order, not the ones the NaN spread to', () => {
    const a = leaf([[1, 2], [3, 4]], 'a');
    const q = a.div(tensor([1, 0]));
    const r = q.sub(q).mul(2).sum();
    const o = findNonFinite(r);
    assert.ok(o);
    assert.equal(o.op, 'div');
    assert.equal(o.message, 'div(2, 0) = Infinity');
    assert.equal(o.tensor, q);
  });

  it('sqrt and pow of negatives, exp overflow', () => {
    assert.equal(findNonFinite(leaf([4, -4], 's').sqrt())?.message, 'sqrt(-4) = NaN');
    assert.equal(findNonFinite(leaf([-8], 'p').pow(0.5))?.message, 'pow(-8, 0.5) = NaN');
    assert.equal(findNonFinite(leaf([0], 'z').pow(-1))?.message, 'pow(0, -1) = Infinity');
    assert.equal(findNonFinite(leaf([1, 1000], 'e').exp().mul(0))?.message, 'exp(1000) = Infinity');
  });

  it('0·Inf: a NaN made from inputs without one is an origin', () => {
    const zero = leaf([0, 1], 'zero');
    const big = tensor([Infinity, 2]);
    const o = findNonFinite(zero.mul(big).add(1));
    assert.equal(o?.message, 'mul(0, Infinity) = NaN');
  });

  it('a non-finite leaf, when no op made one', () => {
    const x = leaf([1, NaN], 'data');
    const o = findNonFinite(x.mul(2));
    assert.equal(o?.phase, 'leaf');
    assert.match(o.message, /data holds NaN/);
  });

  it('sqrt at 0 in backward: values finite, the gradient rule made Infinity from a finite upstream gradient', () => {
    const x = leaf([4, 0], 'x');
    const y = x.sqrt().mul(3).sum();
    y.backward();
    assert.ok(Number.isFinite(y.item()), 'the values are finite');
    const o = findNonFinite(y);
    assert.ok(o);
    assert.equal(o.op, 'sqrt');
    assert.equal(o.index, 1);
    assert.equal(o.value, Infinity);
    assert.deepEqual(o.inputValues, [0]);
    assert.equal(o.upstream, 3);
    assert.equal(o.message, 'the gradient of sqrt(0) for its input is Infinity (upstream gradient 3)');
  });

  it('0·Inf in backward: sqrt at 0 under a zero upstream gradient gives NaN', () => {
    const x = leaf([0], 'x');
    const y = x.sqrt().mul(0).sum();
    y.backward();
    assert.ok(Number.isNaN(x.grad!.item()));
    const o = findNonFinite(y);
    assert.equal(o?.phase, 'backward');
    assert.equal(o.op, 'sqrt');
    assert.equal(o.message, 'the gradient of sqrt(0) for its input is NaN (upstream gradient 0)');
  });

  it('several roots: the first bad op of their union, in forward order', () => {
    const x = leaf([-1], 'x');
    const first = x.log();
    const second = x.div(0);
    assert.equal(findNonFinite([second, first])?.tensor, first);
  });

  it('detectAnomaly(true) keeps the call site of every op, pointing at the line that called it', () => {
    assert.equal(isAnomalyEnabled(), false);
    assert.equal(detectAnomaly(true), true);
    const x = leaf([-1], 'x');
    const y = x.log(); const line = Number(/:(\d+):\d+\)?$/m.exec(new Error().stack!.split('\n')[1])?.[1]);
    const o = findNonFinite(y);
    assert.ok(o?.site);
    const frame = o.site.stack!.split('\n').find((f) => f.includes('engineNonFinite.test'));
    assert.ok(frame, 'the stack reaches the caller');
    assert.match(frame, new RegExp(`:${line}:`));
    assert.equal(detectAnomaly(false), false);
    assert.equal(x.log().node?.site, null, 'off again: nothing captured');
  });
});
