/*
 * The variables view's data: the cells' top-level names with their type, a one-line summary, and for tensors
 * the shape, statistics and gradient norm (modules list their parameters as children). Each entry also carries
 * the hover's markdown, so the view can show details without asking the kernel again (it may be busy then).
 */
import { inspect } from 'node:util';
import { nn, summarize, Tensor } from '../engine';
import { describeMarkdown } from './inspect';
import { formatNumber } from '../engine/format';
import { gradOrigin, isStale } from '../outputs/backwardLog';
import type { VariableInfo } from '../client/protocol';

/** Variables listed at most (a cell that declares thousands of names should not flood the view). */
const MAX_VARIABLES = 500;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  if (typeof value === 'object') return value.constructor?.name ?? 'Object';
  return typeof value;
}

function tensorInfo(name: string, t: Tensor, withMarkdown: boolean): VariableInfo {
  const stats = summarize(t);
  const info: VariableInfo = {
    name, type: 'Tensor', shape: [...t.shape], dtype: t.dtype, requiresGrad: t.requiresGrad, stats,
    summary: `[${t.shape.join(', ')}] ${t.dtype}${t.requiresGrad ? ' · requiresGrad' : ''}`,
  };
  if (t.grad) {
    info.grad = summarize(t.grad);
    info.summary += ` · ‖grad‖ ${formatNumber(info.grad.norm)}`;
    const origin = gradOrigin(t);
    const notes: string[] = [];
    if (origin && isStale(t, origin)) notes.push('stale');
    if (origin && origin.contributions > 1) notes.push(`accumulated ×${origin.contributions}`);
    if (notes.length) info.gradNote = notes.join(', ');
  }
  if (withMarkdown) info.markdown = describeMarkdown(name, t);
  return info;
}

/** One variable's entry. */
export function variableInfo(name: string, value: unknown, withMarkdown = true): VariableInfo {
  if (value instanceof Tensor) return tensorInfo(name, value, withMarkdown);
  if (value instanceof nn.Module) {
    const params = value.namedParameters();
    const info: VariableInfo = {
      name, type: value.constructor.name, summary: `${params.length} parameters`,
      children: params.map(([path, p]) => tensorInfo(path, p, false)),
    };
    if (withMarkdown) info.markdown = describeMarkdown(name, value);
    return info;
  }
  const summary = typeof value === 'function' ? `${typeName(value)} ${value.name || name}`
    : inspect(value, { depth: 0, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 }).slice(0, 200);
  const info: VariableInfo = { name, type: typeName(value), summary };
  if (withMarkdown) info.markdown = describeMarkdown(name, value);
  return info;
}

/**
 * The entries of the given names that exist in `scope` (the global scope, where cells' top-level names live).
 * Tensors and modules first, then the rest, each group in alphabetical order.
 */
export function listVariables(names: Iterable<string>, scope: object = globalThis): VariableInfo[] {
  const g = scope as Record<string, unknown>;
  const rank = (v: unknown) => (v instanceof Tensor ? 0 : v instanceof nn.Module ? 1 : typeof v === 'function' ? 3 : 2);
  const present = [...new Set(names)].filter((n) => n in g).sort((a, b) => rank(g[a]) - rank(g[b]) || a.localeCompare(b));
  return present.slice(0, MAX_VARIABLES).map((name) => {
    try { return variableInfo(name, g[name]); } catch (e) {
      return { name, type: typeName(g[name]), summary: `(could not describe it: ${(e as Error)?.message ?? e})` };
    }
  });
}

/**
 * A name for every tensor the variables hold: the variable's own name, or `model.layers.0.weight` for a
 * module's parameter (used to name parameters in gradient-check reports).
 */
export function tensorNames(names: Iterable<string>, scope: object = globalThis): Map<Tensor, string> {
  const g = scope as Record<string, unknown>;
  const out = new Map<Tensor, string>();
  for (const name of names) {
    if (!(name in g)) continue;
    const v = g[name];
    if (v instanceof Tensor && !out.has(v)) out.set(v, name);
    else if (v instanceof nn.Module) {
      try { for (const [path, p] of v.namedParameters()) if (!out.has(p)) out.set(p, `${name}.${path}`); } catch { /* a broken module names nothing */ }
    }
  }
  return out;
}
