// Validation of a snapshot's `backwardSteps` (docs/graph-format.md, "Backward, step by step"): untrusted like the
// rest. A step or input that names a node the graph does not have is dropped with one warning; a malformed one
// is an error that names the field, as everywhere in snapshot.ts.
import { readNumber, readSummary, SnapshotError } from './snapshot';
import type { GraphSnapshot } from './types';

export type BackwardStep = NonNullable<GraphSnapshot['backwardSteps']>[number];
export type StepInput = BackwardStep['inputs'][number];
export type LocalDerivative = StepInput['local'];

const KINDS = new Set(['elementwise', 'scalar', 'matmul', 'linear', 'other']);
const MATMUL = new Set(['ȳ·M', 'M·ȳ', 'M·ȳᵀ', 'ȳᵀ·M']);
/** The most Jacobian entries read (the kernel sends at most 256). */
const JACOBIAN_READ_MAX = 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, what: string): never {
  throw new SnapshotError(`${path}: ${what}`);
}

function readLocal(v: unknown, path: string): LocalDerivative {
  if (!isObject(v)) fail(path, 'expected an object');
  const kind = typeof v.kind === 'string' && KINDS.has(v.kind) ? v.kind as LocalDerivative['kind'] : 'other';
  const local: LocalDerivative = { kind };
  if (typeof v.formula === 'string') local.formula = v.formula.slice(0, 200);
  if (typeof v.matmul === 'string' && MATMUL.has(v.matmul)) local.matmul = v.matmul as LocalDerivative['matmul'];
  if (v.values !== undefined && v.values !== null) local.values = readSummary(v.values, `${path}.values`);
  if (isObject(v.jacobian)) {
    const j = v.jacobian, rows = readNumber(j.rows, `${path}.jacobian.rows`), cols = readNumber(j.cols, `${path}.jacobian.cols`);
    if (!Array.isArray(j.values)) fail(`${path}.jacobian.values`, 'expected an array of numbers');
    const ok = Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0 && rows * cols === j.values.length;
    if (!ok || j.values.length > JACOBIAN_READ_MAX) fail(`${path}.jacobian`, `expected rows × cols numbers (at most ${JACOBIAN_READ_MAX})`);
    local.jacobian = { rows, cols, values: j.values.map((x, k) => readNumber(x, `${path}.jacobian.values[${k}]`)) };
  }
  return local;
}

/**
 * The steps of a snapshot, checked; those naming unknown nodes are dropped (and said so in `warnings`).
 * @example readBackwardSteps(raw.backwardSteps, new Set(['t1', 't2']), warnings)
 */
export function readBackwardSteps(v: unknown, nodeIds: ReadonlySet<string>, warnings: string[]): BackwardStep[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail('graph.backwardSteps', 'expected an array');
  const steps: BackwardStep[] = [];
  let dropped = 0;
  v.forEach((s, k) => {
    const path = `graph.backwardSteps[${k}]`;
    if (!isObject(s)) fail(path, 'expected a step object');
    const node = typeof s.node === 'string' ? s.node : fail(`${path}.node`, 'expected a node id');
    if (!Array.isArray(s.inputs)) fail(`${path}.inputs`, 'expected an array');
    if (!nodeIds.has(node)) { dropped++; return; }
    const inputs: StepInput[] = [];
    s.inputs.forEach((x, i) => {
      const p = `${path}.inputs[${i}]`;
      if (!isObject(x)) fail(p, 'expected an object');
      const from = typeof x.from === 'string' ? x.from : fail(`${p}.from`, 'expected a node id');
      if (!nodeIds.has(from)) { dropped++; return; }
      inputs.push({ argIndex: readNumber(x.argIndex, `${p}.argIndex`), from, local: readLocal(x.local, `${p}.local`) });
    });
    steps.push({ node, inputs });
  });
  if (dropped) warnings.push(`${dropped} backward step(s) name nodes that are not in the graph; they are left out of the step-through`);
  return steps;
}
