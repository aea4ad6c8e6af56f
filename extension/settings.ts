// The extension's settings (section "backprop" in package.json) and how they reach the kernel process.
import * as vscode from 'vscode';
import { DETECT_ANOMALY_ENV, MAX_OUTPUT_ENV, TENSOR_MEMORY_ENV, type GraphDisplay } from '../kernel/client/protocol';

/**
 * Environment for a notebook's kernel: `backprop.matmulThreads` becomes BACKPROP_THREADS (0 = the kernel decides),
 * `backprop.kernel.tensorMemoryLimitMB` BACKPROP_TENSOR_MEMORY_MB (0 = the kernel decides), and
 * `backprop.output.maxBytesPerCell` BACKPROP_MAX_OUTPUT_BYTES (the kernel checks its range), and
 * `backprop.detectAnomaly` BACKPROP_DETECT_ANOMALY=1.
 */
export function kernelEnv(notebook: vscode.NotebookDocument): Record<string, string> {
  const c = vscode.workspace.getConfiguration('backprop', notebook.uri);
  const env: Record<string, string> = {};
  const threads = c.get<number>('matmulThreads', 0);
  if (threads > 0) env.BACKPROP_THREADS = String(Math.floor(threads));
  const memoryMB = c.get<number>('kernel.tensorMemoryLimitMB', 0);
  if (memoryMB > 0) env[TENSOR_MEMORY_ENV] = String(Math.floor(memoryMB));
  const maxBytes = c.get<number>('output.maxBytesPerCell');
  if (typeof maxBytes === 'number') env[MAX_OUTPUT_ENV] = String(Math.floor(maxBytes));
  if (c.get<boolean>('detectAnomaly', false)) env[DETECT_ANOMALY_ENV] = '1';
  return env;
}

/** `backprop.gradientCheck.*`: the tolerances and sample size of gradient checks. */
export function gradientCheckSettings(scope?: vscode.Uri): { eps: number; atol: number; rtol: number; sampleSize: number } {
  const c = vscode.workspace.getConfiguration('backprop.gradientCheck', scope);
  return { eps: c.get('eps', 1e-6), atol: c.get('atol', 1e-5), rtol: c.get('rtol', 1e-3), sampleSize: c.get('sampleSize', 64) };
}

/** `backprop.graph.*`: the most boxes a graph draws, and what its edge labels show (sent with each run, and to the renderer). */
export function graphSettings(scope?: vscode.Uri): Required<GraphDisplay> {
  const c = vscode.workspace.getConfiguration('backprop.graph', scope);
  const label = c.get<string>('edgeLabel', 'norm');
  return { maxNodes: c.get('maxNodes', 60), edgeLabel: label === 'mean' || label === 'values' ? label : 'norm' };
}
