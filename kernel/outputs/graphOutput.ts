/*
 * The graph output of a cell: after each backward() the engine calls us with the root, and the cell shows the
 * GraphSnapshot of it. Later backward() calls in the same cell replace that one output (its `step` counts them).
 *
 * Throttling: tracing and sending a snapshot costs about as much as a few training steps, so it happens at most
 * every `minIntervalMs`, and never more often than keeps it under ~2% of the cell's time (the interval grows to
 * 50× the cost of the last trace). The last backward() of the cell is always traced when the cell ends. Only the
 * latest root is held between traces, so earlier steps' graphs are garbage as soon as the cell drops them.
 */
import { onBackward, traceGraph, Tensor } from '../engine';
import { GRAPH_MIME } from '../client/protocol';
import { send } from '../process/outbox';
import { graphText } from './graphText';

export interface GraphOptions {
  /** Show a graph after backward() (default true). */
  enabled: boolean;
  /** Largest graph shown; bigger ones keep the nodes nearest the loss (default 300). */
  maxNodes: number;
  /** Least time between two snapshots of a cell, in ms (default 250). */
  minIntervalMs: number;
}

const options: GraphOptions = { enabled: true, maxNodes: 300, minIntervalMs: 250 };

/** Per-cell state. */
let cell: { requestId: string; outputId: string; step: number; shownStep: number; root: Tensor | null; nextAt: number } | null = null;
let outputCount = 0;

/**
 * Sets how graphs are shown after backward(). Returns the options now in force.
 * @example setGraphOptions({ enabled: false })      // no graphs (e.g. for a long training loop)
 * @example setGraphOptions({ maxNodes: 50 })         // smaller graphs
 */
export function setGraphOptions(opts: Partial<GraphOptions> = {}): GraphOptions {
  if (opts.enabled !== undefined) options.enabled = Boolean(opts.enabled);
  if (opts.maxNodes !== undefined) {
    if (!Number.isInteger(opts.maxNodes) || opts.maxNodes < 1) throw new Error(`setGraphOptions: maxNodes must be a positive integer, got ${opts.maxNodes}`);
    options.maxNodes = opts.maxNodes;
  }
  if (opts.minIntervalMs !== undefined) {
    if (!(opts.minIntervalMs >= 0)) throw new Error(`setGraphOptions: minIntervalMs must be >= 0, got ${opts.minIntervalMs}`);
    options.minIntervalMs = opts.minIntervalMs;
  }
  return { ...options };
}

/** Starts listening to the engine's backward() calls. */
export function installGraphOutput(): void {
  onBackward((root) => {
    if (!cell || !options.enabled) return;
    cell.step++;
    cell.root = root;
    if (performance.now() >= cell.nextAt) show();
  });
}

/** A cell starts: its backward() calls now feed its own graph output. */
export function beginCell(requestId: string): void {
  cell = { requestId, outputId: `graph-${++outputCount}`, step: 0, shownStep: 0, root: null, nextAt: 0 };
}

/** The cell ended: show its last backward() if it is not shown yet, then let go of the graph. */
export function endCell(): void {
  if (cell && cell.root && cell.step !== cell.shownStep && options.enabled) show();
  cell = null;
}

function show(): void {
  const c = cell!;
  const started = performance.now();
  try {
    const snapshot = traceGraph(c.root!, { maxNodes: options.maxNodes, step: c.step });
    const data = { [GRAPH_MIME]: snapshot, 'text/plain': graphText(snapshot) };
    send(c.shownStep === 0
      ? { type: 'display', requestId: c.requestId, outputId: c.outputId, data }
      : { type: 'updateOutput', requestId: c.requestId, outputId: c.outputId, data });
    c.shownStep = c.step;
  } catch (e) {
    send({ type: 'stream', requestId: c.requestId, name: 'stderr', text: `graph output failed: ${(e as Error).message}\n` });
    options.enabled = false;
  }
  const now = performance.now();
  c.nextAt = now + Math.max(options.minIntervalMs, 50 * (now - started));
  // The cell may keep the root alive; we only need it until the next backward() replaces it.
  if (c.shownStep === c.step) c.root = null;
}
