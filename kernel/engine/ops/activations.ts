// Activations beyond relu/tanh/sigmoid, each one node with its rule in gradients.ts, computed as PyTorch does
// (the same formulas, so values agree to rounding): elu, selu, gelu (exact or tanh), softplus, silu; and the
// internal op erf that gelu's gradient is written with.
import { Tensor, TensorLike } from '../tensor';
import { unary } from './elementwise';
import { erf as erfScalar } from './erf';

/** selu's constants (Klambauer et al.), as PyTorch spells them. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
/** √(2/π) and the cubic coefficient of gelu's tanh approximation. */
export const GELU_K = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
export const GELU_C = 0.044715;

function finiteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * x for x > 0, alpha·(eˣ − 1) otherwise; `alpha` defaults to 1.
 * Gradient: d elu(a)/da = g for a > 0, g·(elu(a) + alpha) for a ≤ 0
 * @example elu(x) ; elu(x, 0.5)
 */
export function elu(x: TensorLike, alpha = 1): Tensor {
  finiteNumber('elu', 'alpha', alpha);
  return unary('elu', x, (a, o, n) => { for (let i = 0; i < n; i++) { const v = a[i]; o[i] = v > 0 || v !== v ? v : alpha * Math.expm1(v); } }, { alpha });
}

/**
 * scale·elu(x, alpha) with PyTorch's constants (alpha ≈ 1.6733, scale ≈ 1.0507): self-normalising.
 * Gradient: d selu(a)/da = g·scale for a > 0, g·(selu(a) + scale·alpha) for a ≤ 0
 * @example selu(x)
 */
export function selu(x: TensorLike): Tensor {
  return unary('selu', x, (a, o, n) => {
    for (let i = 0; i < n; i++) { const v = a[i]; o[i] = SELU_SCALE * (v > 0 || v !== v ? v : SELU_ALPHA * Math.expm1(v)); }
  });
}

/** Options of gelu. @example gelu(x, { approximate: 'tanh' }) */
export interface GeluOptions {
  /** 'none' (default): x·Φ(x) with the exact normal CDF; 'tanh': PyTorch's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * x·Φ(x), Φ the standard normal CDF (exact, through erf); `{ approximate: 'tanh' }` uses
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch.
 * Gradient: d gelu(a)/da = g·(Φ(a) + a·φ(a)) (exact); the tanh form's derivative for 'tanh'
 * @example gelu(x) ; gelu(x, { approximate: 'tanh' })
 */
export function gelu(x: TensorLike, opts: GeluOptions = {}): Tensor {
  if (opts === null || typeof opts !== 'object') throw new Error(`gelu: options must be an object such as { approximate: 'tanh' }, got ${String(opts)}`);
  for (const k of Object.keys(opts)) if (k !== 'approximate') throw new Error(`gelu: unknown option '${k}' (supported: approximate)`);
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got ${String(approximate)}`);
  if (approximate === 'tanh') {
    return unary('gelu', x, (a, o, n) => {
      for (let i = 0; i < n; i++) { const v = a[i]; o[i] = 0.5 * v * (1 + Math.tanh(GELU_K * (v + GELU_C * v * v * v))); }
    }, { approximate });
  }
  return unary('gelu', x, (a, o, n) => { for (let i = 0; i < n; i++) { const v = a[i]; o[i] = v * 0.5 * (1 + erfScalar(v * Math.SQRT1_2)); } }, { approximate });
}

/**
 * log(1 + e^(beta·x))/beta, and x itself where beta·x > threshold (defaults: beta 1, threshold 20), as PyTorch.
 * Gradient: d softplus(a)/da = g·σ(beta·a), g where beta·a > threshold
 * @example softplus(x) ; softplus(x, 2)
 */
export function softplus(x: TensorLike, beta = 1, threshold = 20): Tensor {
  finiteNumber('softplus', 'beta', beta);
  if (beta === 0) throw new Error('softplus: beta must not be 0');
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`softplus: threshold must be a number, got ${String(threshold)}`);
  return unary('softplus', x, (a, o, n) => {
    for (let i = 0; i < n; i++) { const v = a[i], z = v * beta; o[i] = z > threshold ? v : Math.log1p(Math.exp(z)) / beta; }
  }, { beta, threshold });
}

/**
 * x·σ(x) (also called swish).
 * Gradient: d silu(a)/da = g·σ(a)·(1 + a·(1 − σ(a)))
 * @example silu(x)
 */
export function silu(x: TensorLike): Tensor {
  return unary('silu', x, (a, o, n) => { for (let i = 0; i < n; i++) { const v = a[i]; o[i] = v / (1 + Math.exp(-v)); } });
}

/**
 * Internal (gelu's gradient): the error function, elementwise.
 * Gradient: d erf(a)/da = g·2/√π·e^(−a²)
 */
export function erf(x: TensorLike): Tensor {
  return unary('erf', x, (a, o, n) => { for (let i = 0; i < n; i++) o[i] = erfScalar(a[i]); });
}
