#!/usr/bin/env python3
"""PyTorch reference numbers for the convolution group: conv1d, conv2d, maxPool2d, avgPool2d.

Writes test/unit/fixtures/torch/ops-conv.json (read by test/unit/torchOps.test.ts with every ops*.json). Not run by
the tests or by CI; rerun it after changing a case:

    /usr/bin/python3 scripts/torchFixturesConv.py

Convolutions with every option (stride, padding, dilation, groups, with and without bias, pairs for 2-D);
max pooling with ties (PyTorch sends the gradient to the first maximum in row-major scan order, and so does the
engine) and with padding; average pooling (count_include_pad, as PyTorch's default).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchFixtures as tf  # noqa: E402

tf.OPS.clear()
tf.rng.seed(20261207)
arr = tf.arr


def ties(*shape):
    """Small integers: most pooling windows hold several equal maxima."""
    return tf.rng.randint(0, 3, size=shape).astype(np.float64)


def conv_opts(stride=None, padding=None, dilation=None, groups=None):
    opts = {'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups}
    return {k: v for k, v in opts.items() if v is not None}


def torch_kw(opts):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}


# ---- conv2d ----
CONV2D = [
    ('defaults', (2, 3, 5, 6), (4, 3, 3, 3), {}),
    ('stride 2, padding 1', (2, 2, 6, 5), (3, 2, 3, 3), {'stride': 2, 'padding': 1}),
    ('stride [2,1], padding [0,2]', (1, 2, 7, 5), (2, 2, 3, 2), {'stride': [2, 1], 'padding': [0, 2]}),
    ('dilation 2', (2, 1, 7, 7), (2, 1, 3, 3), {'dilation': 2}),
    ('dilation [1,2], padding 2, stride [1,3]', (1, 2, 6, 9), (3, 2, 2, 3), {'dilation': [1, 2], 'padding': 2, 'stride': [1, 3]}),
    ('groups 2', (2, 4, 5, 5), (6, 2, 3, 3), {'groups': 2, 'padding': 1}),
    ('depthwise (groups = channels)', (1, 3, 5, 4), (3, 1, 2, 2), {'groups': 3}),
    ('1x1 kernel', (2, 3, 4, 4), (5, 3, 1, 1), {}),
    ('kernel as large as the padded input', (1, 2, 3, 3), (2, 2, 5, 5), {'padding': 1}),
]
for title, xs, ws, opts in CONV2D:
    kw = torch_kw(opts)
    tf.case(f'conv2d {title} with bias, x {list(xs)} w {list(ws)}', 'conv2d', [arr(*xs), arr(*ws), arr(ws[0])],
            lambda x, w, b, kw=kw: F.conv2d(x, w, b, **kw), args=[opts])
    tf.case(f'conv2d {title} without bias, x {list(xs)} w {list(ws)}', 'conv2d', [arr(*xs), arr(*ws)],
            lambda x, w, kw=kw: F.conv2d(x, w, None, **kw), args=[None, opts])
tf.case('conv2d with a weight that does not require grad', 'conv2d', [arr(1, 2, 4, 4), arr(3, 2, 2, 2), arr(3)],
        lambda x, w, b: F.conv2d(x, w, b, padding=1), args=[{'padding': 1}], grad_mask=[True, False, True])

# ---- conv1d ----
CONV1D = [
    ('defaults', (2, 3, 8), (4, 3, 3), {}),
    ('stride 2, padding 2', (2, 2, 9), (3, 2, 4), {'stride': 2, 'padding': 2}),
    ('dilation 3', (1, 2, 10), (2, 2, 3), {'dilation': 3}),
    ('groups 3, padding 1', (2, 6, 5), (3, 2, 3), {'groups': 3, 'padding': 1}),
]
for title, xs, ws, opts in CONV1D:
    tf.case(f'conv1d {title} with bias, x {list(xs)} w {list(ws)}', 'conv1d', [arr(*xs), arr(*ws), arr(ws[0])],
            lambda x, w, b, kw=opts: F.conv1d(x, w, b, **kw), args=[opts])
    tf.case(f'conv1d {title} without bias, x {list(xs)} w {list(ws)}', 'conv1d', [arr(*xs), arr(*ws)],
            lambda x, w, kw=opts: F.conv1d(x, w, None, **kw), args=[None, opts])

# ---- maxPool2d ----
POOL = [
    ('kernel 2 with ties', (2, 2, 4, 6), 2, {}),
    ('kernel 3 stride 1 with ties', (1, 2, 5, 5), 3, {'stride': 1}),
    ('kernel [2,3] stride [1,2] padding [1,1] with ties', (1, 3, 5, 6), [2, 3], {'stride': [1, 2], 'padding': [1, 1]}),
    ('kernel 3 stride 2 padding 1 with ties', (2, 1, 7, 7), 3, {'stride': 2, 'padding': 1}),
    ('kernel 2 on an odd size (last row dropped)', (1, 2, 5, 5), 2, {}),
]
for title, xs, k, opts in POOL:
    kt, kw = tuple(k) if isinstance(k, list) else k, torch_kw(opts)
    tf.case(f'maxPool2d {title}, x {list(xs)}', 'maxPool2d', [ties(*xs)],
            lambda x, kt=kt, kw=kw: F.max_pool2d(x, kt, **kw), args=[k, opts] if opts else [k],
            note='ties: the first maximum in scan order gets the gradient, as PyTorch')
tf.case('maxPool2d kernel 2 stride 2 without ties, x [2,3,6,6]', 'maxPool2d', [tf.distinct(2, 3, 6, 6)],
        lambda x: F.max_pool2d(x, 2, stride=2), args=[2, {'stride': 2}])

# ---- avgPool2d ----
AVG = [
    ('kernel 2', (2, 2, 4, 6), 2, {}),
    ('kernel 3 stride 1', (1, 2, 5, 5), 3, {'stride': 1}),
    ('kernel [2,3] stride [2,1] padding [1,1] (padding counted)', (1, 3, 5, 6), [2, 3], {'stride': [2, 1], 'padding': [1, 1]}),
    ('kernel 3 stride 2 padding 1 (padding counted)', (2, 1, 7, 7), 3, {'stride': 2, 'padding': 1}),
]
for title, xs, k, opts in AVG:
    kt, kw = tuple(k) if isinstance(k, list) else k, torch_kw(opts)
    tf.case(f'avgPool2d {title}, x {list(xs)}', 'avgPool2d', [arr(*xs)],
            lambda x, kt=kt, kw=kw: F.avg_pool2d(x, kt, **kw), args=[k, opts] if opts else [k])

if __name__ == '__main__':
    tf.write('ops-conv', {'generator': 'scripts/torchFixturesConv.py', 'cases': tf.OPS})
    print(f'{len(tf.OPS)} convolution and pooling cases')
