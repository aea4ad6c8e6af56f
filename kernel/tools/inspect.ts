/*
 * Hover: the value of an expression in the kernel's context, described as markdown.
 *
 * Only property paths are evaluated: an identifier followed by `.name`, `?.name`, `[0]` or `['key']`
 * (`model.layers[0].weight`). No calls, no operators: a hover must not run the user's code, so the path is walked
 * by hand from the global scope, where the cells' top-level names live, reading property descriptors: a getter is
 * shown as "getter, not called" and a Proxy as not inspected (safeRead.ts). Nothing is eval'd.
 *
 * A tensor shows its shape, dtype, whether it requires grad, its values (up to 16) or statistics, and its
 * gradient with the cell and step of the backward() that produced it, warning when the value has changed since
 * (a stale gradient) or when several backward() calls have added up in `.grad` without a zeroGrad().
 */
import { nn, summarize, Tensor } from '../engine';
import type { TensorSummary } from '../engine/trace';
import { formatNumber } from '../engine/format';
import { GradOrigin, gradOrigin, isStale } from '../outputs/backwardLog';
import type { MimeBundle } from '../client/protocol';
import { toMimeBundle } from '../outputs/display';
import {
  BLOCKED_TEXT, constructorName, isInstance, isPlainTensor, moduleUnsafe, prototypeChain, readProperty, safePreview,
  type Read,
} from './safeRead';

export type PathKey = string | number;

/** Values listed in full up to this size; statistics beyond. */
const MAX_VALUES = 16;

/**
 * The keys of a property path, or undefined when the expression is anything else.
 * @example parsePath("model.layers[0]['weight']") // ['model', 'layers', 0, 'weight']
 */
export function parsePath(expression: string): PathKey[] | undefined {
  const s = expression.trim();
  const ident = /^[A-Za-z_$][\w$]*/;
  const first = ident.exec(s);
  if (!first) return undefined;
  const keys: PathKey[] = [first[0]];
  let rest = s.slice(first[0].length);
  while (rest.length) {
    const m = /^\s*(?:\??\.\s*([A-Za-z_$][\w$]*)|\[\s*(\d+)\s*\]|\[\s*(['"])((?:(?!\3)[^\\])*)\3\s*\])/.exec(rest);
    if (!m) return undefined;
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[4]));
    rest = rest.slice(m[0].length);
  }
  return keys;
}

/**
 * Walks a path from the global scope without running code: `found` is false when a step is missing, and
 * `blocked` says which getter or proxy stopped the walk (it is not called).
 */
export function resolvePath(keys: readonly PathKey[], scope: object = globalThis): Read {
  let read: Read = { found: true, value: scope };
  for (const key of keys) {
    if (!read.found || read.blocked) return read;
    read = readProperty(read.value, key);
  }
  return read;
}

/** Text safe inside markdown (no formatting, links or HTML from user-chosen names). */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Values (small) or statistics, as one markdown line. */
export function summaryMarkdown(s: TensorSummary): string {
  if (s.values) return `\`${s.shape.length === 0 ? formatNumber(s.values[0]) : `[${s.values.map((v) => formatNumber(v)).join(', ')}]`}\``;
  const bad = (s.nan ? ` · NaN ×${s.nan}` : '') + (s.inf ? ` · ∞ ×${s.inf}` : '');
  return `mean ${formatNumber(s.mean)} · std ${formatNumber(s.std)} · min ${formatNumber(s.min)} · max ${formatNumber(s.max)}${bad}`;
}

/** Where a gradient came from, and the warnings that go with it (markdown lines). */
export function originLines(t: Tensor, origin: GradOrigin | undefined): string[] {
  if (!origin) return [];
  const where = origin.cell ? ` in cell [${origin.cell.executionCount}]` : '';
  const lines = [`from \`backward()\`${where}, step ${origin.step} (backward #${origin.index} of the kernel)`];
  if (isStale(t, origin)) {
    lines.push('⚠ **stale gradient**: the value has changed since that `backward()` (an optimiser step or an in-place update); the gradient belongs to the old value.');
  }
  if (origin.contributions > 1) {
    lines.push(`⚠ **accumulated** over ${origin.contributions} \`backward()\` calls without \`zeroGrad()\`.`);
  }
  return lines;
}

function tensorMarkdown(label: string, t: Tensor): string {
  const kind = t.isLeaf ? (t.requiresGrad ? 'leaf, requiresGrad' : 'leaf') : `made by \`${t.gradFn}\`, requiresGrad`;
  const head = `**${mdEscape(label)}**: \`Tensor\` ${shapeText(t.shape)} ${t.dtype} · ${kind}` +
    (t.name && t.name !== label ? ` · name \`${t.name.replace(/`/g, "'")}\`` : '');
  const lines = [head, '', `value: ${summaryMarkdown(summarize(t))}${t.size > MAX_VALUES ? ` · ‖x‖ ${formatNumber(summarize(t).norm)}` : ''}`];
  if (t.grad) {
    const g = summarize(t.grad);
    lines.push('', `**grad** ‖g‖ = ${formatNumber(g.norm)}: ${summaryMarkdown(g)}`);
    const more = originLines(t, gradOrigin(t));
    if (more.length) lines.push('', ...more.flatMap((l) => [l, '']).slice(0, -1));
  } else if (t.node?.grad) {
    const g = summarize(t.node.grad);
    lines.push('', `**gradient flowing through it** (last backward, not kept in \`.grad\`) ‖g‖ = ${formatNumber(g.norm)}: ${summaryMarkdown(g)}`);
  } else if (t.requiresGrad && t.isLeaf) {
    lines.push('', '_no gradient: no `backward()` has reached it since it was made or last cleared_');
  }
  return lines.join('\n');
}

function moduleMarkdown(label: string, m: nn.Module): string {
  const params = m.namedParameters();
  const total = params.reduce((n, [, p]) => n + p.size, 0);
  const lines = [`**${mdEscape(label)}**: \`${m.constructor.name}\` · ${params.length} parameters (${total} numbers)`, ''];
  if (params.length) {
    lines.push('| parameter | shape | ‖grad‖ |', '| --- | --- | --- |');
    for (const [name, p] of params) {
      const origin = p.grad ? gradOrigin(p) : undefined;
      const warn = origin && (isStale(p, origin) || origin.contributions > 1) ? ' ⚠' : '';
      lines.push(`| ${mdEscape(name)} | ${shapeText(p.shape)} | ${p.grad ? formatNumber(summarize(p.grad).norm) + warn : '—'} |`);
    }
  }
  return lines.join('\n');
}

function otherMarkdown(label: string, value: unknown): string {
  const type = value === null ? 'null' : typeof value === 'object' ? constructorName(value) : typeof value;
  let preview = safePreview(value, { depth: 1, maxArrayLength: 20, maxStringLength: 200, breakLength: 80 });
  if (preview.length > 800) preview = preview.slice(0, 800) + ' …';
  return `**${mdEscape(label)}**: \`${type}\`\n\n\`\`\`js\n${preview.replace(/```/g, '`\u200b``')}\n\`\`\``;
}

/** A property the walk did not read, or a value it does not look into, said as such. */
function blockedMarkdown(label: string, blocked: keyof typeof BLOCKED_TEXT): string {
  return `**${mdEscape(label)}**: ${blocked === 'getter' ? '`getter`, not called' : '`Proxy`, not inspected'} ` +
    '(a hover never runs the notebook\'s code: a getter or a proxy trap could loop forever or change state)';
}

/**
 * Markdown describing a value (see the top of this file). Runs no user code: proxies, and modules whose
 * parameters a user's getter or method would list, are described without being looked into.
 * @example describeMarkdown('w', tensor([1, 2])) // '**w**: `Tensor` [2] float64 · leaf ...'
 */
export function describeMarkdown(label: string, value: unknown): string {
  if (typeof value === 'object' && value !== null || typeof value === 'function') {
    if (prototypeChain(value) === 'proxy') return blockedMarkdown(label, 'proxy');
  }
  if (isPlainTensor(value)) return tensorMarkdown(label, value);
  if (isInstance(value, nn.Module)) {
    const m = value as nn.Module;
    const unsafe = moduleUnsafe(m);
    if (!unsafe) return moduleMarkdown(label, m);
    return `**${mdEscape(label)}**: \`${constructorName(m)}\` · parameters not listed: listing them would run its code (${mdEscape(unsafe)})`;
  }
  return otherMarkdown(label, value);
}

/**
 * The answer to an `inspect` request: the value's output bundle plus the hover's markdown. Only a tensor gets the
 * bundle a cell would show (the engine draws it); any other value a preview that runs none of its code.
 */
export function inspectExpression(expression: string, scope: object = globalThis): { found: boolean; data?: MimeBundle } {
  const keys = parsePath(expression);
  if (!keys) return { found: false };
  const read = resolvePath(keys, scope);
  if (!read.found) return { found: false };
  const label = expression.replace(/\s+/g, '');
  if (read.blocked) {
    return { found: true, data: { 'text/plain': `${label}: ${BLOCKED_TEXT[read.blocked]}`, 'text/markdown': blockedMarkdown(label, read.blocked) } };
  }
  const { value } = read;
  let markdown: string;
  try {
    markdown = describeMarkdown(label, value);
  } catch (e) {
    markdown = `**${mdEscape(expression)}**: (could not describe it: ${mdEscape(String((e as Error)?.message ?? e))})`;
  }
  let data: MimeBundle;
  try { data = isPlainTensor(value) ? toMimeBundle(value, true) : { 'text/plain': safePreview(value, { depth: 1 }) }; } catch (e) {
    data = { 'text/plain': `(could not show it: ${String((e as Error)?.message ?? e)})` };
  }
  return { found: true, data: { ...data, 'text/markdown': markdown } };
}
