// Losses beyond crossEntropy and mseLoss, each one node in the graph (one rule in gradients.ts) and a mean over
// its elements, as PyTorch's reduction 'mean': binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss,
// huberLoss. The forwards accumulate in float64 and store the result in the operands' promoted dtype.
import { alloc, Dtype, promote } from '../dtype';
import { record } from '../graph';
import { broadcastIndex, broadcastShapes, fmt, sameShape, sizeOf } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { asTensor } from '../creation';
import { checkOptions } from '../options';
import { operands } from './elementwise';
import { IndexLike, integerIndices } from './indices';

/** A loss value: shape [], dtype `dtype`. */
function lossValue(op: string, dtype: Dtype, value: number): Tensor {
  const out = alloc(op, dtype, []);
  out[0] = value;
  return new Tensor(out, []);
}

/** Both operands, which must have the same shape (PyTorch refuses other targets for these losses). */
function sameShaped(op: string, a: TensorLike, b: TensorLike, names: [string, string]): [Tensor, Tensor] {
  const [x, t] = operands(op, a, b);
  if (!sameShape(x.shape, t.shape)) throw new Error(`${op}: ${names[0]} ${fmt(x.shape)} and ${names[1]} ${fmt(t.shape)} must have the same shape`);
  return [x, t];
}

/** PyTorch clamps each log of binaryCrossEntropy at −100, so p = 0 or 1 gives a finite loss. */
const clampedLog = (v: number): number => Math.max(Math.log(v), -100);

/**
 * Mean of −(t·ln p + (1 − t)·ln(1 − p)) over all elements: probabilities `probs` in [0, 1], targets of the same
 * shape. Each log is clamped at −100, as PyTorch.
 * Gradient: d bce(p, t)/dp = g·(p − t)/(max(p(1 − p), 1e-12)·n), d/dt = g·(ln(1 − p) − ln p)/n (logs clamped at −100)
 * @example binaryCrossEntropy(logits.sigmoid(), [1, 0, 1])
 */
export function binaryCrossEntropy(probs: TensorLike, targets: TensorLike): Tensor {
  const [p, t] = sameShaped('binaryCrossEntropy', probs, targets, ['probs', 'targets']);
  const pd = p.data, td = t.data, n = p.size;
  for (let i = 0; i < n; i++) {
    if (!(pd[i] >= 0 && pd[i] <= 1)) throw new Error(`binaryCrossEntropy: probs must be in [0, 1], got ${pd[i]} at position ${i} (shape ${fmt(p.shape)})`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total -= td[i] * clampedLog(pd[i]) + (1 - td[i]) * clampedLog(1 - pd[i]);
  return record('binaryCrossEntropy', [p, t], lossValue('binaryCrossEntropy', promote(p.dtype, t.dtype), total / n));
}

/**
 * binaryCrossEntropy(sigmoid(logits), targets) in one stable step: the mean of max(x, 0) − x·t + ln(1 + e^−|x|),
 * exact for logits of any size.
 * Gradient: d bceLogits(x, t)/dx = g·(σ(x) − t)/n, d/dt = −g·x/n
 * @example binaryCrossEntropyWithLogits(model.forward(x).squeeze(-1), labels)
 */
export function binaryCrossEntropyWithLogits(logits: TensorLike, targets: TensorLike): Tensor {
  const [x, t] = sameShaped('binaryCrossEntropyWithLogits', logits, targets, ['logits', 'targets']);
  const xd = x.data, td = t.data, n = x.size;
  let total = 0;
  for (let i = 0; i < n; i++) { const v = xd[i]; total += Math.max(v, 0) - v * td[i] + Math.log1p(Math.exp(-Math.abs(v))); }
  return record('binaryCrossEntropyWithLogits', [x, t], lossValue('binaryCrossEntropyWithLogits', promote(x.dtype, t.dtype), total / n));
}

/**
 * Mean over the targets of −logProbs at each target class: logProbs [N, C] with targets [N] (or [C] with one
 * target, or [N, C, d1, ...] with targets [N, d1, ...]); targets are class indices (numbers, nested arrays or a
 * tensor of integers). Usually after logSoftmax: nllLoss(logSoftmax(x), t) is crossEntropy(x, t).
 * Gradient: d nllLoss(a, t)/da = −g/M at each target's entry, 0 elsewhere (M targets)
 * @example nllLoss(logits.logSoftmax(), [2, 0, 1])
 */
export function nllLoss(logProbs: TensorLike, targets: IndexLike): Tensor {
  const x = asTensor('nllLoss', logProbs, 'float64');
  if (x.ndim === 0) throw new Error('nllLoss: logProbs must have a class dim ([C], [N, C] or [N, C, ...]), got shape []');
  const classAxis = x.ndim === 1 ? 0 : 1, classes = x.shape[classAxis];
  const expected = x.shape.filter((_, d) => d !== classAxis);
  const { idx, shape } = integerIndices('nllLoss', targets, classes, `class indices of logProbs ${fmt(x.shape)}`);
  if (!sameShape(shape, expected)) throw new Error(`nllLoss: logProbs ${fmt(x.shape)} need targets of shape ${fmt(expected)}, got ${fmt(shape)}`);
  return nllLossAt(x, idx);
}

/** nllLoss with checked targets (what replay uses). */
export function nllLossAt(x: Tensor, targets: Int32Array): Tensor {
  const { classes, inner } = nllLayout(x), d = x.data, m = targets.length;
  let total = 0;
  for (let k = 0; k < m; k++) total -= d[nllOffset(k, targets[k], classes, inner)];
  return record('nllLoss', [x], lossValue('nllLoss', x.dtype, total / m), { targets });
}

/** Classes and the size of the dims after the class dim. */
function nllLayout(x: Tensor): { classes: number; inner: number } {
  return x.ndim === 1 ? { classes: x.shape[0], inner: 1 } : { classes: x.shape[1], inner: sizeOf(x.shape.slice(2)) };
}

/** Where target k (row-major over the target positions) reads logProbs. */
function nllOffset(k: number, target: number, classes: number, inner: number): number {
  const n = Math.floor(k / inner), j = k - n * inner;
  return (n * classes + target) * inner + j;
}

/** −1/M at each target's entry of x's shape (nllLoss's gradient for g = 1). */
export function nllGradient(x: Tensor, targets: Int32Array): Tensor {
  const { classes, inner } = nllLayout(x), m = alloc('nllLoss gradient', x.dtype, x.shape);
  for (let k = 0; k < targets.length; k++) m[nllOffset(k, targets[k], classes, inner)] = -1 / targets.length;
  return new Tensor(m, x.shape);
}

/** Options of huberLoss. @example huberLoss(pred, target, { delta: 0.5 }) */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear (default 1, must be positive). */
  delta?: number;
}

/**
 * Mean over all elements (shapes broadcast) of ½d² where |d| < δ and δ(|d| − ½δ) elsewhere, d = pred − target:
 * quadratic near 0, linear (robust to outliers) beyond δ.
 * Gradient: d huber(p, t)/dp = g·clamp(p − t, −δ, δ)/n, d/dt = −g·clamp(p − t, −δ, δ)/n
 * @example huberLoss(pred, target) ; huberLoss(pred, target, { delta: 0.5 })
 */
export function huberLoss(pred: TensorLike, target: TensorLike, opts: HuberOptions = {}): Tensor {
  checkOptions('huberLoss', opts, ['delta']);
  const [p, t] = operands('huberLoss', pred, target);
  const delta = opts.delta ?? 1;
  if (typeof delta !== 'number' || !(delta > 0)) throw new Error(`huberLoss: delta must be a positive number, got ${String(delta)}`);
  const shape = sameShape(p.shape, t.shape) ? p.shape : broadcastShapes('huberLoss', p.shape, t.shape), n = sizeOf(shape);
  const pi = p.size === n && sameShape(p.shape, shape) ? null : broadcastIndex(p.shape, shape);
  const ti = t.size === n && sameShape(t.shape, shape) ? null : broadcastIndex(t.shape, shape);
  const pd = p.data, td = t.data;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(pd[pi ? pi[i] : i] - td[ti ? ti[i] : i]);
    total += a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
  }
  return record('huberLoss', [p, t], lossValue('huberLoss', promote(p.dtype, t.dtype), total / n), { delta });
}
