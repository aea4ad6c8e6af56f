#!/usr/bin/env python3
"""Writes test/unit/fixtures/conformance/cases.json: docs/api.md's argument forms and edge cases against PyTorch, for
test/unit/conformance.test.ts. It aims at what scripts/torchFixtures.py leaves out: numbers as either operand,
0-d tensors, mixed dtypes, axis spellings ([], 0-d, negative), non-finite values and their gradients, batched
matmul broadcasting, TensorFlow.js's slice/gather spellings, creation functions, toString, an nn.Sequential trained by SGD and Adam.

Not run by the tests or by CI. Rerun it with PyTorch (e.g. Debian's python3-torch) after changing a case:

    /usr/bin/python3 scripts/conformanceFixtures.py

A case is a call `op(...args)` (and, when the first argument is a tensor, `args[0].op(...rest)`); tensor
arguments are built from their stored values, dtype and requiresGrad. The test compares the output (values,
shape, dtype) and, when an argument requires grad, the gradient of (out * w).sum() for a fixed w. Where docs/api.md
and PyTorch disagree the expected numbers follow docs/api.md and the case says so in `note`. Non-finite numbers are
written as the strings 'NaN', 'Infinity' and '-Infinity'.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'unit', 'fixtures', 'conformance')
rng = np.random.RandomState(20261128)
DT = {'float64': torch.float64, 'float32': torch.float32}


class T:
    """A tensor argument: values, dtype, and whether it requires grad."""
    def __init__(self, values, grad=True, dtype='float64'):
        self.values, self.grad, self.dtype = np.asarray(values, dtype=np.float64), grad, dtype


class Undefined:
    """An argument left out (JavaScript's undefined)."""


def arr(*shape, lo=-2.0, hi=2.0):
    return np.round(rng.uniform(lo, hi, size=shape), 3)


def num(v):
    v = float(v)
    return v if math.isfinite(v) else ('NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity'))


def stored(t, dtype=None):
    a = t.detach().clone().to(torch.float64).numpy() if isinstance(t, torch.Tensor) else np.asarray(t, np.float64)
    out = {'shape': list(a.shape), 'data': [num(v) for v in a.reshape(-1)]}
    if dtype:
        out['dtype'] = dtype
    return out


def encode(a):
    if isinstance(a, T):
        return {'tensor': stored(a.values), 'dtype': a.dtype, 'requiresGrad': a.grad}
    if isinstance(a, Undefined):
        return {'undefined': True}
    if isinstance(a, list) and a and all(isinstance(e, T) for e in a):
        return {'list': [encode(e) for e in a]}
    return a


def to_torch(a):
    if isinstance(a, T):
        return torch.tensor(a.values, dtype=DT[a.dtype], requires_grad=a.grad)
    if isinstance(a, list) and a and all(isinstance(e, T) for e in a):
        return [to_torch(e) for e in a]
    return a


CASES = []


def case(title, op, args, fn, note=None, method=True):
    """`fn` computes the same thing in PyTorch from the converted arguments (Undefined passed as None)."""
    targs = [to_torch(a) for a in args]
    out = fn(*[None if isinstance(a, Undefined) else a for a in targs])
    leaves = [t for a in targs for t in (a if isinstance(a, list) else [a]) if isinstance(t, torch.Tensor)]
    entry = {'title': title, 'op': op, 'args': [encode(a) for a in args],
             'method': method and isinstance(args[0], T),
             'out': stored(out, str(out.dtype).replace('torch.', ''))}
    wrt = [t for t in leaves if t.requires_grad]
    if wrt:
        w = torch.tensor(np.round(rng.uniform(-1.0, 1.0, size=tuple(out.shape)), 3), dtype=out.dtype)
        grads = torch.autograd.grad((out * w).sum(), wrt, allow_unused=True)
        it = iter(grads)
        entry['w'] = stored(w)
        entry['grads'] = [(lambda g, t: stored(torch.zeros_like(t) if g is None else g, str(t.dtype).replace('torch.', '')))(next(it), t)
                          if t.requires_grad else None for t in leaves]
    if note:
        entry['note'] = note
    CASES.append(entry)


def first_extreme(x, axes, keep, largest):
    """max/min over `axes` with the gradient sent to the first extreme element in row-major order (docs/api.md)."""
    nd = x.dim()
    axes = sorted(a % nd for a in axes) if nd else []
    kept = [d for d in range(nd) if d not in axes]
    y = x.permute(*kept, *axes).reshape(*[x.shape[d] for d in kept], -1)
    idx = (y.argmax if largest else y.argmin)(-1, keepdim=True)
    # argmax/argmin may pick any of tied elements: take the first equal to the extreme instead.
    ext = (y.amax if largest else y.amin)(-1, keepdim=True)
    pos = torch.arange(y.shape[-1]).expand_as(y)
    idx = torch.where(y == ext, pos, y.shape[-1]).amin(-1, keepdim=True)
    out = y.gather(-1, idx).squeeze(-1)
    if keep:
        for d in axes:
            out = out.unsqueeze(d)
    return out


# ---- elementwise: a plain number on either side, 0-d tensors, mixed dtypes ----
for op, fn in [('add', torch.add), ('sub', torch.sub), ('mul', torch.mul), ('div', torch.div), ('pow', torch.pow),
               ('maximum', torch.maximum), ('minimum', torch.minimum)]:
    lo = 0.3 if op in ('div', 'pow') else -2.0
    case(f'{op}(2.5, x): a number first', op, [2.5, T(arr(2, 3, lo=lo))],
         lambda a, b, f=fn: f(torch.tensor(a, dtype=b.dtype), b))
    case(f'{op}(x, 0.75): a number second', op, [T(arr(3, lo=lo)), 0.75],
         lambda a, b, f=fn: f(a, torch.tensor(b, dtype=a.dtype)))
    case(f'{op} of a 0-d tensor with a [2,2] tensor', op, [T(arr(lo=lo)), T(arr(2, 2, lo=lo))], fn)
    case(f'{op} of float32 [3] with float64 0-d: float32, as PyTorch', op,
         [T(arr(3, lo=lo), dtype='float32'), T(arr(lo=lo))], fn)
    case(f'{op} of float64 [3] with float32 0-d: float64', op, [T(arr(3, lo=lo)), T(arr(lo=lo), dtype='float32')], fn)
    case(f'{op} of float32 [2,1] with float64 [3]: float64', op,
         [T(arr(2, 1, lo=lo), dtype='float32'), T(arr(3, lo=lo))], fn)
    case(f'{op} of float32 0-d with float64 0-d: float64', op, [T(arr(lo=lo), dtype='float32'), T(arr(lo=lo))], fn)
    case(f'{op} with nested arrays second', op, [T(arr(2, 2, lo=lo)), [[1.5, 2.0], [0.5, 1.25]]],
         lambda a, b, f=fn: f(a, torch.tensor(b)))
case('pow with a negative base and integer exponents', 'pow', [T([-2.0, -1.5, -0.5]), T([3.0, 2.0, -1.0])], torch.pow)
case('pow of a negative base by 0.5 is NaN', 'pow', [T([-4.0, 4.0]), 0.5], lambda a, b: torch.pow(a, b))
case('pow(2, x) with x requiring grad', 'pow', [2.0, T(arr(4))], lambda a, b: torch.pow(a, b))
case('pow at a zero base, tensor exponent', 'pow', [T([0.0, 0.0, 0.0, 2.0]), T([0.0, 2.0, 0.5, 0.0])], torch.pow)
case('div by zero', 'div', [T([1.0, -1.0, 0.0]), T([0.0, 0.0, 2.0])], torch.div)
case('maximum/minimum propagate NaN', 'maximum', [T([float('nan'), 1.0, 2.0]), T([0.0, float('nan'), 1.0])],
     torch.maximum)
case('minimum propagates NaN', 'minimum', [T([float('nan'), 1.0, 2.0]), T([0.0, float('nan'), 1.0])], torch.minimum)

# ---- elementwise, unary: non-finite values and their gradients ----
case('sqrt of negatives is NaN, of 0 has an infinite gradient', 'sqrt', [T([-1.0, 0.0, 4.0])], torch.sqrt)
case('log of 0 is -inf, of negatives NaN', 'log', [T([0.0, -1.0, 2.0])], torch.log)
case('exp of large values overflows to inf', 'exp', [T([800.0, -800.0, 1.0])], torch.exp)
case('sigmoid of large magnitudes', 'sigmoid', [T([-800.0, -40.0, 40.0, 800.0])], torch.sigmoid)
case('tanh of large magnitudes', 'tanh', [T([-30.0, 0.0, 30.0])], torch.tanh)
case('leakyRelu with a negative slope', 'leakyRelu', [T([-2.0, -0.5, 0.5, 2.0]), -0.3],
     lambda a, s: F.leaky_relu(a, s))
case('relu of a 0-d tensor', 'relu', [T(-1.5)], torch.relu)
case('clamp with min > max gives max everywhere', 'clamp', [T([0.0, 1.5, 3.0]), 2.0, 1.0],
     lambda a, lo, hi: torch.clamp(a, lo, hi))
case('clamp with only a minimum (max undefined)', 'clamp', [T([-1.0, 0.25, 2.0]), 0.0, Undefined()],
     lambda a, lo, hi: torch.clamp(a, min=lo))
case('clamp with only a maximum (min null)', 'clamp', [T([-1.0, 0.25, 2.0]), None, 0.5],
     lambda a, lo, hi: torch.clamp(a, max=hi))
case('clamp keeps NaN', 'clamp', [T([float('nan'), 5.0]), -1.0, 1.0], lambda a, lo, hi: torch.clamp(a, lo, hi))
for op, fn in [('neg', torch.neg), ('abs', torch.abs), ('square', torch.square), ('sin', torch.sin), ('cos', torch.cos)]:
    case(f'{op} in float32', op, [T(arr(4), dtype='float32')], fn)

# ---- reductions: axis spellings ----
RED = {
    'sum': lambda t, d, k: t.sum(dim=d, keepdim=k),
    'mean': lambda t, d, k: t.mean(dim=d, keepdim=k),
    'logSumExp': lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k),
    'max': lambda t, d, k: first_extreme(t, d, k, True),
    'min': lambda t, d, k: first_extreme(t, d, k, False),
}
# On a 0-d tensor (one element, no ties) PyTorch's own reductions take axis 0 and -1.
NATIVE = {
    'sum': lambda t, d, k: t.sum(dim=d, keepdim=k),
    'mean': lambda t, d, k: t.mean(dim=d, keepdim=k),
    'logSumExp': lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k),
    'max': lambda t, d, k: torch.amax(t, dim=d, keepdim=k),
    'min': lambda t, d, k: torch.amin(t, dim=d, keepdim=k),
}
ALL3 = (0, 1, 2)
for op, fn in RED.items():
    case(f'{op} over axis [] (all, as PyTorch)', op, [T(arr(2, 3, 4)), []], lambda t, a, f=fn: f(t, ALL3, False))
    case(f'{op} over axis [] with keepDims', op, [T(arr(2, 3, 4)), [], True], lambda t, a, k, f=fn: f(t, ALL3, True))
    native = NATIVE[op]
    case(f'{op} of a 0-d tensor over axis 0', op, [T(arr()), 0], lambda t, a, f=native: f(t, 0, False))
    case(f'{op} of a 0-d tensor over axis -1 with keepDims', op, [T(arr()), -1, True],
         lambda t, a, k, f=native: f(t, -1, True))
    case(f'{op} of a 0-d tensor over all', op, [T(arr())], lambda t, f=native: f(t, 0, False))
    case(f'{op} over axes [-1, 0] with keepDims', op, [T(arr(2, 3, 4)), [-1, 0], True],
         lambda t, a, k, f=fn: f(t, (2, 0), True))
    case(f'{op} with axis undefined and keepDims', op, [T(arr(2, 3)), Undefined(), True],
         lambda t, a, k, f=fn: f(t, (0, 1), True))
    case(f'{op} with axis null', op, [T(arr(2, 3)), None], lambda t, a, f=fn: f(t, (0, 1), False))
    case(f'{op} in float32 over axis 1', op, [T(arr(3, 4), dtype='float32'), 1], lambda t, a, f=fn: f(t, (1,), False))
TIES = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]]
for op, largest in [('max', True), ('min', False)]:
    data = TIES if largest else [[-v for v in r] for r in TIES]
    case(f'{op} over all with ties: the gradient goes to the first', op, [T(data)],
         lambda t, l=largest: first_extreme(t, (0, 1), False, l), note='docs/api.md: first element; PyTorch splits')
    case(f'{op} over axis 1 with ties', op, [T(data), 1], lambda t, a, l=largest: first_extreme(t, (1,), False, l),
         note='docs/api.md: first element; PyTorch amax splits')
    case(f'{op} over axis 0 with ties, keepDims', op, [T(data), 0, True],
         lambda t, a, k, l=largest: first_extreme(t, (0,), True, l), note='docs/api.md: first element')
case('max with -inf entries', 'max', [T([[float('-inf'), float('-inf')], [1.0, float('-inf')]]), 1],
     lambda t, a: first_extreme(t, (1,), False, True))
case('logSumExp of a row of -inf', 'logSumExp', [T([[float('-inf'), float('-inf')], [0.0, 1.0]]), 1],
     lambda t, a: torch.logsumexp(t, 1))
case('logSumExp with +inf', 'logSumExp', [T([[float('inf'), 1.0], [float('-inf'), 2.0]]), -1],
     lambda t, a: torch.logsumexp(t, -1))
case('mean of an empty axis is NaN', 'mean', [T(np.zeros((2, 0))), 1], lambda t, a: t.mean(1))
case('sum of an empty tensor is 0', 'sum', [T(np.zeros((0,)))], lambda t: t.sum())

# ---- matmul: every rank combination, broadcast batch dims ----
MATMUL = [((4,), (2, 1, 4, 3)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 1, 2, 4), (1, 5, 4, 2)), ((2, 3, 4, 5), (5,)),
          ((1, 3), (2, 3, 1)), ((2, 2, 3), (1, 3, 2)), ((1,), (1,)), ((5, 3), (3, 1))]
for sa, sb in MATMUL:
    case(f'matmul {list(sa)} @ {list(sb)}', 'matmul', [T(arr(*sa)), T(arr(*sb))], torch.matmul)
case('matmul of float32 with float64: float64', 'matmul', [T(arr(2, 3), dtype='float32'), T(arr(3, 2))],
     lambda a, b: a.double() @ b, note='PyTorch refuses mixed dtypes in matmul; the engine promotes, as elsewhere')
case('matmul in float32', 'matmul', [T(arr(2, 3, 4), dtype='float32'), T(arr(4, 2), dtype='float32')], torch.matmul)
case('matmul with nested arrays second', 'matmul', [T(arr(2, 2)), [[1.0], [-2.0]]],
     lambda a, b: a @ torch.tensor(b, dtype=a.dtype))

# ---- shape ops ----
case('reshape with -1 first', 'reshape', [T(arr(2, 3, 4)), [-1, 4]], lambda t, s: t.reshape(-1, 4))
case('reshape [1] to []', 'reshape', [T(arr(1)), []], lambda t, s: t.reshape(()))
case('reshape [] to [-1]', 'reshape', [T(arr()), [-1]], lambda t, s: t.reshape(-1))
case('flatten of a 0-d tensor', 'flatten', [T(arr())], lambda t: t.flatten())
case('transpose with negative dims', 'transpose', [T(arr(2, 3, 4)), -1, 0], lambda t, a, b: t.transpose(-1, 0))
case('transpose of a dim with itself', 'transpose', [T(arr(2, 3)), 1, 1], lambda t, a, b: t.transpose(1, 1))
case('transpose of a 1-D tensor without arguments', 'transpose', [T(arr(3))], lambda t: t.t())
case('transpose of a 0-d tensor over dims 0, -1', 'transpose', [T(arr()), 0, -1], lambda t, a, b: t.transpose(0, -1))
case('permute with negative dims', 'permute', [T(arr(2, 3, 4)), [-1, 0, -2]], lambda t, d: t.permute(-1, 0, -2))
case('permute of a 0-d tensor', 'permute', [T(arr()), []], lambda t, d: t.permute(()))
case('squeeze an axis that is not 1: no change', 'squeeze', [T(arr(2, 1, 3)), 0], lambda t, a: t.squeeze(0))
case('squeeze axis -2', 'squeeze', [T(arr(2, 1, 3)), -2], lambda t, a: t.squeeze(-2))
case('squeeze a list of axes', 'squeeze', [T(arr(1, 2, 1, 1)), [0, -1]], lambda t, a: t.squeeze(0).squeeze(-1))
case('squeeze of a 0-d tensor over axis 0', 'squeeze', [T(arr()), 0], lambda t, a: t.squeeze(0))
case('squeeze of [1,1] gives []', 'squeeze', [T(arr(1, 1))], lambda t: t.squeeze())
case('unsqueeze axis -3 of [2,3]', 'unsqueeze', [T(arr(2, 3)), -3], lambda t, a: t.unsqueeze(-3))
case('unsqueeze axis 2 (the end) of [2,3]', 'unsqueeze', [T(arr(2, 3)), 2], lambda t, a: t.unsqueeze(2))
case('unsqueeze of a 0-d tensor', 'unsqueeze', [T(arr()), -1], lambda t, a: t.unsqueeze(-1))
case('broadcastTo with -1 (keep that dim)', 'broadcastTo', [T(arr(3, 1)), [2, -1, 4]],
     lambda t, s: t.broadcast_to(2, -1, 4))
case('broadcastTo of a 0-d tensor', 'broadcastTo', [T(arr()), [2, 3]], lambda t, s: t.broadcast_to(2, 3))
case('broadcastTo its own shape', 'broadcastTo', [T(arr(2, 3)), [2, 3]], lambda t, s: t.broadcast_to(2, 3))
case('slice with number begin and size on 2-D (dim 0)', 'slice', [T(arr(4, 3)), 1, 2], lambda t, b, s: t[1:3])
case('slice with a short begin list', 'slice', [T(arr(3, 4, 2)), [1]], lambda t, b: t[1:])
case('slice with size -1 in the middle', 'slice', [T(arr(3, 4, 2)), [0, 1, 1], [2, -1, 1]],
     lambda t, b, s: t[0:2, 1:, 1:2])
case('slice of size 0', 'slice', [T(arr(3, 4)), [1, 2], [0, 2]], lambda t, b, s: t[1:1, 2:4])
case('gather with a 2-D tensor of indices', 'gather', [T(arr(4, 3)), T([[0, 3], [3, 1]], grad=False)],
     lambda t, i: t.index_select(0, i.reshape(-1).long()).reshape(2, 2, 3), note='TensorFlow.js shape: [2,2,3]')
case('gather along axis 1 with a 2-D tensor of indices', 'gather',
     [T(arr(2, 4, 3)), T([[0, 1, 1], [3, 0, 2]], grad=False), 1],
     lambda t, i, a: t.index_select(1, i.reshape(-1).long()).reshape(2, 2, 3, 3))
case('gather along axis -1 with repeats', 'gather', [T(arr(2, 3)), [2, 2, 0, 2], -1],
     lambda t, i, a: t.index_select(-1, torch.tensor(i)))
case('gather with an empty index list', 'gather', [T(arr(3, 2)), []],
     lambda t, i: t.index_select(0, torch.tensor(i, dtype=torch.long)))
case('concat axis -2 of three', 'concat', [[T(arr(2, 1, 3)), T(arr(2, 2, 3)), T(arr(2, 1, 3))], -2],
     lambda ts, a: torch.cat(ts, -2))
case('concat of float32 and float64: float64', 'concat', [[T(arr(2), dtype='float32'), T(arr(3))]],
     lambda ts: torch.cat(ts))
case('concat with an empty tensor', 'concat', [[T(arr(2, 0)), T(arr(2, 3))], 1], lambda ts, a: torch.cat(ts, 1))
case('stack axis -1 of 2-D', 'stack', [[T(arr(2, 3)), T(arr(2, 3))], -1], lambda ts, a: torch.stack(ts, -1))
case('stack axis 1 of three', 'stack', [[T(arr(2, 2)), T(arr(2, 2)), T(arr(2, 2))], 1], lambda ts, a: torch.stack(ts, 1))
case('stack of float32 and float64: float64', 'stack', [[T(arr(2), dtype='float32'), T(arr(2))]],
     lambda ts: torch.stack(ts))

# ---- neural nets ----
case('softmax of a 0-d tensor', 'softmax', [T(arr())], lambda t: torch.softmax(t, -1))
case('logSoftmax of a 0-d tensor over axis 0', 'logSoftmax', [T(arr()), 0], lambda t, a: torch.log_softmax(t, 0))
case('softmax with -inf entries', 'softmax', [T([[float('-inf'), 1.0, 2.0], [0.5, float('-inf'), 0.0]])],
     lambda t: torch.softmax(t, -1))
case('logSoftmax with -inf entries', 'logSoftmax', [T([[float('-inf'), 1.0, 2.0]])], lambda t: torch.log_softmax(t, -1))
case('softmax of a row of -inf is NaN', 'softmax', [T([[float('-inf'), float('-inf')]])],
     lambda t: torch.softmax(t, -1))
case('softmax axis 0 of a [4] vector', 'softmax', [T(arr(4)), 0], lambda t, a: torch.softmax(t, 0))
case('logSoftmax in float32', 'logSoftmax', [T(arr(2, 5), dtype='float32')], lambda t: torch.log_softmax(t, -1))
case('crossEntropy with very negative logits', 'crossEntropy', [T([[-1000.0, -1001.0, -999.0], [3.0, -500.0, 2.0]]),
                                                                [1, 0]],
     lambda t, y: F.cross_entropy(t, torch.tensor(y)))
case('crossEntropy with float targets in a tensor', 'crossEntropy', [T(arr(3, 4)), T([3.0, 0.0, 3.0], grad=False)],
     lambda t, y: F.cross_entropy(t, y.long()))
case('crossEntropy in float32', 'crossEntropy', [T(arr(4, 3), dtype='float32'), [2, 1, 0, 0]],
     lambda t, y: F.cross_entropy(t, torch.tensor(y)))
case('mseLoss broadcasting [3,1] with [4]', 'mseLoss', [T(arr(3, 1)), T(arr(4))],
     lambda a, b: F.mse_loss(*torch.broadcast_tensors(a, b)), note='PyTorch warns and broadcasts')
case('mseLoss against a number', 'mseLoss', [T(arr(2, 3)), 0.5], lambda a, b: F.mse_loss(a, torch.full_like(a, b)))
case('mseLoss of 0-d tensors', 'mseLoss', [T(arr()), T(arr())], F.mse_loss)
case('mseLoss of float32 with float64: float64', 'mseLoss', [T(arr(3), dtype='float32'), T(arr(3))],
     lambda a, b: ((a.double() - b) ** 2).mean(), note="PyTorch's mse_loss gives float64 but its backward fails")

# ---- creation ----
CREATE = []


def create(title, fn, args, expected):
    CREATE.append({'title': title, 'fn': fn, 'args': [encode(a) for a in args], 'out': stored(expected)})


for args in [[5], [2.5], [0], [1, 4], [-3, 3], [1, 2, 0.3], [0, 1, 0.1], [3, 0, -0.7], [10, 0, -3], [-1, 1, 0.25],
             [0, 5, 2], [0.5, 2.5]]:
    create(f'arange({", ".join(map(str, args))})', 'arange', args, torch.arange(*args, dtype=torch.float64))
for args in [[0, 1, 5], [0, 1, 1], [2, -2, 4], [0, 1, 0], [1, 1, 3], [-1, 1, 2], [0, 10, 7]]:
    create(f'linspace({", ".join(map(str, args))})', 'linspace', args, torch.linspace(*args, dtype=torch.float64))
for n in [0, 1, 3]:
    create(f'eye({n})', 'eye', [n], torch.eye(n, dtype=torch.float64))
create('full([2, 3], -1.5)', 'full', [[2, 3], -1.5], torch.full((2, 3), -1.5, dtype=torch.float64))
create('full([], 4)', 'full', [[], 4], torch.full((), 4.0, dtype=torch.float64))
create('zeros([2, 0])', 'zeros', [[2, 0]], torch.zeros(2, 0, dtype=torch.float64))
create('ones([])', 'ones', [[]], torch.ones((), dtype=torch.float64))
create('tensor from nested arrays', 'tensor', [[[1, 2, 3], [4, 5, 6]]], torch.tensor([[1, 2, 3], [4, 5, 6]],
                                                                                     dtype=torch.float64))
create('tensor from a number', 'tensor', [2.5], torch.tensor(2.5, dtype=torch.float64))
create('tensor from [[]]', 'tensor', [[[]]], torch.tensor([[]], dtype=torch.float64))
create('tensor from flat data with opts.shape', 'tensor', [[1, 2, 3, 4, 5, 6], {'shape': [3, 2]}],
       torch.arange(1, 7, dtype=torch.float64).reshape(3, 2))
create('scalar(-0.5)', 'scalar', [-0.5], torch.tensor(-0.5, dtype=torch.float64))

# ---- toString: PyTorch's str() of float64 tensors without grad (same numbers, widths, wrapping, '...') ----
TEXT = []
for title, t in [('integers', torch.arange(24.).reshape(2, 3, 4)), ('decimals', torch.tensor([[1.0, 2.5], [3.0, 4.0]])),
                 ('a 0-d tensor', torch.tensor(3.5)), ('an empty tensor', torch.zeros(0)),
                 ('values spanning more than 1000x', torch.tensor([0.5, 1000.5])),
                 ('large integers', torch.tensor([1e6, 2.0])), ('tiny values', torch.tensor([0.0, 1e-5])),
                 ('nan, inf and -0', torch.tensor([float('nan'), float('-inf'), -0.0, 1.5])),
                 ('negative zero among integers', torch.tensor([[1.0, -0.0], [0.0, 2.0]])),
                 ('a row wrapped at 80 columns', torch.arange(30.) / 7),
                 ('rows wrapped at 80 columns', torch.arange(60.).reshape(2, 30) - 30),
                 ('a summarised vector', torch.arange(2000.)), ('a summarised matrix', torch.arange(1600.).reshape(40, 40) / 7),
                 ('a summarised 3-D tensor', torch.arange(3000.).reshape(10, 10, 30) / 3)]:
    TEXT.append({'title': title, 'tensor': stored(t), 'text': str(t)})

# ---- nn.Sequential (a layer without bias, activation modules) trained by each optimiser ----
def sequential():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 4), torch.nn.Sigmoid(),
                               torch.nn.Linear(4, 2, bias=False)).double()


SEQ_INIT = {k: arr(*v.shape, lo=-0.8, hi=0.8) for k, v in sequential().named_parameters()}
SEQ_X, SEQ_T = arr(5, 3), [int(v) for v in rng.randint(0, 2, size=5)]
TRAIN = []
for kind, opts in [('SGD', {'lr': 0.3, 'momentum': 0.9, 'weightDecay': 0.02}),
                   ('Adam', {'lr': 0.05, 'betas': [0.85, 0.995], 'weightDecay': 0.01})]:
    model = sequential()
    with torch.no_grad():
        for k, p in model.named_parameters():
            p.copy_(torch.tensor(SEQ_INIT[k]))
    params = list(model.parameters())
    opt = (torch.optim.SGD(params, lr=opts['lr'], momentum=opts['momentum'], weight_decay=opts['weightDecay'])
           if kind == 'SGD' else
           torch.optim.Adam(params, lr=opts['lr'], betas=tuple(opts['betas']), weight_decay=opts['weightDecay']))
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(torch.tensor(SEQ_X)), torch.tensor(SEQ_T))
        loss.backward()
        opt.step()
        losses.append(float(loss))
    TRAIN.append({'title': f'{kind} {json.dumps(opts)}', 'optimizer': kind, 'options': opts,
                  'names': [k for k, _ in model.named_parameters()], 'initial': {k: stored(v) for k, v in SEQ_INIT.items()},
                  'x': stored(SEQ_X), 'targets': SEQ_T, 'losses': losses,
                  'final': {k: stored(p) for k, p in model.named_parameters()}})

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, 'cases.json'), 'w') as f:
    json.dump({'generator': 'scripts/conformanceFixtures.py', 'torch': torch.__version__, 'cases': CASES,
               'creation': CREATE, 'text': TEXT, 'training': TRAIN}, f, separators=(',', ':'))
    f.write('\n')
print(f'{len(CASES)} op cases, {len(CREATE)} creation cases, {len(TEXT)} toString cases')
