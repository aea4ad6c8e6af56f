// The "backward, step by step" panel under a graph: controls to walk backward() in the order it ran (first,
// back, step, play at a chosen speed, jump to a node), the current node highlighted in the drawing, and for the
// current step ȳ, the op's local derivative (its Jacobian as a matrix when small) and the VJP on each input
// edge as an equation (stepModel.ts makes the text). For graphs of one-element tensors, the chain rule from the
// loss to a chosen leaf: every path's product and their sum. Text goes in with textContent only.
import { buildSteps, chainPaths, symbolNames, type StepTerm, type StepView } from './stepModel';
import { formatNumber } from './format';
import type { GraphSnapshot } from './types';

/** What the panel remembers across re-renders of one output (keyed by the output's state object). */
interface StepperState { index: number; speed: number; leaf: string; open: boolean }
const remembered = new WeakMap<object, StepperState>();

/** Milliseconds per step at each speed. */
export const SPEEDS: ReadonlyArray<{ label: string; ms: number }> = [
  { label: '0.5×', ms: 2400 }, { label: '1×', ms: 1200 }, { label: '2×', ms: 600 }, { label: '4×', ms: 300 },
];

/** Largest Jacobian drawn as a matrix (rows, columns); larger ones are described. */
const MATRIX_MAX = 8;

const STEPPER_CSS = `
.bp-stepper { border: 1px solid var(--bp-border); border-radius: 4px; margin-top: 6px; padding: 6px 8px; background: var(--bp-surface); }
.bp-stepper summary { cursor: pointer; font-weight: 600; }
.bp-stepper-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; margin: 6px 0; }
.bp-stepper-controls select { font: inherit; font-size: 12px; max-width: 260px; }
.bp-stepper-count { font-family: var(--bp-mono); font-size: 12px; color: var(--bp-muted); margin-left: auto; }
.bp-stepper-body { font-family: var(--bp-mono); font-size: 12.5px; line-height: 1.55; overflow-x: auto; }
.bp-stepper-body h4 { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 13px; margin: 2px 0 4px; }
.bp-eq { white-space: pre-wrap; word-break: break-word; }
.bp-eq-main { font-weight: 600; }
.bp-eq-sum { border-left: 3px solid var(--bp-accent); padding-left: 6px; margin: 2px 0; }
.bp-local { color: var(--bp-muted); }
.bp-term { margin: 4px 0 8px; }
.bp-jac { border-collapse: collapse; margin: 2px 0 2px 12px; font-size: 11.5px; }
.bp-jac td { border: 1px solid var(--bp-border); padding: 0 5px; text-align: right; }
.bp-chain { margin-top: 8px; border-top: 1px dashed var(--bp-border); padding-top: 6px; }
.bp-chain ol { margin: 2px 0; padding-left: 22px; }
.bp-graph .node.bp-step-now :is(rect, path, polygon, circle) { stroke: var(--bp-accent) !important; stroke-width: 4.5px !important;
  fill: color-mix(in srgb, var(--bp-accent) 28%, var(--bp-surface)) !important; stroke-dasharray: none; }
.bp-graph .node.bp-step-in :is(rect, path, polygon, circle) { stroke: var(--bp-accent) !important; stroke-width: 3px !important; stroke-dasharray: 6 3; }
.bp-graph path.bp-edge.bp-step-edge { stroke: var(--bp-accent) !important; stroke-width: 3.5px !important; }
`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'bp-btn', text);
  b.type = 'button';
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

function jacobianTable(t: StepTerm): HTMLElement | undefined {
  const j = t.input.local.jacobian;
  if (!j || j.rows > MATRIX_MAX || j.cols > MATRIX_MAX) return undefined;
  const table = el('table', 'bp-jac');
  table.setAttribute('aria-label', `Jacobian, ${j.rows} by ${j.cols}`);
  for (let r = 0; r < j.rows; r++) {
    const tr = el('tr');
    for (let c = 0; c < j.cols; c++) tr.appendChild(el('td', undefined, formatNumber(j.values[r * j.cols + c], 4)));
    table.appendChild(tr);
  }
  return table;
}

function termView(t: StepTerm, inputName: string): HTMLElement {
  const box = el('div', 'bp-term');
  box.dataset.from = t.input.from;
  box.dataset.arg = String(t.input.argIndex);
  box.appendChild(el('div', 'bp-eq bp-local', `to ${inputName} (argument ${t.input.argIndex}): ${t.localText}`));
  const j = t.input.local.jacobian;
  const table = jacobianTable(t);
  if (table) {
    box.appendChild(el('div', 'bp-eq bp-local', `Jacobian ∂out/∂${inputName} (${j!.rows}×${j!.cols}, one row per output element):`));
    box.appendChild(table);
  }
  box.appendChild(el('div', 'bp-eq bp-eq-main', t.equation));
  if (t.sum) {
    const sum = el('div', 'bp-eq bp-eq-sum', `${t.sum.equation}   (used ${t.sum.parts.length} times: its gradient is the sum of its edges’ shares)`);
    sum.dataset.sum = t.input.from;
    box.appendChild(sum);
  }
  return box;
}

/** Marks the current node, its inputs and the edges between them in the drawing. */
function highlight(svg: SVGSVGElement, step: StepView | undefined): void {
  for (const c of ['bp-step-now', 'bp-step-in', 'bp-step-edge']) svg.querySelectorAll(`.${c}`).forEach((e) => e.classList.remove(c));
  if (!step) return;
  const esc = CSS_ESCAPE;
  svg.querySelector(`g.node[data-id="${esc(step.node.id)}"]`)?.classList.add('bp-step-now');
  for (const t of step.terms) {
    svg.querySelector(`g.node[data-id="${esc(t.input.from)}"]`)?.classList.add('bp-step-in');
    svg.querySelectorAll(`path.bp-edge[data-from="${esc(t.input.from)}"][data-to="${esc(step.node.id)}"]`).forEach((e) => e.classList.add('bp-step-edge'));
  }
}

/** Node ids come from untrusted JSON: escaped before they go into a selector. */
const CSS_ESCAPE = (s: string) => (typeof globalThis.CSS?.escape === 'function' ? globalThis.CSS.escape(s) : s.replace(/["\\]/g, '\\$&'));

/**
 * The step-through panel for a drawn snapshot, or undefined when it carries no backward steps.
 * @example const p = stepperPanel(snapshot, drawn.svg, state); if (p) root.appendChild(p);
 */
export function stepperPanel(s: GraphSnapshot, svg: SVGSVGElement, key: object): HTMLElement | undefined {
  const steps = buildSteps(s);
  if (!steps.length) return undefined;
  const names = symbolNames(s);
  const st = remembered.get(key) ?? { index: 0, speed: 1, leaf: '', open: true };
  remembered.set(key, st);
  st.index = Math.min(st.index, steps.length - 1);

  const panel = el('details', 'bp-stepper');
  panel.open = st.open;
  panel.addEventListener('toggle', () => { st.open = panel.open; if (!panel.open) { stop(); highlight(svg, undefined); } else show(); });
  panel.append(el('style', undefined, STEPPER_CSS), el('summary', undefined, `Backward, step by step (${steps.length} steps)`));

  const controls = el('div', 'bp-stepper-controls');
  const count = el('span', 'bp-stepper-count');
  count.setAttribute('aria-live', 'polite');
  const jump = el('select');
  jump.title = 'jump to a node';
  jump.setAttribute('aria-label', 'jump to a node');
  steps.forEach((v, k) => { const o = el('option', undefined, `${k + 1}. ${v.title}`); o.value = String(k); jump.appendChild(o); });
  jump.addEventListener('change', () => { stop(); go(Number(jump.value)); });
  const speed = el('select');
  speed.title = 'speed of play';
  speed.setAttribute('aria-label', 'speed of play');
  SPEEDS.forEach((v, k) => { const o = el('option', undefined, v.label); o.value = String(k); speed.appendChild(o); });
  speed.value = String(st.speed);
  speed.addEventListener('change', () => { st.speed = Number(speed.value); if (timer !== undefined) { stop(); play(); } });
  let timer: number | undefined;
  const playBtn = button('▶ play', 'play: one step after another', () => (timer === undefined ? play() : stop()));
  playBtn.classList.add('bp-step-play');
  const first = button('⇤ first', 'first step (the loss)', () => { stop(); go(0); });
  const back = button('◀ back', 'previous step', () => { stop(); go(st.index - 1); });
  const next = button('step ▶', 'next step', () => { stop(); go(st.index + 1); });
  back.classList.add('bp-step-back');
  next.classList.add('bp-step-next');
  controls.append(first, back, next, playBtn, el('span', 'bp-local', 'speed'), speed, el('span', 'bp-local', 'jump to'), jump, count);
  const body = el('div', 'bp-stepper-body');
  panel.append(controls, body);

  // the chain rule along paths, where every tensor is one number
  const leaves = s.nodes.filter((n) => n.kind === 'leaf' && n.grad);
  const lossName = s.nodes.find((n) => n.id === s.root)?.name ?? 'L';
  let chainBox: HTMLElement | undefined;
  if (leaves.length && chainPaths(s, leaves[0].id)) {
    chainBox = el('div', 'bp-chain');
    const pick = el('select');
    pick.setAttribute('aria-label', 'leaf for the chain rule');
    for (const n of leaves) { const o = el('option', undefined, names.get(n.id) ?? n.id); o.value = n.id; pick.appendChild(o); }
    if (leaves.some((n) => n.id === st.leaf)) pick.value = st.leaf;
    const out = el('div');
    const drawChain = () => {
      st.leaf = pick.value;
      const c = chainPaths(s, pick.value);
      out.replaceChildren();
      if (!c) return;
      const list = el('ol');
      for (const p of c.paths) {
        const route = p.nodes.map((id) => (id === s.root ? lossName : names.get(id) ?? id)).join(' ← ');
        list.appendChild(el('li', 'bp-eq', `${route}:  ${p.factors.map((f, i) => (i && f < 0 ? `(${formatNumber(f, 4)})` : formatNumber(f, 4))).join(' · ')} = ${formatNumber(p.product, 4)}`));
      }
      out.append(el('div', 'bp-local', `${c.paths.length} path${c.paths.length === 1 ? '' : 's'} from the loss; each is the product of the local derivatives along it${c.more ? ' (the first ones only)' : ''}:`),
        list, el('div', 'bp-eq bp-eq-main bp-chain-sum', `sum over paths: ${c.text}`));
    };
    pick.addEventListener('change', drawChain);
    const head = el('div');
    head.append(el('strong', undefined, 'Chain rule from the loss to '), pick);
    chainBox.append(head, out);
    drawChain();
    panel.appendChild(chainBox);
  }

  function show(): void {
    const v = steps[st.index];
    count.textContent = `step ${st.index + 1} of ${steps.length}`;
    jump.value = String(st.index);
    back.disabled = st.index === 0;
    next.disabled = st.index === steps.length - 1;
    const title = el('h4', undefined, `Step ${st.index + 1}: ${v.title} — its rule sends ȳ back along ${v.terms.length} edge${v.terms.length === 1 ? '' : 's'}`);
    body.replaceChildren(title, el('div', 'bp-eq bp-eq-main bp-ybar', `gradient arriving: ${v.gradIn}`));
    for (const t of v.terms) body.appendChild(termView(t, names.get(t.input.from) ?? t.input.from));
    if (!v.terms.length) body.appendChild(el('div', 'bp-local', 'none of its inputs requires grad'));
    body.dataset.node = v.node.id;
    if (panel.open) highlight(svg, v);
  }
  function go(k: number): void {
    st.index = Math.max(0, Math.min(steps.length - 1, k));
    show();
  }
  function stop(): void {
    if (timer !== undefined) window.clearInterval(timer);
    timer = undefined;
    playBtn.textContent = '▶ play';
  }
  function play(): void {
    if (st.index >= steps.length - 1) go(0);
    playBtn.textContent = '⏸ pause';
    timer = window.setInterval(() => {
      // a re-render replaced the panel: this one stops
      if (!panel.isConnected || st.index >= steps.length - 1) { stop(); return; }
      go(st.index + 1);
    }, SPEEDS[st.speed]?.ms ?? 1200);
  }
  controls.addEventListener('keydown', (ev) => {
    if (ev.target instanceof HTMLSelectElement) return;
    if (ev.key === 'ArrowRight') { stop(); go(st.index + 1); ev.preventDefault(); }
    if (ev.key === 'ArrowLeft') { stop(); go(st.index - 1); ev.preventDefault(); }
  });
  show();
  return panel;
}
