// Keyboard access to the graph, for people who do not use a pointer: every box, edge label and module-group title
// is a focusable button (Tab and Shift+Tab move between them in drawing order), focus shows its card as hover
// does, Enter or Space does what a click does (pin or unpin; collapse or expand a group), Escape hides the card.

export interface KeyboardHandlers {
  /** What a screen reader announces for the element with this `data-bp` key. */
  label(key: string): string;
  focus(key: string, target: Element): void;
  blur(): void;
  activate(key: string): void;
}

/** The graph's elements that take focus (graphView.ts tags them with `data-bp`). */
export const FOCUSABLE = 'g.node[data-bp], g.edgeLabel[data-bp], .cluster-label[data-bp]';

/** @example attachKeyboard(drawn.svg, { label, focus, blur, activate }) */
export function attachKeyboard(svg: SVGSVGElement, h: KeyboardHandlers): void {
  for (const e of Array.from(svg.querySelectorAll<SVGElement>(FOCUSABLE))) {
    e.setAttribute('tabindex', '0');
    e.setAttribute('role', 'button');
    e.setAttribute('aria-label', h.label(e.dataset.bp!));
  }
  const keyOf = (t: EventTarget | null) => (t instanceof Element && t.matches(FOCUSABLE) ? t.getAttribute('data-bp') ?? '' : '');
  // Only focus that the keyboard gave (:focus-visible) shows a card: a click also focuses, and the pointer's own
  // hover card must stay where it is.
  let shown = false;
  svg.addEventListener('focusin', (ev) => {
    const key = keyOf(ev.target);
    shown = key !== '' && (ev.target as Element).matches(':focus-visible');
    if (shown) h.focus(key, ev.target as Element);
  });
  svg.addEventListener('focusout', () => {
    if (shown) h.blur();
    shown = false;
  });
  svg.addEventListener('keydown', (ev) => {
    const key = keyOf(ev.target);
    if (!key) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      h.activate(key);
    } else if (ev.key === 'Escape' && shown) {
      h.blur();
      shown = false;
    }
  });
}

/** Focuses the element with this key in a freshly drawn graph (after Enter re-rendered it); false if gone. */
export function refocus(svg: SVGSVGElement, key: string): boolean {
  const e = Array.from(svg.querySelectorAll<SVGElement>(FOCUSABLE)).find((x) => x.dataset.bp === key);
  e?.focus({ preventScroll: true });
  return !!e;
}
