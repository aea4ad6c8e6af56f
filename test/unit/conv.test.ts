// Convolution and pooling beyond the PyTorch fixtures (torchOps) and the finite-difference cases (engineGradients):
// a direct loop as reference on larger shapes, float32 against float64, every thread count giving the same bits,
// errors that name the op and the shapes, the graph (one node per conv), and the nn modules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bp from '../../kernel/engine';
import { Tensor, nn } from '../../kernel/engine';
import { prepareThreads } from '../../kernel/engine/matmul/index';

/** conv2d by its definition, one output element at a time (the reference for shapes too large for fixtures). */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, s: [number, number], p: [number, number], d: [number, number], groups: number): Float64Array {
  const [N, C, H, W] = x.shape, [O, Cg, kH, kW] = w.shape, Og = O / groups;
  const oH = Math.floor((H + 2 * p[0] - d[0] * (kH - 1) - 1) / s[0]) + 1, oW = Math.floor((W + 2 * p[1] - d[1] * (kW - 1) - 1) / s[1]) + 1;
  const out = new Float64Array(N * O * oH * oW);
  let i = 0;
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
    let acc = b ? b.data[o] : 0;
    const grp = Math.floor(o / Og);
    for (let c = 0; c < Cg; c++) for (let ki = 0; ki < kH; ki++) for (let kj = 0; kj < kW; kj++) {
      const ih = oh * s[0] - p[0] + ki * d[0], iw = ow * s[1] - p[1] + kj * d[1];
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      acc += x.data[((n * C + grp * Cg + c) * H + ih) * W + iw] * w.data[((o * Cg + c) * kH + ki) * kW + kj];
    }
    out[i++] = acc;
  }
  return out;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

describe('conv2d against its definition', () => {
  const cases: [string, number[], number[], [number, number], [number, number], [number, number], number][] = [
    ['LeNet first layer', [5, 1, 28, 28], [6, 1, 5, 5], [1, 1], [0, 0], [1, 1], 1],
    ['padding 2, stride 2', [3, 4, 13, 11], [8, 4, 3, 3], [2, 2], [2, 2], [1, 1], 1],
    ['groups 4, dilation [2,1], stride [1,3]', [2, 8, 9, 12], [4, 2, 3, 2], [1, 3], [1, 0], [2, 1], 4],
  ];
  for (const [title, xs, ws, s, p, d, groups] of cases) {
    it(title, () => {
      const x = bp.randn(xs, { seed: 1 }), w = bp.randn(ws, { seed: 2 }), b = bp.randn([ws[0]], { seed: 3 });
      const y = bp.conv2d(x, w, b, { stride: s, padding: p, dilation: d, groups });
      assert.ok(maxRelDiff(y.data, naiveConv2d(x, w, b, s, p, d, groups)) < 1e-12);
    });
  }
  it('cuts a large batch into chunks and gets the same numbers (forward and both gradients)', () => {
    // 40 images of 64×64 with a 3×3 kernel over 8 channels: 72 × 4096 × 40 column elements, more than one chunk.
    const x = bp.randn([40, 8, 64, 64], { seed: 4, requiresGrad: true }), w = bp.randn([2, 8, 3, 3], { seed: 5, requiresGrad: true });
    const y = bp.conv2d(x, w, null, { padding: 1 });
    assert.ok(maxRelDiff(y.data, naiveConv2d(x, w, null, [1, 1], [1, 1], [1, 1], 1)) < 1e-12);
    const g = bp.randn([...y.shape], { seed: 6 });
    y.backward(g);
    // Per image: the gradient of image i alone must equal its slice of the batched gradient.
    for (const i of [0, 39]) {
      const xi = bp.slice(x.detach(), [i, 0, 0, 0], [1, -1, -1, -1]).requiresGrad_(), wi = w.detach().requiresGrad_();
      bp.conv2d(xi, wi, null, { padding: 1 }).backward(bp.slice(g, [i, 0, 0, 0], [1, -1, -1, -1]));
      assert.ok(maxRelDiff(bp.slice(x.grad as Tensor, [i, 0, 0, 0], [1, -1, -1, -1]).data, (xi.grad as Tensor).data) < 1e-12);
    }
    const parts = [0, 1].map((half) => {
      const xi = bp.slice(x.detach(), [half * 20, 0, 0, 0], [20, -1, -1, -1]), wi = w.detach().requiresGrad_();
      bp.conv2d(xi, wi, null, { padding: 1 }).backward(bp.slice(g, [half * 20, 0, 0, 0], [20, -1, -1, -1]));
      return wi.grad as Tensor;
    });
    assert.ok(maxRelDiff(w.grad!.data, parts[0].add(parts[1]).data) < 1e-10);
  });
});

describe('conv and pooling in float32 and on every thread count', () => {
  /** A LeNet-sized forward and backward: the output and every gradient, as arrays. */
  function step(dtype: 'float32' | 'float64'): Float64Array[] {
    const x = bp.randn([16, 1, 28, 28], { seed: 7, dtype, requiresGrad: true });
    const c1 = new nn.Conv2d(1, 6, 5, { seed: 1, dtype }), c2 = new nn.Conv2d(6, 16, 5, { seed: 2, dtype });
    const y = c2.forward(c1.forward(x).relu().maxPool2d(2)).relu().avgPool2d(2);
    y.backward(bp.randn([...y.shape], { seed: 8, dtype }));
    return [y, x.grad, c1.weight.grad, c1.bias?.grad, c2.weight.grad, c2.bias?.grad].map((t) => Float64Array.from((t as Tensor).data));
  }
  it('float32 agrees with float64 to float32 precision', () => {
    const a = step('float32'), b = step('float64');
    a.forEach((v, i) => assert.ok(maxRelDiff(v, b[i]) < 1e-4, `array ${i}: ${maxRelDiff(v, b[i])}`));
  });
  it('1, 2 and 3 threads give the same bits', () => {
    const saved = bp.getNumThreads();
    try {
      const runs = [1, 2, 3].map((t) => { bp.setNumThreads(t); prepareThreads(20000); return [...step('float32'), ...step('float64')]; });
      for (const r of runs.slice(1)) r.forEach((v, i) => assert.deepEqual(v, runs[0][i], `array ${i}`));
    } finally { bp.setNumThreads(saved); }
  });
});

describe('bad input names the op and the shapes', () => {
  const x = bp.randn([2, 3, 8, 8]), w = bp.randn([4, 3, 3, 3]);
  const cases: [string, () => unknown, RegExp][] = [
    ['conv2d on a 3-D input', () => bp.conv2d(bp.randn([3, 8, 8]), w), /^conv2d: input must be a 4-D tensor \[N, C, H, W\], got shape \[3,8,8\]/],
    ['conv2d channel mismatch', () => bp.conv2d(x, bp.randn([4, 2, 3, 3])), /^conv2d: input \[2,3,8,8\] has 3 channels but weight \[4,2,3,3\] with groups 1 expects 2/],
    ['conv2d groups not dividing', () => bp.conv2d(x, w, null, { groups: 2 }), /^conv2d: groups 2 must divide the input channels \(3\)/],
    ['conv2d bias of the wrong size', () => bp.conv2d(x, w, bp.randn([3])), /^conv2d: bias must be a 1-D tensor of 4 values .*got shape \[3\]/],
    ['conv2d kernel larger than the input', () => bp.conv2d(bp.randn([1, 3, 2, 2]), w), /^conv2d: kernel 3×3 .* does not fit in input \[1,3,2,2\]/],
    ['conv2d stride 0', () => bp.conv2d(x, w, null, { stride: 0 }), /^conv2d: stride must be an integer or a pair of integers ≥ 1, got 0/],
    ['conv2d negative padding', () => bp.conv2d(x, w, null, { padding: [1, -1] }), /^conv2d: padding must be .* ≥ 0, got \[1,-1\]/],
    ['conv2d unknown option', () => bp.conv2d(x, w, null, { pad: 1 } as unknown as bp.ConvOptions), /^conv2d: unknown option 'pad'/],
    ['conv1d pair stride', () => bp.conv1d(bp.randn([1, 3, 8]), bp.randn([2, 3, 3]), null, { stride: [1, 2] }), /^conv1d: stride must be an integer ≥ 1, got \[1,2\]/],
    ['conv1d weight rank', () => bp.conv1d(bp.randn([1, 3, 8]), w), /^conv1d: weight must be a 3-D tensor \[O, C\/groups, K\], got shape \[4,3,3,3\]/],
    ['maxPool2d on a 2-D input', () => bp.maxPool2d(bp.randn([4, 4]), 2), /^maxPool2d: input must be a 4-D tensor \[N, C, H, W\], got shape \[4,4\]/],
    ['maxPool2d padding over half the kernel', () => bp.maxPool2d(x, 2, { padding: 2 }), /^maxPool2d: padding \[2,2\] must be at most half the kernel size \[2,2\]/],
    ['avgPool2d kernel larger than the input', () => bp.avgPool2d(x, 9), /^avgPool2d: kernel 9×9 .* does not fit in input \[2,3,8,8\]/],
    ['avgPool2d kernel 0', () => bp.avgPool2d(x, 0), /^avgPool2d: kernelSize must be an integer or a pair of integers ≥ 1, got 0/],
    ['nn.Conv2d groups', () => new nn.Conv2d(3, 4, 3, { groups: 2 }), /^nn.Conv2d: groups 2 must divide inChannels 3 and outChannels 4/],
    ['nn.Conv2d input channels', () => new nn.Conv2d(1, 4, 3).forward(x), /^nn.Conv2d: input must be \[N, 1, H, W\], got \[2,3,8,8\]/],
  ];
  for (const [title, f, message] of cases) {
    it(title, () => assert.throws(f, (e: unknown) => e instanceof Error && message.test(e.message), String(message)));
  }
});

describe('graphs and modules', () => {
  it('a conv2d is one node with its input, weight and bias; a pooling one node', () => {
    const conv = new nn.Conv2d(1, 2, 3, { seed: 0 });
    const y = conv.forward(bp.randn([1, 1, 6, 6], { seed: 1 })).maxPool2d(2);
    assert.equal(y.gradFn, 'maxPool2d');
    const node = y.node?.inputs[0].node;
    assert.equal(node?.op, 'conv2d');
    assert.deepEqual(node?.inputs.map((t) => t.name ?? '(input)'), ['(input)', 'weight', 'bias']);
    const snap = bp.traceGraph(y.sum());
    assert.deepEqual(snap.nodes.filter((n) => n.kind === 'op').map((n) => n.op).sort(), ['conv2d', 'maxPool2d', 'sum']);
  });
  it('nn.Conv2d: shapes, names and PyTorch\'s bounds U(−1/√fanIn, 1/√fanIn); the same seed gives the same weights', () => {
    const conv = new nn.Conv2d(4, 6, [3, 2], { seed: 3, groups: 2, padding: 1 });
    assert.deepEqual(conv.weight.shape, [6, 2, 3, 2]);
    assert.deepEqual(conv.namedParameters().map(([n]) => n), ['weight', 'bias']);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const p of conv.parameters()) assert.ok(p.data.every((v) => Math.abs(v) <= bound) && p.data.some((v) => Math.abs(v) > bound / 2));
    assert.deepEqual(new nn.Conv2d(4, 6, [3, 2], { seed: 3, groups: 2 }).weight.data, conv.weight.data);
    assert.deepEqual(conv.forward(bp.randn([1, 4, 5, 5])).shape, [1, 6, 5, 6]);
    assert.equal(new nn.Conv2d(1, 2, 3, { bias: false }).bias, null);
    assert.equal(String(conv), 'Conv2d(4, 6, kernelSize=[3, 2], stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=2, bias=true)');
  });
  it('nn.MaxPool2d and nn.AvgPool2d in a Sequential name the conv parameters by index', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3, { seed: 0 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(2, 2, 1, { seed: 1 }), new nn.AvgPool2d(2, { stride: 1 }));
    assert.deepEqual(model.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '3.weight', '3.bias']);
    const y = model.forward(bp.randn([2, 1, 10, 10], { seed: 2 }));
    assert.deepEqual(y.shape, [2, 2, 3, 3]);
    assert.equal(y.gradFn, 'avgPool2d');
  });
});
