// The gradient colour scale, one rule for every drawing of a graph: the notebook renderer (renderer/gradScale.ts,
// which may import this file because it imports nothing) and the exported SVG and DOT (kernel/tools/graphExport.ts).
// The scale is logarithmic because gradients of one network routinely span many orders of magnitude; the
// thresholds decide what counts as vanishing or exploding.

/** The thresholds of the scale. */
export interface GradScaleOptions {
  /** A gradient norm below this is vanishing (and exactly 0 always is). */
  vanishing: number;
  /** A gradient norm above this is exploding. */
  exploding: number;
}

export const DEFAULT_SCALE: GradScaleOptions = { vanishing: 1e-6, exploding: 1e3 };

/** `none`: no gradient was computed there; `ok`: finite and between the thresholds. */
export type GradFlag = 'none' | 'ok' | 'vanishing' | 'exploding' | 'nonfinite';

/** Where a gradient sits on the scale. */
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

/** The colour of an edge whose gradient rule failed a gradient check, whatever its magnitude. */
export const FAILED_CHECK_COLOUR = '#d32f2f';

/** The hue of position t on the scale: violet (small) through blue, green and amber to red (large). */
export function scaleHue(t: number): number {
  return Math.round(260 - Math.min(1, Math.max(0, t)) * 250);
}

/**
 * The colour of position t on the scale, as CSS.
 * @example scaleColour(0.5) === 'hsl(135 65% 50%)'
 */
export function scaleColour(t: number): string {
  return `hsl(${scaleHue(t)} 65% 50%)`;
}

/** Colour for each flag that is not on the continuous scale (`none` is the theme's muted text colour). */
export const FLAG_COLOUR: Record<'none' | 'vanishing' | 'nonfinite', string> = {
  none: 'var(--bp-muted)',
  vanishing: 'hsl(220 8% 55%)',
  nonfinite: 'hsl(300 85% 55%)',
};

/**
 * Where a norm sits between the thresholds on a log scale, clamped to [0, 1].
 * @example scalePosition(1e-6, { vanishing: 1e-6, exploding: 1e3 }) === 0
 */
export function scalePosition(norm: number, opts: GradScaleOptions = DEFAULT_SCALE): number {
  if (!(norm > 0)) return 0;
  const lo = Math.log10(opts.vanishing), hi = Math.log10(opts.exploding);
  return Math.min(1, Math.max(0, (Math.log10(norm) - lo) / (hi - lo)));
}

/** A gradient's mark from its norm: colour on the log scale, plus a flag when vanishing, exploding or non-finite. */
export function classifyNorm(norm: number, opts: GradScaleOptions = DEFAULT_SCALE): GradMark {
  if (!Number.isFinite(norm)) return { flag: 'nonfinite', t: 1, colour: FLAG_COLOUR.nonfinite, symbol: SYMBOL.nonfinite };
  const t = scalePosition(norm, opts);
  if (norm < opts.vanishing) return { flag: 'vanishing', t: 0, colour: FLAG_COLOUR.vanishing, symbol: SYMBOL.vanishing };
  if (norm > opts.exploding) return { flag: 'exploding', t: 1, colour: scaleColour(1), symbol: SYMBOL.exploding };
  return { flag: 'ok', t, colour: scaleColour(t), symbol: '' };
}

/** The mark of a gradient summary (none when absent; non-finite when any entry is NaN or infinite). */
export function classifySummary(g: { norm: number; nan: number; inf: number } | undefined, opts: GradScaleOptions = DEFAULT_SCALE): GradMark {
  if (!g) return { flag: 'none', t: 0, colour: FLAG_COLOUR.none, symbol: '' };
  if (g.nan > 0 || g.inf > 0 || !Number.isFinite(g.norm)) return { flag: 'nonfinite', t: 1, colour: FLAG_COLOUR.nonfinite, symbol: SYMBOL.nonfinite };
  return classifyNorm(g.norm, opts);
}
