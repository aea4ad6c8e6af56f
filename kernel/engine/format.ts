// toString(): PyTorch's layout (`tensor([[1., 2.], [3., 4.]], requiresGrad=true)`), with numbers padded to
// one width, 4 decimals (or scientific notation for very large/small), and long dims summarised with '...'.
import type { Tensor } from './tensor';

const EDGE = 3, THRESHOLD = 1000;

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
  const special = (v: number): string | null => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (allInt && maxAbs < 1e8) return (v) => special(v) ?? `${v}.`;
  if (maxAbs >= 1e8 || minAbs < 1e-4) return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  return (v) => special(v) ?? v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const summarise = t.size > THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let d = t.ndim - 1; d >= 0; d--) { strides[d] = acc; acc *= t.shape[d]; }
  const indent = 'tensor('.length;
  /** The nested layout, with `leaf` turning each shown element's offset into text. */
  const render = (dim: number, offset: number, leaf: (offset: number) => string): string => {
    if (dim === t.ndim) return leaf(offset);
    const n = t.shape[dim];
    const idx = summarise && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim], leaf)));
    if (dim === t.ndim - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const shown: number[] = [];
  render(0, 0, (o) => { shown.push(t.data[o]); return ''; });
  const f = numberFormat(shown);
  let width = 0;
  for (const v of shown) width = Math.max(width, f(v).length);
  const body = t.ndim === 0 ? f(t.data[0]) : render(0, 0, (o) => f(t.data[o]).padStart(width));
  const extras: string[] = [];
  if (t.dtype === 'float32') extras.push('dtype=float32');
  if (t.node) extras.push(`gradFn=<${t.node.op}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  if (t.name !== undefined) extras.push(`name='${t.name}'`);
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
