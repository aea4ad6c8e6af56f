#!/usr/bin/env python3
"""Writes test/unit/fixtures/torch/jacobian.json: jacobian(f, x) and hessian(f, x) of a few functions, from
torch.autograd.functional, for test/unit/jacobianHessian.test.ts. Each case names its function (the test holds
the same function written with the engine), its constants and input, and PyTorch's result.

    /usr/bin/python3 scripts/torchFixturesJacobian.py

Not an ops-*.json file: these are not ops (no gradient rule of their own), so torchOps.test.ts does not read it.
"""
import torch
import torchFixtures as tf

tf.rng.seed(20261207)
W = torch.tensor(tf.arr(3, 4))
b = torch.tensor(tf.arr(3))
A = torch.tensor(tf.arr(3, 3))
A = (A + A.T) / 2

JACOBIANS = {
    'tanhLayer': (lambda x: (x @ W.T + b).tanh(), tf.arr(4)),
    'sigmoidLayerBatch': (lambda x: (x @ W.T + b).sigmoid(), tf.arr(2, 4)),
    'softmaxRows': (lambda x: x.softmax(-1), tf.arr(2, 3)),
    'logSumExpRows': (lambda x: x.logsumexp(-1), tf.arr(3, 2)),
}
HESSIANS = {
    'cubicSum': (lambda x: x.pow(3).sum(), tf.arr(3)),
    'quadraticForm': (lambda x: 0.5 * (x @ A * x).sum(), tf.arr(3)),
    'tanhNeuronSquaredError': (lambda x: ((x @ W.T + b).tanh() - 0.3).square().sum(), tf.arr(4)),
    'logSumExpAll': (lambda x: x.logsumexp((0, 1)), tf.arr(2, 2)),
}

cases = []
for name, (f, x) in JACOBIANS.items():
    cases.append({'name': name, 'kind': 'jacobian', 'x': tf.js(x), 'result': tf.js(torch.autograd.functional.jacobian(f, torch.tensor(x)))})
for name, (f, x) in HESSIANS.items():
    cases.append({'name': name, 'kind': 'hessian', 'x': tf.js(x), 'result': tf.js(torch.autograd.functional.hessian(f, torch.tensor(x)))})
tf.write('jacobian', {'generator': 'scripts/torchFixturesJacobian.py', 'W': tf.js(W), 'b': tf.js(b), 'A': tf.js(A), 'cases': cases})
