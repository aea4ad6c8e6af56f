// Sources type-checked by test/unit/declarations.test.ts against dist/engine.d.ts and dist/cells.d.ts. They are
// strings, not files of the project, because they import the package by its published name.

/** A user's TypeScript file that uses the engine's whole public API (the test checks that it names every export). */
export const engineApiUse = `
import {
  Tensor, tensor, scalar, zeros, ones, full, eye, arange, linspace, randn, rand, manualSeed, Generator,
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, square, tanh, sigmoid, relu, leakyRelu, sin, cos, clamp, maximum, minimum,
  sum, mean, max, min, logSumExp, matmul,
  reshape, flatten, transpose, permute, squeeze, unsqueeze, broadcastTo, slice, gather, concat, stack,
  softmax, logSoftmax, crossEntropy, mseLoss,
  dropout, layerNorm, batchNorm,
  where, gt, ge, lt, le, eq, ne, sign, floor, ceil, round, elu, selu, gelu, softplus as softPlus, silu, atan2, argMax, argMin, cumsum,
  var as variance, std, norm, outer, dot,
  noGrad, isGradEnabled, onBackward, computeGrads, gradients, replay, recordOp, forwards, gradcheck,
  setNumThreads, getNumThreads, setTensorMemoryLimit, getTensorMemoryLimit, tensorMemoryInUse, grad, valueAndGrad, customGrad, traceGraph, summarize, nn, optim,
  datasets,
  pad, tile, split, chunk, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, huberLoss, embedding,
} from 'backprop-notebook/engine';
import type {
  NestedArray, TensorLike, Axis, Dtype, FloatArray, TensorOptions, OpNode, OpArgs, Rule, CustomVjp, BackwardOptions,
  GradcheckOptions, GradcheckResult, GradOptions, Grads, CustomGradResult, GraphSnapshot, GraphNode, GraphEdge,
  TensorSummary, JsonNumber, TraceOptions, TensorMemoryLimitOptions,
  HuberOptions, IndexLike,
  DropoutOptions, LayerNormOptions, BatchNormOptions,
  MaskLike, GeluOptions, VarOptions,
} from 'backprop-notebook/engine';

const opts: TensorOptions = { requiresGrad: true, name: 'x', dtype: 'float64' as Dtype, seed: 1 };
const nested: NestedArray = [[1, 2], [3, 4]];
const x: Tensor = tensor(nested, opts);
const flat: FloatArray = new Float64Array([1, 2, 3, 4]);
const y = tensor(flat, { shape: [2, 2] });
const s = scalar(2);
const made: Tensor[] = [zeros([2, 2]), ones(3), full([2], 7), eye(2), arange(5), arange(0, 1, 0.5), linspace(0, 1, 3),
  randn([2, 2], { seed: 0 }), rand([2])];
manualSeed(42);
const gen = new Generator(3);
const u: number = gen.uniform() + gen.normal() + gen.nextUint32();
gen.seed(4);
const like: TensorLike = 2;
const axis: Axis = [0, 1];

const fns: Tensor[] = [add(x, like), sub(x, y), mul(x, 2), div(x, y), pow(x, 2), neg(x), exp(x), log(x), sqrt(x), abs(x),
  square(x), tanh(x), sigmoid(x), relu(x), leakyRelu(x, 0.1), sin(x), cos(x), clamp(x, 0, 1), maximum(x, 0), minimum(x, y),
  sum(x, axis, true), mean(x, 0), max(x), min(x, -1), logSumExp(x, 1), matmul(x, y), reshape(x, [4]), flatten(x),
  transpose(x), permute(x, [1, 0]), squeeze(x), unsqueeze(x, 0), broadcastTo(s, [2, 2]), slice(x, [0, 0], [1, -1]),
  gather(x, [1, 0]), concat([x, y]), stack([x, y], 1), softmax(x), logSoftmax(x, 0), crossEntropy(x, [0, 1]), mseLoss(x, y)];

const methods: Tensor[] = [x.add(1), x.sub(y), x.mul(y), x.div(2), x.pow(2), x.neg(), x.exp(), x.log(), x.sqrt(), x.abs(),
  x.square(), x.tanh(), x.sigmoid(), x.relu(), x.leakyRelu(), x.sin(), x.cos(), x.clamp(null, 1), x.maximum(0), x.minimum(y),
  x.sum(), x.mean(0, true), x.max(1), x.min(), x.logSumExp(-1), x.matmul(y), x.reshape([2, -1]), x.flatten(),
  x.transpose(0, 1), x.permute([1, 0]), x.squeeze(0), x.unsqueeze(1), s.broadcastTo([3]), x.slice(0, 1), x.gather(tensor([1]), 1),
  x.concat(y), x.stack([y]), x.softmax(), x.logSoftmax(0), x.crossEntropy([1, 0]), x.mseLoss(y), x.clone(), x.detach()];

// --- elementwise, comparison and reduction additions ---
const mask: MaskLike = [[true, false], [false, true]];
const geluOpts: GeluOptions = { approximate: 'tanh' };
const varOpts: VarOptions = { correction: 0, keepDims: true };
const additions: Tensor[] = [where(mask, x, 0), where(gt(x, 1), x, y), ge(x, y), lt(x, 0), le(x, 1), eq(x, y), ne(x, 2),
  sign(x), floor(x), ceil(x), round(x), elu(x, 0.5), selu(x), gelu(x, geluOpts), softPlus(x, 1, 20), silu(x), atan2(x, y),
  argMax(x, 1, true), argMin(x), cumsum(x, 0), variance(x, 0, varOpts), std(x), norm(x, 1, 0, false), outer(s.reshape([1]), [1, 2]),
  dot([1, 2], [3, 4]),
  x.where(mask, y), x.gt(0), x.ge(y), x.lt(1), x.le(y), x.eq(0), x.ne(y), x.sign(), x.floor(), x.ceil(), x.round(), x.elu(),
  x.selu(), x.gelu(), x.softplus(2), x.silu(), x.atan2(y), x.argMax(), x.argMin(0), x.cumsum(1), x.var(), x.std(0, varOpts),
  x.norm(Infinity), x.flatten().outer(y.flatten()), x.flatten().dot(y.flatten())];

const fields: [readonly number[], number, number, Dtype, FloatArray, boolean, Tensor | null, string | undefined, boolean,
  string | null, number, string | undefined, OpNode | null, boolean] =
  [x.shape, x.size, x.ndim, x.dtype, x.data, x.requiresGrad, x.grad, x.name, x.isLeaf, x.gradFn, x.id, x.group, x.node, x.retainsGrad];
const values: [number, NestedArray, string, NestedArray] = [s.item(), x.toArray(), x.toString(), x.toJSON()];
const chained: Tensor = x.retainGrad().zeroGrad().requiresGrad_(true);
const backwardOptions: BackwardOptions = { retainGraph: true, createGraph: false };
x.sum().backward();
x.sum().backward(undefined, backwardOptions);
x.mul(2).backward(ones([2, 2]), { createGraph: true });

const inNoGrad: boolean = noGrad(() => isGradEnabled());
const off: () => void = onBackward((root: Tensor) => root.gradFn);
off();
const [dx]: Tensor[] = computeGrads(x.sum(), [x]);
const rule: Rule = gradients.add;
const args: OpArgs = x.sum().node?.args ?? {};
const again: Tensor = replay(x.add(1), [x, scalar(1)]);
const vjp: CustomVjp = (g) => [g];
const recorded: Tensor = recordOp('double', [x], x.mul(2), vjp);
const forward = forwards.add;
const checkOptions: GradcheckOptions = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };
const check: GradcheckResult = gradcheck((a) => a.tanh().sum(), [x], checkOptions);
const worst: number[] = check.inputs[0].worstIndex;
setNumThreads(getNumThreads());
const memoryOptions: TensorMemoryLimitOptions = { hint: 'ask for more' };
setTensorMemoryLimit(getTensorMemoryLimit() ?? 2 ** 30, memoryOptions);
const inUse: number = tensorMemoryInUse();

const gradOptions: GradOptions = { argnums: [0] };
const df: Tensor[] = grad((a: Tensor, b: Tensor) => a.mul(b).sum())(x, y);
const dfa: Tensor = grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: 0 })(x, y);
const both: Grads = grad((a: Tensor) => a.sum(), { argnums: gradOptions.argnums as number[] })(x);
const vg: { value: Tensor; grads: Tensor[] } = valueAndGrad((a: Tensor) => a.square().sum())(x);
const softplus = customGrad(function softplus(a: Tensor): CustomGradResult {
  return { value: a.exp().add(1).log(), gradFunc: (dy: Tensor) => dy.mul(a.sigmoid()) };
});
const sp: Tensor = softplus(x);

const traceOptions: TraceOptions = { maxNodes: 50, step: 1 };
const snapshot: GraphSnapshot = traceGraph(x.sum(), traceOptions);
const node: GraphNode = snapshot.nodes[0];
const edge: GraphEdge | undefined = snapshot.edges[0];
const summary: TensorSummary = summarize(x);
const mean0: JsonNumber = summary.mean;

const linear = new nn.Linear(2, 3, { bias: true, seed: 0, dtype: 'float32' });
const linearOptions: nn.LinearOptions = { bias: false };
const mlpOptions: nn.MLPOptions = { activation: 'tanh', seed: 1 };
const activation: nn.Activation = 'sigmoid';
const mlp = new nn.MLP([2, 4, 1], mlpOptions);
const seq = new nn.Sequential(new nn.Linear(2, 4, linearOptions), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
class Affine extends nn.Module {
  w = tensor([2], { requiresGrad: true });
  forward(a: Tensor): Tensor { return a.mul(this.w); }
}
const modules: nn.Module[] = [linear, mlp, seq, new Affine()];
const out: Tensor = mlp.forward(x).add(seq.forward(x).sum()).add(linear.forward(tensor([[1, 2]], { dtype: 'float32' })).sum());
const named: [string, Tensor][] = mlp.namedParameters();
const children: [string, nn.Module][] = seq.namedChildren();
const ps: Tensor[] = mlp.parameters();
mlp.zeroGrad();
const layerInfo: [Tensor, Tensor | null, number, number, nn.Linear[], nn.Activation, nn.Module[]] =
  [linear.weight, linear.bias, linear.inFeatures, linear.outFeatures, mlp.layers, mlp.activation, seq.modules];

const sgdOptions: optim.SGDOptions = { lr: 0.1, momentum: 0.9, weightDecay: 0 };
const adamOptions: optim.AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };
const sgd = new optim.SGD(ps, sgdOptions);
const adam = new optim.Adam(ps, adamOptions);
const optimizers: optim.Optimizer[] = [sgd, adam];
for (const o of optimizers) { o.zeroGrad(); o.step(); }
sgd.lr = 0.01;
const hyper: [number, number, number, readonly [number, number], number, number, Tensor[]] =
  [sgd.momentum, sgd.weightDecay, adam.lr, adam.betas, adam.eps, adam.weightDecay, adam.params];
const mnistOptions: datasets.MnistOptions = { trainSize: 100, testSize: 10, dtype: 'float32', dir: undefined };
const digits: datasets.Mnist = datasets.mnist(mnistOptions);
const testSplit: datasets.MnistSplit = digits.test;
const digitData: [Tensor, Tensor, Tensor, Tensor] = [digits.train.images, digits.train.labels, testSplit.images, testSplit.labels];

// --- shape ops, losses, embedding ---
const huberOptions: HuberOptions = { delta: 0.5 };
const ids: IndexLike = [[0, 1], [1, 0]];
const shapeFns: Tensor[] = [pad(x, [[1, 0], [0, 1]], 2), tile(x, [2]), ...split(x, 1), ...chunk(x, 2, 1), flatten(x, 0, -1),
  binaryCrossEntropy(x.sigmoid(), y), binaryCrossEntropyWithLogits(x, y), nllLoss(x, [0, 1]), huberLoss(x, y, huberOptions),
  embedding(ids, x)];
const shapeMethods: Tensor[] = [x.pad([[0, 0], [1, 1]]), x.tile(2), ...x.split([1, 1]), ...x.chunk(2), x.flatten(1),
  x.sigmoid().binaryCrossEntropy(y), x.binaryCrossEntropyWithLogits(y), x.nllLoss(tensor([1, 0])), x.huberLoss(y, { delta: 2 }),
  tensor([1, 0]).embedding(x)];
const embeddingOptions: nn.EmbeddingOptions = { seed: 0, dtype: 'float32' };
const emb = new nn.Embedding(4, 2, embeddingOptions);
const shapeModules: [Tensor, number, number, Tensor, number, number, Tensor] =
  [emb.weight, emb.num, emb.dim, emb.forward([[1, 3]]), new nn.Flatten().startDim, new nn.Flatten(0).endDim, new nn.Flatten().forward(x)];
export { shapeFns, shapeMethods, shapeModules };

// --- normalisation ---
const dropoutOptions: DropoutOptions = { p: 0.2, training: true, seed: 1 };
const layerNormOptions: LayerNormOptions = { eps: 1e-5 };
const batchNormOptions: BatchNormOptions = { training: true, momentum: 0.1, eps: 1e-5 };
const normed: Tensor[] = [dropout(x, dropoutOptions), x.dropout(), layerNorm(x, [2], ones([2]), null, layerNormOptions), x.layerNorm(2),
  batchNorm(x, zeros([2]), ones([2]), ones([2]), zeros([2]), batchNormOptions), x.batchNorm(null, null, null, null, { training: true })];
const bn1: nn.BatchNorm1d = new nn.BatchNorm1d(2, { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true, dtype: 'float64' } as nn.BatchNormOptions);
const normModules: nn.Module[] = [bn1, new nn.BatchNorm2d(2), new nn.LayerNorm([2], { elementwiseAffine: true, bias: true } as nn.LayerNormOptions),
  new nn.Dropout(0.5, { seed: 0 } as nn.DropoutOptions), new nn.Residual(new nn.Linear(2, 2)).train().eval()];
const bnState: [Tensor | null, Tensor | null, Tensor | null, Tensor | null, number, number, number, boolean] =
  [bn1.weight, bn1.bias, bn1.runningMean, bn1.runningVar, bn1.numFeatures, bn1.eps, bn1.momentum, bn1.training];

export { u, made, fns, methods, fields, values, chained, inNoGrad, dx, rule, args, again, recorded, forward, worst, df, dfa,
  both, vg, sp, node, edge, mean0, activation, modules, out, named, children, layerInfo, hyper, digitData, normed, normModules, bnState };

// --- non-finite values ---
import { detectAnomaly, isAnomalyEnabled, findNonFinite } from 'backprop-notebook/engine';
import type { NonFiniteOrigin, NonFiniteMark } from 'backprop-notebook/engine';
const anomaly: boolean = detectAnomaly(isAnomalyEnabled());
const origin: NonFiniteOrigin | undefined = findNonFinite([x.log()]);
const originSite: Error | null | undefined = origin?.site;
const mark: NonFiniteMark | undefined = snapshot.nonFinite;
export { anomaly, originSite, mark };

// --- jacobian and hessian ---
import { jacobian, hessian } from 'backprop-notebook/engine';
export const jacobians: Tensor[] = [jacobian((v: Tensor) => v.tanh(), x), hessian((v: Tensor) => v.square().sum(), x)];

// --- convolution ---
import { conv1d, conv2d, maxPool2d, avgPool2d } from 'backprop-notebook/engine';
import type { ConvOptions, PoolOptions } from 'backprop-notebook/engine';
const convOptions: ConvOptions = { stride: [1, 2], padding: 1, dilation: 1, groups: 1 };
const poolOptions: PoolOptions = { stride: 2, padding: [0, 1] };
const img = randn([1, 2, 6, 6]), kernel = randn([4, 2, 3, 3]);
const convs: Tensor[] = [conv2d(img, kernel, zeros([4]), convOptions), conv1d(randn([1, 2, 8]), randn([3, 2, 3]), null, { stride: 2 }),
  maxPool2d(img, 2, poolOptions), avgPool2d(img, [2, 2]), img.conv2d(kernel, { padding: 1 }), randn([1, 2, 8]).conv1d(randn([3, 2, 3])),
  img.maxPool2d(3, { stride: 1 }), img.avgPool2d(2)];
const conv2dOptions: nn.Conv2dOptions = { padding: 2, bias: false, seed: 0, dtype: 'float32' };
const convLayer = new nn.Conv2d(2, 4, [3, 3], conv2dOptions);
const convInfo: [Tensor, Tensor | null, number, number, [number, number], Required<ConvOptions>] =
  [convLayer.weight, convLayer.bias, convLayer.inChannels, convLayer.outChannels, convLayer.kernelSize, convLayer.options];
const pools: nn.Module[] = [new nn.MaxPool2d(2, { stride: 2 }), new nn.AvgPool2d([2, 2])];
const poolInfo: [number | [number, number], PoolOptions] = [new nn.MaxPool2d(2).kernelSize, new nn.AvgPool2d(2).options];
export { convs, convInfo, pools, poolInfo };
`;

/** Wrong calls, one a line: each must give a type error on its own line. */
export const engineWrongCalls = [
  `tensor('x');`,
  `w.matmul();`,
  `new nn.Linear('a', 2);`,
  `w.matmull(w);`,
  `randn([2], { dtype: 'int8' });`,
  `new optim.SGD(w.parameters(), { lr: 0.1 });`,
  `const n: number = w.sum();`,
  `grad((a: Tensor) => a.sum())(w, 'b');`,
];

/** The prelude of the wrong calls (must type-check on its own). */
export const engineWrongCallsPrelude = `import { tensor, randn, grad, nn, optim, Tensor } from 'backprop-notebook/engine';
const w: Tensor = randn([2, 2]);
`;

/** A notebook cell: a TypeScript script that uses the cell globals (no imports). */
export const cellScript = `
const w = randn([3, 2], { requiresGrad: true, seed: 0, name: 'w' });
let t: Tensor = tensor([[1, 2, 3]], { name: 'x' });
const loss = t.matmul(w).tanh().sum();
loss.backward();
const model = new nn.MLP([2, 8, 1], { activation: 'tanh', seed: 0 });
const layer: nn.Linear = model.layers[0];
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
opt.step();
const b: bp.Tensor = bp.randn([2]).add(bp.ones([2]));
const shown: GraphOptions = setGraphOptions({ maxNodes: 50 });
display(w, traceGraph(loss), { 'text/plain': 'done' });
class Affine extends nn.Module { forward(x: Tensor): Tensor { return x.mul(2); } }
const g = new Generator(1);
console.log(performance.now(), Buffer.from('node globals stay Node\\'s'), require('node:path').sep, g.uniform(), layer, b, shown);
// --- plots ---
plot([1, 0.5], { title: 'loss', logY: true });
plot({ train: w, test: [1, 2] });
plot({ scatter: [[0, 1]], labels: [0], boundary: (grid: Tensor) => grid.sum(1) });
plot({ histogram: { 'W.grad': w.grad }, bins: 10 });
const shownData: PlotData = { heatmap: jacobian((v: Tensor) => v.tanh(), w), rows: 'y', columns: 'x' };
plot(shownData, { key: 'J' } satisfies PlotOptions);
`;
