// The engine's public module (dist/engine.js): every name of /work/shared/API.md plus the hooks the kernel
// and the other engine files use. A plain list of re-exports.
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
export { grad, valueAndGrad, customGrad } from './functional';
export type { GradOptions, Grads, CustomGradResult } from './functional';
export { traceGraph, summarize } from './trace';
export type { GraphSnapshot, GraphNode, GraphEdge, TensorSummary, JsonNumber, TraceOptions } from './trace';
export * as nn from './nn';
export * as optim from './optim';
