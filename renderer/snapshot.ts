// Validates the untrusted GraphSnapshot JSON. Everything the renderer later shows comes through here, so a
// malformed document becomes one clear message instead of a blank output or a half-drawn graph.
import { readNonFinite } from './nonFinite';
import type { GraphEdge, GraphNode, GraphSnapshot, TensorSummary } from './types';
import { readBackwardSteps } from './stepSnapshot';

export class SnapshotError extends Error {}

export interface ParsedSnapshot {
  snapshot: GraphSnapshot;
  /** Things that were wrong but could be skipped (e.g. an edge to an unknown node). */
  warnings: string[];
  /** The settings the output asks to be drawn with (its `display`; unchecked: see withOptions in viewModel.ts). */
  display?: object;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function fail(path: string, what: string): never {
  throw new SnapshotError(`${path}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number, or one of the strings JSON uses for non-finite numbers. */
export function readNumber(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  return fail(path, `expected a number, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  return `a ${typeof v}`;
}

function readString(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return fail(path, `expected a string, got ${describe(v)}`);
}

function optionalString(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : readString(v, path);
}

function readShape(v: unknown, path: string): number[] {
  if (!Array.isArray(v)) fail(path, `expected a shape (array of sizes), got ${describe(v)}`);
  return v.map((d, i) => {
    const n = readNumber(d, `${path}[${i}]`);
    if (!Number.isInteger(n) || n < 0) fail(`${path}[${i}]`, 'a size must be a whole number ≥ 0');
    return n;
  });
}

export function readSummary(v: unknown, path: string): TensorSummary {
  if (!isObject(v)) fail(path, `expected a tensor summary, got ${describe(v)}`);
  const s: TensorSummary = {
    shape: readShape(v.shape, `${path}.shape`),
    mean: readNumber(v.mean, `${path}.mean`),
    std: readNumber(v.std, `${path}.std`),
    min: readNumber(v.min, `${path}.min`),
    max: readNumber(v.max, `${path}.max`),
    norm: readNumber(v.norm, `${path}.norm`),
    nan: v.nan === undefined ? 0 : readNumber(v.nan, `${path}.nan`),
    inf: v.inf === undefined ? 0 : readNumber(v.inf, `${path}.inf`),
  };
  if (v.values !== undefined && v.values !== null) {
    if (!Array.isArray(v.values)) fail(`${path}.values`, `expected an array of numbers, got ${describe(v.values)}`);
    s.values = v.values.map((x, i) => readNumber(x, `${path}.values[${i}]`));
  }
  return s;
}

function readNode(v: unknown, path: string): GraphNode {
  if (!isObject(v)) fail(path, `expected a node object, got ${describe(v)}`);
  const kind = v.kind;
  if (kind !== 'leaf' && kind !== 'op') fail(`${path}.kind`, `expected "leaf" or "op", got ${describe(kind)}`);
  const node: GraphNode = {
    id: readString(v.id, `${path}.id`),
    kind,
    op: optionalString(v.op, `${path}.op`),
    name: optionalString(v.name, `${path}.name`),
    group: optionalString(v.group, `${path}.group`),
    shape: readShape(v.shape, `${path}.shape`),
    requiresGrad: v.requiresGrad === true,
    value: readSummary(v.value, `${path}.value`),
  };
  if (v.grad !== undefined && v.grad !== null) node.grad = readSummary(v.grad, `${path}.grad`);
  if (v.accumulatedGrad !== undefined && v.accumulatedGrad !== null) node.accumulatedGrad = readSummary(v.accumulatedGrad, `${path}.accumulatedGrad`);
  return node;
}

function readEdge(v: unknown, path: string): GraphEdge {
  if (!isObject(v)) fail(path, `expected an edge object, got ${describe(v)}`);
  const edge: GraphEdge = {
    from: readString(v.from, `${path}.from`),
    to: readString(v.to, `${path}.to`),
    argIndex: v.argIndex === undefined ? 0 : readNumber(v.argIndex, `${path}.argIndex`),
  };
  if (v.grad !== undefined && v.grad !== null) edge.grad = readSummary(v.grad, `${path}.grad`);
  if (v.check === 'pass' || v.check === 'fail') edge.check = v.check;
  return edge;
}

/**
 * Checks and normalises an untrusted snapshot (already JSON-parsed).
 * @example parseSnapshot(item.json()).snapshot.nodes.length
 */
export function parseSnapshot(raw: unknown): ParsedSnapshot {
  if (!isObject(raw)) fail('graph', `expected a JSON object, got ${describe(raw)}`);
  if (raw.version !== 1) {
    fail('graph.version', `this renderer reads version 1, the output has ${describe(raw.version)}${
      typeof raw.version === 'number' ? ` (${raw.version})` : ''}; update the extension or re-run the cell`);
  }
  if (!Array.isArray(raw.nodes)) fail('graph.nodes', `expected an array, got ${describe(raw.nodes)}`);
  if (!Array.isArray(raw.edges)) fail('graph.edges', `expected an array, got ${describe(raw.edges)}`);
  const warnings: string[] = [];
  const nodes: GraphNode[] = [];
  const seen = new Set<string>();
  raw.nodes.forEach((n, i) => {
    const node = readNode(n, `graph.nodes[${i}]`);
    if (seen.has(node.id)) { warnings.push(`node id ${node.id} appears twice; the second was skipped`); return; }
    seen.add(node.id);
    nodes.push(node);
  });
  const edges: GraphEdge[] = [];
  let dangling = 0;
  raw.edges.forEach((e, i) => {
    const edge = readEdge(e, `graph.edges[${i}]`);
    if (seen.has(edge.from) && seen.has(edge.to)) edges.push(edge);
    else dangling++;
  });
  if (dangling) warnings.push(`${dangling} edge(s) point at nodes that are not in the graph; they are not drawn`);
  const snapshot: GraphSnapshot = {
    version: 1,
    id: raw.id === undefined ? '' : readString(raw.id, 'graph.id'),
    step: raw.step === undefined ? 1 : readNumber(raw.step, 'graph.step'),
    root: raw.root === undefined ? '' : readString(raw.root, 'graph.root'),
    nodes,
    edges,
  };
  if (isObject(raw.truncated)) {
    snapshot.truncated = {
      totalNodes: readNumber(raw.truncated.totalNodes, 'graph.truncated.totalNodes'),
      shownNodes: readNumber(raw.truncated.shownNodes, 'graph.truncated.shownNodes'),
    };
  }
  const nonFinite = readNonFinite(raw.nonFinite);
  if (nonFinite) snapshot.nonFinite = nonFinite;
  const steps = readBackwardSteps(raw.backwardSteps, seen, warnings);
  if (steps) snapshot.backwardSteps = steps;
  if (snapshot.root && !seen.has(snapshot.root)) warnings.push('the root (loss) node is not in the graph');
  return isObject(raw.display) ? { snapshot, warnings, display: raw.display } : { snapshot, warnings };
}

/**
 * Parses the output item's text; JSON syntax errors become a SnapshotError too.
 * @example parseSnapshotText('{"version":1,...}')
 */
export function parseSnapshotText(text: string): ParsedSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`the graph output is not valid JSON (${(e as Error).message})`);
  }
  return parseSnapshot(raw);
}
