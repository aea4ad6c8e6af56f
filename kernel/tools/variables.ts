/*
 * The variables view's data: the cells' top-level names with their type, a one-line summary, and for tensors
 * the shape, statistics and gradient norm (modules list their parameters as children). Each entry also carries
 * the hover's markdown, so the view can show details without asking the kernel again (it may be busy then).
 * Like the hover, listing runs no user code: values are read from property descriptors, a getter or a Proxy is
 * listed as such, and previews call no custom inspect function or getter (safeRead.ts).
 */
import { nn, summarize, Tensor } from '../engine';
import { describeMarkdown } from './inspect';
import { formatNumber } from '../engine/format';
import {
  BLOCKED_TEXT, constructorName, isInstance, isPlainTensor, moduleUnsafe, prototypeChain, readProperty, safePreview,
} from './safeRead';
import { gradOrigin, isStale } from '../outputs/backwardLog';
import type { VariableInfo } from '../client/protocol';

/** Variables listed at most (a cell that declares thousands of names should not flood the view). */
const MAX_VARIABLES = 500;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if ((typeof value === 'object' || typeof value === 'function') && prototypeChain(value) === 'proxy') return 'Proxy';
  if (typeof value === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  if (typeof value === 'object') return constructorName(value);
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
  if (isPlainTensor(value)) return tensorInfo(name, value, withMarkdown);
  const type = typeName(value);
  if (type === 'Proxy') {
    return { name, type, summary: BLOCKED_TEXT.proxy, ...(withMarkdown ? { markdown: describeMarkdown(name, value) } : {}) };
  }
  if (isInstance(value, nn.Module) && !moduleUnsafe(value as nn.Module)) {
    const params = (value as nn.Module).namedParameters();
    const info: VariableInfo = {
      name, type, summary: `${params.length} parameters`,
      children: params.map(([path, p]) => tensorInfo(path, p, false)),
    };
    if (withMarkdown) info.markdown = describeMarkdown(name, value);
    return info;
  }
  const fnName = typeof value === 'function' ? readProperty(value, 'name') : undefined;
  const summary = typeof value === 'function' ? `${type} ${fnName?.found && typeof fnName.value === 'string' && fnName.value || name}`
    : safePreview(value, { depth: 0, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 }).slice(0, 200);
  const info: VariableInfo = { name, type, summary };
  if (withMarkdown) info.markdown = describeMarkdown(name, value);
  return info;
}

/**
 * The entries of the given names that exist in `scope` (the global scope, where cells' top-level names live).
 * Tensors and modules first, then the rest, each group in alphabetical order.
 */
export function listVariables(names: Iterable<string>, scope: object = globalThis): VariableInfo[] {
  const rank = (v: unknown) => (isPlainTensor(v) ? 0 : isInstance(v, nn.Module) ? 1 : typeof v === 'function' ? 3 : 2);
  const present = [...new Set(names)].map((name) => ({ name, read: readProperty(scope, name) })).filter(({ read }) => read.found);
  const ranked = present.map((p) => ({ ...p, rank: p.read.blocked ? 2 : rank(p.read.value) }));
  ranked.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
  return ranked.slice(0, MAX_VARIABLES).map(({ name, read }) => {
    if (read.blocked) return { name, type: read.blocked === 'proxy' ? 'Proxy' : 'getter', summary: BLOCKED_TEXT[read.blocked] };
    try { return variableInfo(name, read.value); } catch (e) {
      return { name, type: typeName(read.value), summary: `(could not describe it: ${(e as Error)?.message ?? e})` };
    }
  });
}

/**
 * A name for every tensor the variables hold: the variable's own name, or `model.layers.0.weight` for a
 * module's parameter (used to name parameters in gradient-check reports).
 */
export function tensorNames(names: Iterable<string>, scope: object = globalThis): Map<Tensor, string> {
  const out = new Map<Tensor, string>();
  for (const name of names) {
    const { value: v } = readProperty(scope, name);
    if (isPlainTensor(v) && !out.has(v)) out.set(v, name);
    else if (isInstance(v, nn.Module) && !moduleUnsafe(v as nn.Module)) {
      try { for (const [path, p] of (v as nn.Module).namedParameters()) if (!out.has(p)) out.set(p, `${name}.${path}`); } catch { /* a broken module names nothing */ }
    }
  }
  return out;
}
