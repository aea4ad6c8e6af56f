/*
 * Running cells, one at a time in the order they arrive: compile, evaluate in this realm, send the outputs,
 * then exactly one `done`. A run can also end from outside (interrupt), in which case whatever the cell does
 * afterwards is ignored.
 *
 * Errors nobody catches (a rejected promise nobody awaits, a throw in a timer) are never lost. Each cell runs in
 * an AsyncLocalStorage context, so such an error knows the cell whose code started it: while that cell runs, it
 * fails with the error (a cell ends only after the rejections of its last microtasks are known); once it has
 * ended, the error is written as stderr, naming that cell, into the cell running then or, when none runs, the
 * next one to run.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dirname } from 'node:path';
import { runInThisContext } from 'node:vm';
import { CellSyntaxError, compileCell } from './compile';
import { compileErrorReport, ErrorReport, registerCell, runtimeErrorReport } from './errors';
import { showLastGraph } from '../outputs/graphOutput';
import { setNotebookFolder } from './modules';
import { closeCellOutput, openCellOutput, send, writeReport } from '../process/outbox';
import { toMimeBundle, inspectValue } from '../outputs/display';
import type { DoneStatus, ExecuteRequest } from '../client/protocol';
import { CellRun, endCell, outputRequestId, runningCell, startCell } from '../process/runContext';

const queue: ExecuteRequest[] = [];
/** The cell run whose code is running, through its timers, callbacks and promises. */
const origin = new AsyncLocalStorage<CellRun>();
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
 * cell that started the code fails with it if it still runs; otherwise (or when its origin is unknown and no cell
 * runs) it goes to stderr of the cell running, else of the next cell to run.
 */
export function reportStrayError(e: unknown): void {
  const report = runtimeErrorReport(e);
  const from = origin.getStore();
  const running = runningCell();
  if (running && (from === undefined || from === running)) {
    fail(running, report);
    return;
  }
  const when = from ? `by code that cell[${from.cell.executionCount}] started, after it ended` : 'while no cell ran';
  writeReport(`Uncaught ${report.traceback.join('\n')}\n(thrown ${when}; reported in the next cell to run)\n`);
}

function pump(): void {
  if (runningCell() || queue.length === 0) return;
  void run(queue.shift()!);
}

function finish(r: CellRun, status: DoneStatus): void {
  if (r.finished) return;
  r.finished = true;
  try { showLastGraph(r); } finally {
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
  const filename = `backprop-cell-${++scriptCount}.ts`;
  registerCell(filename, label, compiled);
  let value: unknown;
  try {
    value = await origin.run(r, () => runInThisContext(compiled.script, { filename, breakOnSigint: true }) as unknown);
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
