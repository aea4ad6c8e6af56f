#!/usr/bin/env python3
"""Writes the PyTorch reference numbers that test/unit/torch*.test.ts compare the engine against.

Not run by the tests or by CI: it documents where the fixtures came from. Rerun it (with PyTorch installed,
e.g. Debian's python3-torch) after changing a case here:

    /usr/bin/python3 scripts/torchFixtures.py

Everything is float64. Inputs are written out explicitly (rounded to 3 decimals, so they read well and parse
to the same doubles everywhere); outputs and gradients are written at full precision.

Files written under test/unit/fixtures/torch/:
  ops.json    for each op of docs/api.md: inputs, extra arguments, output, the gradient of (out * w).sum() for a
              fixed w, and the second-order gradient of sum_i (grad_i * v_i).sum() for a fixed v_i
  nn.json     nn.Linear / MLP forward and backward with given weights
  optim.json  SGD and Adam trajectories (losses and parameters after every step) from given initial weights
  trace.json  a small graph with tensors used twice: every node's gradient and every edge's share of it

A group of ops added later has its own generator beside this one (scripts/torchFixtures<Group>.py) that imports
this module, clears OPS, reseeds rng, calls case() and write('ops-<group>', {'cases': OPS}); torchOps.test.ts reads
every ops*.json. One file per group keeps each group's numbers stable when another group changes.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'unit', 'fixtures', 'torch')
rng = np.random.RandomState(20261128)


def arr(*shape, lo=-2.0, hi=2.0, away=None, margin=0.05):
    """Random values rounded to 3 decimals; `away` lists points to stay `margin` away from (kinks)."""
    x = np.atleast_1d(np.round(rng.uniform(lo, hi, size=shape), 3))
    for p in away or []:
        close = np.abs(x - p) < margin
        x[close] = np.round(p + np.where(x[close] >= p, margin, -margin) * 2, 3)
    return x.reshape(shape)


def distinct(*shape, lo=-2.0, hi=2.0):
    """Values with no ties (max/min send the gradient to one element; PyTorch splits ties, docs/api.md doesn't)."""
    n = int(np.prod(shape)) if shape else 1
    x = np.round(np.linspace(lo, hi, n), 3)
    return rng.permutation(x).reshape(shape)


def js(t):
    """A tensor or array as { shape, data } (row-major, flat). clone(): PyTorch may return a lazy zero tensor
    (no storage) as a gradient, and numpy() of that reads garbage."""
    a = t.detach().clone().numpy() if isinstance(t, torch.Tensor) else np.asarray(t, dtype=np.float64)
    return {'shape': list(a.shape), 'data': [float(v) for v in a.reshape(-1)]}


OPS = []


def case(title, op, inputs, fn, args=(), grad_mask=None, list_input=False, method=True, note=None):
    """One op case. The engine call is `op(...inputs, ...args)` (or `op(inputs, ...args)` when list_input);
    `fn` is the same computation in PyTorch. An arg {'tensor': ...} is built as a tensor without grad."""
    grad_mask = grad_mask or [True] * len(inputs)
    xs = [torch.tensor(a, requires_grad=g) for a, g in zip(inputs, grad_mask)]
    out = fn(*xs)
    w = torch.tensor(np.round(rng.uniform(-1.0, 1.0, size=tuple(out.shape)), 3))
    loss = (out * w).sum()
    wrt = [x for x in xs if x.requires_grad]
    grads = torch.autograd.grad(loss, wrt, create_graph=True) if wrt else []
    vs = [torch.tensor(np.round(rng.uniform(-1.0, 1.0, size=tuple(x.shape)), 3)) for x in wrt]
    second = sum(((g * v).sum() for g, v in zip(grads, vs)), torch.tensor(0.0))
    if second.requires_grad:
        gg = torch.autograd.grad(second, wrt, allow_unused=True)
        gg = [torch.zeros_like(x) if g is None else g for g, x in zip(gg, wrt)]
    else:
        gg = [torch.zeros_like(x) for x in wrt]
    it_g, it_v, it_gg = iter(grads), iter(vs), iter(gg)
    entry = {
        'title': title, 'op': op,
        'inputs': [dict(js(x), requiresGrad=x.requires_grad) for x in xs],
        'args': list(args), 'listInput': list_input, 'method': method and not list_input,
        'out': js(out), 'w': js(w),
        'grads': [js(next(it_g)) if x.requires_grad else None for x in xs],
        'v': [js(next(it_v)) if x.requires_grad else None for x in xs],
        'gradGrads': [js(next(it_gg)) if x.requires_grad else None for x in xs],
    }
    if note:
        entry['note'] = note
    OPS.append(entry)


def dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else (tuple(axis) if isinstance(axis, list) else (axis,))


def reduce_cases(op, torch_fn, data):
    """sum/mean/logSumExp/max/min over no axis, one axis, negative axis, several axes, with keepDims."""
    for axis, keep in [(None, False), (0, False), (1, True), (-1, False), ([0, 2], False), ([0, 2], True)]:
        x = data()
        args = [] if axis is None and not keep else [axis, keep] if keep else [axis]
        case(f'{op} axis={axis} keepDims={keep} [2,3,4]', op, [x],
             lambda t, a=axis, k=keep: torch_fn(t, dims(a, t.dim()), k), args=args)


# ---- elementwise, binary (broadcasting, scalars, plain numbers) ----
for op, fn, lo in [('add', torch.add, -2), ('sub', torch.sub, -2), ('mul', torch.mul, -2), ('div', torch.div, 0.5)]:
    case(f'{op} same shape [2,3]', op, [arr(2, 3), arr(2, 3, lo=lo)], fn)
    case(f'{op} broadcast [2,3] with [3]', op, [arr(2, 3), arr(3, lo=lo)], fn)
    case(f'{op} broadcast [3,1] with [1,4]', op, [arr(3, 1), arr(1, 4, lo=lo)], fn)
    case(f'{op} broadcast [2,1,3] with [4,1]', op, [arr(2, 1, 3), arr(4, 1, lo=lo)], fn)
    case(f'{op} scalar tensor [] with [2,2]', op, [arr(), arr(2, 2, lo=lo)], fn)
    case(f'{op} [2,3] with a plain number', op, [arr(2, 3)], lambda a, f=fn: f(a, 1.75), args=[1.75])
    case(f'{op} second operand without grad', op, [arr(2, 3), arr(3, lo=lo)], fn, grad_mask=[True, False])
case('pow tensor base, tensor exponent, broadcast', 'pow', [arr(2, 3, lo=0.3, hi=2.0), arr(3, lo=-1.5, hi=2.5)],
     torch.pow)
case('pow by plain number 2 (negative base)', 'pow', [arr(2, 3)], lambda a: torch.pow(a, 2), args=[2])
case('pow by plain number 3', 'pow', [arr(4)], lambda a: torch.pow(a, 3), args=[3])
case('pow by plain number 0.5', 'pow', [arr(2, 2, lo=0.2, hi=3.0)], lambda a: torch.pow(a, 0.5), args=[0.5])
case('pow by plain number -1.5', 'pow', [arr(3, lo=0.2, hi=3.0)], lambda a: torch.pow(a, -1.5), args=[-1.5])
for op, fn in [('maximum', torch.maximum), ('minimum', torch.minimum)]:
    case(f'{op} broadcast [2,3] with [3]', op, [arr(2, 3), arr(3)], fn)
    case(f'{op} [2,3] with a plain number', op, [arr(2, 3, away=[0.25])], lambda a, f=fn: f(a, torch.tensor(0.25)),
         args=[0.25])
    case(f'{op} ties split the gradient', op, [np.array([1.0, 2.0, -1.0]), np.array([1.0, 0.5, -1.0])], fn,
         note='PyTorch sends half the gradient to each side of a tie')

# ---- elementwise, unary ----
UNARY = [
    ('neg', torch.neg, {}), ('exp', torch.exp, {}), ('log', torch.log, {'lo': 0.1, 'hi': 3.0}),
    ('sqrt', torch.sqrt, {'lo': 0.1, 'hi': 3.0}), ('abs', torch.abs, {'away': [0.0]}), ('square', torch.square, {}),
    ('tanh', torch.tanh, {}), ('sigmoid', torch.sigmoid, {}), ('relu', torch.relu, {'away': [0.0]}),
    ('sin', torch.sin, {}), ('cos', torch.cos, {}),
]
for op, fn, kw in UNARY:
    case(f'{op} [2,3]', op, [arr(2, 3, **kw)], fn)
    case(f'{op} scalar []', op, [arr(**kw)], fn)
case('leakyRelu default slope [2,3]', 'leakyRelu', [arr(2, 3, away=[0.0])], lambda a: F.leaky_relu(a, 0.01))
case('leakyRelu slope 0.2 [5]', 'leakyRelu', [arr(5, away=[0.0])], lambda a: F.leaky_relu(a, 0.2), args=[0.2])
case('clamp [2,4]', 'clamp', [arr(2, 4, away=[-0.5, 0.75])], lambda a: torch.clamp(a, -0.5, 0.75), args=[-0.5, 0.75])
case('relu at exactly 0', 'relu', [np.array([-1.0, 0.0, 2.0])], torch.relu, note='PyTorch: gradient 0 at 0')
case('abs at exactly 0', 'abs', [np.array([-1.0, 0.0, 2.0])], torch.abs, note='PyTorch: gradient 0 at 0')
case('clamp at its bounds', 'clamp', [np.array([-1.0, -0.5, 0.0, 0.75, 1.0])],
     lambda a: torch.clamp(a, -0.5, 0.75), args=[-0.5, 0.75], note='PyTorch: bounds pass the gradient')

# ---- reductions ----
reduce_cases('sum', lambda t, d, k: t.sum(dim=d, keepdim=k), lambda: arr(2, 3, 4))
reduce_cases('mean', lambda t, d, k: t.mean(dim=d, keepdim=k), lambda: arr(2, 3, 4))
reduce_cases('logSumExp', lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k), lambda: arr(2, 3, 4))
reduce_cases('max', lambda t, d, k: torch.amax(t, dim=d, keepdim=k), lambda: distinct(2, 3, 4))
reduce_cases('min', lambda t, d, k: torch.amin(t, dim=d, keepdim=k), lambda: distinct(2, 3, 4))
case('sum of a [5] vector', 'sum', [arr(5)], lambda t: t.sum())
case('sum of a scalar []', 'sum', [arr()], lambda t: t.sum())
case('max of a [6] vector', 'max', [distinct(6)], lambda t: t.max())
case('logSumExp of large values (stable)', 'logSumExp', [np.array([[800.0, 801.0, 799.5], [-3.0, 0.0, 2.0]])],
     lambda t: torch.logsumexp(t, dim=1), args=[1])

# ---- linear algebra ----
MATMUL = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((1, 5), (5, 1)), ((2, 3, 4), (4, 5)),
          ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 2)), ((2, 1, 3, 4), (3, 4, 2)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,))]
for sa, sb in MATMUL:
    case(f'matmul {list(sa)} @ {list(sb)}', 'matmul', [arr(*sa), arr(*sb)], torch.matmul)
case('matmul without grad on the right', 'matmul', [arr(2, 3), arr(3, 2)], torch.matmul, grad_mask=[True, False])

# ---- shape ----
case('reshape [2,3,4] -> [4,-1]', 'reshape', [arr(2, 3, 4)], lambda t: t.reshape(4, -1), args=[[4, -1]])
case('reshape [6] -> [3,1,2]', 'reshape', [arr(6)], lambda t: t.reshape(3, 1, 2), args=[[3, 1, 2]])
case('reshape [] -> [1,1]', 'reshape', [arr()], lambda t: t.reshape(1, 1), args=[[1, 1]])
case('flatten [2,3,2]', 'flatten', [arr(2, 3, 2)], lambda t: t.flatten())
case('transpose 2-D without arguments', 'transpose', [arr(2, 3)], lambda t: t.t())
case('transpose [2,3,4] dims 0 and 2', 'transpose', [arr(2, 3, 4)], lambda t: t.transpose(0, 2), args=[0, 2])
case('transpose [2,3,4] dims -1 and -2', 'transpose', [arr(2, 3, 4)], lambda t: t.transpose(-1, -2), args=[-1, -2])
case('permute [2,3,4] -> [2,0,1]', 'permute', [arr(2, 3, 4)], lambda t: t.permute(2, 0, 1), args=[[2, 0, 1]])
case('squeeze all [1,3,1,2]', 'squeeze', [arr(1, 3, 1, 2)], lambda t: t.squeeze())
case('squeeze axis 2 [1,3,1,2]', 'squeeze', [arr(1, 3, 1, 2)], lambda t: t.squeeze(2), args=[2])
case('unsqueeze axis 1 [2,3]', 'unsqueeze', [arr(2, 3)], lambda t: t.unsqueeze(1), args=[1])
case('unsqueeze axis -1 [2,3]', 'unsqueeze', [arr(2, 3)], lambda t: t.unsqueeze(-1), args=[-1])
case('broadcastTo [3] -> [2,3]', 'broadcastTo', [arr(3)], lambda t: t.broadcast_to(2, 3), args=[[2, 3]])
case('broadcastTo [2,1] -> [3,2,4]', 'broadcastTo', [arr(2, 1)], lambda t: t.broadcast_to(3, 2, 4), args=[[3, 2, 4]])
case('slice [4,5] begin [1,2] size [2,-1]', 'slice', [arr(4, 5)], lambda t: t[1:3, 2:], args=[[1, 2], [2, -1]])
case('slice [3,4,2] begin [0,1,1] size [3,2,1]', 'slice', [arr(3, 4, 2)], lambda t: t[0:3, 1:3, 1:2],
     args=[[0, 1, 1], [3, 2, 1]])
case('gather rows with repeats', 'gather', [arr(4, 3)], lambda t: torch.index_select(t, 0, torch.tensor([2, 0, 2, 3])),
     args=[[2, 0, 2, 3]])
case('gather along axis 1', 'gather', [arr(2, 4, 3)], lambda t: torch.index_select(t, 1, torch.tensor([3, 1])),
     args=[[3, 1], 1])
case('gather with a tensor of indices', 'gather', [arr(5, 2)],
     lambda t: torch.index_select(t, 0, torch.tensor([4, 4, 1])), args=[{'tensor': js(np.array([4.0, 4.0, 1.0]))}])
case('concat axis 0', 'concat', [arr(2, 3), arr(1, 3), arr(3, 3)], lambda *ts: torch.cat(ts, 0), list_input=True)
case('concat axis 1', 'concat', [arr(2, 1), arr(2, 3)], lambda *ts: torch.cat(ts, 1), args=[1], list_input=True)
case('concat axis -1 of 3-D', 'concat', [arr(2, 2, 1), arr(2, 2, 2)], lambda *ts: torch.cat(ts, -1), args=[-1],
     list_input=True)
case('stack axis 0', 'stack', [arr(2, 3), arr(2, 3)], lambda *ts: torch.stack(ts, 0), list_input=True)
case('stack axis 2', 'stack', [arr(2, 3), arr(2, 3), arr(2, 3)], lambda *ts: torch.stack(ts, 2), args=[2],
     list_input=True)
case('stack of scalars', 'stack', [arr(), arr()], lambda *ts: torch.stack(ts, 0), list_input=True)

# ---- neural nets ----
case('softmax last axis [3,4]', 'softmax', [arr(3, 4)], lambda t: torch.softmax(t, -1))
case('softmax axis 0 [3,4]', 'softmax', [arr(3, 4)], lambda t: torch.softmax(t, 0), args=[0])
case('softmax of a [5] vector', 'softmax', [arr(5)], lambda t: torch.softmax(t, -1))
case('softmax of large logits (stable)', 'softmax', [np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -999.0]])],
     lambda t: torch.softmax(t, -1))
case('logSoftmax last axis [3,4]', 'logSoftmax', [arr(3, 4)], lambda t: torch.log_softmax(t, -1))
case('logSoftmax axis 1 [2,3,2]', 'logSoftmax', [arr(2, 3, 2)], lambda t: torch.log_softmax(t, 1), args=[1])
case('logSoftmax of large logits (stable)', 'logSoftmax', [np.array([[1000.0, 1001.0, 999.0]])],
     lambda t: torch.log_softmax(t, -1))
case('crossEntropy [4,3]', 'crossEntropy', [arr(4, 3)], lambda t: F.cross_entropy(t, torch.tensor([0, 2, 1, 2])),
     args=[[0, 2, 1, 2]])
case('crossEntropy with a tensor of targets', 'crossEntropy', [arr(3, 5)],
     lambda t: F.cross_entropy(t, torch.tensor([4, 0, 3])), args=[{'tensor': js(np.array([4.0, 0.0, 3.0]))}])
case('crossEntropy of large logits (stable)', 'crossEntropy', [np.array([[1000.0, 0.0, -1000.0], [5.0, 900.0, 3.0]])],
     lambda t: F.cross_entropy(t, torch.tensor([0, 2])), args=[[0, 2]])
case('mseLoss [4,2]', 'mseLoss', [arr(4, 2), arr(4, 2)], F.mse_loss)
case('mseLoss target without grad', 'mseLoss', [arr(3), arr(3)], F.mse_loss, grad_mask=[True, False])

# ---- a composite: ops chained, a tensor used twice ----
case('composite tanh(x@W + b) * x reused', 'composite', [arr(2, 3), arr(3, 3), arr(3)],
     lambda x, W, b: torch.tanh(x @ W + b) * x, method=False,
     note='test builds x.matmul(W).add(b).tanh().mul(x)')

# ---- argument spellings at the edges of docs/api.md ----
case('pow by a scalar tensor exponent', 'pow', [arr(2, 2, lo=0.3, hi=2.0), arr(lo=0.5, hi=2.5)], torch.pow)
case('clamp with only a minimum', 'clamp', [arr(5, away=[0.2])], lambda t: torch.clamp(t, min=0.2), args=[0.2, None])
case('clamp with only a maximum', 'clamp', [arr(5, away=[-0.1])], lambda t: torch.clamp(t, max=-0.1), args=[None, -0.1])
case('sum over axes [-1, 0] of [2,3,4]', 'sum', [arr(2, 3, 4)], lambda t: t.sum(dim=(-1, 0)), args=[[-1, 0]])
case('mean of a [5] vector along axis 0 with keepDims', 'mean', [arr(5)], lambda t: t.mean(dim=0, keepdim=True),
     args=[0, True])
case('max along axis -1 of a [6] vector', 'max', [distinct(6)], lambda t: t.max(dim=-1).values, args=[-1])
case('squeeze axis -1 [2,1]', 'squeeze', [arr(2, 1)], lambda t: t.squeeze(-1), args=[-1])
case('slice of a 1-D tensor with number arguments', 'slice', [arr(6)], lambda t: t[2:5], args=[2, 3])
case('slice without a size (to the end)', 'slice', [arr(3, 4)], lambda t: t[1:, 2:], args=[[1, 2]])
case('gather along axis -1', 'gather', [arr(2, 3, 4)], lambda t: torch.index_select(t, 2, torch.tensor([0, 3, 3])),
     args=[[0, 3, 3], -1])
case('concat of one tensor', 'concat', [arr(2, 2)], lambda *ts: torch.cat(ts, 0), list_input=True)
case('stack axis -1', 'stack', [arr(3), arr(3)], lambda *ts: torch.stack(ts, -1), args=[-1], list_input=True)
case('softmax axis -2 of [2,3,4]', 'softmax', [arr(2, 3, 4)], lambda t: torch.softmax(t, -2), args=[-2])
case('crossEntropy of one row', 'crossEntropy', [arr(1, 4)], lambda t: F.cross_entropy(t, torch.tensor([3])),
     args=[[3]])
case('matmul [2,3] @ [3,1] then broadcast add', 'composite2', [arr(2, 3), arr(3, 1), arr(2)],
     lambda a, b, c: (a @ b) + c, method=False, note='test builds a.matmul(b).add(c): [2,1] + [2] -> [2,2]')


# ---- nn ----
def linear_params(fan_in, fan_out, bias=True):
    W = arr(fan_out, fan_in, lo=-0.8, hi=0.8)
    return (W, arr(fan_out, lo=-0.5, hi=0.5)) if bias else (W, None)


NN = {'linear': [], 'mlp': []}
for title, fan_in, fan_out, bias, xshape in [('Linear 3->2 batch 4', 3, 2, True, (4, 3)),
                                               ('Linear 3->2 without bias', 3, 2, False, (4, 3)),
                                               ('Linear 4->3 on a [4] vector', 4, 3, True, (4,)),
                                               ('Linear 3->2 on a [2,4,3] batch', 3, 2, True, (2, 4, 3))]:
    W, b = linear_params(fan_in, fan_out, bias)
    lin = torch.nn.Linear(fan_in, fan_out, bias=bias)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(W))
        if bias:
            lin.bias.copy_(torch.tensor(b))
    x = torch.tensor(arr(*xshape), requires_grad=True)
    out = lin(x)
    w = torch.tensor(arr(*out.shape, lo=-1, hi=1))
    (out * w).sum().backward()
    NN['linear'].append({
        'title': title, 'inFeatures': fan_in, 'outFeatures': fan_out, 'bias': bias,
        'weight': js(W), 'biasValue': js(b) if bias else None, 'x': js(x), 'out': js(out), 'w': js(w),
        'grads': {'x': js(x.grad), 'weight': js(lin.weight.grad), 'bias': js(lin.bias.grad) if bias else None},
    })


def torch_mlp(sizes, activation, weights):
    act = {'relu': torch.nn.ReLU, 'tanh': torch.nn.Tanh, 'sigmoid': torch.nn.Sigmoid}[activation]
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(weights[f'layers.{i}.weight']))
            lin.bias.copy_(torch.tensor(weights[f'layers.{i}.bias']))
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(act())
    model = torch.nn.Sequential(*layers)
    named = []
    for i in range(len(sizes) - 1):
        named += [(f'layers.{i}.weight', layers[2 * i].weight), (f'layers.{i}.bias', layers[2 * i].bias)]
    return model, named


def mlp_weights(sizes):
    weights = {}
    for i in range(len(sizes) - 1):
        W, b = linear_params(sizes[i], sizes[i + 1])
        weights[f'layers.{i}.weight'], weights[f'layers.{i}.bias'] = W, b
    return weights


for activation, loss_kind in [('relu', 'mseLoss'), ('tanh', 'crossEntropy'), ('sigmoid', 'mseLoss')]:
    sizes = [3, 5, 4, 2] if loss_kind == 'mseLoss' else [3, 5, 3]
    weights = mlp_weights(sizes)
    model, named = torch_mlp(sizes, activation, weights)
    x = torch.tensor(arr(6, 3), requires_grad=True)
    out = model(x)
    if loss_kind == 'mseLoss':
        target = arr(6, sizes[-1])
        loss = F.mse_loss(out, torch.tensor(target))
        target_js = js(target)
    else:
        target = [int(v) for v in rng.randint(0, sizes[-1], size=6)]
        loss = F.cross_entropy(out, torch.tensor(target))
        target_js = target
    loss.backward(retain_graph=True)
    # Second order: the Hessian times v, as d/dθ Σ (dLoss/dθ · v) over x and every parameter.
    wrt = [('x', x)] + named
    first = torch.autograd.grad(loss, [t for _, t in wrt], create_graph=True)
    vrng = np.random.RandomState(100 + len(NN['mlp']))
    vs = [torch.tensor(np.round(vrng.uniform(-1.0, 1.0, size=tuple(t.shape)), 3)) for _, t in wrt]
    hvp = torch.autograd.grad(sum((g * v).sum() for g, v in zip(first, vs)), [t for _, t in wrt])
    NN['mlp'].append({
        'title': f'MLP {sizes} {activation} + {loss_kind}', 'sizes': sizes, 'activation': activation,
        'loss': loss_kind, 'params': {k: js(v) for k, v in weights.items()}, 'x': js(x), 'target': target_js,
        'out': js(out), 'lossValue': float(loss), 'grads': {'x': js(x.grad), **{k: js(p.grad) for k, p in named}},
        'v': {k: js(v) for (k, _), v in zip(wrt, vs)}, 'hvp': {k: js(h) for (k, _), h in zip(wrt, hvp)},
    })


# ---- optim ----
def trajectory(make_opt, steps, build):
    """build() -> (named params, loss closure); records the loss before and the params after each step."""
    named, loss_fn = build()
    opt = make_opt([p for _, p in named])
    initial = {k: js(p) for k, p in named}
    losses, params = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        params.append({k: js(p) for k, p in named})
    return initial, losses, params


QA, QB, Q_INIT = arr(4, 3), arr(4), {'p': arr(3), 'q': arr(2), 'unused': arr(2)}


def quadratic():
    """loss = ||A p - b||^2 + 0.5 * q.q; `unused` never gets a gradient (so optimisers must skip it)."""
    p, q, unused = (torch.tensor(Q_INIT[k], requires_grad=True) for k in ['p', 'q', 'unused'])
    A, b = torch.tensor(QA), torch.tensor(QB)
    return [('p', p), ('q', q), ('unused', unused)], lambda: ((A @ p - b) ** 2).sum() + 0.5 * (q * q).sum()


MLP_SIZES, MLP_X, MLP_Y = [2, 4, 1], arr(8, 2), arr(8, 1)


def mlp_problem(weights):
    def build():
        model, named = torch_mlp(MLP_SIZES, 'tanh', weights)
        X, Y = torch.tensor(MLP_X), torch.tensor(MLP_Y)
        return named, lambda: F.mse_loss(model(X), Y)
    return build


OPTIMS = [
    ('SGD', {'lr': 0.05}), ('SGD', {'lr': 0.05, 'momentum': 0.9}), ('SGD', {'lr': 0.05, 'weightDecay': 0.1}),
    ('SGD', {'lr': 0.03, 'momentum': 0.8, 'weightDecay': 0.05}),
    ('Adam', {}), ('Adam', {'lr': 0.05}), ('Adam', {'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.1}),
]


def make_torch_opt(kind, opts):
    if kind == 'SGD':
        return lambda ps: torch.optim.SGD(ps, lr=opts['lr'], momentum=opts.get('momentum', 0),
                                          weight_decay=opts.get('weightDecay', 0))
    return lambda ps: torch.optim.Adam(ps, lr=opts.get('lr', 1e-3), betas=tuple(opts.get('betas', (0.9, 0.999))),
                                       eps=opts.get('eps', 1e-8), weight_decay=opts.get('weightDecay', 0))


OPTIM = {'quadratic': {'A': js(QA), 'b': js(QB)}, 'mlp': {'sizes': MLP_SIZES, 'activation': 'tanh', 'x': js(MLP_X),
                                                       'y': js(MLP_Y)}, 'runs': []}
mlp_init = mlp_weights(MLP_SIZES)
for kind, opts in OPTIMS:
    for problem in ['quadratic', 'mlp']:
        build = quadratic if problem == 'quadratic' else mlp_problem(mlp_init)
        initial, losses, params = trajectory(make_torch_opt(kind, opts), 6, build)
        OPTIM['runs'].append({'title': f'{kind} {json.dumps(opts)} on {problem}', 'optimizer': kind, 'options': opts,
                              'problem': problem, 'initial': initial, 'losses': losses, 'params': params})

# A classifier trained with cross-entropy: relu kinks and the softmax inside every step.
CLS_SIZES, CLS_X, CLS_T = [3, 6, 4], arr(10, 3), [int(v) for v in rng.randint(0, 4, size=10)]
cls_init = mlp_weights(CLS_SIZES)


def classifier():
    model, named = torch_mlp(CLS_SIZES, 'relu', cls_init)
    X, T = torch.tensor(CLS_X), torch.tensor(CLS_T)
    return named, lambda: F.cross_entropy(model(X), T)


OPTIM['classifier'] = {'sizes': CLS_SIZES, 'activation': 'relu', 'x': js(CLS_X), 'targets': CLS_T}
for kind, opts in [('SGD', {'lr': 0.2, 'momentum': 0.9, 'weightDecay': 0.01}), ('Adam', {'lr': 0.03, 'weightDecay': 0.01})]:
    initial, losses, params = trajectory(make_torch_opt(kind, opts), 8, classifier)
    OPTIM['runs'].append({'title': f'{kind} {json.dumps(opts)} on classifier', 'optimizer': kind, 'options': opts,
                          'problem': 'classifier', 'initial': initial, 'losses': losses, 'params': params})


# ---- graph snapshots: each edge's share of the gradient ----
def trace_fixture():
    """A graph where x and h are each used twice and b is broadcast. Every edge (input i of the op that made
    `to`) carries the VJP of that op alone: the op re-applied to detached inputs, differentiated with respect to
    input i, with dLoss/d(to) as the upstream gradient."""
    leaves = {'x': arr(3), 'W': arr(3, 3), 'c': arr(3), 'b': arr()}
    x, W, b = (torch.tensor(leaves[k], requires_grad=True) for k in ['x', 'W', 'b'])
    c = torch.tensor(leaves['c'])
    ops = {'matmul': torch.matmul, 'tanh': torch.tanh, 'mul': torch.mul, 'exp': torch.exp, 'add': torch.add,
           'sum': torch.sum}
    steps = [('a', 'matmul', ['x', 'W']), ('h', 'tanh', ['a']), ('p', 'mul', ['h', 'x']), ('q', 'exp', ['h']),
             ('r', 'mul', ['q', 'c']), ('s', 'add', ['p', 'r']), ('u', 'add', ['s', 'b']), ('loss', 'sum', ['u'])]
    t = {'x': x, 'W': W, 'c': c, 'b': b}
    for name, op, inputs in steps:
        t[name] = ops[op](*(t[k] for k in inputs))
        if name != 'loss':
            t[name].retain_grad()
    t['loss'].backward()
    grads = {k: js(v.grad) for k, v in t.items() if k not in ('c', 'loss')}
    edges = []
    for name, op, inputs in steps:
        upstream = torch.ones(()) if name == 'loss' else t[name].grad
        for i, k in enumerate(inputs):
            share = None
            if t[k].requires_grad:
                local = [t[j].detach().clone().requires_grad_(n == i) for n, j in enumerate(inputs)]
                share, = torch.autograd.grad(ops[op](*local), local[i], upstream)
            edges.append({'to': name, 'from': k, 'argIndex': i, 'grad': None if share is None else js(share)})
    return {'leaves': {k: js(v) for k, v in leaves.items()}, 'steps': [list(st) for st in steps],
            'values': {k: js(v) for k, v in t.items()}, 'grads': grads, 'edges': edges}


def write(name, body):
    """Writes test/unit/fixtures/torch/NAME.json with the generator's metadata."""
    os.makedirs(OUT_DIR, exist_ok=True)
    meta = {'generator': 'scripts/torchFixtures.py', 'torch': torch.__version__, 'dtype': 'float64'}
    with open(os.path.join(OUT_DIR, f'{name}.json'), 'w') as f:
        json.dump({**meta, **body}, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    TRACE = trace_fixture()
    for name, body in [('ops', {'cases': OPS}), ('nn', NN), ('optim', OPTIM), ('trace', TRACE)]:
        write(name, body)
    print(f'{len(OPS)} op cases, {len(NN["linear"]) + len(NN["mlp"])} nn cases, {len(OPTIM["runs"])} optimizer runs')
