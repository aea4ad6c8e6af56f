#!/usr/bin/env python3
"""PyTorch reference numbers for the normalisation group: layerNorm, batchNorm, dropout, and the modules built on
them (nn.LayerNorm, nn.BatchNorm1d/2d, nn.Dropout, nn.Residual).

    /usr/bin/python3 scripts/torchFixturesNorm.py

Writes under test/unit/fixtures/torch/:
  ops-norm.json  op cases in the format of torchFixtures.case (torchOps.test.ts runs them: value, gradient in float64
                 and float32, second order). batchNorm cases in training also carry the running statistics after the
                 call (`runningMean`, `runningVar`), checked by normOps.test.ts. Where the tensors do not all come first
                 in the call (layerNorm(x, normalizedShape, weight, bias); batchNorm without running statistics),
                 a case says where each input goes (`inputPositions`).
  nn-norm.json   the modules with given parameters, in training and evaluation: outputs, gradients, running
                 statistics after each step (normModules.test.ts).

dropout's mask cannot match PyTorch's bit for bit (another generator): its cases here are the deterministic ones
(training false, p = 0, p = 1); the mask itself is tested for its seed, rate and scaling in normOps.test.ts.
"""
import numpy as np
import torch
import torch.nn.functional as F

import torchFixtures as tf

tf.OPS.clear()
tf.rng.seed(16_2026)
arr, js = tf.arr, tf.js


def positive(*shape):
    return tf.arr(*shape, lo=0.3, hi=2.0)


# ---- layerNorm: layerNorm(x, normalizedShape, weight?, bias?, { eps }) ----
def layer_norm_case(title, x_shape, shape, weight=True, bias=True, eps=None, shape_arg=None):
    """The call's slots are x, normalizedShape, weight, bias, options: inputs fill theirs, args the others."""
    w_value = arr(*shape, lo=0.5, hi=1.5) if weight else None
    b_value = arr(*shape) if bias else None
    slots = [('input', arr(*x_shape)), ('arg', shape if shape_arg is None else shape_arg),
             ('input' if weight else 'arg', w_value), ('input' if bias else 'arg', b_value),
             ('arg', None if eps is None else {'eps': eps})]
    while slots[-1] == ('arg', None):
        slots.pop()
    inputs = [v for kind, v in slots if kind == 'input']
    args = [v for kind, v in slots if kind == 'arg']
    positions = [i for i, (kind, _) in enumerate(slots) if kind == 'input']

    def fn(x, *wb):
        w = wb[0] if weight else None
        b = wb[-1] if bias else None
        e = 1e-5 if eps is None else eps
        # PyTorch's double backward of layer_norm fails with a bias and no weight: the same maths, spelt out.
        return F.layer_norm(x, shape, None, None, eps=e) + b if b is not None and w is None else F.layer_norm(x, shape, w, b, eps=e)

    tf.case(title, 'layerNorm', inputs, fn, args=args)
    tf.OPS[-1]['inputPositions'] = positions


layer_norm_case('layerNorm [4,5] over [5] with weight and bias', (4, 5), [5])
layer_norm_case('layerNorm [2,3,4] over [3,4], eps 1e-3', (2, 3, 4), [3, 4], eps=1e-3)
layer_norm_case('layerNorm [3,4] over 4 (a number), no weight or bias', (3, 4), [4], weight=False, bias=False, shape_arg=4)
layer_norm_case('layerNorm [2,2,3] over [3], weight only', (2, 2, 3), [3], bias=False)
layer_norm_case('layerNorm [3,4] over [4], bias only', (3, 4), [4], weight=False)
layer_norm_case('layerNorm [6] over [6] (no leading dims)', (6,), [6])


# ---- batchNorm: batchNorm(x, runningMean, runningVar, weight?, bias?, { training, momentum, eps }) ----
def batch_norm_case(title, x_shape, training, affine=True, momentum=0.1, eps=1e-5, running=True):
    c = x_shape[1]
    rm, rv = arr(c, lo=-0.5, hi=0.5), positive(c)
    inputs, mask = [arr(*x_shape)], [True]
    if running:
        inputs += [rm, rv]
        mask += [False, False]
    if affine:
        inputs += [arr(c, lo=0.5, hi=1.5), arr(c)]
        mask += [True, True]
    opts = {'training': training, 'momentum': momentum, 'eps': eps}
    args = ([] if running else [None, None]) + ([] if affine else [None, None]) + [opts]
    updated = {}

    def fn(x, *rest):
        stats = [t.detach().clone() for t in rest[:2]] if running else [None, None]
        w, b = (rest[-2], rest[-1]) if affine else (None, None)
        out = F.batch_norm(x, stats[0], stats[1], w, b, training=training, momentum=momentum, eps=eps)
        updated['stats'] = stats
        return out

    tf.case(title, 'batchNorm', inputs, fn, args=args, grad_mask=mask)
    if running:
        tf.OPS[-1]['runningMean'], tf.OPS[-1]['runningVar'] = js(updated['stats'][0]), js(updated['stats'][1])
    elif affine:
        tf.OPS[-1]['inputPositions'] = [0, 3, 4]


batch_norm_case('batchNorm training [6,3]', (6, 3), True)
batch_norm_case('batchNorm training [4,3,5], momentum 0.2', (4, 3, 5), True, momentum=0.2)
batch_norm_case('batchNorm training [2,3,3,2], eps 1e-3', (2, 3, 3, 2), True, eps=1e-3)
batch_norm_case('batchNorm training [4,3] without weight and bias', (4, 3), True, affine=False)
batch_norm_case('batchNorm training [5,2] without running statistics', (5, 2), True, running=False)
batch_norm_case('batchNorm evaluation [5,4]', (5, 4), False)
batch_norm_case('batchNorm evaluation [2,3,2,2]', (2, 3, 2, 2), False)
batch_norm_case('batchNorm evaluation [3,2,4] without weight and bias', (3, 2, 4), False, affine=False)


# ---- dropout: the deterministic cases ----
tf.case('dropout not training (the input itself)', 'dropout', [arr(2, 3)], lambda x: F.dropout(x, 0.5, training=False),
        args=[{'p': 0.5, 'training': False}])
tf.case('dropout p = 0 (the input itself)', 'dropout', [arr(3, 2)], lambda x: F.dropout(x, 0.0), args=[{'p': 0}])
tf.case('dropout p = 1 (zeros)', 'dropout', [arr(2, 4)], lambda x: F.dropout(x, 1.0), args=[{'p': 1, 'seed': 3}])


# ---- modules ----
def named(module):
    return {k: js(v) for k, v in module.named_parameters()}


def buffers(module):
    return {k: js(v) for k, v in module.named_buffers() if k.endswith(('running_mean', 'running_var'))}


def randomise(module):
    """Parameters away from their initial 1 and 0, so the affine part is tested."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.tensor(arr(*p.shape, lo=0.5, hi=1.5)))


def module_steps(title, kind, make, x_shapes, build_args):
    """Runs a module in training on each x, then once in evaluation: outputs, gradients, running statistics."""
    module = make()
    randomise(module)
    entry = {'title': title, 'kind': kind, 'args': build_args, 'params': named(module), 'steps': []}
    for i, shape in enumerate(x_shapes):
        training = i < len(x_shapes) - 1
        module.train(training)
        x = torch.tensor(arr(*shape), requires_grad=True)
        module.zero_grad()
        out = module(x)
        w = torch.tensor(np.round(tf.rng.uniform(-1.0, 1.0, size=tuple(out.shape)), 3))
        (out * w).sum().backward()
        entry['steps'].append({
            'training': training, 'x': js(x), 'out': js(out), 'w': js(w), 'dx': js(x.grad),
            'grads': {k: js(p.grad) for k, p in module.named_parameters()}, 'buffers': buffers(module),
        })
    return entry


class Residual(torch.nn.Module):
    """x + inner(x): what nn.Residual computes."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


MODULES = [
    module_steps('BatchNorm1d(3) on [6,3], twice in training, then evaluation', 'BatchNorm1d',
                 lambda: torch.nn.BatchNorm1d(3), [(6, 3), (6, 3), (4, 3)], [3]),
    module_steps('BatchNorm1d(2, momentum 0.3, eps 1e-3) on [4,2,5]', 'BatchNorm1d',
                 lambda: torch.nn.BatchNorm1d(2, momentum=0.3, eps=1e-3), [(4, 2, 5), (3, 2, 5)],
                 [2, {'momentum': 0.3, 'eps': 1e-3}]),
    module_steps('BatchNorm2d(3) on [2,3,2,3], twice in training, then evaluation', 'BatchNorm2d',
                 lambda: torch.nn.BatchNorm2d(3), [(2, 3, 2, 3), (2, 3, 2, 3), (1, 3, 2, 2)], [3]),
    module_steps('LayerNorm([3,4]) on [2,3,4]', 'LayerNorm', lambda: torch.nn.LayerNorm([3, 4]),
                 [(2, 3, 4), (2, 3, 4)], [[3, 4]]),
    module_steps('LayerNorm(5, eps 1e-6) on [3,5]', 'LayerNorm', lambda: torch.nn.LayerNorm(5, eps=1e-6),
                 [(3, 5), (3, 5)], [5, {'eps': 1e-6}]),
    module_steps('Residual(Sequential(Linear(4, 4), BatchNorm1d(4), ReLU)) on [5,4]', 'Residual',
                 lambda: Residual(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU())),
                 [(5, 4), (5, 4), (3, 4)], []),
]

if __name__ == '__main__':
    # tf.write's metadata names torchFixtures.py; these files say which generator wrote them.
    meta = {'generator': 'scripts/torchFixturesNorm.py'}
    tf.write('ops-norm', {'cases': tf.OPS, **meta})
    tf.write('nn-norm', {'modules': MODULES, **meta})
    print(f'{len(tf.OPS)} op cases, {len(MODULES)} module runs')
