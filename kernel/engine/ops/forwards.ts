// The forward of every op in the gradient table, called with the node's inputs and recorded arguments, so a
// graph can be recomputed from new input tensors (`replay`), e.g. to nudge a leaf for a gradient check.
import { CustomVjp, OpArgs, record } from '../graph';
import { Tensor } from '../tensor';
import * as ew from './elementwise';
import * as red from './reductions';
import * as sh from './shapeOps';
import * as neural from './neural';
import * as parts from './shapeParts';
import * as losses from './losses';
import { embeddingAt } from './embedding';
import { matmulT } from './linalg';
import * as norm from './norm';
import * as cmp from './compare';
import * as act from './activations';
import * as stats from './statistics';
import * as vec from './vectors';
import * as conv from './conv';
import * as pool from './pool';
import type { ConvWindow } from './convGeometry';

type Forward = (x: readonly Tensor[], a: OpArgs) => Tensor;

/**
 * The forward of every op in the gradient table, by name: recomputes an op from its inputs and recorded arguments
 * (what replay() uses).
 * @example forwards.add([a, b], {}) // a + b
 */
export const forwards: Record<string, Forward> = {
  add: ([a, b]) => ew.add(a, b),
  sub: ([a, b]) => ew.sub(a, b),
  mul: ([a, b]) => ew.mul(a, b),
  div: ([a, b]) => ew.div(a, b),
  pow: ([a, b]) => ew.pow(a, b),
  neg: ([a]) => ew.neg(a),
  exp: ([a]) => ew.exp(a),
  log: ([a]) => ew.log(a),
  sqrt: ([a]) => ew.sqrt(a),
  abs: ([a]) => ew.abs(a),
  square: ([a]) => ew.square(a),
  tanh: ([a]) => ew.tanh(a),
  sigmoid: ([a]) => ew.sigmoid(a),
  relu: ([a]) => ew.relu(a),
  leakyRelu: ([a], { slope }) => ew.leakyRelu(a, slope),
  sin: ([a]) => ew.sin(a),
  cos: ([a]) => ew.cos(a),
  clamp: ([a], { min, max }) => ew.clamp(a, min, max),
  maximum: ([a, b]) => ew.maximum(a, b),
  minimum: ([a, b]) => ew.minimum(a, b),
  where: ([c, a, b]) => ew.where(c, a, b),
  clone: ([a]) => ew.clone(a),
  cast: ([a], { dtype }) => ew.cast(a, dtype ?? 'float64'),
  sum: ([a], { axes, keepDims }) => red.sum(a, axes, keepDims),
  mean: ([a], { axes, keepDims }) => red.mean(a, axes, keepDims),
  max: ([a], { axes, keepDims }) => red.max(a, axes, keepDims),
  min: ([a], { axes, keepDims }) => red.min(a, axes, keepDims),
  logSumExp: ([a], { axes, keepDims }) => red.logSumExp(a, axes, keepDims),
  matmul: ([a, b], { transA, transB }) => matmulT(a, b, !!transA, !!transB),
  reshape: ([a], { shape }) => sh.reshape(a, shape as number[]),
  flatten: ([a], { startDim, endDim }) => sh.flatten(a, startDim, endDim),
  squeeze: ([a], { axes }) => sh.squeeze(a, axes),
  unsqueeze: ([a], { axis }) => sh.unsqueeze(a, axis as number),
  permute: ([a], { dims }) => sh.permute(a, dims as number[]),
  transpose: ([a], { dim0, dim1 }) => (a.ndim === 0 ? sh.transpose(a) : sh.transpose(a, dim0, dim1)),
  broadcastTo: ([a], { shape }) => sh.broadcastTo(a, shape as number[]),
  slice: ([a], { begin, size }) => sh.slice(a, begin as number[], size),
  gather: ([a], { indices, indexShape, axis }) => sh.gatherIndices(a, indices as Int32Array, indexShape as number[], axis as number),
  scatterAdd: ([a], { indices, indexShape, axis, shape }) => sh.scatterAdd(a, indices as Int32Array, indexShape as number[], axis as number, shape as number[]),
  concat: (x, { axis }) => sh.concat(x, axis),
  stack: (x, { axis }) => sh.stack(x, axis),
  softmax: ([a], { axis }) => neural.softmax(a, axis),
  logSoftmax: ([a], { axis }) => neural.logSoftmax(a, axis),
  crossEntropy: ([a], { targets }) => neural.crossEntropy(a, Array.from(targets as Int32Array)),
  mseLoss: ([p, t]) => neural.mseLoss(p, t),
  // --- shape ops, losses, embedding ---
  pad: ([a], { pads, value }) => parts.pad(a, pads as [number, number][], value),
  tile: ([a], { reps }) => parts.tile(a, reps as number[]),
  binaryCrossEntropy: ([p, t]) => losses.binaryCrossEntropy(p, t),
  binaryCrossEntropyWithLogits: ([x, t]) => losses.binaryCrossEntropyWithLogits(x, t),
  nllLoss: ([a], { targets }) => losses.nllLossAt(a, targets as Int32Array),
  huberLoss: ([p, t], { delta }) => losses.huberLoss(p, t, { delta }),
  embedding: ([w], { indices, indexShape }) => embeddingAt(w, indices as Int32Array, indexShape as number[]),
  // --- normalisation ---
  dropout: (x, a) => norm.replayDropout(x, a),
  layerNorm: (x, a) => norm.replayLayerNorm(x, a),
  batchNorm: (x, a) => norm.replayBatchNorm(x, a),
  // --- elementwise, comparison and reduction additions ---
  atan2: ([y, x]) => ew.atan2(y, x),
  sign: ([a]) => cmp.sign(a),
  floor: ([a]) => cmp.floor(a),
  ceil: ([a]) => cmp.ceil(a),
  round: ([a]) => cmp.round(a),
  elu: ([a], { alpha }) => act.elu(a, alpha),
  selu: ([a]) => act.selu(a),
  gelu: ([a], { approximate }) => act.gelu(a, { approximate }),
  softplus: ([a], { beta, threshold }) => act.softplus(a, beta, threshold),
  silu: ([a]) => act.silu(a),
  erf: ([a]) => act.erf(a),
  cumsum: ([a], { axis, reverse }) => stats.cumsumAlong(a, axis as number, !!reverse),
  var: ([a], { axes, keepDims, correction }) => stats.variance(a, axes, { correction, keepDims }),
  std: ([a], { axes, keepDims, correction }) => stats.std(a, axes, { correction, keepDims }),
  norm: ([a], { p, axes, keepDims }) => stats.norm(a, p, axes, keepDims),
  outer: ([a, b]) => vec.outer(a, b),
  dot: ([a, b]) => vec.dot(a, b),
  // --- convolution ---
  conv1d: ([x, w, b], { window }) => conv.convWith(x, w, b ?? null, window as ConvWindow),
  conv2d: ([x, w, b], { window }) => conv.convWith(x, w, b ?? null, window as ConvWindow),
  convInputGrad: ([g, w], { window, shape }) => conv.convInputGrad(g, w, window as ConvWindow, shape as number[]),
  convWeightGrad: ([x, g], { window, shape }) => conv.convWeightGrad(x, g, window as ConvWindow, shape as number[]),
  maxPool2d: ([a], { window }) => pool.maxPool2d(a, (window as ConvWindow).kernel, { stride: (window as ConvWindow).stride, padding: (window as ConvWindow).padding }),
  avgPool2d: ([a], { window }) => pool.avgPool2d(a, (window as ConvWindow).kernel, { stride: (window as ConvWindow).stride, padding: (window as ConvWindow).padding }),
};

/**
 * Recomputes the op that made `t` from new input tensors (same op, same non-tensor arguments): replaying a
 * graph with nudged leaves. Throws for leaves.
 * @example const y2 = replay(y, [x2, w]);
 */
export function replay(t: Tensor, newInputs: readonly Tensor[]): Tensor {
  const node = t.node;
  if (!node) throw new Error('replay: the tensor is a leaf (it was not made by a recorded op)');
  if (newInputs.length !== node.inputs.length) throw new Error(`replay: '${node.op}' takes ${node.inputs.length} inputs, got ${newInputs.length}`);
  if (node.replay) return node.replay(newInputs.slice());
  const f = forwards[node.op];
  if (!f) throw new Error(`replay: no forward for op '${node.op}'`);
  return f(newInputs, node.args);
}

/**
 * Records one node whose gradient is `vjp` (how custom ops join the graph): returns a tensor with `value`'s
 * data whose gradFn is `op`. `replay` recomputes the op from new inputs (for replay()).
 * @example const y = recordOp('myOp', [x], value, (g) => [g.mul(2)]);
 */
export function recordOp(op: string, inputs: readonly Tensor[], value: Tensor, vjp: CustomVjp, args: OpArgs = {},
  replayFn?: (inputs: Tensor[]) => Tensor): Tensor {
  if (typeof op !== 'string' || !op) throw new Error('recordOp: op must be a non-empty string');
  if (!(value instanceof Tensor)) throw new Error(`recordOp: '${op}' value must be a tensor`);
  inputs.forEach((x, i) => { if (!(x instanceof Tensor)) throw new Error(`recordOp: '${op}' input ${i} is not a tensor`); });
  const out = new Tensor(value.data, value.shape);
  return record(op, inputs.slice(), out, args, vjp, replayFn ?? null);
}
