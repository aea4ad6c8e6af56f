// nn.BatchNorm1d/2d, nn.LayerNorm, nn.Dropout and nn.Residual: against torch.nn with the same parameters (outputs,
// gradients, running statistics, in training then evaluation; fixtures from scripts/torchFixturesNorm.py), and
// what makes them modules: initial values, buffers that are not parameters, paths, the train/eval switch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nn, ones, randn, Tensor } from '../../kernel/engine';
import { assertClose, fromStored, loadFixture, Stored } from './fixtures/torch/compare';

interface Step { training: boolean; x: Stored; out: Stored; w: Stored; dx: Stored; grads: Record<string, Stored>; buffers: Record<string, Stored> }
interface ModuleRun { title: string; kind: string; args: unknown[]; params: Record<string, Stored>; steps: Step[] }

function build(run: ModuleRun): nn.Module {
  const [n, opts] = run.args as [number, Record<string, number> | undefined];
  switch (run.kind) {
    case 'BatchNorm1d': return new nn.BatchNorm1d(n, opts);
    case 'BatchNorm2d': return new nn.BatchNorm2d(n, opts);
    case 'LayerNorm': return new nn.LayerNorm(n, opts);
    case 'Residual': return new nn.Residual(new nn.Sequential(new nn.Linear(4, 4, { seed: 0 }), new nn.BatchNorm1d(4), new nn.ReLU()));
    default: throw new Error(`unknown module ${run.kind}`);
  }
}

/** The module at a path ('inner.1') by its children's names. */
function at(m: nn.Module, path: string[]): nn.Module {
  if (path.length === 0) return m;
  const child = m.namedChildren().find(([name]) => name === path[0]);
  assert.ok(child, `no submodule ${path[0]}`);
  return at(child[1], path.slice(1));
}

/** A buffer by PyTorch's path ('inner.1.running_mean' is inner.1's runningMean). */
function buffer(m: nn.Module, path: string): Tensor {
  const parts = path.split('.'), field = parts.pop() === 'running_mean' ? 'runningMean' : 'runningVar';
  const t = (at(m, parts) as unknown as Record<string, Tensor | null>)[field];
  assert.ok(t instanceof Tensor, `${path} is a tensor`);
  return t;
}

describe('the modules match torch.nn in training and evaluation', () => {
  for (const run of loadFixture<{ modules: ModuleRun[] }>('nn-norm').modules) {
    it(run.title, () => {
      const model = build(run);
      const named = model.namedParameters();
      assert.deepEqual(named.map(([name]) => name), Object.keys(run.params), 'parameter paths and order, as PyTorch (buffers are not parameters)');
      for (const [name, p] of named) p.data.set(run.params[name].data);
      run.steps.forEach((step, k) => {
        const what = `${run.title}, step ${k + 1} (${step.training ? 'training' : 'evaluation'})`;
        if (step.training) model.train(); else model.eval();
        model.zeroGrad();
        const x = fromStored(step.x, true);
        const out = model.forward(x);
        assertClose(out, step.out, `${what}: output`);
        out.backward(fromStored(step.w));
        assertClose(x.grad, step.dx, `${what}: dx`);
        for (const [name, p] of named) {
          const expected = step.grads[name];
          // A bias just before a batch norm in training gets none (the norm subtracts it again): PyTorch's is
          // rounding noise around 0, so it is judged at an absolute scale.
          if (expected.data.every((v) => Math.abs(v) < 1e-12)) assert.ok(p.grad?.data.every((v) => Math.abs(v) < 1e-12), `${what}: d${name} ≈ 0`);
          else assertClose(p.grad, expected, `${what}: d${name}`);
        }
        for (const [path, value] of Object.entries(step.buffers)) assertClose(buffer(model, path), value, `${what}: ${path}`);
      });
    });
  }
});

describe('nn.BatchNorm1d and nn.BatchNorm2d', () => {
  it('start with weight 1, bias 0, running mean 0 and running variance 1; only weight and bias are parameters', () => {
    const bn = new nn.BatchNorm1d(3);
    assert.deepEqual([bn.weight?.toArray(), bn.bias?.toArray(), bn.runningMean?.toArray(), bn.runningVar?.toArray()], [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    assert.deepEqual(bn.namedParameters().map(([n]) => n), ['weight', 'bias']);
    assert.equal(bn.runningMean?.requiresGrad, false);
    assert.deepEqual(new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3)).namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
    assert.equal(new nn.BatchNorm1d(2, { affine: false }).parameters().length, 0);
  });
  it('training moves the running statistics; evaluation uses them and leaves them alone', () => {
    const bn = new nn.BatchNorm2d(2);
    const x = randn([4, 2, 3, 3], { seed: 1 }).mul(3).add(5);
    bn.forward(x);
    const after = bn.runningMean?.toArray() as number[];
    assert.ok(after.every((m) => m > 0.3 && m < 0.7), `running mean moved 10% of the way to ≈5: ${after}`);
    bn.eval();
    const y = bn.forward(x);
    assert.deepEqual(bn.runningMean?.toArray(), after);
    assert.equal(y.gradFn, 'batchNorm', 'the parameters require grad: evaluation records the node too');
  });
  it('without running statistics, evaluation normalises with the batch\'s', () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false }).eval();
    const y = bn.forward(randn([8, 2], { seed: 2 }).mul(4));
    assert.ok(Math.abs(y.mean().item()) < 1e-12);
    assert.equal(bn.runningMean, null);
  });
  it('is one batchNorm node in the graph', () => {
    const bn = new nn.BatchNorm1d(3);
    const y = bn.forward(randn([4, 3], { seed: 3, requiresGrad: true }));
    assert.equal(y.gradFn, 'batchNorm');
    assert.deepEqual(y.node?.inputs.slice(1).map((t) => t.name), ['weight', 'bias']);
  });
  it('refuses inputs of the wrong rank or channel count, naming the module and the shapes', () => {
    assert.throws(() => new nn.BatchNorm1d(3).forward(ones([2, 4])), /^Error: nn\.BatchNorm1d\(3\): expected an input \[N, C\] or \[N, C, L\] with C = 3, got \[2,4\]$/);
    assert.throws(() => new nn.BatchNorm2d(3).forward(ones([2, 3])), /nn\.BatchNorm2d\(3\): expected an input \[N, C, H, W\] with C = 3, got \[2,3\]/);
    assert.throws(() => new nn.BatchNorm1d(0), /nn\.BatchNorm1d: numFeatures must be a positive integer, got 0/);
    assert.throws(() => new nn.BatchNorm1d(2, { momentom: 0.1 } as nn.BatchNormOptions), /nn\.BatchNorm1d: unknown option 'momentom'/);
  });
  it('prints as PyTorch does', () => {
    assert.equal(String(new nn.BatchNorm1d(4)), 'BatchNorm1d(4, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)');
  });
});

describe('nn.LayerNorm', () => {
  it('has weight 1 and bias 0 of normalizedShape, and behaves the same in evaluation', () => {
    const ln = new nn.LayerNorm([2, 3]);
    assert.deepEqual(ln.namedParameters().map(([n, p]) => [n, p.shape]), [['weight', [2, 3]], ['bias', [2, 3]]]);
    const x = randn([4, 2, 3], { seed: 4 });
    const a = ln.forward(x).toArray();
    assert.deepEqual(ln.eval().forward(x).toArray(), a);
    assert.equal(new nn.LayerNorm(3, { elementwiseAffine: false }).parameters().length, 0);
    assert.equal(new nn.LayerNorm(3, { bias: false }).bias, null);
  });
  it('refuses an input that does not end in normalizedShape', () => {
    assert.throws(() => new nn.LayerNorm(3).forward(ones([3, 4])), /layerNorm: input of shape \[3,4\] does not end in normalizedShape \[3\]/);
    assert.throws(() => new nn.LayerNorm([]), /nn\.LayerNorm: normalizedShape must be a positive integer or a non-empty array/);
  });
});

describe('nn.Dropout', () => {
  it('drops in training, a new mask each call; passes the input through in evaluation', () => {
    const drop = new nn.Dropout(0.5, { seed: 0 });
    const x = ones([100]);
    const a = drop.forward(x).toArray(), b = drop.forward(x).toArray();
    assert.notDeepEqual(a, b);
    assert.deepEqual(new nn.Dropout(0.5, { seed: 0 }).forward(x).toArray(), a, 'the same seed, the same masks');
    assert.equal(drop.eval().forward(x), x);
    assert.equal(new nn.Dropout(0).forward(x), x);
    assert.equal(drop.parameters().length, 0);
  });
  it('is switched by its parent\'s eval()', () => {
    const model = new nn.Sequential(new nn.Linear(3, 3, { seed: 0 }), new nn.Dropout(0.9));
    const x = ones([2, 3]);
    model.eval();
    assert.deepEqual(model.forward(x).toArray(), model.modules[0].forward(x).toArray());
  });
  it('refuses p outside [0, 1]', () => {
    assert.throws(() => new nn.Dropout(1.2), /nn\.Dropout: p must be a probability in \[0, 1\], got 1.2/);
  });
});

describe('nn.Residual', () => {
  it('computes x + inner(x), with inner\'s parameters under inner.', () => {
    const inner = new nn.Linear(3, 3, { seed: 1 });
    const block = new nn.Residual(inner);
    const x = randn([2, 3], { seed: 5 });
    assert.deepEqual(block.forward(x).toArray(), x.add(inner.forward(x)).toArray());
    assert.deepEqual(block.namedParameters().map(([n]) => n), ['inner.weight', 'inner.bias']);
    assert.equal(inner.weight.name, 'inner.weight');
  });
  it('hands the output\'s gradient straight to x (the identity path) plus what flows through inner', () => {
    const zero = new nn.Linear(3, 3, { seed: 2 });
    zero.weight.data.fill(0);
    const x = randn([2, 3], { seed: 6, requiresGrad: true });
    new nn.Residual(zero).forward(x).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [[1, 1, 1], [1, 1, 1]]);
  });
  it('refuses an inner that changes the shape, or is not a module', () => {
    assert.throws(() => new nn.Residual(new nn.Linear(3, 2)).forward(ones([1, 3])), /nn\.Residual: inner maps \[1,3\] to \[1,2\]; x \+ inner\(x\) needs the same shape/);
    assert.throws(() => new nn.Residual((() => 1) as unknown as nn.Module), /nn\.Residual: inner must be a module, got function/);
  });
});
