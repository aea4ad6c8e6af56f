/*
 * How values look in a notebook: every value becomes a mime bundle with `text/plain` always present. Tensors
 * also get `text/html` (shape, dtype, the values as a table when small and 1-D/2-D, statistics otherwise, and
 * the gradient); graph snapshots get the graph mime, which the renderer draws; a plain object keyed by mime
 * types is taken as the bundle itself.
 */
import { inspect } from 'node:util';
import { Tensor, summarize } from '../engine';
import { GRAPH_MIME, type GraphDisplay, type GraphOutput, type MimeBundle } from '../client/protocol';
import { graphText } from './graphText';
import { formatNumber } from '../engine/format';
import type { GraphSnapshot } from '../engine';

/** Tables are drawn up to this many cells; larger tensors are summarised. */
const MAX_TABLE_CELLS = 400;
/** Significant digits in tables (text elsewhere has 4). */
const TABLE_DIGITS = 6;

/**
 * The mime bundle of any value. Strings are shown as they are when displayed (`display('text')`), and quoted
 * when they are a cell's value (as the REPL does, so `'1'` and `1` differ). A graph snapshot is drawn with
 * `graphDisplay` (the user's settings, when the client sent them).
 */
export function toMimeBundle(value: unknown, asResult = false, graphDisplay?: GraphDisplay): MimeBundle {
  if (value instanceof Tensor) return tensorBundle(value);
  if (isMimeBundle(value)) return { ...value, 'text/plain': value['text/plain'] ?? `[${Object.keys(value).join(', ')}]` };
  if (isGraphSnapshot(value)) return graphBundle(value, graphDisplay);
  return { 'text/plain': typeof value === 'string' && !asResult ? value : inspectValue(value) };
}

/** A graph output: the snapshot, with the settings to draw it with (when there are any), and its plain-text fallback. */
export function graphBundle(snapshot: GraphSnapshot, display?: GraphDisplay): MimeBundle {
  const json: GraphOutput = display ? { ...snapshot, display } : snapshot;
  const svg = drawGraph?.(snapshot, display);
  return { [GRAPH_MIME]: json, ...svg === undefined ? {} : { 'image/svg+xml': svg }, 'text/plain': graphText(snapshot) };
}

/** Draws a graph as SVG for front ends without the renderer; unset unless the kernel process sets it (GRAPH_SVG_ENV). */
let drawGraph: ((snapshot: GraphSnapshot, display?: GraphDisplay) => string) | undefined;

/** Every graph bundle from now on also carries `image/svg+xml` made by `draw` (the drawing lives in tools/, above this layer). */
export function drawGraphsWith(draw: (snapshot: GraphSnapshot, display?: GraphDisplay) => string): void {
  drawGraph = draw;
}

/** One line describing a value, for the variables view and hovers. */
export function describe(value: unknown): { type: string; summary: string; shape?: number[] } {
  if (value instanceof Tensor) return { type: 'Tensor', summary: tensorHeader(value), shape: [...value.shape] };
  const type = value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'Object') : typeof value;
  return { type, summary: inspect(value, { depth: 0, breakLength: Infinity }).slice(0, 200) };
}

export function inspectValue(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 });
}

/** A plain object whose keys are all mime types (`{ 'image/svg+xml': svg }`): shown as it is, as Jupyter does. */
function isMimeBundle(value: unknown): value is MimeBundle {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => /^[a-z]+\/[\w.+-]+$/i.test(k));
}

function isGraphSnapshot(value: unknown): value is GraphSnapshot {
  const v = value as GraphSnapshot | null;
  return typeof v === 'object' && v !== null && v.version === 1 && Array.isArray(v.nodes) && Array.isArray(v.edges);
}

function tensorHeader(t: Tensor): string {
  const parts = [`Tensor [${t.shape.join(', ')}] ${t.dtype}`];
  if (t.name) parts.push(`"${t.name}"`);
  if (t.gradFn) parts.push(`gradFn=${t.gradFn}`);
  if (t.requiresGrad) parts.push('requiresGrad');
  return parts.join(' ');
}

function tensorBundle(t: Tensor): MimeBundle {
  const text = [tensorHeader(t), String(t)];
  if (t.grad) text.push(`grad: ${String(t.grad)}`);
  const html = [`<div class="backprop-tensor"><div><code>${escapeHtml(tensorHeader(t))}</code></div>`, tensorHtml(t)];
  if (t.grad) html.push('<div>grad</div>', tensorHtml(t.grad));
  html.push('</div>');
  return { 'text/html': html.join(''), 'text/plain': text.join('\n') };
}

function tensorHtml(t: Tensor): string {
  if (t.ndim <= 2 && t.size <= MAX_TABLE_CELLS) {
    const rows = t.ndim === 0 ? 1 : t.ndim === 1 ? 1 : t.shape[0];
    const cols = t.ndim === 0 ? 1 : t.shape[t.ndim - 1];
    const out = ['<table>'];
    for (let r = 0; r < rows; r++) {
      out.push('<tr>');
      for (let c = 0; c < cols; c++) out.push(`<td>${formatNumber(t.data[r * cols + c], TABLE_DIGITS)}</td>`);
      out.push('</tr>');
    }
    out.push('</table>');
    return out.join('');
  }
  const s = summarize(t);
  const stat = (k: string, v: unknown) => `<tr><th>${k}</th><td>${typeof v === 'number' ? formatNumber(v, TABLE_DIGITS) : escapeHtml(String(v))}</td></tr>`;
  return `<table>${stat('mean', s.mean)}${stat('std', s.std)}${stat('min', s.min)}${stat('max', s.max)}${stat('norm', s.norm)}` +
    `${s.nan ? stat('NaN', s.nan) : ''}${s.inf ? stat('Infinity', s.inf) : ''}</table>`;
}


/** Text for HTML (or SVG) element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
