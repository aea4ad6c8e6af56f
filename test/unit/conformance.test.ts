// docs/api.md's argument forms and edge cases against PyTorch (fixtures from scripts/conformanceFixtures.py): numbers on
// either side, 0-d tensors, mixed dtypes, axis spellings, non-finite values and their gradients, batched matmul,
// TensorFlow.js's slice/gather spellings, creation functions, toString, an nn.Sequential trained by SGD and Adam
// (parameter names, losses, final parameters). Each op case runs as a function and, when
// its first argument is a tensor (or a list of tensors), as a method; it checks the output's values, shape and
// dtype and the gradient of every argument that requires grad, seeded with a fixed w.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as engine from '../../kernel/engine';
import { Dtype, nn, optim, Tensor, tensor } from '../../kernel/engine';
import { RTOL, RTOL_FLOAT32 } from './fixtures/torch/compare';

/** Values as the fixtures store them: non-finite numbers are the strings 'NaN', 'Infinity', '-Infinity'. */
interface Stored { shape: number[]; data: (number | string)[]; dtype?: Dtype }
/** An argument: `{ tensor: Stored, dtype, requiresGrad }`, `{ undefined: true }`, `{ list: Arg[] }`, or any JSON value. */
type Arg = unknown;
interface OpCase { title: string; op: string; args: Arg[]; method: boolean; out: Stored; w?: Stored; grads?: (Stored | null)[]; note?: string }
interface CreateCase { title: string; fn: string; args: Arg[]; out: Stored }
interface TextCase { title: string; tensor: Stored; text: string }
interface TrainCase {
  title: string; optimizer: 'SGD' | 'Adam'; options: Record<string, unknown>; names: string[];
  initial: Record<string, Stored>; x: Stored; targets: number[]; losses: number[]; final: Record<string, Stored>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'conformance', 'cases.json'), 'utf8')) as
  { cases: OpCase[]; creation: CreateCase[]; text: TextCase[]; training: TrainCase[] };
type AnyFn = (...args: unknown[]) => Tensor;
const functions = engine as unknown as Record<string, AnyFn>;

function values(s: Stored): Float64Array {
  return Float64Array.from(s.data, (v) => Number(v));
}

function isObject(a: unknown, key: string): boolean {
  return a !== null && typeof a === 'object' && !Array.isArray(a) && key in a;
}

/** The arguments of a case, with the tensors that require grad listed in order (lists flattened). */
function decode(args: Arg[]): { args: unknown[]; leaves: Tensor[] } {
  const leaves: Tensor[] = [];
  const one = (a: Arg): unknown => {
    if (isObject(a, 'tensor')) {
      const t = a as { tensor: Stored; dtype: Dtype; requiresGrad: boolean };
      const x = tensor(values(t.tensor), { shape: t.tensor.shape, dtype: t.dtype, requiresGrad: t.requiresGrad });
      leaves.push(x);
      return x;
    }
    if (isObject(a, 'undefined')) return undefined;
    if (isObject(a, 'list')) return (a as { list: Arg[] }).list.map(one);
    return a;
  };
  return { args: args.map(one), leaves };
}

/**
 * Same shape, same non-finite values, and finite values within rtol of max(|expected|, 1e-3·max|expected|) (sums
 * that cancel are judged at the scale of their tensor).
 */
function assertMatches(actual: Tensor | null, expected: Stored, what: string, rtol: number): void {
  assert.ok(actual instanceof Tensor, `${what}: missing`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape [${actual.shape}], PyTorch [${expected.shape}]`);
  if (expected.dtype) assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const e = values(expected);
  let scale = 0;
  for (const v of e) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.length; i++) {
    const a = actual.data[i];
    if (!Number.isFinite(e[i])) {
      assert.ok(Object.is(a, e[i]) || (Number.isNaN(a) && Number.isNaN(e[i])), `${what}: element ${i} is ${a}, PyTorch gives ${e[i]}`);
      continue;
    }
    const tol = rtol * Math.max(Math.abs(e[i]), 1e-3 * scale) + 1e-300;
    assert.ok(Math.abs(a - e[i]) <= tol, `${what}: element ${i} is ${a}, PyTorch gives ${e[i]} (|diff| ${Math.abs(a - e[i])} > ${tol})`);
  }
}

function call(c: OpCase, args: unknown[], form: 'function' | 'method'): Tensor {
  if (form === 'function') return functions[c.op](...args);
  const [first, ...rest] = args;
  if (Array.isArray(first)) {
    const [head, ...others] = first as Tensor[];
    return (head as unknown as Record<string, AnyFn>)[c.op].call(head, others, ...rest);
  }
  return (first as Record<string, AnyFn>)[c.op].call(first, ...rest);
}

describe('conformance with PyTorch: ops', () => {
  for (const c of fixture.cases) {
    const listInput = isObject(c.args[0], 'list');
    const forms = c.method || listInput ? ['function', 'method'] as const : ['function'] as const;
    for (const form of forms) {
      it(`${c.op}: ${c.title}${c.note ? ` (${c.note})` : ''}, as a ${form}`, () => {
        const { args, leaves } = decode(c.args);
        const rtol = leaves.some((x) => x.dtype === 'float32') ? RTOL_FLOAT32 : RTOL;
        const out = call(c, args, form);
        assertMatches(out, c.out, `${c.title}: output`, rtol);
        if (!c.grads || !c.w) return;
        const w = values(c.w);
        out.backward(tensor(w, { shape: c.w.shape, dtype: out.dtype }));
        leaves.forEach((x, i) => {
          const g = (c.grads as (Stored | null)[])[i];
          if (g) assertMatches(x.grad, g, `${c.title}: gradient of tensor argument ${i}`, rtol);
          else assert.equal(x.grad, null, `${c.title}: tensor argument ${i} does not require grad`);
        });
      });
    }
  }
});

describe('conformance with PyTorch: creation', () => {
  for (const c of fixture.creation) {
    it(c.title, () => {
      const { args } = decode(c.args);
      assertMatches(functions[c.fn](...args), { ...c.out, dtype: 'float64' }, c.title, RTOL);
    });
  }
});

describe('conformance with PyTorch: toString', () => {
  for (const c of fixture.text) {
    it(`prints ${c.title} as PyTorch does`, () => {
      assert.equal(tensor(values(c.tensor), { shape: c.tensor.shape }).toString(), c.text);
    });
  }
});

describe('conformance with PyTorch: nn.Sequential trained by an optimiser', () => {
  for (const c of fixture.training) {
    it(`Linear, Tanh, Linear, Sigmoid, Linear without bias; crossEntropy; ${c.title}`, () => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 4), new nn.Sigmoid(),
        new nn.Linear(4, 2, { bias: false }));
      const named = model.namedParameters();
      assert.deepEqual(named.map(([name]) => name), c.names);
      for (const [name, p] of named) p.data.set(values(c.initial[name]));
      const opt = c.optimizer === 'SGD' ? new optim.SGD(model.parameters(), c.options as unknown as optim.SGDOptions)
        : new optim.Adam(model.parameters(), c.options);
      const x = tensor(values(c.x), { shape: c.x.shape });
      c.losses.forEach((expected, step) => {
        opt.zeroGrad();
        const loss = model.forward(x).crossEntropy(c.targets);
        loss.backward();
        opt.step();
        assert.ok(Math.abs(loss.item() - expected) <= RTOL * expected, `step ${step}: loss ${loss.item()}, PyTorch ${expected}`);
      });
      for (const [name, p] of named) assertMatches(p, c.final[name], `${c.title}: ${name} after ${c.losses.length} steps`, RTOL);
    });
  }
});
