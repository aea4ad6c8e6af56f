/*
 * "The request now running", in one place. A cell run gets a CellRun where it starts (cells/execute.ts), and
 * everything that belongs to it (captured text, display() outputs, backward() steps, its graph output, the
 * interrupt watcher's target) looks it up here instead of keeping a copy of its own. A tool request that can
 * be stopped (a gradient check) is a ToolRun for as long as it runs; it may run while a cell awaits, and the
 * cell's run is still there when it ends.
 */
import { onBackward } from '../engine';
import type { ExecuteRequest, KernelToClient } from '../client/protocol';
import type { CellGraph } from '../outputs/graphOutput';
import { noteRun } from './interrupt';

/** Which cell run something belongs to, as hovers and gradient checks name it. */
export interface CellRef {
  cellId: string;
  executionCount: number;
}

/** One cell run, from its `execute` to its `done`. */
export interface CellRun {
  readonly request: ExecuteRequest;
  readonly requestId: string;
  readonly cell: CellRef;
  readonly startTime: number;
  /** Set when it ends, before its `done` is sent: whatever the cell does afterwards is ignored. */
  finished: boolean;
  /** backward() calls made during this run so far (the `step` of its graphs). */
  backwards: number;
  /** Its graph output, once a backward() has fed it (outputs/graphOutput.ts). */
  graph?: CellGraph;
}

/** A tool request that the interrupt watcher can stop as it stops a cell; `stopped` is its answer then. */
export interface ToolRun {
  readonly requestId: string;
  readonly stopped: () => KernelToClient;
}

let running: CellRun | undefined;
/** The last cell run, ended or not: text and backward() calls from its timers after it ended still go there. */
let last: CellRun | undefined;
let tool: ToolRun | undefined;
let outputs = 0;

// Registered when this module loads, so before any listener of a module that reads `backwards` (they import
// this one): the count is up to date when they run.
onBackward(() => { if (last) last.backwards++; });

/** Tells the interrupt watcher which request it may stop now: the tool request, else the cell. */
function tellWatcher(): void {
  noteRun(tool?.requestId ?? running?.requestId ?? '');
}

/** A cell run starts: it is the running one until `endCell`. */
export function startCell(request: ExecuteRequest): CellRun {
  const run: CellRun = {
    request, requestId: request.requestId, cell: { cellId: request.cellId, executionCount: request.executionCount },
    startTime: Date.now(), finished: false, backwards: 0,
  };
  running = last = run;
  tellWatcher();
  return run;
}

/** The run ends (its `done` goes next). */
export function endCell(run: CellRun): void {
  run.finished = true;
  if (running === run) running = undefined;
  tellWatcher();
}

/** The cell running now (also while it awaits). */
export function runningCell(): CellRun | undefined {
  return running;
}

/** The cell running now, or the last one that ran. */
export function lastCell(): CellRun | undefined {
  return last;
}

/** The request captured text and stray errors belong to: the running cell's, else the last cell's ('' before any). */
export function outputRequestId(): string {
  return last?.requestId ?? '';
}

/** Runs a tool request as a run the interrupt watcher can stop; `stopped` answers it if the watcher does. */
export function runTool(requestId: string, stopped: () => KernelToClient, answer: () => void): void {
  const previous = tool;
  tool = { requestId, stopped };
  tellWatcher();
  try {
    answer();
  } finally {
    tool = previous;
    tellWatcher();
  }
}

/**
 * The watcher stopped `requestId`: if it is the tool request running, it ends here (its `finally` was skipped)
 * and is returned, to be answered with `stopped()`.
 */
export function stopTool(requestId: string): ToolRun | undefined {
  const t = tool;
  if (!t || t.requestId !== requestId) return undefined;
  tool = undefined;
  tellWatcher();
  return t;
}

/** A new output id, unique in the kernel's life (`updateOutput` finds an output by it). */
export function newOutputId(kind: 'display' | 'graph'): string {
  return `${kind}-${++outputs}`;
}
