/*
 * Running cells, one at a time in the order they arrive: compile, evaluate in this realm, send the outputs,
 * then exactly one `done`. A run can also end from outside (interrupt), in which case whatever the cell does
 * afterwards is ignored.
 *
 * Errors nobody catches (a rejected promise nobody awaits, a throw in a timer) are never lost. Each cell run is
 * its own script (`backprop-cell-N.ts`), so the outermost cell frame of such an error's stack names the run whose
 * code it came from: while that run goes on, the cell fails with the error (a cell ends only after the rejections
 * of its last microtasks are known); once it has ended, the error is written as stderr, naming that cell, into the
 * cell running then or, when none runs, the next one to run. An error whose stack names no cell (a rejection with
 * a string) fails the running cell, or goes to the next one. (AsyncLocalStorage would follow the async context
 * instead of the stack, but its async hooks make Node abort after an interrupt terminates a callback.)
 */
import { dirname } from 'node:path';
import { runInThisContext } from 'node:vm';
import { CellSyntaxError, compileCell } from './compile';
import { compileErrorReport, ErrorReport, registerCell, runtimeErrorReport } from './errors';
import { showLastGraph } from '../outputs/graphOutput';
import { checkNonFinite, watchCell } from './nonFiniteWarning';
import { showLastPlots } from '../outputs/plotOutput';
import { setNotebookFolder } from './modules';
import { closeCellOutput, openCellOutput, send, writeReport } from '../process/outbox';
import { toMimeBundle, inspectValue } from '../outputs/display';
import type { DoneStatus, ExecuteRequest } from '../client/protocol';
import { CellRun, endCell, runningCell, startCell } from '../process/runContext';

const queue: ExecuteRequest[] = [];
/** The run of each recent cell script, by file name: where a stray error's frames come from. */
const runsByScript = new Map<string, CellRun>();
const SCRIPT_RUNS = 1000;
let scriptCount = 0;
/** Every name a cell declared at its top level, for the variables view. */
export const declaredNames = new Set<string>();

/** Queues a cell; it runs when the ones before it are done. */
export function enqueue(request: ExecuteRequest): void {
  queue.push(request);
  pump();
}

/** Requests interrupted before they started (the interrupt overtook or preceded their `execute`); bounded. */
const interruptedEarly = new Set<string>();
/** Recently started requests: an interrupt for one of them that is not running came late and is dropped. */
const startedRecently = new Set<string>();
const REMEMBERED = 64;

function remember(set: Set<string>, requestId: string): void {
  set.add(requestId);
  if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
}

/**
 * Ends the running cell as interrupted (its variables stay); with `requestId`, only if that request is the one
 * running (a late interrupt must not stop the cell after it). A request not started yet is remembered, and ends
 * as interrupted when its turn comes. Other queued cells still run: the client cancels them.
 */
export function interruptRunning(requestId?: string): void {
  const running = runningCell();
  if (running && (requestId === undefined || running.requestId === requestId)) finish(running, 'interrupted');
  else if (requestId !== undefined && !startedRecently.has(requestId)) remember(interruptedEarly, requestId);
}

/**
 * Reports an error thrown outside any cell's own flow (a timer's, a callback's, an unhandled rejection's). The
 * cell whose code threw it fails with it if that run still goes on (so does the running cell when the error names
 * no cell); otherwise it goes to stderr of the cell running, else of the next cell to run.
 */
export function reportStrayError(e: unknown): void {
  const report = runtimeErrorReport(e);
  const from = originOf(e);
  const running = runningCell();
  if (running && (from === undefined || from === running)) {
    fail(running, report);
    return;
  }
  const when = from ? `by code of cell[${from.cell.executionCount}], after that cell ended` : 'while no cell ran';
  // a thrown non-error reads "Uncaught 'text'" already
  const traceback = report.ename === 'Uncaught' ? report.traceback : [`Uncaught ${report.traceback[0]}`, ...report.traceback.slice(1)];
  writeReport(`${traceback.join('\n')}\n(thrown ${when}; reported in the next cell to run)\n`);
}

/** The run whose script holds the outermost cell frame of the error's stack (the callback's own cell). */
function originOf(e: unknown): CellRun | undefined {
  let stack: unknown;
  try { stack = (e as { stack?: unknown } | null)?.stack; } catch { /* a throwing getter: no origin */ }
  if (typeof stack !== 'string') return undefined;
  const scripts = stack.match(/backprop-cell-\d+\.ts/g);
  return scripts ? runsByScript.get(scripts[scripts.length - 1]) : undefined;
}

function pump(): void {
  if (runningCell() || queue.length === 0) return;
  void run(queue.shift()!);
}

function finish(r: CellRun, status: DoneStatus): void {
  if (r.finished) return;
  r.finished = true;
  try { showLastPlots(r); showLastGraph(r, status === 'interrupted' ? undefined : checkNonFinite(r)); } finally {
    endCell(r);
    closeCellOutput(r.requestId);
    const endTime = Date.now();
    send({ type: 'done', requestId: r.requestId, status, startTime: r.startTime, endTime, durationMs: endTime - r.startTime });
    setImmediate(pump);
  }
}

function fail(r: CellRun, report: ErrorReport): void {
  if (r.finished) return;
  send({ type: 'error', requestId: r.requestId, ...report });
  finish(r, 'error');
}

async function run(request: ExecuteRequest): Promise<void> {
  const r = startCell(request);
  openCellOutput(r.requestId);
  remember(startedRecently, request.requestId);
  if (interruptedEarly.delete(request.requestId)) { finish(r, 'interrupted'); return; }
  const folder = request.notebookPath ? dirname(request.notebookPath) : undefined;
  if (folder) setNotebookFolder(folder);
  const cwd = request.cwd ?? folder;
  if (cwd && cwd !== process.cwd()) {
    try { process.chdir(cwd); } catch { /* a missing folder leaves the kernel where it was */ }
  }
  const label = `cell[${request.executionCount}]`;
  let compiled;
  try {
    compiled = await compileCell(request.code, request.language);
  } catch (e) {
    fail(r, e instanceof CellSyntaxError ? compileErrorReport(e, label) : runtimeErrorReport(e));
    return;
  }
  if (r.finished) return;
  for (const name of compiled.declared) declaredNames.add(name);
  watchCell(r, label, request.code, compiled.declared);
  const filename = `backprop-cell-${++scriptCount}.ts`;
  registerCell(filename, label, compiled);
  runsByScript.set(filename, r);
  if (runsByScript.size > SCRIPT_RUNS) runsByScript.delete(runsByScript.keys().next().value as string);
  let value: unknown;
  try {
    value = await runInThisContext(compiled.script, { filename, breakOnSigint: true });
    // a promise the cell rejected and left is reported once the microtasks run out: the cell fails with it
    await new Promise((settled) => setImmediate(settled));
  } catch (e) {
    if (r.finished) return;
    if ((e as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') finish(r, 'interrupted');
    else fail(r, runtimeErrorReport(e));
    return;
  }
  if (r.finished) return;
  if (value !== undefined) {
    let data;
    try { data = toMimeBundle(value, true, request.graphDisplay); } catch (e) { data = { 'text/plain': `(could not display the value: ${inspectValue(e)})` }; }
    send({ type: 'executeResult', requestId: request.requestId, executionCount: request.executionCount, data });
  }
  finish(r, 'ok');
}
