// Zoom and pan of the graph inside its viewport: drag to pan, Ctrl/⌘ + wheel to zoom at the pointer (a plain
// wheel keeps scrolling the notebook), buttons for zoom in/out and fit to width. The state object outlives a
// re-render, so a later backward() keeps the user's view.

export interface ZoomState {
  scale: number;
  x: number;
  y: number;
  /** True until the user zooms or pans: until then the view refits when the width or the graph changes. */
  auto: boolean;
  /** Viewport height in px, kept with the zoom. */
  viewHeight?: number;
}

export const newZoomState = (): ZoomState => ({ scale: 1, x: 0, y: 0, auto: true });

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
const PAD = 8;
const MAX_VIEW_HEIGHT = 1000;
/** Fitting also shrinks a tall graph to the viewport height, but never below this scale (text stays legible). */
const MIN_FIT_SCALE = 0.65;
/** A drag shorter than this is a click. */
export const CLICK_SLOP = 4;

export interface ZoomPan {
  fit(): void;
  zoomBy(factor: number, cx?: number, cy?: number): void;
  /** True when the last pointer gesture moved (so its click should not pin). */
  dragged(): boolean;
  /** Pans (at the same zoom) until this on-screen rectangle is inside the viewport, if it is not already. */
  reveal(rect: DOMRect): void;
  dispose(): void;
}

/**
 * Makes `content` (an absolutely positioned child of `viewport`, `width`×`height` px) zoomable and pannable.
 * @example const zp = attachZoomPan(viewport, svg, 800, 400, state.zoom); zp.fit();
 */
export function attachZoomPan(viewport: HTMLElement, content: SVGSVGElement, width: number, height: number, state: ZoomState): ZoomPan {
  const apply = () => {
    content.style.transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`;
  };
  // (a notebook webview can be as tall as the whole notebook, so its innerHeight says little)
  const maxHeight = () => MAX_VIEW_HEIGHT;
  const fit = () => {
    const avail = Math.max(50, viewport.clientWidth - 2 * PAD);
    const tall = Math.max(MIN_FIT_SCALE, (maxHeight() - 2 * PAD) / height);
    state.scale = Math.max(MIN_SCALE, Math.min(1, avail / width, tall));
    const h = Math.min(maxHeight(), height * state.scale + 2 * PAD);
    state.viewHeight = Math.round(h);
    viewport.style.height = `${state.viewHeight}px`;
    // if even the fitted graph is taller than the viewport, keep the loss side (right) in view at the top
    state.x = Math.max(PAD, (viewport.clientWidth - width * state.scale) / 2);
    state.y = PAD;
    state.auto = true;
    apply();
  };
  const zoomBy = (factor: number, cx = viewport.clientWidth / 2, cy = viewport.clientHeight / 2) => {
    const s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, state.scale * factor));
    state.x = cx - ((cx - state.x) * s) / state.scale;
    state.y = cy - ((cy - state.y) * s) / state.scale;
    state.scale = s;
    state.auto = false;
    apply();
  };

  let start: { px: number; py: number; x: number; y: number; id: number } | undefined;
  let moved = false;
  const down = (ev: PointerEvent) => {
    if (ev.button !== 0) return;
    start = { px: ev.clientX, py: ev.clientY, x: state.x, y: state.y, id: ev.pointerId };
    moved = false;
  };
  const move = (ev: PointerEvent) => {
    if (!start || ev.pointerId !== start.id) return;
    const dx = ev.clientX - start.px, dy = ev.clientY - start.py;
    if (!moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    if (!moved) { moved = true; viewport.setPointerCapture?.(ev.pointerId); viewport.classList.add('bp-panning'); }
    state.x = start.x + dx;
    state.y = start.y + dy;
    state.auto = false;
    apply();
  };
  const up = (ev: PointerEvent) => {
    if (!start || ev.pointerId !== start.id) return;
    start = undefined;
    viewport.classList.remove('bp-panning');
    if (viewport.hasPointerCapture?.(ev.pointerId)) viewport.releasePointerCapture(ev.pointerId);
  };
  const wheel = (ev: WheelEvent) => {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    const r = viewport.getBoundingClientRect();
    zoomBy(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  };
  viewport.addEventListener('pointerdown', down);
  viewport.addEventListener('pointermove', move);
  viewport.addEventListener('pointerup', up);
  viewport.addEventListener('pointercancel', up);
  viewport.addEventListener('wheel', wheel, { passive: false });
  const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => { if (state.auto) fit(); });
  resize?.observe(viewport);

  if (state.auto) fit();
  else {
    state.viewHeight ??= Math.round(Math.min(maxHeight(), Math.max(160, height * state.scale + 2 * PAD)));
    viewport.style.height = `${state.viewHeight}px`;
    apply();
  }
  const reveal = (rect: DOMRect) => {
    const v = viewport.getBoundingClientRect();
    // the shift that brings [lo, hi] inside [vlo, vhi]: its start first when it is wider than the viewport
    const shift = (lo: number, hi: number, vlo: number, vhi: number) =>
      lo < vlo + PAD || hi - lo > vhi - vlo - 2 * PAD ? vlo + PAD - lo : hi > vhi - PAD ? vhi - PAD - hi : 0;
    const dx = shift(rect.left, rect.right, v.left, v.right), dy = shift(rect.top, rect.bottom, v.top, v.bottom);
    // focusing an element can scroll even an overflow:hidden box; the view is the transform alone
    viewport.scrollLeft = 0;
    viewport.scrollTop = 0;
    if (!dx && !dy) return;
    state.x += dx;
    state.y += dy;
    state.auto = false;
    apply();
  };
  return {
    fit, zoomBy, reveal, dragged: () => moved,
    dispose() {
      resize?.disconnect();
      viewport.removeEventListener('pointerdown', down);
      viewport.removeEventListener('pointermove', move);
      viewport.removeEventListener('pointerup', up);
      viewport.removeEventListener('pointercancel', up);
      viewport.removeEventListener('wheel', wheel);
    },
  };
}
