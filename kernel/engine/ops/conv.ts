// Convolutions: conv1d and conv2d are one node each (input, weight, optional bias), computed by im2col and gemm
// (convKernels.ts). Their two gradients are ops of their own, convInputGrad and convWeightGrad, so a gradient is
// itself differentiable (double backward): the three ops are bilinear and each one's gradients are the others.
import { alloc, allocForOverwrite, FloatArray, promote } from '../dtype';
import { record } from '../graph';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { ConvWindow, Geometry, geometry, pairOf } from './convGeometry';
import { convForward, convInputGradient, convWeightGradient } from './convKernels';

/** Options of conv1d and conv2d (PyTorch's keyword arguments); a pair is [height, width], 2-D only. */
export interface ConvOptions {
  /** Step of the window (default 1). */
  stride?: number | [number, number];
  /** Zeros added on both sides of each spatial dim (default 0). */
  padding?: number | [number, number];
  /** Spacing between the window's taps (default 1). */
  dilation?: number | [number, number];
  /** Input and output channels split into this many independent groups (default 1). */
  groups?: number;
}

type ConvOp = 'conv1d' | 'conv2d';

function describe(x: unknown): string {
  return x instanceof Tensor ? `shape ${fmt(x.shape)}` : x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}

/** Storage of t in dtype (a copy only when the dtypes differ). */
function as(t: Tensor, dtype: 'float32' | 'float64'): FloatArray {
  return t.dtype === dtype ? t.data : dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
}

/** Checks a conv call's operands and options; returns the window and the geometry. */
function checkConv(op: ConvOp, x: unknown, w: unknown, b: unknown, opts: ConvOptions): { win: ConvWindow; geo: Geometry } {
  const rank = op === 'conv2d' ? 4 : 3, dims = op === 'conv2d' ? 2 : 1, names = op === 'conv2d' ? '[N, C, H, W]' : '[N, C, L]';
  if (!(x instanceof Tensor) || x.ndim !== rank) throw new Error(`${op}: input must be a ${rank}-D tensor ${names}, got ${describe(x)}`);
  if (!(w instanceof Tensor) || w.ndim !== rank) {
    throw new Error(`${op}: weight must be a ${rank}-D tensor ${op === 'conv2d' ? '[O, C/groups, kH, kW]' : '[O, C/groups, K]'}, got ${describe(w)}`);
  }
  checkOptions(op, opts, ['stride', 'padding', 'dilation', 'groups']);
  const groups = opts.groups ?? 1;
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  const C = x.shape[1], O = w.shape[0];
  if (C % groups !== 0 || O % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the input channels (${C}) and the output channels (${O}); input ${fmt(x.shape)}, weight ${fmt(w.shape)}`);
  if (w.shape[1] * groups !== C) throw new Error(`${op}: input ${fmt(x.shape)} has ${C} channels but weight ${fmt(w.shape)} with groups ${groups} expects ${w.shape[1] * groups}`);
  if (b !== null && (!(b instanceof Tensor) || b.ndim !== 1 || b.shape[0] !== O)) throw new Error(`${op}: bias must be a 1-D tensor of ${O} values (one per output channel of weight ${fmt(w.shape)}), got ${describe(b)}`);
  const win: ConvWindow = {
    kernel: op === 'conv2d' ? [w.shape[2], w.shape[3]] : [1, w.shape[2]],
    stride: pairOf(op, 'stride', opts.stride, dims, 1, 1),
    padding: pairOf(op, 'padding', opts.padding, dims, 0, 0),
    dilation: pairOf(op, 'dilation', opts.dilation, dims, 1, 1),
    groups,
  };
  if (win.kernel[0] < 1 || win.kernel[1] < 1) throw new Error(`${op}: weight ${fmt(w.shape)} has an empty kernel`);
  return { win, geo: geometry(op, x.shape, O, win, 'kernel') };
}

/** The forward of a checked conv: one node with inputs x, w (and b). */
function convolve(op: ConvOp, x: Tensor, w: Tensor, b: Tensor | null, win: ConvWindow, geo: Geometry): Tensor {
  const dtype = promote(promote(x.dtype, w.dtype), b ? b.dtype : x.dtype);
  const shape = op === 'conv2d' ? [geo.N, geo.O, geo.oH, geo.oW] : [geo.N, geo.O, geo.oW];
  const out = allocForOverwrite(op, dtype, shape);
  convForward(as(x, dtype), as(w, dtype), b ? as(b, dtype) : null, geo, out);
  return record(op, b ? [x, w, b] : [x, w], new Tensor(out, shape), { window: win });
}

/** Splits `b?, opts?` so that `conv2d(x, w, { padding: 1 })` reads as it looks (no bias). */
function biasAndOptions(b: Tensor | null | undefined | ConvOptions, opts: ConvOptions | undefined): [unknown, ConvOptions] {
  if (b !== null && b !== undefined && !(b instanceof Tensor) && typeof b === 'object' && !Array.isArray(b) && opts === undefined) return [null, b];
  return [b ?? null, opts ?? {}];
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight w [O, C/groups, kH, kW] and an
 * optional bias b [O]: shape [N, O, oH, oW], oH = ⌊(H + 2·padding − dilation·(kH − 1) − 1)/stride⌋ + 1.
 * stride, padding and dilation are a number or a [height, width] pair.
 * Gradient: d conv2d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, H, W
 * @example const y = conv2d(images, w, b, { padding: 1 }); // [64,1,28,28] ⋆ [6,1,3,3] → [64,6,28,28]
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [bias, o] = biasAndOptions(b, opts);
  const { win, geo } = checkConv('conv2d', x, w, bias, o);
  return convolve('conv2d', x, w, bias as Tensor | null, win, geo);
}

/**
 * 1-D convolution (cross-correlation, as PyTorch) of x [N, C, L] with weight w [O, C/groups, K] and an optional
 * bias b [O]: shape [N, O, oL], oL = ⌊(L + 2·padding − dilation·(K − 1) − 1)/stride⌋ + 1.
 * Gradient: d conv1d/dx = convᵀ(g, w) (convInputGrad), d/dw = g ⋆ x (convWeightGrad), d/db = Σ g over N, L
 * @example const y = conv1d(signal, w, null, { stride: 2 }); // [8,3,100] ⋆ [4,3,5] → [8,4,48]
 */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null | ConvOptions, opts?: ConvOptions): Tensor {
  const [bias, o] = biasAndOptions(b, opts);
  const { win, geo } = checkConv('conv1d', x, w, bias, o);
  return convolve('conv1d', x, w, bias as Tensor | null, win, geo);
}

/** Internal: a conv with a window already checked (replay, and the gradients of the two gradient ops). */
export function convWith(x: Tensor, w: Tensor, b: Tensor | null, win: ConvWindow): Tensor {
  const op: ConvOp = x.ndim === 4 ? 'conv2d' : 'conv1d';
  return convolve(op, x, w, b, win, geometry(op, x.shape, w.shape[0], win, 'kernel'));
}

/**
 * Internal (the gradient of a conv in its input): the transposed convolution of g [N, O, ...] by w, shape xShape.
 * Gradient: d/dg = conv(G, w), d/dw = convWeightGrad(G, g)
 */
export function convInputGrad(g: Tensor, w: Tensor, win: ConvWindow, xShape: readonly number[]): Tensor {
  const geo = geometry('convInputGrad', xShape, w.shape[0], win, 'kernel');
  const dtype = promote(g.dtype, w.dtype);
  const out = alloc('convInputGrad', dtype, xShape);
  convInputGradient(as(g, dtype), as(w, dtype), geo, out);
  return record('convInputGrad', [g, w], new Tensor(out, xShape.slice()), { window: win, shape: xShape.slice() });
}

/**
 * Internal (the gradient of a conv in its weight): g [N, O, ...] times x's windows, summed over the batch, shape wShape.
 * Gradient: d/dx = convInputGrad(g, G), d/dg = conv(x, G)
 */
export function convWeightGrad(x: Tensor, g: Tensor, win: ConvWindow, wShape: readonly number[]): Tensor {
  const geo = geometry('convWeightGrad', x.shape, wShape[0], win, 'kernel');
  const dtype = promote(x.dtype, g.dtype);
  const out = alloc('convWeightGrad', dtype, wShape);
  convWeightGradient(as(x, dtype), as(g, dtype), geo, out);
  return record('convWeightGrad', [x, g], new Tensor(out, wShape.slice()), { window: win, shape: wShape.slice() });
}
