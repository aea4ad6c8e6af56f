/*
 * The graph output of a cell: after each backward() the engine calls us with the root, and the cell shows the
 * GraphSnapshot of it. Later backward() calls in the same cell replace that one output (its `step` counts them).
 *
 * Throttling: tracing and sending a snapshot costs about as much as a few training steps, so it happens at most
 * every `minIntervalMs`, and never more often than keeps it under ~2% of the cell's time (the interval grows to
 * 50× the cost of the last trace). The last backward() of the cell is always traced when the cell ends. Only the
 * latest root is held between traces, so earlier steps' graphs are garbage as soon as the cell drops them.
 */
import { onBackward, traceGraph, Tensor, type NonFiniteMark } from '../engine';
import { send } from '../process/outbox';
import { newOutputId, runningCell, type CellRun } from '../process/runContext';
import { graphBundle } from './display';

export interface GraphOptions {
  /** Show a graph after backward() (default true). */
  enabled: boolean;
  /** Largest graph shown; bigger ones keep the nodes nearest the loss (default 300). */
  maxNodes: number;
  /** Least time between two snapshots of a cell, in ms (default 250). */
  minIntervalMs: number;
}

const options: GraphOptions = { enabled: true, maxNodes: 300, minIntervalMs: 250 };

/** A cell run's graph output (kept on its CellRun). */
export interface CellGraph {
  outputId: string;
  /** The run's backward() step last shown (0: none yet). */
  shownStep: number;
  /** The latest root not shown yet. */
  root: Tensor | null;
  /** performance.now() before which no snapshot is traced (the throttle). */
  nextAt: number;
}

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
    const run = runningCell();
    if (!run || !options.enabled) return;
    const graph = run.graph ??= { outputId: newOutputId('graph'), shownStep: 0, root: null, nextAt: 0 };
    graph.root = root;
    if (performance.now() >= graph.nextAt) show(run, graph);
  });
}

/**
 * The run ends: show its last backward() if it is not shown yet, then let go of the graph. With `nonFinite` (a
 * NaN or ±Infinity in that graph), it is shown again with the node that made the first one marked.
 */
export function showLastGraph(run: CellRun, nonFinite?: { root: Tensor; mark: NonFiniteMark }): void {
  const graph = run.graph;
  if (graph && nonFinite && options.enabled) {
    graph.root = nonFinite.root;
    show(run, graph, nonFinite.mark);
  } else if (graph?.root && run.backwards !== graph.shownStep && options.enabled) show(run, graph);
  if (graph) graph.root = null;
}

function show(run: CellRun, c: CellGraph, nonFinite?: NonFiniteMark): void {
  const started = performance.now();
  const { requestId } = run;
  try {
    const snapshot = traceGraph(c.root!, { maxNodes: options.maxNodes, step: run.backwards });
    if (nonFinite) snapshot.nonFinite = nonFinite;
    const data = graphBundle(snapshot, run.request.graphDisplay);
    send(c.shownStep === 0
      ? { type: 'display', requestId, outputId: c.outputId, data }
      : { type: 'updateOutput', requestId, outputId: c.outputId, data });
    c.shownStep = run.backwards;
  } catch (e) {
    send({ type: 'stream', requestId, name: 'stderr', text: `graph output failed: ${(e as Error).message}\n` });
    options.enabled = false;
  }
  const now = performance.now();
  c.nextAt = now + Math.max(options.minIntervalMs, 50 * (now - started));
  // The cell may keep the root alive; we only need it until the next backward() replaces it.
  if (c.shownStep === run.backwards) c.root = null;
}
