// module.train(), module.eval() and module.training: the mode every module carries, set on a whole tree at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nn, Tensor } from '../../kernel/engine';

class Pair extends nn.Module {
  first = new nn.Linear(2, 2, { seed: 0 });
  rest = [new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 1, { seed: 1 }))];
  forward(x: Tensor): Tensor { return this.rest[0].forward(this.first.forward(x)); }
}

/** Every module of the tree, depth first. */
function all(m: nn.Module): nn.Module[] {
  return [m, ...m.namedChildren().flatMap(([, c]) => all(c))];
}

describe('train and eval', () => {
  it('a module is in training mode by default', () => {
    assert.equal(new nn.Linear(2, 3).training, true);
    assert.ok(all(new Pair()).every((m) => m.training));
  });
  it('eval() sets every submodule (fields, arrays, Sequential) to evaluation mode and returns the module', () => {
    const model = new Pair();
    assert.equal(model.eval(), model);
    const modules = all(model);
    assert.equal(modules.length, 5);
    assert.ok(modules.every((m) => !m.training));
  });
  it('train() switches the whole tree back; train(false) is eval()', () => {
    const model = new Pair().eval();
    assert.equal(model.train(), model);
    assert.ok(all(model).every((m) => m.training));
    model.train(false);
    assert.ok(all(model).every((m) => !m.training));
  });
  it('a submodule can be switched on its own', () => {
    const model = new Pair();
    model.rest[0].eval();
    assert.deepEqual(all(model).map((m) => m.training), [true, true, false, false, false]);
  });
  it('the mode is not a parameter', () => {
    assert.deepEqual(new Pair().namedParameters().map(([n]) => n), ['first.weight', 'first.bias', 'rest.0.1.weight', 'rest.0.1.bias']);
  });
  it('train() refuses a mode that is not a boolean', () => {
    assert.throws(() => new Pair().train('no' as unknown as boolean), /train: mode must be a boolean, got string/);
  });
});
