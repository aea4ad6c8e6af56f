#!/usr/bin/env python3
"""PyTorch's LeNet-5-sized training step for `npm run bench` (see bench/lenet.mjs): the same network, batch and
timing (forward+loss, backward, SGD update; median over ITERS steps, best of up to 5 rounds), float32, on THREADS
threads. Prints one line of JSON: forwardMs, backwardMs, updateMs, stepMs.

    /usr/bin/python3 bench/lenetTorch.py THREADS ITERS
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

threads, iters = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
batch, classes = 64, 10
conv1, conv2 = torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Conv2d(6, 16, 5)
fc1, fc2 = torch.nn.Linear(400, 120), torch.nn.Linear(120, classes)
params = [p for m in (conv1, conv2, fc1, fc2) for p in m.parameters()]
x = torch.rand(batch, 1, 28, 28) * 2 - 1
targets = torch.tensor([(i * 7) % classes for i in range(batch)])
opt = torch.optim.SGD(params, lr=0.01)


def loss():
    h = F.max_pool2d(F.relu(conv2(F.max_pool2d(F.relu(conv1(x)), 2))), 2)
    return F.cross_entropy(fc2(F.relu(fc1(h.reshape(batch, 400)))), targets)


def step():
    t0 = time.perf_counter()
    out = loss()
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    opt.step()
    opt.zero_grad()
    t3 = time.perf_counter()
    return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3


warm_until = time.perf_counter() + 1
while time.perf_counter() < warm_until:
    step()
best = None
start = time.perf_counter()
for r in range(5):
    if r > 0 and time.perf_counter() - start > 3:
        break
    runs = [step() for _ in range(iters)]
    result = {
        'forwardMs': statistics.median(f for f, _, _ in runs), 'backwardMs': statistics.median(b for _, b, _ in runs),
        'updateMs': statistics.median(u for _, _, u in runs), 'stepMs': statistics.median(sum(s) for s in runs),
        'torch': torch.__version__, 'threads': threads,
    }
    if best is None or result['stepMs'] < best['stepMs']:
        best = result
print(json.dumps(best))
