// The statistics cards shown on hover and when pinned: built with createElement and textContent only.
import { formatNumber, formatShape, statRows, valueGrid } from './format';
import type { GradMark, GradScaleOptions } from './gradScale';
import type { TensorSummary } from './types';
import type { ViewEdge, ViewModel, ViewNode } from './viewModel';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** One column of a card: a heading, the statistics table and up to 16 values. */
function statsSection(card: HTMLElement, heading: string, s: TensorSummary): void {
  const col = el('div', 'bp-col');
  col.appendChild(el('h5', undefined, heading));
  const table = el('table');
  for (const [k, v] of statRows(s)) {
    const tr = el('tr');
    tr.append(el('td', undefined, k), el('td', undefined, v));
    table.appendChild(tr);
  }
  col.appendChild(table);
  const grid = valueGrid(s);
  if (grid) {
    col.appendChild(el('h5', undefined, `values (${s.values!.length})`));
    const t = el('table', 'bp-values');
    for (const row of grid) {
      const tr = el('tr');
      for (const v of row) tr.appendChild(el('td', undefined, v));
      t.appendChild(tr);
    }
    col.appendChild(t);
  }
  let cols = card.querySelector(':scope > .bp-cols');
  if (!cols) cols = card.appendChild(el('div', 'bp-cols'));
  cols.appendChild(col);
}

function flagLine(card: HTMLElement, mark: GradMark, scale: GradScaleOptions): void {
  const text = {
    vanishing: `▼ vanishing gradient: norm below ${formatNumber(scale.vanishing)}`,
    exploding: `▲ exploding gradient: norm above ${formatNumber(scale.exploding)}`,
    nonfinite: '⚠ the gradient has NaN or infinite entries',
    ok: '', none: '',
  }[mark.flag];
  if (text) {
    const p = el('div', 'bp-flag', text);
    p.style.color = mark.colour;
    card.appendChild(p);
  }
}

const KIND_TEXT = { input: 'input', parameter: 'parameter (requires grad)', constant: 'constant', op: 'op result', loss: 'root (loss)', group: 'collapsed module group' };

/** Card of a box: a tensor (value and gradient) or a collapsed group (its members). */
export function nodeCard(n: ViewNode, scale: GradScaleOptions): HTMLElement {
  const card = el('div', 'bp-card');
  if (n.group) {
    card.appendChild(el('h4', undefined, n.group.name));
    card.appendChild(el('div', 'bp-sub', `${KIND_TEXT.group}: ${n.group.members.length} tensors; click to expand`));
    flagLine(card, n.mark, scale);
    card.appendChild(el('h5', undefined, 'members: shape, ‖∇‖'));
    const table = el('table');
    for (const m of n.group.members.slice(0, 16)) {
      const tr = el('tr');
      tr.append(el('td', undefined, m.name ?? m.op ?? m.id), el('td', undefined, formatShape(m.shape)),
        el('td', undefined, m.grad ? formatNumber(m.grad.norm) : '—'));
      table.appendChild(tr);
    }
    card.appendChild(table);
    if (n.group.members.length > 16) card.appendChild(el('div', 'bp-sub', `… and ${n.group.members.length - 16} more`));
    return card;
  }
  const t = n.node!;
  card.appendChild(el('h4', undefined, t.name ?? t.op ?? KIND_TEXT[n.kind]));
  const parts = [KIND_TEXT[n.kind]];
  if (t.op) parts.push(`op ${t.op}`);
  if (t.group) parts.push(`in ${t.group}`);
  card.appendChild(el('div', 'bp-sub', parts.join(' · ')));
  flagLine(card, n.mark, scale);
  statsSection(card, 'value', t.value);
  if (t.grad) statsSection(card, t.accumulatedGrad ? 'this backward\'s gradient (sum over its edges)' : 'gradient (sum over its edges)', t.grad);
  if (t.accumulatedGrad) {
    card.appendChild(el('div', 'bp-flag', 'Σ its .grad differs: it also holds the gradients of earlier backward() calls (no zeroGrad() between them)'));
    statsSection(card, '.grad (accumulated)', t.accumulatedGrad);
  }
  if (!t.grad) card.appendChild(el('div', 'bp-sub', t.requiresGrad ? 'no gradient reached this tensor' : 'no gradient: does not require grad'));
  if (n.hiddenInputs) card.appendChild(el('div', 'bp-sub', `${n.hiddenInputs} of its inputs are hidden (see "show more")`));
  return card;
}

function boxTitle(n: ViewNode | undefined): string {
  if (!n) return '?';
  return n.group ? n.group.name : (n.node!.name ?? n.node!.op ?? n.key);
}

/** Card of an edge: the gradient that flowed back along it. */
export function edgeCard(e: ViewEdge, view: ViewModel, scale: GradScaleOptions): HTMLElement {
  const card = el('div', 'bp-card');
  const from = view.nodes.find((n) => n.key === e.from), to = view.nodes.find((n) => n.key === e.to);
  card.appendChild(el('h4', undefined, `${boxTitle(to)} → ${boxTitle(from)}`));
  card.appendChild(el('div', 'bp-sub', `gradient flowing back from ${boxTitle(to)} into its argument ${e.edge.argIndex} (${boxTitle(from)})`));
  flagLine(card, e.mark, scale);
  if (e.edge.check) {
    const verdict = e.edge.check === 'fail'
      ? '✗ gradient check: this rule disagrees with finite differences (the report is under the cell)'
      : '✓ gradient check: this rule agrees with finite differences';
    const line = el('div', 'bp-flag', verdict);
    if (e.edge.check === 'fail') line.style.color = e.mark.colour;
    card.appendChild(line);
  }
  if (e.edge.grad) {
    statsSection(card, 'gradient along this edge', e.edge.grad);
    const total = from?.node?.grad;
    if (total) card.appendChild(el('div', 'bp-sub', `${boxTitle(from)}'s total gradient (all its edges) has norm ${formatNumber(total.norm)}`));
  } else card.appendChild(el('div', 'bp-sub', 'no gradient flows here (the input does not require grad)'));
  return card;
}
