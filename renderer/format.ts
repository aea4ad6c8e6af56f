// Numbers and tensor summaries as short text. Everything here returns plain strings; the DOM code puts them
// in with textContent, never as markup.
import type { TensorSummary } from './types';

/** At most this many values are written out in a box label; larger tensors get a summary. */
export const LABEL_VALUES = 4;
/** Significant digits in graph labels (cards show 4). */
export const LABEL_DIGITS = 3;

/**
 * A number in at most `digits` significant digits, exponent form when very large or small; NaN/Infinity spelled out.
 * The kernel's text outputs have their own (kernel/engine/format.ts): the renderer takes only types from outside.
 * @example formatNumber(0.000123456) === '1.235e-4'
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e6) return String(x);
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = x.toExponential(digits - 1).split('e');
    return `${trimZeros(m)}e${e.startsWith('+') ? e.slice(1) : e}`;
  }
  return trimZeros(x.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * A shape as `[2×3]`, or `scalar`.
 * @example formatShape([2, 3]) === '[2×3]'
 */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : `[${shape.join('×')}]`;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * For labels: the numbers themselves when there are at most `maxValues` of them, a compact summary otherwise.
 * @example summaryText({ shape: [], values: [0.5], ... }) === '0.5'
 */
export function summaryText(s: TensorSummary, maxValues = LABEL_VALUES): string {
  const n = sizeOf(s.shape);
  const f = (x: number) => formatNumber(x, LABEL_DIGITS);
  if (s.values && s.values.length === n && n <= maxValues) return n === 1 ? f(s.values[0]) : `[${s.values.map(f).join(', ')}]`;
  return `μ ${f(s.mean)} σ ${f(s.std)}`;
}

/** Non-finite entries, as a short warning, or '' when there are none. */
export function nonFiniteText(s: TensorSummary): string {
  const parts: string[] = [];
  if (s.nan) parts.push(`${s.nan} NaN`);
  if (s.inf) parts.push(`${s.inf} Inf`);
  return parts.join(', ');
}

/** The rows of a statistics table: label and value, as text. */
export function statRows(s: TensorSummary): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['shape', formatShape(s.shape)],
    ['mean', formatNumber(s.mean)],
    ['std', formatNumber(s.std)],
    ['min', formatNumber(s.min)],
    ['max', formatNumber(s.max)],
    ['norm', formatNumber(s.norm)],
  ];
  const bad = nonFiniteText(s);
  if (bad) rows.push(['non-finite', bad]);
  return rows;
}

/**
 * Up to 16 values, laid out as rows of the tensor's last dimension.
 * @example valueGrid({ shape: [2, 2], values: [1, 2, 3, 4], ... }) → [['1','2'],['3','4']]
 */
export function valueGrid(s: TensorSummary): string[][] | undefined {
  if (!s.values || s.values.length === 0) return undefined;
  const cols = s.shape.length >= 2 ? s.shape[s.shape.length - 1] : s.values.length;
  const rows: string[][] = [];
  for (let i = 0; i < s.values.length; i += Math.max(1, cols)) {
    rows.push(s.values.slice(i, i + Math.max(1, cols)).map((v) => formatNumber(v)));
  }
  return rows;
}
