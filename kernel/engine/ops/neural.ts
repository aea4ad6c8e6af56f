// Neural-net ops. Each is one node in the graph (one rule in gradients.ts), computed stably: softmax and
// logSoftmax subtract the maximum, crossEntropy goes through logSumExp.
import { alloc } from '../dtype';
import { record } from '../graph';
import { broadcastIndex as bIndex, broadcastShapes, fmt, normAxis, sameShape } from '../shape';
import { Tensor, TensorLike } from '../tensor';
import { operands } from './elementwise';
import { operand } from '../creation';
import { indexArray } from './indices';

/** softmax or logSoftmax of each line of x along `axis` (outer × inner lines of length n). */
function alongAxis(op: 'softmax' | 'logSoftmax', x: TensorLike, axis: number): Tensor {
  x = operand(op, x);
  // A 0-d tensor is one line of length 1 (axis 0 or -1), as PyTorch.
  const a = normAxis(op, axis, Math.max(x.ndim, 1), x.shape);
  const n = x.ndim === 0 ? 1 : x.shape[a];
  let inner = 1;
  for (let d = a + 1; d < x.ndim; d++) inner *= x.shape[d];
  const outer = n * inner === 0 ? 0 : x.size / (n * inner);
  const d = x.data, out = alloc(op, x.dtype, x.shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) { const v = d[base + k * inner]; if (v > m) m = v; }
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(d[base + k * inner] - m);
      if (op === 'softmax') for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(d[base + k * inner] - m) / s;
      else { const ls = Math.log(s); for (let k = 0; k < n; k++) out[base + k * inner] = d[base + k * inner] - m - ls; }
    }
  }
  return record(op, [x], new Tensor(out, x.shape), { axis: a });
}

/**
 * exp(x) / Σ exp(x) along `axis` (default the last).
 * Gradient: d softmax(a)/da = s·(g − Σ g·s) along the axis, s = softmax(a)
 * @example logits.softmax() ; softmax(x, 0)
 */
export function softmax(x: TensorLike, axis = -1): Tensor { return alongAxis('softmax', x, axis); }

/**
 * x − logΣexp(x) along `axis` (default the last), stable for large logits.
 * Gradient: d logSoftmax(a)/da = g − softmax(a)·Σ g along the axis
 * @example logSoftmax(logits)
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor { return alongAxis('logSoftmax', x, axis); }

/** Class indices as integers in [0, classes), one per row (read by indexArray: tensors of integers or number[]). */
export function classIndices(op: string, targets: readonly number[] | Tensor, rows: number, classes: number, logitsShape: readonly number[]): Int32Array {
  const { values, shape } = indexArray(op, targets, classes, 'target', `(a class index) for logits ${fmt(logitsShape)}`);
  if (shape.length !== 1) throw new Error(`${op}: targets must be 1-D, got shape ${fmt(shape)} for logits ${fmt(logitsShape)}`);
  if (values.length !== rows) throw new Error(`${op}: logits ${fmt(logitsShape)} need ${rows} targets, got ${values.length}`);
  return values;
}

/**
 * Mean over the N rows of −log softmax(logits)[target]: logits [N, C], targets N class indices.
 * Gradient: d crossEntropy(a, t)/da = g·(softmax(a) − onehot(t))/N
 * @example const loss = crossEntropy(logits, [0, 2, 1]);
 */
export function crossEntropy(logits: TensorLike, targets: readonly number[] | Tensor): Tensor {
  logits = operand('crossEntropy', logits);
  if (logits.ndim !== 2) throw new Error(`crossEntropy: logits must be 2-D [N, C], got shape ${fmt(logits.shape)}`);
  const [rows, classes] = logits.shape;
  const t = classIndices('crossEntropy', targets, rows, classes, logits.shape);
  const d = logits.data;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) if (d[base + c] > m) m = d[base + c];
    const shift = Number.isFinite(m) ? m : 0;
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(d[base + c] - shift);
    total += shift + Math.log(s) - d[base + t[r]];
  }
  const out = alloc('crossEntropy', logits.dtype, []);
  out[0] = total / rows;
  return record('crossEntropy', [logits], new Tensor(out, []), { targets: t });
}

/**
 * Mean of (pred − target)² over all elements (shapes broadcast).
 * Gradient: d mean((p − t)²)/dp = 2g·(p − t)/n, d/dt = −2g·(p − t)/n (n = elements of the broadcast shape)
 * @example const loss = mseLoss(pred, tensor([1, 0]));
 */
export function mseLoss(pred: TensorLike, target: TensorLike): Tensor {
  const [p, t] = operands('mseLoss', pred, target);
  const shape = sameShape(p.shape, t.shape) ? p.shape : broadcastShapes('mseLoss', p.shape, t.shape);
  const n = shape.reduce((a, b) => a * b, 1);
  let total = 0;
  if (sameShape(p.shape, t.shape)) { const a = p.data, b = t.data; for (let i = 0; i < n; i++) { const e = a[i] - b[i]; total += e * e; } }
  else {
    const diff = new Float64Array(n), pd = p.data, td = t.data;
    const pi = p.size === n ? null : bIndex(p.shape, shape), ti = t.size === n ? null : bIndex(t.shape, shape);
    for (let i = 0; i < n; i++) { diff[i] = pd[pi ? pi[i] : i] - td[ti ? ti[i] : i]; total += diff[i] * diff[i]; }
  }
  const out = alloc('mseLoss', p.dtype === 'float64' || t.dtype === 'float64' ? 'float64' : 'float32', []);
  out[0] = total / n;
  return record('mseLoss', [p, t], new Tensor(out, []));
}
