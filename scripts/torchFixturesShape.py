#!/usr/bin/env python3
"""PyTorch reference numbers for the shape ops, losses and embedding: pad, tile, split, chunk, flatten(startDim,
endDim), binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, huberLoss, embedding.

    /usr/bin/python3 scripts/torchFixturesShape.py

writes test/unit/fixtures/torch/ops-shape.json in the format of torchFixtures.py's ops.json (torchOps.test.ts reads
it). split and chunk return several tensors: their PyTorch side is the pieces flattened and concatenated, and so is
the engine's (torchOps.test.ts compares a list result that way).
"""
import warnings

import numpy as np
import torch
import torch.nn.functional as F

import torchFixtures as tf
from torchFixtures import arr, case, js

tf.OPS.clear()
tf.rng.seed(20261207)


def np_pad(t, pads, value=0.0):
    """numpy.pad's constant mode with torch: F.pad lists (before, after) from the last dim back."""
    flat = [n for before_after in reversed(pads) for n in before_after]
    return F.pad(t, flat, value=value)


def pieces(parts):
    return torch.cat([p.reshape(-1) for p in parts])


def probs(*shape):
    return arr(*shape, lo=0.05, hi=0.95)


# ---- pad ----
case('pad [2,3] by [[1,0],[2,1]]', 'pad', [arr(2, 3)], lambda t: np_pad(t, [[1, 0], [2, 1]]), args=[[[1, 0], [2, 1]]])
case('pad [3] by [[2,2]] with value 1.5', 'pad', [arr(3)], lambda t: np_pad(t, [[2, 2]], 1.5), args=[[[2, 2]], 1.5])
case('pad [2,1,2] on every dim', 'pad', [arr(2, 1, 2)], lambda t: np_pad(t, [[1, 1], [0, 2], [3, 0]], -1.0),
     args=[[[1, 1], [0, 2], [3, 0]], -1])
case('pad by zero pairs (a copy)', 'pad', [arr(2, 2)], lambda t: np_pad(t, [[0, 0], [0, 0]]), args=[[[0, 0], [0, 0]]])

# ---- tile ----
case('tile [2,3] by [2,2]', 'tile', [arr(2, 3)], lambda t: torch.tile(t, (2, 2)), args=[[2, 2]])
case('tile [3] by [2,1,2] (more reps than dims)', 'tile', [arr(3)], lambda t: torch.tile(t, (2, 1, 2)), args=[[2, 1, 2]])
case('tile [2,3] by [3] (fewer reps than dims)', 'tile', [arr(2, 3)], lambda t: torch.tile(t, (3,)), args=[[3]])
case('tile [2,1,2] by [1,3,1]', 'tile', [arr(2, 1, 2)], lambda t: torch.tile(t, (1, 3, 1)), args=[[1, 3, 1]])

# ---- split, chunk (pieces flattened and concatenated) ----
case('split [5,2] in pieces of 2', 'split', [arr(5, 2)], lambda t: pieces(torch.split(t, 2)), args=[2])
case('split [2,4] in sizes [1,3] along axis 1', 'split', [arr(2, 4)], lambda t: pieces(torch.split(t, [1, 3], 1)),
     args=[[1, 3], 1])
case('split [3,2,4] in pieces of 3 along axis -1', 'split', [arr(3, 2, 4)], lambda t: pieces(torch.split(t, 3, -1)),
     args=[3, -1])
case('chunk [2,5] in 3 along axis 1', 'chunk', [arr(2, 5)], lambda t: pieces(torch.chunk(t, 3, 1)), args=[3, 1])
case('chunk [6] in 4 (only 3 pieces)', 'chunk', [arr(6)], lambda t: pieces(torch.chunk(t, 4)), args=[4])
case('chunk [4,3] in 2', 'chunk', [arr(4, 3)], lambda t: pieces(torch.chunk(t, 2)), args=[2])

# ---- flatten with dims ----
case('flatten dims 1..2 of [2,3,2,2]', 'flatten', [arr(2, 3, 2, 2)], lambda t: torch.flatten(t, 1, 2), args=[1, 2])
case('flatten from dim 1 of [2,3,4]', 'flatten', [arr(2, 3, 4)], lambda t: torch.flatten(t, 1), args=[1])
case('flatten dims -2..-1 of [2,3,4]', 'flatten', [arr(2, 3, 4)], lambda t: torch.flatten(t, -2, -1), args=[-2, -1])
case('flatten of a [] tensor', 'flatten', [arr()], lambda t: torch.flatten(t))

# ---- losses ----
case('binaryCrossEntropy [2,3] soft targets', 'binaryCrossEntropy', [probs(2, 3), probs(2, 3)], F.binary_cross_entropy)
case('binaryCrossEntropy 0/1 targets without grad', 'binaryCrossEntropy', [probs(5), np.array([1.0, 0.0, 0.0, 1.0, 1.0])],
     F.binary_cross_entropy, grad_mask=[True, False])
case('binaryCrossEntropy of a [] probability', 'binaryCrossEntropy', [probs(), probs()], F.binary_cross_entropy)
case('binaryCrossEntropyWithLogits [2,3]', 'binaryCrossEntropyWithLogits', [arr(2, 3, lo=-4, hi=4), probs(2, 3)],
     F.binary_cross_entropy_with_logits)
case('binaryCrossEntropyWithLogits of large logits (stable)', 'binaryCrossEntropyWithLogits',
     [np.array([800.0, -800.0, 40.0, -40.0]), np.array([1.0, 0.0, 0.0, 1.0])], F.binary_cross_entropy_with_logits,
     grad_mask=[True, False])
case('nllLoss [4,3]', 'nllLoss', [arr(4, 3)], lambda t: F.nll_loss(t, torch.tensor([0, 2, 1, 2])), args=[[0, 2, 1, 2]])
case('nllLoss with a tensor of targets', 'nllLoss', [arr(3, 5)], lambda t: F.nll_loss(t, torch.tensor([4, 0, 4])),
     args=[{'tensor': js(np.array([4.0, 0.0, 4.0]))}])
case('nllLoss [3] with one target', 'nllLoss', [arr(3)], lambda t: F.nll_loss(t, torch.tensor(1)),
     args=[{'tensor': js(np.array(1.0))}])
case('nllLoss [2,3,2] with targets [2,2]', 'nllLoss', [arr(2, 3, 2)],
     lambda t: F.nll_loss(t, torch.tensor([[0, 2], [1, 1]])), args=[[[0, 2], [1, 1]]])
with warnings.catch_warnings():
    warnings.simplefilter('ignore')  # PyTorch warns when huber_loss broadcasts; docs/api.md allows it
    case('huberLoss [2,3] default delta', 'huberLoss', [arr(2, 3), arr(2, 3)], F.huber_loss)
    case('huberLoss delta 0.5', 'huberLoss', [arr(3, 2), arr(3, 2)], lambda p, t: F.huber_loss(p, t, delta=0.5),
         args=[{'delta': 0.5}])
    case('huberLoss broadcast [2,3] and [3], target without grad', 'huberLoss', [arr(2, 3), arr(3)],
         lambda p, t: F.huber_loss(p, t, delta=0.8), args=[{'delta': 0.8}], grad_mask=[True, False])

# ---- embedding (the indices are an input that does not require grad) ----
case('embedding [2,2] indices of weight [4,3]', 'embedding', [np.array([[0.0, 2.0], [3.0, 2.0]]), arr(4, 3)],
     lambda i, w: F.embedding(i.long(), w), grad_mask=[False, True])
case('embedding [5] indices with repeats of weight [3,2]', 'embedding', [np.array([1.0, 1.0, 0.0, 2.0, 1.0]), arr(3, 2)],
     lambda i, w: F.embedding(i.long(), w), grad_mask=[False, True])
case('embedding of a [] index', 'embedding', [np.array(2.0), arr(3, 4)], lambda i, w: F.embedding(i.long(), w),
     grad_mask=[False, True])

tf.write('ops-shape', {'cases': tf.OPS})
