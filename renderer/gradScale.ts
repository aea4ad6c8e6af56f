// Gradient magnitude → colour and warning mark. The scale is logarithmic because gradients of one network
// routinely span many orders of magnitude; the thresholds decide what counts as vanishing or exploding.
import { formatNumber } from './format';
import type { TensorSummary } from './types';

export interface GradScaleOptions {
  /** A gradient norm below this is vanishing (and exactly 0 always is). */
  vanishing: number;
  /** A gradient norm above this is exploding. */
  exploding: number;
}

export const DEFAULT_SCALE: GradScaleOptions = { vanishing: 1e-6, exploding: 1e3 };

/** `none`: no gradient was computed there; `ok`: finite and between the thresholds. */
export type GradFlag = 'none' | 'ok' | 'vanishing' | 'exploding' | 'nonfinite';

export interface GradMark {
  flag: GradFlag;
  /** Position on the colour scale, 0 (at the vanishing threshold) to 1 (at the exploding threshold). */
  t: number;
  /** A CSS colour. */
  colour: string;
  /** '▼', '▲', '⚠' or ''. */
  symbol: string;
}

const SYMBOL: Record<GradFlag, string> = { none: '', ok: '', vanishing: '▼', exploding: '▲', nonfinite: '⚠' };

/**
 * The colour of position t on the scale: violet (small) through blue, green and amber to red (large).
 * @example scaleColour(0.5) === 'hsl(135 65% 50%)'
 */
export function scaleColour(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  return `hsl(${Math.round(260 - u * 250)} 65% 50%)`;
}

/** Colour for each flag that is not on the continuous scale. */
export const FLAG_COLOUR: Record<'none' | 'vanishing' | 'nonfinite', string> = {
  none: 'var(--bp-muted)',
  vanishing: 'hsl(220 8% 55%)',
  nonfinite: 'hsl(300 85% 55%)',
};

/**
 * Classifies a gradient by its norm: colour on the log scale, plus a mark when vanishing, exploding or non-finite.
 * @example classifyGrad(edge.grad, DEFAULT_SCALE).flag === 'ok'
 */
export function classifyGrad(g: TensorSummary | undefined, opts: GradScaleOptions = DEFAULT_SCALE): GradMark {
  if (!g) return { flag: 'none', t: 0, colour: FLAG_COLOUR.none, symbol: '' };
  if (g.nan > 0 || g.inf > 0 || !Number.isFinite(g.norm)) {
    return { flag: 'nonfinite', t: 1, colour: FLAG_COLOUR.nonfinite, symbol: SYMBOL.nonfinite };
  }
  return classifyNorm(g.norm, opts);
}

/** As classifyGrad, from a norm alone (used for collapsed groups and the flow chart). */
export function classifyNorm(norm: number, opts: GradScaleOptions = DEFAULT_SCALE): GradMark {
  if (!Number.isFinite(norm)) return { flag: 'nonfinite', t: 1, colour: FLAG_COLOUR.nonfinite, symbol: SYMBOL.nonfinite };
  const t = scalePosition(norm, opts);
  if (norm < opts.vanishing) return { flag: 'vanishing', t: 0, colour: FLAG_COLOUR.vanishing, symbol: SYMBOL.vanishing };
  if (norm > opts.exploding) return { flag: 'exploding', t: 1, colour: scaleColour(1), symbol: SYMBOL.exploding };
  return { flag: 'ok', t, colour: scaleColour(t), symbol: '' };
}

/**
 * Where a norm sits between the thresholds on a log scale, clamped to [0, 1].
 * @example scalePosition(1e-6, { vanishing: 1e-6, exploding: 1e3 }) === 0
 */
export function scalePosition(norm: number, opts: GradScaleOptions = DEFAULT_SCALE): number {
  if (!(norm > 0)) return 0;
  const lo = Math.log10(opts.vanishing), hi = Math.log10(opts.exploding);
  return Math.min(1, Math.max(0, (Math.log10(norm) - lo) / (hi - lo)));
}

/** The tick labels of the legend's colour bar: one per decade, thinned to at most `max`. */
export function scaleTicks(opts: GradScaleOptions = DEFAULT_SCALE, max = 6): Array<{ t: number; label: string }> {
  const lo = Math.ceil(Math.log10(opts.vanishing)), hi = Math.floor(Math.log10(opts.exploding));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / max));
  const ticks: Array<{ t: number; label: string }> = [];
  for (let e = lo; e <= hi; e += step) ticks.push({ t: scalePosition(10 ** e, opts), label: formatNumber(10 ** e) });
  return ticks;
}
