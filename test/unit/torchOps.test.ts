// Every op of docs/api.md against PyTorch (fixtures from scripts/torchFixtures.py): the output, the gradient of
// (out * w).sum() (equally out.backward(w)), in float64 and float32, and the second-order gradient of
// Σᵢ (gradᵢ * vᵢ).sum() through backward({ createGraph: true }).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as engine from '../../kernel/engine';
import { Dtype, Tensor, tensor, zeros } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, opFixtureNames, RTOL_FLOAT32, Stored } from './fixtures/torch/compare';

interface OpCase {
  title: string;
  op: string;
  inputs: (Stored & { requiresGrad: boolean })[];
  args: unknown[];
  listInput: boolean;
  method: boolean;
  out: Stored;
  w: Stored;
  grads: (Stored | null)[];
  v: (Stored | null)[];
  gradGrads: (Stored | null)[];
  note?: string;
  /** Where each input goes in the call when tensors and other arguments interleave (layerNorm); args fill the rest. */
  inputPositions?: number[];
}

type AnyFn = (...args: unknown[]) => Tensor | Tensor[];
const functions = engine as unknown as Record<string, AnyFn>;

/** A fixture argument: a plain value, or { tensor } for a tensor that does not require grad ('Infinity': ±∞, which JSON lacks). */
function decodeArg(a: unknown): unknown {
  if (a !== null && typeof a === 'object' && 'tensor' in a) return fromStored((a as { tensor: Stored }).tensor);
  if (a === 'Infinity' || a === '-Infinity') return Number(a);
  return a;
}

/** The op applied as a function (or as a method of the first input), the way the case says. */
function apply(c: OpCase, xs: Tensor[], form: 'function' | 'method'): Tensor {
  const out = applyOp(c, xs, form);
  // Ops that give several tensors (split, chunk): their pieces flattened and joined, as the fixtures store them.
  return Array.isArray(out) ? engine.concat(out.map((p) => p.flatten())) : out;
}

function applyOp(c: OpCase, xs: Tensor[], form: 'function' | 'method'): Tensor | Tensor[] {
  const args = c.args.map(decodeArg);
  if (c.op === 'composite') {
    const [x, W, b] = xs;
    return x.matmul(W).add(b).tanh().mul(x);
  }
  if (c.op === 'composite2') {
    const [a, b, cc] = xs;
    return a.matmul(b).add(cc);
  }
  if (c.listInput) return functions[c.op](xs, ...args);
  if (c.inputPositions) {
    const call: unknown[] = [], rest = args.slice();
    for (let k = 0; call.length < xs.length + args.length; k++) call.push(c.inputPositions.includes(k) ? xs[c.inputPositions.indexOf(k)] : rest.shift());
    return form === 'method' ? (xs[0] as unknown as Record<string, AnyFn>)[c.op].call(xs[0], ...call.slice(1)) : functions[c.op](...call);
  }
  if (form === 'method') {
    const method = (xs[0] as unknown as Record<string, AnyFn>)[c.op];
    return method.call(xs[0], ...xs.slice(1), ...args);
  }
  return functions[c.op](...xs, ...args);
}

function build(c: OpCase, dtype: Dtype = 'float64'): Tensor[] {
  return c.inputs.map((s) => fromStored(s, s.requiresGrad, dtype));
}

const cases = opFixtureNames().flatMap((name) => loadFixture<{ cases: OpCase[] }>(name).cases);
const byOp = new Map<string, OpCase[]>();
for (const c of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);

for (const [op, group] of byOp) {
  describe(`${op} matches PyTorch`, () => {
    for (const c of group) {
      const label = c.note ? `${c.title} (${c.note})` : c.title;
      for (const form of c.method ? ['function', 'method'] as const : ['function'] as const) {
        it(`${label}: value and gradient, as a ${form}`, () => {
          const xs = build(c);
          const out = apply(c, xs, form);
          assertClose(out, c.out, `${c.title}: output`);
          assert.equal(out.requiresGrad, true, `${c.title}: the output must require grad`);
          // The function form seeds backward through (out * w).sum(); the method form passes w as the seed.
          if (form === 'function') out.mul(fromStored(c.w)).sum().backward();
          else out.backward(fromStored(c.w));
          xs.forEach((x, i) => {
            const g = c.grads[i];
            if (g) assertClose(x.grad, g, `${c.title}: gradient of input ${i}`);
            else assert.equal(x.grad, null, `${c.title}: input ${i} does not require grad and gets none`);
          });
        });
      }
      it(`${label}: value and gradient in float32`, () => {
        const xs = build(c, 'float32');
        const out = apply(c, xs, 'function');
        assert.equal(out.dtype, 'float32', `${c.title}: float32 in, float32 out`);
        assertClose(out, c.out, `${c.title}: float32 output`, RTOL_FLOAT32);
        out.mul(fromStored(c.w, false, 'float32')).sum().backward();
        xs.forEach((x, i) => {
          const g = c.grads[i];
          if (!g) return;
          assert.equal(x.grad?.dtype, 'float32', `${c.title}: float32 gradient of input ${i}`);
          assertClose(x.grad, g, `${c.title}: float32 gradient of input ${i}`, RTOL_FLOAT32);
        });
      });
      it(`${label}: second order (createGraph)`, () => {
        const xs = build(c);
        const out = apply(c, xs, 'function');
        out.mul(fromStored(c.w)).sum().backward({ createGraph: true });
        const wrt = xs.map((x, i) => ({ x, i })).filter(({ i }) => c.grads[i] !== null);
        const firsts = wrt.map(({ x, i }) => {
          const g = x.grad;
          assertClose(g, c.grads[i] as Stored, `${c.title}: first-order gradient of input ${i} with createGraph`);
          x.zeroGrad();
          return (g as Tensor).mul(fromStored(c.v[i] as Stored)).sum();
        });
        const s = firsts.reduce((acc, t) => acc.add(t));
        if (s.requiresGrad) s.backward();
        for (const { x, i } of wrt) {
          assertClose(x.grad ?? zeros([...x.shape]), c.gradGrads[i] as Stored, `${c.title}: second-order gradient of input ${i}`);
        }
      });
    }
  });
}

describe('the fixture table', () => {
  it('covers every op of docs/api.md', () => {
    const apiOps = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'tanh',
      'sigmoid', 'relu', 'leakyRelu', 'sin', 'cos', 'clamp', 'maximum', 'minimum', 'sum', 'mean', 'max', 'min',
      'logSumExp', 'matmul', 'reshape', 'flatten', 'transpose', 'permute', 'squeeze', 'unsqueeze', 'broadcastTo',
      'slice', 'gather', 'concat', 'stack', 'softmax', 'logSoftmax', 'crossEntropy', 'mseLoss',
      // --- shape ops, losses, embedding ---
      'pad', 'tile', 'split', 'chunk', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'nllLoss', 'huberLoss', 'embedding',
      // --- normalisation ---
      'layerNorm', 'batchNorm', 'dropout',
      // --- elementwise, comparison and reduction additions (where, comparisons, argMax/argMin: torchElementwise.test.ts) ---
      'atan2', 'sign', 'floor', 'ceil', 'round', 'elu', 'selu', 'gelu', 'softplus', 'silu', 'cumsum', 'var', 'std', 'norm',
      'outer', 'dot',
      // --- convolution ---
      'conv1d', 'conv2d', 'maxPool2d', 'avgPool2d'];
    for (const op of apiOps) {
      assert.ok(byOp.has(op), `no PyTorch case for ${op}`);
      assert.equal(typeof functions[op], 'function', `the engine exports no function ${op}`);
    }
    assert.ok(tensor(1) instanceof Tensor);
  });
});
