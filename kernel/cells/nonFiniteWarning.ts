/*
 * After a cell, a NaN or ±Infinity in its graph is a warning, not a silent pass: the cell's last backward() root
 * and the tensors it bound to top-level names are searched (engine `findNonFinite`) for the first op that made a
 * non-finite value from finite inputs (forward), or whose gradient rule did (backward), and the warning names that
 * op, the inputs that caused it and the cell line that called it.
 *
 * The line: under detectAnomaly(true) each op keeps its stack and the line is exact. Otherwise nothing is
 * captured while the cell runs (the normal path costs nothing): the op's tensor id says which cell run made it
 * (ids grow; each run notes the first id it could make), and that cell's code is read for the calls of the op,
 * preferring a line that names one of its inputs (tensors take their variables' names).
 */
import { findNonFinite, onBackward, Tensor, type NonFiniteOrigin } from '../engine';
import { tensorsBehind } from '../engine/graphWalk';
import { nodeId, type NonFiniteMark } from '../engine/trace';
import { runtimeErrorReport } from './errors';
import { isBoundTensor } from './names';
import { send } from '../process/outbox';
import { runningCell, type CellRun } from '../process/runContext';

/** What a run needs for the check: its code, label, names, first tensor id, and latest backward() root. */
interface Watched { label: string; code: string; declared: string[]; firstId: number; root: Tensor | null }

const watched = new WeakMap<CellRun, Watched>();
/** Recent runs by their first tensor id, oldest first: which cell made a tensor. */
const recent: { firstId: number; label: string; code: string }[] = [];
const RECENT_RUNS = 500;
const PROBE = new Float64Array(0);
let installed = false;

/** Starts keeping each cell run's latest backward() root (once per process). */
export function installNonFiniteWarning(): void {
  if (installed) return;
  installed = true;
  onBackward((root) => {
    const run = runningCell();
    const w = run && watched.get(run);
    if (w) w.root = root;
  });
}

/** A cell run starts running its code: note where its tensors begin and what it declares. */
export function watchCell(run: CellRun, label: string, code: string, declared: string[]): void {
  // the next id any tensor gets, read off a probe that wraps a shared empty array (ids only grow; nothing is
  // allocated, so a tensor memory limit already reached cannot make this throw)
  const firstId = new Tensor(PROBE, []).id + 1;
  watched.set(run, { label, code, declared, firstId, root: null });
  recent.push({ firstId, label, code });
  if (recent.length > RECENT_RUNS) recent.shift();
}

/** The run's graph root to mark, when the warning's node is in it. */
export interface NonFiniteGraph { root: Tensor; mark: NonFiniteMark }

/**
 * The run ends: if its graph holds a NaN or ±Infinity, writes the warning to its stderr and returns the mark for
 * its graph output (when the bad node is in the graph of its last backward()).
 */
export function checkNonFinite(run: CellRun): NonFiniteGraph | undefined {
  const w = watched.get(run);
  if (!w) return undefined;
  watched.delete(run);
  try {
    return check(run, w);
  } catch (e) {
    // the cell's own outcome stands; the check says it could not run
    send({ type: 'stream', requestId: run.requestId, name: 'stderr', text: `checking the graph for NaN failed: ${(e as Error).message}\n` });
    return undefined;
  }
}

function check(run: CellRun, w: Watched): NonFiniteGraph | undefined {
  const roots: Tensor[] = w.root ? [w.root] : [];
  const g = globalThis as Record<string, unknown>;
  for (const name of w.declared) {
    const value = g[name];
    if (isBoundTensor(value) && value !== w.root) roots.push(value);
  }
  if (!roots.length) return undefined;
  const origin = findNonFinite(roots);
  if (!origin) return undefined;
  const where = locate(origin);
  const mark: NonFiniteMark = {
    node: nodeId(origin.tensor), phase: origin.phase, message: origin.message, value: jsonValue(origin.value),
  };
  if (origin.op) mark.op = origin.op;
  if (where) { mark.cell = where.label; mark.line = where.line; }
  send({ type: 'stream', requestId: run.requestId, name: 'stderr', text: warningText(origin, where) });
  if (w.root && tensorsBehind(w.root).includes(origin.tensor)) return { root: w.root, mark };
  return undefined;
}

interface Where { label: string; line: number; text: string; exact: boolean; others: number[] }

/** The cell and line that called the origin's op: its call site, else read from the code of the cell that made it. */
function locate(origin: NonFiniteOrigin): Where | undefined {
  if (origin.site) {
    const frame = runtimeErrorReport(origin.site).traceback.slice(1)
      .map((f) => /\((cell\[\d+\]):(\d+):\d+\)$|at (cell\[\d+\]):(\d+):\d+$/.exec(f)).find((m) => m);
    if (frame) {
      const label = frame[1] ?? frame[3];
      const line = Number(frame[2] ?? frame[4]);
      const code = [...recent].reverse().find((r) => r.label === label)?.code ?? '';
      return { label, line, text: code.split('\n')[line - 1]?.trim() ?? '', exact: true, others: [] };
    }
  }
  const id = origin.tensor.id;
  let run: (typeof recent)[number] | undefined;
  for (const r of recent) if (r.firstId <= id) run = r;
  if (!run || !origin.op) return undefined;
  const lines = run.code.split('\n');
  const call = new RegExp(`(?:\\.|\\b)${origin.op}\\s*\\(`);
  const calls = lines.flatMap((text, i) => (call.test(text.replace(/\/\/.*$/, '')) ? [i + 1] : []));
  if (!calls.length) return undefined;
  const names = [origin.tensor, ...(origin.tensor.node?.inputs ?? [])].map((t) => t.name).filter((n): n is string => !!n);
  const named = calls.filter((l) => names.some((n) => new RegExp(`\\b${n.replace(/[.$]/g, '\\$&')}\\b`).test(lines[l - 1])));
  const pick = (named.length ? named : calls)[0];
  return { label: run.label, line: pick, text: lines[pick - 1].trim(), exact: false, others: calls.filter((l) => l !== pick) };
}

function jsonValue(x: number): 'NaN' | 'Infinity' | '-Infinity' {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The warning as the cell shows it (stderr). */
export function warningText(origin: NonFiniteOrigin, where: Where | undefined): string {
  const what = jsonValue(origin.value);
  const by = origin.phase === 'leaf' ? 'came in as data'
    : origin.phase === 'backward' ? `was first made in backward() by the gradient of ${origin.op}`
      : `was first made by ${origin.op}`;
  const lines = [`Warning: ${what} in this cell's graph: it ${by}${where ? `, called at ${where.label} line ${where.line}` : ''}.`];
  lines.push(`  ${origin.message}`);
  if (where?.text) lines.push(`  ${where.line} | ${where.text}`);
  if (where && !where.exact) {
    const also = where.others.length ? ` (the cell also calls ${origin.op} at line ${where.others.join(', ')})` : '';
    lines.push(`  The line is read from the cell's code${also}; detectAnomaly(true) records the exact call site.`);
  } else if (!where && origin.phase !== 'leaf') {
    lines.push(`  detectAnomaly(true) records the call site of every op.`);
  }
  return `${lines.join('\n')}\n`;
}
