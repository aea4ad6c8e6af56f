// The gradient table: one vector-Jacobian product per primitive op, keyed by the op's name. A rule gets the
// gradient g of the op's output, the index i of the input to differentiate, the inputs x, the output `out` and
// the op's non-tensor arguments, and returns that input's gradient (null: none). Rules are written with tensor
// ops, so with `createGraph: true` they are recorded and gradients are differentiable again. A rule may return
// a gradient of the output's (broadcast) shape: backward() un-broadcasts it to the input's shape.
import { Tensor } from './tensor';
import { cos, div, exp, log, mul, neg, pow, sin, square, sub, where, cast, clamp, sigmoid } from './ops/elementwise';
import { expandReduced, firstExtremeMask, sum, sumTo } from './ops/reductions';
import { matmulT } from './ops/linalg';
import { gatherIndices, permute, reshape, scatterAdd, slice, transpose } from './ops/shapeOps';
import { pad } from './ops/shapeParts';
import { nllGradient } from './ops/losses';
import { softmax } from './ops/neural';
import { anyZero, inRange, isZero, leakySlope, oneHot, passPositive, positive, sign, winnerShare, zeroBaseNonNegExponent } from './ops/masks';
import { sameShape, sizeOf } from './shape';
import { normVjp } from './ops/norm';
import { isGradEnabled, Rule } from './graph';
// --- elementwise, comparison and reduction additions ---
import { abs, add, maximum, tanh } from './ops/elementwise';
import { erf, GELU_C, GELU_K, SELU_ALPHA, SELU_SCALE } from './ops/activations';
import { eq, gt } from './ops/compare';
import { cumsumAlong } from './ops/statistics';
import { mean } from './ops/reductions';
import { matmul } from './ops/linalg';
import { alloc } from './dtype';
import { convInputGrad, convWeightGrad, convWith } from './ops/conv';
import { averagingWindow } from './ops/pool';
import type { ConvWindow } from './ops/convGeometry';

/** Whether an op on g would be recorded (a createGraph backward): fused rules must then use recorded ops. */
const recording = (g: Tensor): boolean => g.requiresGrad && isGradEnabled();

/** g in x's shape: the gradient of the ops that only change the shape. */
const asInput = (g: Tensor, x: Tensor): Tensor => reshape(g, x.shape);

/**
 * The gradient table: each primitive op's vector-Jacobian product, keyed by the op's name (a node's `op`). Read by
 * backward(); each rule's maths is in its op's doc ("Gradient: ...").
 * @example gradients.tanh(g, 0, [a], out, {}) // g·(1 − out²)
 */
export const gradients: Record<string, Rule> = {
  // d(a+b)/da = g, d(a+b)/db = g
  add: (g) => g,
  // d(a−b)/da = g, d(a−b)/db = −g
  sub: (g, i) => (i === 0 ? g : neg(g)),
  // d(a·b)/da = g·b, d(a·b)/db = g·a
  mul: (g, i, [a, b]) => mul(g, i === 0 ? b : a),
  // d(a/b)/da = g/b, d(a/b)/db = −g·(a/b)/b
  div: (g, i, [, b], out) => (i === 0 ? div(g, b) : neg(div(mul(g, out), b))),
  // d(aᵇ)/da = g·b·aᵇ⁻¹ (0 where b = 0), d(aᵇ)/db = g·aᵇ·ln a (0 where a = 0 and b ≥ 0), as PyTorch
  pow: (g, i, [a, b], out) => {
    if (i === 0) { const r = mul(g, mul(b, pow(a, sub(b, 1)))); return anyZero(b) ? where(isZero(b), 0, r) : r; }
    const r = mul(g, mul(out, log(a)));
    return anyZero(a) ? where(zeroBaseNonNegExponent(a, b), 0, r) : r;
  },
  // d(−a)/da = −g
  neg: (g) => neg(g),
  // d(eᵃ)/da = g·eᵃ
  exp: (g, _i, _x, out) => mul(g, out),
  // d(ln a)/da = g/a
  log: (g, _i, [a]) => div(g, a),
  // d(√a)/da = g/(2√a)
  sqrt: (g, _i, _x, out) => div(g, mul(out, 2)),
  // d|a|/da = g·sign(a), 0 at 0
  abs: (g, _i, [a]) => mul(g, sign(a)),
  // d(a²)/da = 2·g·a
  square: (g, _i, [a]) => mul(g, mul(a, 2)),
  // d(tanh a)/da = g·(1 − tanh²a)
  tanh: (g, _i, _x, out) => mul(g, sub(1, square(out))),
  // dσ(a)/da = g·σ(a)·(1 − σ(a))
  sigmoid: (g, _i, _x, out) => mul(g, mul(out, sub(1, out))),
  // d relu(a)/da = g·[not a ≤ 0] (0 at 0, g at NaN)
  // (one fused pass unless this backward is itself recorded: createGraph)
  relu: (g, _i, [a]) => (recording(g) || g.dtype !== a.dtype || !sameShape(g.shape, a.shape) ? mul(g, positive(a)) : passPositive(g, a)),
  // d leakyRelu(a)/da = g·(a > 0 ? 1 : slope)
  leakyRelu: (g, _i, [a], _o, { slope }) => mul(g, leakySlope(a, slope as number)),
  // d(sin a)/da = g·cos a
  sin: (g, _i, [a]) => mul(g, cos(a)),
  // d(cos a)/da = −g·sin a
  cos: (g, _i, [a]) => neg(mul(g, sin(a))),
  // d clamp(a)/da = g·[min ≤ a ≤ max]
  clamp: (g, _i, [a], _o, { min, max }) => mul(g, inRange(a, min as number, max as number)),
  // d max(a,b)/da = g·[a > b] + ½g·[a = b] (g where either is NaN)
  maximum: (g, i, [a, b]) => mul(g, winnerShare(a, b, i, true)),
  // d min(a,b)/da = g·[a < b] + ½g·[a = b] (g where either is NaN)
  minimum: (g, i, [a, b]) => mul(g, winnerShare(a, b, i, false)),
  // d where(c,a,b)/da = g·c, d/db = g·(1 − c); the mask c gets none
  where: (g, i, [c]) => (i === 0 ? null : i === 1 ? where(c, g, 0) : where(c, 0, g)),
  // d clone(a)/da = g
  clone: (g) => g,
  // d cast(a)/da = g in a's dtype
  cast: (g, _i, [a]) => cast(g, a.dtype),

  // d Σa/da = g broadcast back over the summed axes
  sum: (g, _i, [a], _o, { axes }) => expandReduced(g, a.shape, axes as number[]),
  // d mean(a)/da = g/count broadcast back
  mean: (g, _i, [a], _o, { axes }) => div(expandReduced(g, a.shape, axes as number[]), sizeOf((axes as number[]).map((d) => a.shape[d]))),
  // d max(a)/da = g at the first maximal element, 0 elsewhere
  max: (g, _i, [a], out, { axes }) => mul(expandReduced(g, a.shape, axes as number[]), firstExtremeMask(a, axes as number[], out)),
  // d min(a)/da = g at the first minimal element, 0 elsewhere
  min: (g, _i, [a], out, { axes }) => mul(expandReduced(g, a.shape, axes as number[]), firstExtremeMask(a, axes as number[], out)),
  // d logΣexp(a)/da = g·exp(a − logΣexp(a)) = g·softmax(a)
  logSumExp: (g, _i, [a], out, { axes }) =>
    mul(expandReduced(g, a.shape, axes as number[]), exp(sub(a, expandReduced(out, a.shape, axes as number[])))),

  // d(a@b)/da = g·bᵀ, d(a@b)/db = aᵀ·g
  // (with op(a), op(b) when stored transposed; 1-D operands as row/column)
  matmul: (g, i, [a, b], _o, { transA, transB }) => {
    const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a, b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
    const gShape = g.shape.slice();
    if (a.ndim === 1) gShape.splice(b.ndim === 1 ? gShape.length : gShape.length - 1, 0, 1);
    if (b.ndim === 1) gShape.push(1);
    const g2 = reshape(g, gShape);
    if (i === 0) {
      const d = transA ? matmulT(b2, g2, !!transB, true) : matmulT(g2, b2, false, !transB);
      return a.ndim === 1 ? reshape(d, [...d.shape.slice(0, -2), a.shape[0]]) : d;
    }
    const d = transB ? matmulT(g2, a2, true, !!transA) : matmulT(a2, g2, !transA, false);
    return b.ndim === 1 ? reshape(d, d.shape.slice(0, -1)) : d;
  },

  // d reshape(a)/da = g in a's shape
  reshape: (g, _i, [a]) => asInput(g, a),
  // d flatten(a)/da = g in a's shape
  flatten: (g, _i, [a]) => asInput(g, a),
  // d squeeze(a)/da = g in a's shape
  squeeze: (g, _i, [a]) => asInput(g, a),
  // d unsqueeze(a)/da = g in a's shape
  unsqueeze: (g, _i, [a]) => asInput(g, a),
  // d permute(a, p)/da = permute(g, p⁻¹)
  permute: (g, _i, _x, _o, { dims }) => permute(g, inverse(dims as number[])),
  // d transpose(a)/da = transpose(g) with the same two dims
  transpose: (g, _i, [a], _o, { dim0, dim1 }) => (dim0 === dim1 ? asInput(g, a) : transpose(g, dim0, dim1)),
  // d broadcastTo(a)/da = g summed over the broadcast dims
  broadcastTo: (g, _i, [a]) => sumTo(g, a.shape),
  // d slice(a)/da = g placed back at `begin` in zeros of a's shape
  slice: (g, _i, [a], _o, { begin }) => pad(g, (begin as number[]).map((b, d) => [b, a.shape[d] - b - g.shape[d]])),
  // d gather(a)/da = g's slices added back at their indices
  gather: (g, _i, [a], _o, { indices, indexShape, axis }) => scatterAdd(g, indices as Int32Array, indexShape as number[], axis as number, a.shape),
  // d scatterAdd(a)/da = g's slices at the indices
  scatterAdd: (g, _i, _x, _o, { indices, indexShape, axis }) => gatherIndices(g, indices as Int32Array, indexShape as number[], axis as number),
  // d concat(xs)/dxᵢ = the part of g along `axis` where xᵢ sits
  concat: (g, i, x, _o, { axis }) => {
    const begin = g.shape.map(() => 0);
    for (let k = 0; k < i; k++) begin[axis as number] += x[k].shape[axis as number];
    return slice(g, begin, x[i].shape);
  },
  // d stack(xs)/dxᵢ = the i-th slice of g along `axis`
  stack: (g, i, x, _o, { axis }) => {
    const begin = g.shape.map(() => 0), size = g.shape.slice();
    begin[axis as number] = i; size[axis as number] = 1;
    return reshape(slice(g, begin, size), x[i].shape);
  },

  // d softmax(a)/da = s·(g − Σ g·s) along the axis, s = softmax(a)
  softmax: (g, _i, _x, s, { axis }) => mul(s, sub(g, sum(mul(g, s), axis, true))),
  // d logSoftmax(a)/da = g − softmax(a)·Σ g along the axis
  logSoftmax: (g, _i, _x, out, { axis }) => sub(g, mul(exp(out), sum(g, axis, true))),
  // d crossEntropy(a, t)/da = g·(softmax(a) − onehot(t))/N
  crossEntropy: (g, _i, [a], _o, { targets }) =>
    mul(g, div(sub(softmax(a, 1), oneHot(targets as Int32Array, a.shape[1], a.dtype)), a.shape[0])),
  // d mean((p − t)²)/dp = 2g·(p − t)/n, d/dt = −2g·(p − t)/n (n = elements of the broadcast shape)
  mseLoss: (g, i, [p, t]) => {
    const diff = sub(p, t), r = mul(g, div(mul(diff, 2), diff.size));
    return i === 0 ? r : neg(r);
  },

  /* --- shape ops, losses, embedding --- */
  // d pad(a)/da = the box of g where a sits
  pad: (g, _i, [a], _o, { pads }) => slice(g, (pads as [number, number][]).map((p) => p[0]), a.shape),
  // d tile(a)/da = g summed over the copies
  // (g seen as [r0, s0, r1, s1, ...], summed over the r axes)
  tile: (g, _i, [a], _o, { reps }) => {
    const r = reps as number[], s = [...new Array<number>(r.length - a.ndim).fill(1), ...a.shape];
    return reshape(sum(reshape(g, s.flatMap((n, d) => [r[d], n])), r.map((_, d) => 2 * d)), a.shape);
  },
  // d bce(p, t)/dp = g·(p − t)/(max(p(1 − p), 1e-12)·n), d/dt = g·(ln(1 − p) − ln p)/n (logs clamped at −100)
  binaryCrossEntropy: (g, i, [p, t]) => (i === 0
    ? div(mul(g, sub(p, t)), mul(clamp(mul(p, sub(1, p)), 1e-12), p.size))
    : div(mul(g, sub(clamp(log(sub(1, p)), -100), clamp(log(p), -100))), p.size)),
  // d bceLogits(x, t)/dx = g·(σ(x) − t)/n, d/dt = −g·x/n
  binaryCrossEntropyWithLogits: (g, i, [x, t]) => (i === 0 ? div(mul(g, sub(sigmoid(x), t)), x.size) : div(mul(g, neg(x)), x.size)),
  // d nllLoss(a, t)/da = −g/M at each target's entry, 0 elsewhere (M targets)
  nllLoss: (g, _i, [a], _o, { targets }) => mul(g, nllGradient(a, targets as Int32Array)),
  // d huber(p, t)/dp = g·clamp(p − t, −δ, δ)/n, d/dt = −g·clamp(p − t, −δ, δ)/n
  // (n = elements of the broadcast shape)
  huberLoss: (g, i, [p, t], _o, { delta }) => {
    const d = sub(p, t), r = div(mul(g, clamp(d, -(delta as number), delta)), d.size);
    return i === 0 ? r : neg(r);
  },
  // d embedding(i, W)/dW = g's rows added into W's rows at the indices; the indices get none
  embedding: (g, _i, [w], _o, { indices, indexShape }) => scatterAdd(g, indices as Int32Array, indexShape as number[], 0, w.shape),
  /* --- normalisation --- */
  // d dropout(a)/da = g·mask/(1 − p), the forward's mask
  dropout: (g, _i, _x, _o, { mask }) => mul(g, mask as Tensor),
  // d layerNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) over the normalised dims, d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
  // (μ, σ² over the normalised dims; w and b summed over the leading dims)
  layerNorm: (g, i, x, _o, a) => normVjp('layerNorm', g, i, x, a),
  // d batchNorm(a, w, b)/da = r·(ĝ − mean ĝ − â·mean(ĝ·â)) per channel in training, ĝ·r in evaluation; d/dw = Σ g·â, d/db = Σ g (â = (a − μ)·r, r = 1/√(σ² + ε), ĝ = g·w)
  // (μ, σ² per channel over the batch, length, height, width; in evaluation the running statistics, constants)
  batchNorm: (g, i, x, _o, a) => normVjp('batchNorm', g, i, x, a),
  /* --- elementwise, comparison and reduction additions --- */
  // d atan2(y,x)/dy = g·x/(x² + y²), d/dx = −g·y/(x² + y²)
  atan2: (g, i, [y, x]) => { const r2 = add(square(x), square(y)); return i === 0 ? div(mul(g, x), r2) : neg(div(mul(g, y), r2)); },
  // d sign(a)/da = 0
  sign: (g, _i, [a]) => zerosOf(g, a),
  // d floor(a)/da = 0
  floor: (g, _i, [a]) => zerosOf(g, a),
  // d ceil(a)/da = 0
  ceil: (g, _i, [a]) => zerosOf(g, a),
  // d round(a)/da = 0
  round: (g, _i, [a]) => zerosOf(g, a),
  // d elu(a)/da = g for a > 0, g·(elu(a) + alpha) for a ≤ 0
  // (NaN takes the second form, giving NaN, as PyTorch's vectorised kernel)
  elu: (g, _i, [a], out, { alpha }) => where(gt(a, 0), g, mul(g, add(out, alpha as number))),
  // d selu(a)/da = g·scale for a > 0, g·(selu(a) + scale·alpha) for a ≤ 0
  selu: (g, _i, [a], out) => where(gt(a, 0), mul(g, SELU_SCALE), mul(g, add(out, SELU_SCALE * SELU_ALPHA))),
  // d gelu(a)/da = g·(Φ(a) + a·φ(a)) (exact); the tanh form's derivative for 'tanh'
  gelu: (g, _i, [a], _o, { approximate }) => {
    if (approximate === 'tanh') {
      const t = tanh(mul(add(a, mul(pow(a, 3), GELU_C)), GELU_K));
      const inner = mul(mul(sub(1, square(t)), GELU_K), add(1, mul(square(a), 3 * GELU_C)));
      return mul(g, mul(add(add(t, 1), mul(a, inner)), 0.5));
    }
    const cdf = mul(add(erf(mul(a, Math.SQRT1_2)), 1), 0.5), pdf = mul(exp(mul(square(a), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return mul(g, add(cdf, mul(a, pdf)));
  },
  // d softplus(a)/da = g·σ(beta·a), g where beta·a > threshold
  softplus: (g, _i, [a], _o, { beta, threshold }) => where(gt(mul(a, beta as number), threshold as number), g, mul(g, sigmoid(mul(a, beta as number)))),
  // d silu(a)/da = g·σ(a)·(1 + a·(1 − σ(a)))
  silu: (g, _i, [a]) => { const s = sigmoid(a); return mul(g, mul(s, add(mul(a, sub(1, s)), 1))); },
  // d erf(a)/da = g·2/√π·e^(−a²)
  erf: (g, _i, [a]) => mul(g, mul(exp(neg(square(a))), 2 / Math.sqrt(Math.PI))),
  // d cumsum(a)/da = the running sums of g from the end of the axis
  cumsum: (g, _i, _x, _o, { axis, reverse }) => cumsumAlong(g, axis as number, !reverse),
  // d var(a)/da = g·2(a − mean(a))/(N − correction)
  var: (g, _i, [a], _o, { axes, correction }) =>
    mul(expandReduced(g, a.shape, axes as number[]), mul(sub(a, mean(a, axes, true)), 2 / (count(a, axes as number[]) - (correction as number)))),
  // d std(a)/da = g·(a − mean(a))/((N − correction)·std(a)), 0 where std is 0 (as PyTorch)
  std: (g, _i, [a], out, { axes, correction }) => {
    const s = expandReduced(out, a.shape, axes as number[]);
    const r = div(mul(expandReduced(g, a.shape, axes as number[]), sub(a, mean(a, axes, true))), mul(s, count(a, axes as number[]) - (correction as number)));
    return where(eq(s, 0), 0, r);
  },
  // d‖a‖ₚ/da = g·sign(a)·|a|ᵖ⁻¹/‖a‖ₚᵖ⁻¹, and 0 where the norm is 0, as PyTorch
  // (g·a/‖a‖ for p = 2, g·sign(a) for p = 1, shared among the extreme elements for ±Infinity, none for 0)
  norm: (g, _i, [a], out, { p, axes }) => {
    const ax = axes as number[], ge = expandReduced(g, a.shape, ax), n = expandReduced(out, a.shape, ax);
    let r: Tensor;
    if (p === 0) return zerosOf(ge, a);
    if (p === 2) r = mul(ge, div(a, n));
    else if (p === 1) r = mul(ge, sign(a));
    else if (p === Infinity || p === -Infinity) {
      const extreme = eq(abs(a.detach()), n.detach());
      // (no element equals a NaN norm: a count of 0 gives them all 0, as PyTorch)
      r = mul(ge, div(mul(sign(a), extreme), expandReduced(maximum(sum(extreme, ax, true), 1), a.shape, ax)));
    } else r = where(eq(a, 0), 0, mul(ge, mul(sign(a), div(pow(abs(a), (p as number) - 1), pow(n, (p as number) - 1)))));
    return where(eq(n, 0), 0, r);
  },
  // d outer(a,b)/da = g·b, d/db = aᵀ·g (matrix-vector products)
  outer: (g, i, [a, b]) => (i === 0 ? matmul(g, b) : matmul(a, g)),
  // d dot(a,b)/da = g·b, d/db = g·a
  dot: (g, i, [a, b]) => mul(g, i === 0 ? b : a),
  /* --- convolution --- */
  // d conv1d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, L
  conv1d: (g, i, [x, w], _o, { window }) => convRule(g, i, x, w, window as ConvWindow),
  // d conv2d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, H, W
  // (g ⋆ x: g's channels times x's windows, summed over the batch)
  conv2d: (g, i, [x, w], _o, { window }) => convRule(g, i, x, w, window as ConvWindow),
  // d convInputGrad(g,w)/dg = conv(G, w), d/dw = convWeightGrad(G, g)   (G: this rule's incoming gradient)
  convInputGrad: (G, i, [g, w], _o, { window }) =>
    (i === 0 ? convWith(G, w, null, window as ConvWindow) : convWeightGrad(G, g, window as ConvWindow, w.shape)),
  // d convWeightGrad(x,g)/dx = convInputGrad(g, G), d/dg = conv(x, G)
  convWeightGrad: (G, i, [x, g], _o, { window }) =>
    (i === 0 ? convInputGrad(g, G, window as ConvWindow, x.shape) : convWith(x, G, null, window as ConvWindow)),
  // d maxPool2d/dx = g sent to the first maximal element of each window
  maxPool2d: (g, _i, [a], _o, { indices, indexShape }) =>
    reshape(scatterAdd(reshape(g, [-1]), indices as Int32Array, indexShape as number[], 0, [a.size]), a.shape),
  // d avgPool2d/dx = g/(kH·kW) spread back over each window
  // (the transposed convolution by that constant window)
  avgPool2d: (g, _i, [a], _o, { window }) => {
    const [N, C, H, W] = a.shape, win = window as ConvWindow;
    const gi = reshape(g, [N * C, 1, g.shape[2], g.shape[3]]);
    return reshape(convInputGrad(gi, averagingWindow(win, g.dtype), win, [N * C, 1, H, W]), a.shape);
  },
};

/** Zeros of x's shape in g's dtype: the gradient of the step functions. */
function zerosOf(g: Tensor, x: Tensor): Tensor { return new Tensor(alloc('gradient', g.dtype, x.shape), x.shape.slice()); }

/** How many elements of a each reduced value covers. */
function count(a: Tensor, axes: readonly number[]): number { return sizeOf(axes.map((d) => a.shape[d])); }

/** A conv's gradient in its input (0), weight (1) or bias (2). */
function convRule(g: Tensor, i: number, x: Tensor, w: Tensor, win: ConvWindow): Tensor {
  if (i === 0) return convInputGrad(g, w, win, x.shape);
  if (i === 1) return convWeightGrad(x, g, win, w.shape);
  // Σ over the positions, then over the batch: two reductions over contiguous runs (one over [0, 2, 3] takes
  // the general strided path, several times slower on a LeNet step).
  const [N, O] = g.shape;
  return sum(sum(reshape(g, [N, O, -1]), 2), 0);
}

function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}
