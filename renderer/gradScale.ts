// Gradient magnitude → colour and warning mark, and the legend's ticks.
// The scale itself (thresholds, colours, classification) is shared with the exported drawings; see there.
import { classifySummary, DEFAULT_SCALE, scalePosition } from '../kernel/engine/gradScale';
import { formatNumber } from './format';
import type { TensorSummary } from './types';
import type { GradMark, GradScaleOptions } from '../kernel/engine/gradScale';
export { classifyNorm, DEFAULT_SCALE, FLAG_COLOUR, scaleColour, scalePosition } from '../kernel/engine/gradScale';
export type { GradFlag, GradMark, GradScaleOptions } from '../kernel/engine/gradScale';

/**
 * Classifies a gradient by its norm: colour on the log scale, plus a mark when vanishing, exploding or non-finite.
 * @example classifyGrad(edge.grad, DEFAULT_SCALE).flag === 'ok'
 */
export function classifyGrad(g: TensorSummary | undefined, opts: GradScaleOptions = DEFAULT_SCALE): GradMark {
  return classifySummary(g, opts);
}

/** The tick labels of the legend's colour bar: one per decade, thinned to at most `max`. */
export function scaleTicks(opts: GradScaleOptions = DEFAULT_SCALE, max = 6): Array<{ t: number; label: string }> {
  const lo = Math.ceil(Math.log10(opts.vanishing)), hi = Math.floor(Math.log10(opts.exploding));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / max));
  const ticks: Array<{ t: number; label: string }> = [];
  for (let e = lo; e <= hi; e += step) ticks.push({ t: scalePosition(10 ** e, opts), label: formatNumber(10 ** e) });
  return ticks;
}
