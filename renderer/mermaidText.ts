// View model → mermaid flowchart source. Mermaid only ever sees safe ids (`n3`, `c1`, `g0`, `e7`) and
// placeholder labels made of a small safe alphabet with the same number of lines and about the same widths
// as the real text; the real text is written in with textContent after layout (see graphView.ts). So nothing
// from the snapshot can become mermaid syntax, an entity, markdown, or HTML.
import type { NodeKind, ViewModel, ViewNode } from './viewModel';

/** Longest label line drawn; longer names are cut with '…' (the tooltip has them whole). */
export const MAX_LINE = 40;

/**
 * Cuts a label line to `MAX_LINE` characters.
 * @example clipLine('a'.repeat(50)).length === 40
 */
export function clipLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > MAX_LINE ? flat.slice(0, MAX_LINE - 1) + '…' : flat;
}

const SAFE = /[\p{L}\p{N} .,:_+\-=()/'!?∇‖·×…▸▲▼⚠μσ]/u;

/**
 * The stand-in mermaid measures and lays out: every character outside a safe alphabet becomes '_', which is
 * about as wide in most fonts. Never empty.
 * @example placeholder('<img src=x>') === '_img src=x_'
 */
export function placeholder(text: string): string {
  const safe = Array.from(clipLine(text), (ch) => (SAFE.test(ch) ? ch : '_')).join('');
  return safe.trim() ? safe : '_';
}

/** Mermaid shape brackets per kind: each kind of box has its own outline. */
const SHAPE: Record<NodeKind | 'group', [string, string]> = {
  input: ['[/', '/]'],
  parameter: ['[[', ']]'],
  constant: ['[', ']'],
  op: ['(', ')'],
  loss: ['{{', '}}'],
  group: ['[', ']'],
};

function nodeLine(n: ViewNode, prefix: string): string {
  const [open, close] = SHAPE[n.kind];
  return `${prefix}${n.key}${open}"${n.lines.map((l) => placeholder(l.text)).join('<br>')}"${close}`;
}

/**
 * The flowchart: each edge drawn from the tensor made to the tensor it was made from, so the arrows point the
 * way the gradient flows (right to left: inputs on the left, the loss on the right; or top to bottom: the
 * loss on top).
 * `prefix` (letters and digits) keeps ids unique when several outputs share one page.
 * @example mermaidText(view).startsWith('flowchart RL')
 */
export function mermaidText(view: ViewModel, prefix = ''): string {
  if (!/^[A-Za-z0-9]*$/.test(prefix)) throw new Error('mermaidText: the id prefix must be letters and digits');
  const out = [`flowchart ${view.direction === 'TB' ? 'TB' : 'RL'}`];
  const inGroup = new Map<string, ViewNode[]>();
  for (const n of view.nodes) {
    if (n.parentGroup) {
      if (!inGroup.has(n.parentGroup)) inGroup.set(n.parentGroup, []);
      inGroup.get(n.parentGroup)!.push(n);
    } else out.push(`  ${nodeLine(n, prefix)}`);
  }
  for (const g of view.groups) {
    const ms = inGroup.get(g.key);
    if (!ms) continue;
    out.push(`  subgraph ${prefix}${g.key} ["${placeholder('▾ ' + g.name)}"]`);
    for (const n of ms) out.push(`    ${nodeLine(n, prefix)}`);
    out.push('  end');
  }
  for (const e of view.edges) {
    const label = e.label ? `|"${placeholder(e.label)}"|` : '';
    out.push(`  ${prefix}${e.to} ${prefix}${e.key}@-->${label} ${prefix}${e.from}`);
  }
  return out.join('\n');
}
