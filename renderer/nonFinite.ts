// A graph whose values or gradients hold a NaN or ±Infinity: the kernel marks the node that made the first one
// (`nonFinite`, docs/graph-format.md). The renderer outlines that box and puts a warning above the graph; a click
// on it pans the graph to the box and flashes it.
import type { GraphSnapshot } from './types';

export type NonFiniteMark = NonNullable<GraphSnapshot['nonFinite']>;

const PHASES = new Set(['forward', 'backward', 'leaf']);
const VALUES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** The snapshot's mark, read leniently: a malformed one is left out (the graph still draws). */
export function readNonFinite(v: unknown): NonFiniteMark | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (typeof m.node !== 'string' || typeof m.message !== 'string' || !PHASES.has(String(m.phase))) return undefined;
  const mark: NonFiniteMark = {
    node: m.node, phase: m.phase as NonFiniteMark['phase'], message: m.message,
    value: typeof m.value === 'number' ? m.value : VALUES[String(m.value)] ?? NaN,
  };
  if (typeof m.op === 'string') mark.op = m.op;
  if (typeof m.cell === 'string') mark.cell = m.cell;
  if (typeof m.line === 'number' && Number.isInteger(m.line)) mark.line = m.line;
  return mark;
}

export const NON_FINITE_CSS = `
.bp-nonfinite { display: flex; gap: 8px; align-items: baseline; margin: 0 0 6px; padding: 4px 8px; cursor: pointer;
  border: 1px solid var(--vscode-editorWarning-foreground, #bf8803); border-radius: 3px; background: transparent;
  color: var(--vscode-editorWarning-foreground, #bf8803); font: inherit; text-align: left; width: 100%; }
.bp-nonfinite code { color: var(--vscode-foreground, inherit); }
g.node.bp-nonfinite-node rect, g.node.bp-nonfinite-node polygon, g.node.bp-nonfinite-node path {
  stroke: var(--vscode-editorError-foreground, #e51400) !important; stroke-width: 3px !important; stroke-dasharray: 6 3; }
g.node.bp-nonfinite-flash { animation: bp-nonfinite-flash 0.4s ease-in-out 3; }
@keyframes bp-nonfinite-flash { 50% { opacity: 0.3; } }
`;

const show = (x: number): string => (Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');

/** Where the mark came from, as one line: "NaN first made by log (cell[3] line 2): log(-1) = NaN". */
export function nonFiniteText(m: NonFiniteMark): string {
  const by = m.phase === 'leaf' ? 'came in as data' : m.phase === 'backward' ? `first made in backward() by ${m.op ?? 'an op'}'s gradient` : `first made by ${m.op ?? 'an op'}`;
  const at = m.cell !== undefined && m.line !== undefined ? ` (${m.cell} line ${m.line})` : '';
  return `${show(m.value)} ${by}${at}: `;
}

/**
 * Outlines the marked box in the drawn graph and returns the warning to put above it; clicking the warning
 * calls `reveal` with the box (to pan to it) and flashes the box.
 */
export function nonFiniteWarning(m: NonFiniteMark, svg: SVGSVGElement, reveal: (rect: DOMRect) => void): HTMLElement {
  const box = svg.querySelector<SVGGElement>(`g.node[data-id="${CSS.escape(m.node)}"]`);
  box?.classList.add('bp-nonfinite-node');
  const warning = document.createElement('button');
  warning.type = 'button';
  warning.className = 'bp-nonfinite';
  warning.dataset.node = m.node;
  const icon = document.createElement('span');
  icon.textContent = '⚠';
  const text = document.createElement('span');
  text.textContent = nonFiniteText(m);
  const message = document.createElement('code');
  message.textContent = m.message;
  text.appendChild(message);
  warning.append(icon, text);
  warning.title = box ? 'show the node in the graph' : 'the node is not drawn (hidden or collapsed)';
  warning.addEventListener('click', () => {
    if (!box) return;
    reveal(box.getBoundingClientRect());
    box.classList.remove('bp-nonfinite-flash');
    void box.getBoundingClientRect();
    box.classList.add('bp-nonfinite-flash');
  });
  return warning;
}
