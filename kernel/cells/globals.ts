/*
 * The names a cell sees besides its own: every export of the engine (and the whole module as `bp`),
 * `display`, `setGraphOptions`, `plot`, `require`, and the hook compiled cells use for imports.
 */
import { inspect } from 'node:util';
import * as engine from '../engine';
import { KERNEL_GLOBAL } from './compile';
import { cellRequire, dynamicImport, importDefault, load } from './modules';
import { name } from './names';
import { setGraphOptions } from '../outputs/graphOutput';
import { plot } from '../outputs/plotOutput';
import { toMimeBundle } from '../outputs/display';
import { send } from '../process/outbox';
import { newOutputId, outputRequestId, runningCell } from '../process/runContext';

/**
 * Shows values as outputs of the running cell: tensors as a table with their gradient, graph snapshots as a
 * graph, an object keyed by mime types as that output, anything else as text.
 * @example display(w)                 // the tensor w and its gradient
 * @example display(traceGraph(loss))  // the graph behind loss
 * @example display({ 'image/svg+xml': '<svg>...</svg>', 'text/plain': 'a chart' })
 */
export function display(...values: unknown[]): void {
  const graphDisplay = runningCell()?.request.graphDisplay;
  for (const value of values) {
    send({ type: 'display', requestId: outputRequestId(), outputId: newOutputId('display'), data: toMimeBundle(value, false, graphDisplay) });
  }
}

/** Defines the globals. Names Node already defines are not overwritten (they stay reachable through `bp`). */
export function installGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(engine)) {
    if (!(name in g)) g[name] = value;
  }
  g.bp = engine;
  g.display = display;
  g.setGraphOptions = setGraphOptions;
  g.plot = plot;
  g.require = cellRequire;
  g[KERNEL_GLOBAL] = { load, importDefault, dynamicImport, name };
  // Tensors inside arrays and objects print as tensors, not as their fields.
  const proto = engine.Tensor.prototype as unknown as Record<symbol, unknown>;
  const custom = inspect.custom;
  if (!(custom in proto)) proto[custom] = function (this: engine.Tensor) { return String(this); };
}
