/**
 * The autodiff engine (dist/engine.js): every name of the API contract (docs/api.md) plus the hooks the
 * kernel and the other engine files use (onBackward, computeGrads, replay, recordOp, gradients, forwards).
 *
 * dtypes: float64 by default, float32 throughout. One promotion rule: an op's result is float64 if any tensor
 * operand is float64 (PyTorch's rule); a plain number operand takes the dtype of the tensor it meets, and so does
 * a 0-d tensor meeting one with dims in an elementwise op; a leaf's gradient has the leaf's dtype.
 *
 * Graphs: see graph.ts for the node structure (op, inputs, args, kept edge shares). backward() may run twice
 * through the same graph (graphs are never freed; retainGraph has no effect).
 * @example
 * const w = randn([3, 2], { requiresGrad: true, seed: 0 });
 * const loss = tensor([[1, 2, 3]]).matmul(w).tanh().sum();
 * loss.backward(); // w.grad
 */
// A plain list of re-exports.
export { Tensor } from './tensor';
export type { NestedArray, TensorLike, Axis } from './tensor';
export type { Dtype, FloatArray } from './dtype';
export { tensor, scalar, zeros, ones, full, eye, arange, linspace, randn, rand } from './creation';
export type { TensorOptions } from './creation';
export { manualSeed, Generator } from './random';
export { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, square, tanh, sigmoid, relu, leakyRelu, sin, cos, clamp, maximum, minimum } from './ops/elementwise';
export { sum, mean, max, min, logSumExp } from './ops/reductions';
export { matmul } from './ops/linalg';
export { reshape, flatten, transpose, permute, squeeze, unsqueeze, broadcastTo, slice, gather, concat, stack } from './ops/shapeOps';
export { softmax, logSoftmax, crossEntropy, mseLoss } from './ops/neural';
export { noGrad, isGradEnabled } from './graph';
export type { OpNode, OpArgs, Rule, CustomVjp } from './graph';
export { onBackward, computeGrads } from './autograd';
export type { BackwardOptions } from './autograd';
export { gradients } from './gradients';
export { replay, recordOp, forwards } from './ops/forwards';
export { gradcheck } from './gradcheck';
export type { GradcheckOptions, GradcheckResult } from './gradcheck';
export { setNumThreads, getNumThreads } from './matmul/threads';
export { setTensorMemoryLimit, getTensorMemoryLimit, tensorMemoryInUse } from './memory';
export type { TensorMemoryLimitOptions } from './memory';
export { grad, valueAndGrad, customGrad } from './functional';
export type { GradOptions, Grads, CustomGradResult } from './functional';
export { traceGraph, summarize } from './trace';
export type { GraphSnapshot, GraphNode, GraphEdge, TensorSummary, JsonNumber, TraceOptions } from './trace';
// --- elementwise, comparison and reduction additions ---
export { where, atan2 } from './ops/elementwise';
export type { MaskLike } from './ops/elementwise';
export { gt, ge, lt, le, eq, ne, sign, floor, ceil, round } from './ops/compare';
export { elu, selu, gelu, softplus, silu } from './ops/activations';
export type { GeluOptions } from './ops/activations';
export { argMax, argMin, cumsum, variance as var, std, norm } from './ops/statistics';
export type { VarOptions } from './ops/statistics';
export { outer, dot } from './ops/vectors';
/** Modules: Linear, MLP, Sequential, activations, and the Module base class to write your own. */
export * as nn from './nn';
/** Optimisers with PyTorch's update rules: SGD and Adam. */
export * as optim from './optim';
/** Real data that ships with the package, loaded with one call: `datasets.mnist()`. */
export * as datasets from './datasets';
// --- shape ops, losses, embedding ---
export { pad, tile, split, chunk } from './ops/shapeParts';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, huberLoss } from './ops/losses';
export type { HuberOptions } from './ops/losses';
export { embedding } from './ops/embedding';
export type { IndexLike } from './ops/indices';
// --- normalisation ---
export { dropout, layerNorm, batchNorm } from './ops/norm';
export type { DropoutOptions, LayerNormOptions, BatchNormOptions } from './ops/norm';
// --- non-finite values ---
export { detectAnomaly, isAnomalyEnabled } from './graph';
export { findNonFinite } from './nonFinite';
export type { NonFiniteOrigin } from './nonFinite';
export type { NonFiniteMark } from './trace';
// --- jacobian and hessian ---
export { jacobian, hessian } from './jacobianHessian';
// --- convolution ---
export { conv1d, conv2d } from './ops/conv';
export type { ConvOptions } from './ops/conv';
export { maxPool2d, avgPool2d } from './ops/pool';
export type { PoolOptions } from './ops/pool';
