#!/usr/bin/env python3
"""Writes test/unit/fixtures/torch/ops-elementwise.json: PyTorch's numbers for the elementwise, comparison and
reduction ops added to the engine (atan2, sign, floor, ceil, round, elu, selu, gelu, softplus, silu, cumsum, var,
std, norm, outer, dot, where, the comparisons, argMax/argMin) and for the behaviour of the older ops at NaN and ±inf.

Not run by the tests or by CI. Rerun it with PyTorch (e.g. Debian's python3-torch) after changing a case:

    /usr/bin/python3 scripts/torchFixturesElementwise.py

Two sections:
  cases    op cases in torchFixtures.py's format (value, gradient in float64 and float32, second order), read by
           test/unit/torchOps.test.ts with every ops*.json
  special  calls `op(...args)` whose arguments may hold non-finite numbers (written as the strings 'NaN',
           'Infinity', '-Infinity'), ops without gradient (comparisons, argMax) and where(); each with the output,
           whether it requires grad, and the gradient of (out * w).sum() for each argument that requires grad.
           Read by test/unit/torchElementwise.test.ts.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

import torchFixtures as tf

tf.OPS.clear()
tf.rng.seed(20261207)
arr, case, js = tf.arr, tf.case, tf.js
NAN, INF = float('nan'), float('inf')


def norm_fn(p, dim=None, keep=False):
    return lambda t: torch.linalg.vector_norm(t, p, dim=dim, keepdim=keep)


# ---- cases: values, gradients (float64 and float32) and second order ----
case('atan2 [2,3] and [2,3]', 'atan2', [arr(2, 3), arr(2, 3, away=[0.0])], torch.atan2)
case('atan2 broadcast [2,3] and [3]', 'atan2', [arr(2, 3), arr(3, away=[0.0])], torch.atan2)
case('atan2 second operand without grad', 'atan2', [arr(4), arr(4, away=[0.0])], torch.atan2, grad_mask=[True, False])
for op, fn in [('sign', torch.sign), ('floor', torch.floor), ('ceil', torch.ceil), ('round', torch.round)]:
    case(f'{op} [2,3]', op, [arr(2, 3, lo=-3.0, hi=3.0, away=[-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5], margin=0.02)], fn)
case('round halves to even', 'round', [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])], torch.round,
     note='PyTorch rounds half to even')
case('elu [2,3]', 'elu', [arr(2, 3, away=[0.0])], F.elu)
case('elu alpha 0.5 [5]', 'elu', [arr(5, away=[0.0])], lambda t: F.elu(t, 0.5), args=[0.5])
case('selu [2,3]', 'selu', [arr(2, 3, away=[0.0])], F.selu)
case('gelu [2,4]', 'gelu', [arr(2, 4, lo=-4.0, hi=4.0)], F.gelu)
case('gelu tanh [2,4]', 'gelu', [arr(2, 4, lo=-4.0, hi=4.0)], lambda t: F.gelu(t, approximate='tanh'),
     args=[{'approximate': 'tanh'}])
case('gelu none explicitly [3]', 'gelu', [arr(3)], F.gelu, args=[{'approximate': 'none'}])
case('softplus [2,4]', 'softplus', [arr(2, 4, lo=-5.0, hi=5.0)], F.softplus)
case('softplus beta 2 threshold 3', 'softplus', [arr(6, lo=-3.0, hi=3.0, away=[1.5])], lambda t: F.softplus(t, 2, 3),
     args=[2, 3])
case('softplus above the threshold', 'softplus', [np.array([19.0, 21.0, 25.0])], F.softplus)
case('silu [2,4]', 'silu', [arr(2, 4, lo=-4.0, hi=4.0)], F.silu)
case('cumsum axis 1 [2,4]', 'cumsum', [arr(2, 4)], lambda t: torch.cumsum(t, 1), args=[1])
case('cumsum axis 0 [3,2,2]', 'cumsum', [arr(3, 2, 2)], lambda t: torch.cumsum(t, 0), args=[0])
case('cumsum axis -1 [5]', 'cumsum', [arr(5)], lambda t: torch.cumsum(t, -1), args=[-1])
case('var of all [2,3]', 'var', [arr(2, 3)], torch.var)
case('var axis 1 [3,4]', 'var', [arr(3, 4)], lambda t: torch.var(t, 1), args=[1])
case('var axes [0,2] keepDims correction 0', 'var', [arr(2, 3, 2)],
     lambda t: torch.var(t, (0, 2), unbiased=False, keepdim=True), args=[[0, 2], {'correction': 0, 'keepDims': True}])
case('std of all [2,3]', 'std', [arr(2, 3)], torch.std)
case('std axis 0 [4,2]', 'std', [arr(4, 2)], lambda t: torch.std(t, 0), args=[0])
case('std axis -1 keepDims correction 0', 'std', [arr(2, 5)], lambda t: torch.std(t, -1, unbiased=False, keepdim=True),
     args=[-1, {'correction': 0, 'keepDims': True}])
case('norm 2 of all [2,3]', 'norm', [arr(2, 3)], norm_fn(2))
case('norm 2 axis 1 [3,4]', 'norm', [arr(3, 4)], norm_fn(2, 1), args=[2, 1])
case('norm 1 axis 0 keepDims', 'norm', [arr(3, 2, away=[0.0])], norm_fn(1, 0, True), args=[1, 0, True])
case('norm Infinity axis -1', 'norm', [tf.distinct(2, 4)], norm_fn(INF, -1), args=['Infinity', -1])
case('norm 3 of all [5]', 'norm', [arr(5, away=[0.0])], norm_fn(3), args=[3])
case('norm 0.5 axis [0,1] of [2,2,2]', 'norm', [arr(2, 2, 2, away=[0.0])], norm_fn(0.5, (0, 1)), args=[0.5, [0, 1]])
case('outer [3] and [4]', 'outer', [arr(3), arr(4)], torch.outer)
case('outer second without grad', 'outer', [arr(2), arr(3)], torch.outer, grad_mask=[True, False])
case('dot [5] and [5]', 'dot', [arr(5), arr(5)], torch.dot)

# ---- special: non-finite values, ops without gradient, where ----
SPECIAL = []


def num(v):
    v = float(v)
    return v if math.isfinite(v) else ('NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity'))


def stored(t):
    a = t.detach().clone().to(torch.float64).numpy() if isinstance(t, torch.Tensor) else np.asarray(t, np.float64)
    return {'shape': list(a.shape), 'data': [num(v) for v in a.reshape(-1)]}


class T:
    """A tensor argument: values, and whether it requires grad."""
    def __init__(self, values, grad=True):
        self.values, self.grad = np.asarray(values, dtype=np.float64), grad


def special(title, op, args, fn, method=True, note=None):
    """`fn` computes the same in PyTorch from the arguments (T made tensors); its result is made float64."""
    targs = [torch.tensor(a.values, requires_grad=a.grad) if isinstance(a, T) else a for a in args]
    out = fn(*targs)
    leaves = [t for t in targs if isinstance(t, torch.Tensor)]
    entry = {'title': title, 'op': op, 'method': method and isinstance(args[0], T),
             'args': [{'tensor': stored(a.values), 'requiresGrad': a.grad} if isinstance(a, T) else a for a in args],
             'out': stored(out), 'outRequiresGrad': bool(out.requires_grad)}
    if out.requires_grad:
        w = torch.tensor(np.round(tf.rng.uniform(-1.0, 1.0, size=tuple(out.shape)), 3))
        wrt = [t for t in leaves if t.requires_grad]
        grads = iter(torch.autograd.grad((out * w).sum(), wrt, allow_unused=True))
        entry['w'] = stored(w)
        entry['grads'] = [(lambda g, t: stored(torch.zeros_like(t) if g is None else g))(next(grads), t)
                          if t.requires_grad else None for t in leaves]
    if note:
        entry['note'] = note
    SPECIAL.append(entry)


EDGE = [NAN, INF, -INF, 0.0, -0.0, 1.5, -1.5, 0.5, -0.5]
for op, fn, extra in [('relu', torch.relu, []), ('leakyRelu', lambda t: F.leaky_relu(t, 0.01), []),
                      ('leakyRelu', lambda t, s: F.leaky_relu(t, s), [0.2]), ('abs', torch.abs, []),
                      ('clamp', lambda t, lo, hi: torch.clamp(t, lo, hi), [-1.0, 1.0]),
                      ('clamp', lambda t, lo: torch.clamp(t, min=lo), [0.0]),
                      ('sign', torch.sign, []), ('floor', torch.floor, []), ('ceil', torch.ceil, []),
                      ('round', torch.round, []), ('elu', F.elu, []), ('selu', F.selu, []), ('gelu', F.gelu, []),
                      ('softplus', F.softplus, []), ('silu', F.silu, []), ('exp', torch.exp, []),
                      ('tanh', torch.tanh, []), ('sigmoid', torch.sigmoid, []), ('sqrt', torch.sqrt, [])]:
    special(f'{op}{extra} at NaN, ±inf, ±0, ±0.5, ±1.5', op, [T(EDGE)] + extra, fn)
special('gelu tanh at NaN, ±inf, ±0, ±0.5, ±1.5', 'gelu', [T(EDGE), {'approximate': 'tanh'}],
        lambda t, o: F.gelu(t, approximate='tanh'))
PAIRS_A = [NAN, 1.0, NAN, 2.0, INF, -INF, 0.0, INF]
PAIRS_B = [1.0, NAN, NAN, 2.0, INF, 1.0, -0.0, -INF]
for op, fn in [('maximum', torch.maximum), ('minimum', torch.minimum), ('atan2', torch.atan2),
               ('add', torch.add), ('mul', torch.mul)]:
    special(f'{op} with NaN and ±inf on either side', op, [T(PAIRS_A), T(PAIRS_B)], fn)
ROWS = [[1.0, NAN, 3.0, NAN], [1.0, 5.0, 5.0, 0.0], [-INF, -INF, 2.0, INF]]
for op, largest in [('max', True), ('min', False)]:
    pick = torch.max if largest else torch.min
    special(f'{op} along axis 1 with NaN and ties: the first extreme (first NaN) gets the gradient', op,
            [T(ROWS), 1], lambda t, a, f=pick: f(t, a).values)
    special(f'{op} of all with NaN: the first NaN gets the gradient', op, [T(ROWS)],
            lambda t, f=pick: f(t.reshape(-1), 0).values)
special('sum with NaN and inf', 'sum', [T(ROWS), 1], lambda t, a: t.sum(a))
special('cumsum with NaN and inf', 'cumsum', [T(ROWS), 1], lambda t, a: torch.cumsum(t, a))
special('elu alpha 2 at 0: the negative branch', 'elu', [T([-1.0, 0.0, 1.0]), 2.0], lambda t, a: F.elu(t, a),
        note="first order only: PyTorch's second derivative at exactly 0 takes the other branch")
for p in [2, 1, 3, 'Infinity']:
    special(f'norm {p} of zeros', 'norm', [T(np.zeros(3)), p], lambda t, q: torch.linalg.vector_norm(t, float(q)),
            note='PyTorch: gradient 0 where the norm is 0')
special('norm Infinity with NaN', 'norm', [T([[1.0, NAN], [-3.0, 2.0]]), 'Infinity', 1],
        lambda t, p, a: torch.linalg.vector_norm(t, INF, dim=a))

# No gradient: comparisons (PyTorch's bool results as 0/1), argMax/argMin (int64 as float64).
CA = [NAN, 1.0, 2.0, INF, -0.0, 3.0]
CB = [1.0, NAN, 2.0, INF, 0.0, -1.0]
for op, fn in [('gt', torch.gt), ('ge', torch.ge), ('lt', torch.lt), ('le', torch.le), ('eq', torch.eq), ('ne', torch.ne)]:
    special(f'{op} with NaN, inf and ±0', op, [T(CA), T(CB)], lambda a, b, f=fn: f(a, b).double())
    special(f'{op} broadcast [2,3] against a number', op, [T(arr(2, 3)), 0.5], lambda a, b, f=fn: f(a, b).double())
M = [[1.0, 3.0, 3.0, -2.0], [NAN, 0.0, NAN, 7.0], [-1.0, -4.0, -4.0, 2.0]]
for op, f in [('argMax', torch.argmax), ('argMin', torch.argmin)]:
    special(f'{op} along axis 1 (first extreme; NaN is the extreme)', op, [T(M), 1], lambda t, a, g=f: g(t, a).double())
    special(f'{op} along axis 0 keepDims', op, [T(M), 0, True], lambda t, a, k, g=f: g(t, a, keepdim=True).double())
    special(f'{op} of the flattened tensor', op, [T([[1.0, 3.0], [3.0, -2.0]])], lambda t, g=f: g(t).double())
# where: cond as a mask tensor (non-zero and NaN are true), the branches broadcast; gradients to both branches.
special('where with a mask tensor, broadcasting', 'where',
        [T([[1.0, 0.0, 2.0], [0.0, NAN, 0.0]], grad=False), T(arr(2, 3)), T(arr(3))],
        lambda c, a, b: torch.where(c != 0, a, b), method=False, note='non-zero and NaN are true')
special('where with a [3] mask against [2,1] and a number', 'where',
        [T([0.0, 1.0, 1.0], grad=False), T(arr(2, 1)), 0.25], lambda c, a, b: torch.where(c != 0, a, b), method=False)

tf.write('ops-elementwise', {'generator': 'scripts/torchFixturesElementwise.py', 'cases': tf.OPS, 'special': SPECIAL})
