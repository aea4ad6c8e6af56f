// The sliding window of convolutions and pooling: options as the user spells them (a number or a pair), checked
// once into a `ConvWindow` (what a graph node records), and the `Geometry` of one call (every size the loops
// need). 1-D ops are 2-D ones of height 1, so one set of loops serves both.
import { fmt } from '../shape';

/** A window's hyper-parameters, always as [height, width] pairs (1-D ops: height 1). Recorded as an op's args. */
export interface ConvWindow {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** Every size of one convolution or pooling call: input [N, C, H, W], weight [O, C/G, kH, kW], output [N, O, oH, oW]. */
export interface Geometry {
  N: number; C: number; H: number; W: number;
  O: number; G: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number;
  oH: number; oW: number;
}

/** One option as a [height, width] pair: a number (both), or a pair (2-D ops only); 1-D ops get height 1 or 0. */
export function pairOf(op: string, name: string, v: unknown, dims: 1 | 2, min: number, fallback: number): [number, number] {
  const value = v === undefined ? fallback : v;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
  const bad = (): Error => new Error(`${op}: ${name} must be ${dims === 2 ? 'an integer or a pair of integers' : 'an integer'} ≥ ${min}, got ${JSON.stringify(value)}`);
  const base = min === 0 ? 0 : 1;
  if (ok(value)) return dims === 2 ? [value, value] : [base, value];
  if (dims === 2 && Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  if (dims === 1 && Array.isArray(value) && value.length === 1 && ok(value[0])) return [base, value[0]];
  throw bad();
}

/** Output length along one dim: ⌊(in + 2p − d·(k − 1) − 1)/s⌋ + 1, as PyTorch. */
export function outLength(inLen: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((inLen + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * The geometry of a window over `xShape` ([N, C, L] or [N, C, H, W]) with O output channels; throws when the
 * window does not fit (an error naming the op and the shapes).
 */
export function geometry(op: string, xShape: readonly number[], O: number, win: ConvWindow, what: string): Geometry {
  const four = xShape.length === 4;
  const [N, C] = xShape, H = four ? xShape[2] : 1, W = xShape[xShape.length - 1];
  const [kH, kW] = win.kernel, [sH, sW] = win.stride, [pH, pW] = win.padding, [dH, dW] = win.dilation;
  const oH = outLength(H, kH, sH, pH, dH), oW = outLength(W, kW, sW, pW, dW);
  if (oH < 1 || oW < 1) {
    const k = four ? `${kH}×${kW}` : `${kW}`, span = four ? `${dH * (kH - 1) + 1}×${dW * (kW - 1) + 1}` : `${dW * (kW - 1) + 1}`;
    throw new Error(`${op}: ${what} ${k} (spanning ${span} with dilation) does not fit in input ${fmt(xShape)} with padding ${four ? fmt(win.padding) : pW}`);
  }
  return { N, C, H, W, O, G: win.groups, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW };
}
