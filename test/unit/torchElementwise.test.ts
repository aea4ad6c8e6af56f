// The "special" cases of ops-elementwise.json (scripts/torchFixturesElementwise.py) against PyTorch: NaN, ±inf and
// ±0 through every op where they matter (values and gradients), ops without a gradient (the comparisons,
// argMax/argMin: whether the result requires grad, too), and where(). Each runs as a function and, when its
// first argument is a tensor, as a method.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as engine from '../../kernel/engine';
import { Tensor, tensor } from '../../kernel/engine';
import { loadFixture, RTOL } from './fixtures/torch/compare';

/** Values as stored: non-finite numbers are the strings 'NaN', 'Infinity', '-Infinity'. */
interface Stored { shape: number[]; data: (number | string)[] }
interface SpecialCase {
  title: string; op: string; method: boolean; args: unknown[]; out: Stored; outRequiresGrad: boolean;
  w?: Stored; grads?: (Stored | null)[]; note?: string;
}

type AnyFn = (...args: unknown[]) => Tensor;
const functions = engine as unknown as Record<string, AnyFn>;
const { special } = loadFixture<{ special: SpecialCase[] }>('ops-elementwise');

const values = (s: Stored): Float64Array => Float64Array.from(s.data, (v) => Number(v));

/** The arguments, with the tensors that require grad in order. */
function decode(args: unknown[]): { args: unknown[]; leaves: Tensor[] } {
  const leaves: Tensor[] = [];
  const out = args.map((a) => {
    if (a !== null && typeof a === 'object' && 'tensor' in a) {
      const t = a as { tensor: Stored; requiresGrad: boolean };
      const x = tensor(values(t.tensor), { shape: t.tensor.shape, requiresGrad: t.requiresGrad });
      leaves.push(x);
      return x;
    }
    return a === 'NaN' || a === 'Infinity' || a === '-Infinity' ? Number(a) : a;
  });
  return { args: out, leaves };
}

/** Same shape; the same non-finite values; finite ones within RTOL of max(|expected|, 1e-3·max|expected|). */
function assertMatches(actual: Tensor | null, expected: Stored, what: string): void {
  assert.ok(actual instanceof Tensor, `${what}: missing`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape [${actual.shape}], PyTorch [${expected.shape}]`);
  const e = values(expected);
  let scale = 0;
  for (const v of e) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.length; i++) {
    const a = actual.data[i];
    if (!Number.isFinite(e[i])) {
      assert.ok(Object.is(a, e[i]) || (Number.isNaN(a) && Number.isNaN(e[i])), `${what}: element ${i} is ${a}, PyTorch gives ${e[i]}`);
      continue;
    }
    const tol = RTOL * Math.max(Math.abs(e[i]), 1e-3 * scale) + 1e-300;
    assert.ok(Math.abs(a - e[i]) <= tol, `${what}: element ${i} is ${a}, PyTorch gives ${e[i]}`);
  }
}

describe('NaN, ±inf, comparisons, argMax/argMin and where match PyTorch', () => {
  for (const c of special) {
    for (const form of c.method ? ['function', 'method'] as const : ['function'] as const) {
      it(`${c.title}${c.note ? ` (${c.note})` : ''}, as a ${form}`, () => {
        const { args, leaves } = decode(c.args);
        const out = form === 'function' ? functions[c.op](...args)
          : (args[0] as Record<string, AnyFn>)[c.op].call(args[0], ...args.slice(1));
        assertMatches(out, c.out, `${c.title}: output`);
        assert.equal(out.requiresGrad, c.outRequiresGrad, `${c.title}: requiresGrad of the output`);
        if (!c.grads || !c.w) return;
        out.mul(tensor(values(c.w), { shape: c.w.shape })).sum().backward();
        leaves.forEach((x, i) => {
          const g = c.grads![i];
          if (g) assertMatches(x.grad, g, `${c.title}: gradient of argument ${i}`);
        });
      });
    }
  }
});

describe('comparisons and indices', () => {
  it('comparisons give masks in the operands\' dtype that never require grad', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    for (const op of ['gt', 'ge', 'lt', 'le', 'eq', 'ne']) {
      const m = functions[op](x, 2);
      assert.equal(m.dtype, 'float32', op);
      assert.equal(m.requiresGrad, false, op);
      assert.equal(m.gradFn, null, op);
    }
    assert.equal(engine.gt(x, tensor([1], { dtype: 'float64' })).dtype, 'float64');
  });
  it('argMax results are float64 integer tensors that index gather and crossEntropy directly', () => {
    const logits = tensor([[0.1, 2, -1], [3, 0, 0.5]], { requiresGrad: true });
    const picked = logits.argMax(1);
    assert.deepEqual(picked.toArray(), [1, 0]);
    assert.equal(picked.dtype, 'float64');
    assert.equal(picked.requiresGrad, false);
    assert.deepEqual(logits.gather(picked, 1).shape, [2, 2]);
    assert.ok(Number.isFinite(logits.crossEntropy(picked).item()));
    assert.deepEqual(engine.eq(picked, [1, 2]).toArray(), [1, 0]);
  });
  it('refuses fractional, non-finite and out-of-range indices, naming the op, the value and its position', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    assert.throws(() => x.gather([0, 2, 1.5]), { message: 'gather: index 1.5 at position 2 is not an integer for dim 0 of shape [3,2]' });
    assert.throws(() => x.gather(tensor([NaN])), { message: 'gather: index NaN at position 0 is not finite for dim 0 of shape [3,2]' });
    assert.throws(() => x.gather([-1]), { message: 'gather: index -1 at position 0 is out of range [0, 3) for dim 0 of shape [3,2]' });
    assert.throws(() => engine.crossEntropy(x, [0, 1, 2]), { message: /^crossEntropy: target 2 at position 2 is out of range \[0, 2\) \(a class index\) for logits \[3,2\]$/ });
    assert.throws(() => engine.crossEntropy(x, tensor([0, 1, 0.25])), { message: /^crossEntropy: target 0.25 at position 2 is not an integer/ });
  });
});

describe('the new ops refuse bad arguments, naming the op and the shapes', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['dot of 2-D', () => engine.dot(tensor([[1, 2]]), tensor([1, 2])), /^dot: expects two 1-D tensors, got shapes \[1,2\] and \[2\]$/],
    ['dot lengths', () => engine.dot([1, 2, 3], [1, 2]), /^dot: shapes \[3\] and \[2\] have different lengths \(3 != 2\)$/],
    ['outer of 2-D', () => engine.outer([[1]], [1]), /^outer: expects two 1-D tensors, got shapes \[1,1\] and \[1\]$/],
    ['where shapes', () => engine.where([true, false, true], [1, 2], 0), /^where: .*\[3\].*\[2\]/],
    ['where cond', () => engine.where('yes' as unknown as boolean, 1, 2), /^where: cond must be a tensor or nested arrays of booleans or numbers, got string$/],
    ['gt shapes', () => engine.gt(tensor([1, 2]), tensor([1, 2, 3])), /^gt: .*\[2\].*\[3\]/],
    ['atan2 shapes', () => engine.atan2(tensor([1, 2]), tensor([1, 2, 3])), /^atan2: .*\[2\].*\[3\]/],
    ['argMax axis', () => engine.argMax(tensor([[1, 2]]), 2), /^argMax: axis 2 is out of range for shape \[1,2\]$/],
    ['argMax axes', () => engine.argMax(tensor([[1, 2]]), [0, 1] as unknown as number), /^argMax: axis must be one number/],
    ['argMin empty', () => engine.argMin(tensor([]), 0), /^argMin: cannot reduce over an empty axis of shape \[0\]$/],
    ['cumsum axis', () => engine.cumsum(tensor([1, 2]), 1), /^cumsum: axis 1 is out of range for shape \[2\]$/],
    ['var option', () => engine.var(tensor([1, 2]), 0, { unbiased: true } as object), /^var: unknown option 'unbiased' \(supported: correction, keepDims\)$/],
    ['std axis', () => engine.std(tensor([1, 2]), 3), /^std: axis 3 is out of range for shape \[2\]$/],
    ['norm p', () => engine.norm(tensor([1, 2]), NaN), /^norm: p must be a number .* for shape \[2\]$/],
    ['gelu approximate', () => engine.gelu(tensor([1]), { approximate: 'fast' as 'tanh' }), /^gelu: approximate must be 'none' or 'tanh', got fast$/],
    ['elu alpha', () => engine.elu(tensor([1]), NaN), /^elu: alpha must be a finite number, got NaN$/],
    ['softplus beta', () => engine.softplus(tensor([1]), 0), /^softplus: beta must not be 0$/],
  ];
  for (const [title, f, re] of cases) it(title, () => assert.throws(f, { message: re }));
});
