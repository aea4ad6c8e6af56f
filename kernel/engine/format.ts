// toString(): PyTorch's layout (`tensor([[1., 2.], [3., 4.]], requiresGrad=true)`), with numbers padded to
// one width, 4 decimals (or scientific notation when PyTorch would use it), long dims summarised with '...', and
// rows wrapped at 80 columns.
import type { Tensor } from './tensor';

const EDGE = 3, THRESHOLD = 1000, LINE_WIDTH = 80;

function numberFormat(values: ArrayLike<number>): (v: number) => string {
  let allInt = true, maxAbs = 0, minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
  }
  // PyTorch's choice: scientific when the nonzero magnitudes span more than 1000×, exceed 1e8, or (non-integers)
  // go below 1e-4.
  const sci = maxAbs > 1e8 || (minAbs < Infinity && maxAbs / minAbs > 1000) || (!allInt && minAbs < 1e-4);
  const format = sci ? (v: number) => v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : allInt ? (v: number) => `${v}.` : (v: number) => v.toFixed(4);
  // JavaScript writes −0 as '0'; Python (and so PyTorch) as '-0'.
  const special = (v: number): string | null => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : Object.is(v, -0) ? '-' + format(0) : null);
  return (v) => special(v) ?? format(v);
}

export function formatTensor(t: Tensor): string {
  const summarise = t.size > THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let d = t.ndim - 1; d >= 0; d--) { strides[d] = acc; acc *= t.shape[d]; }
  const indent = 'tensor('.length;
  let width = 0;
  /** The nested layout, with `leaf` turning each shown element's offset into text. */
  const render = (dim: number, offset: number, leaf: (offset: number) => string): string => {
    if (dim === t.ndim) return leaf(offset);
    const n = t.shape[dim];
    const idx = summarise && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim], leaf)));
    if (dim === t.ndim - 1) {
      // As PyTorch: as many elements per line as fit in 80 columns; the gap of a summarised row is ' ...'.
      const cells = parts.map((p) => (p === '...' ? ' ...' : p));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent - dim) / (width + 2))), lines: string[] = [];
      for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + dim + 1))}]`;
    }
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const shown: number[] = [];
  render(0, 0, (o) => { shown.push(t.data[o]); return ''; });
  const f = numberFormat(shown);
  // As PyTorch, the width is that of the nonzero finite values (zeros, nan and inf are padded to it, never set it).
  for (const v of shown) if (v !== 0 && Number.isFinite(v)) width = Math.max(width, f(v).length);
  const body = t.ndim === 0 ? f(t.data[0]) : render(0, 0, (o) => f(t.data[o]).padStart(width));
  const extras: string[] = [];
  if (t.dtype === 'float32') extras.push('dtype=float32');
  if (t.node) extras.push(`gradFn=<${t.node.op}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  if (t.name !== undefined) extras.push(`name='${t.name}'`);
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}

/**
 * A number for people, as every output of the kernel writes one: `digits` significant digits without trailing
 * zeros, exponent form below 1e-3 and from 1e6 on (always, when `scientific`), whole numbers below 1e9 as they
 * are; a string (JSON's "NaN", "Infinity") as it is. The renderer has its own (it may not import the kernel).
 * @example formatNumber(1 / 3) === '0.3333'; formatNumber(1.5e-7) === '1.500e-7'
 */
export function formatNumber(x: number | string, digits = 4, scientific = false): string {
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x) || x === 0) return String(x);
  if (scientific) return x.toExponential(digits - 1);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}
