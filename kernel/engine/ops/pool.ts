// Pooling over the last two dims of x [N, C, H, W], one node each. maxPool2d keeps where each maximum came
// from, and its gradient is a scatterAdd of g to those places (so it is differentiable again); avgPool2d is a
// convolution of each channel with a constant 1/(kH·kW) window, and its gradient the transposed convolution.
import { allocForOverwrite, FloatArray } from '../dtype';
import { record } from '../graph';
import { fmt } from '../shape';
import { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { ConvWindow, Geometry, geometry, pairOf } from './convGeometry';
import { convForward, maxWindowsStaged } from './convKernels';

/** Options of maxPool2d and avgPool2d; a pair is [height, width]. */
export interface PoolOptions {
  /** Step of the window (default: the kernel size). */
  stride?: number | [number, number];
  /** Implicit padding on both sides (default 0; at most half the kernel): -∞ for max, 0 (counted) for average. */
  padding?: number | [number, number];
}

type PoolOp = 'maxPool2d' | 'avgPool2d';

/** Checks a pooling call; the window and the geometry with every channel its own image (C = 1, N·C images). */
function checkPool(op: PoolOp, x: unknown, kernelSize: unknown, opts: PoolOptions): { win: ConvWindow; geo: Geometry } {
  if (!(x instanceof Tensor) || x.ndim !== 4) {
    throw new Error(`${op}: input must be a 4-D tensor [N, C, H, W], got ${x instanceof Tensor ? `shape ${fmt(x.shape)}` : typeof x}`);
  }
  checkOptions(op, opts, ['stride', 'padding']);
  const kernel = pairOf(op, 'kernelSize', kernelSize, 2, 1, NaN);
  const win: ConvWindow = {
    kernel,
    stride: opts.stride === undefined || opts.stride === null ? kernel : pairOf(op, 'stride', opts.stride, 2, 1, 1),
    padding: pairOf(op, 'padding', opts.padding, 2, 0, 0),
    dilation: [1, 1],
    groups: 1,
  };
  if (2 * win.padding[0] > kernel[0] || 2 * win.padding[1] > kernel[1]) {
    throw new Error(`${op}: padding ${fmt(win.padding)} must be at most half the kernel size ${fmt(kernel)}`);
  }
  const geo = geometry(op, x.shape, 1, win, 'kernel');
  return { win, geo: { ...geo, N: geo.N * geo.C, C: 1 } };
}

/** Pooling's result shape: [N, C, oH, oW]. */
const pooledShape = (x: Tensor, geo: Geometry): number[] => [x.shape[0], x.shape[1], geo.oH, geo.oW];

/**
 * The maximum of each kH×kW window of x [N, C, H, W], moved by `stride` (default: the kernel size), over x padded
 * with −∞: shape [N, C, oH, oW]. kernelSize, stride and padding are a number or a [height, width] pair.
 * Gradient: d maxPool2d/dx = g sent to the first maximal element of each window (in row-major scan), as PyTorch
 * @example const y = maxPool2d(x, 2); // [64,6,24,24] → [64,6,12,12]
 */
export function maxPool2d(x: Tensor, kernelSize: number | [number, number], opts: PoolOptions = {}): Tensor {
  const { win, geo } = checkPool('maxPool2d', x, kernelSize, opts);
  const shape = pooledShape(x, geo), out = allocForOverwrite('maxPool2d', x.dtype, shape);
  const indices = new Int32Array(out.length);
  if (!maxWindowsStaged(x.data, geo, out, indices)) maxWindows(x.data, geo, out, indices);
  return record('maxPool2d', [x], new Tensor(out, shape), { window: win, indices, indexShape: [out.length] });
}

/** out ← each window's maximum, indices ← where in x it is (the first maximum; a NaN wins, as PyTorch); without WebAssembly. */
function maxWindows(x: FloatArray, g: Geometry, out: FloatArray, indices: Int32Array): void {
  const HW = g.H * g.W;
  let o = 0;
  for (let img = 0; img < g.N; img++) {
    const base = img * HW;
    for (let oh = 0; oh < g.oH; oh++) {
      const h0 = oh * g.sH - g.pH, hLo = Math.max(0, h0), hHi = Math.min(g.H, h0 + g.kH);
      for (let ow = 0; ow < g.oW; ow++, o++) {
        const w0 = ow * g.sW - g.pW, wLo = Math.max(0, w0), wHi = Math.min(g.W, w0 + g.kW);
        let best = -Infinity, at = base + hLo * g.W + wLo;
        for (let h = hLo; h < hHi; h++) {
          for (let i = base + h * g.W + wLo, end = base + h * g.W + wHi; i < end; i++) {
            const v = x[i];
            if (v > best || v !== v) { best = v; at = i; }
          }
        }
        out[o] = best;
        indices[o] = at;
      }
    }
  }
}

/**
 * The mean of each kH×kW window of x [N, C, H, W], moved by `stride` (default: the kernel size), over x padded
 * with zeros that count in the mean (PyTorch's count_include_pad): shape [N, C, oH, oW].
 * Gradient: d avgPool2d/dx = g/(kH·kW) spread back over each window
 * @example const y = avgPool2d(x, 2, { stride: 1 }); // [1,3,4,4] → [1,3,3,3]
 */
export function avgPool2d(x: Tensor, kernelSize: number | [number, number], opts: PoolOptions = {}): Tensor {
  const { win, geo } = checkPool('avgPool2d', x, kernelSize, opts);
  const shape = pooledShape(x, geo), out = allocForOverwrite('avgPool2d', x.dtype, shape);
  convForward(x.data, averagingWindow(win, x.dtype).data, null, geo, out);
  return record('avgPool2d', [x], new Tensor(out, shape), { window: win });
}

/** The constant weight [1, 1, kH, kW] of 1/(kH·kW) that makes a convolution an average. */
export function averagingWindow(win: ConvWindow, dtype: 'float32' | 'float64'): Tensor {
  const [kH, kW] = win.kernel, n = kH * kW;
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  data.fill(1 / n);
  return new Tensor(data, [1, 1, kH, kW]);
}
