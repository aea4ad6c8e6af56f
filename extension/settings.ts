// The extension's settings (section "backprop" in package.json) and how they reach the kernel process.
import * as vscode from 'vscode';
import { TENSOR_MEMORY_ENV } from '../kernel/client/protocol';

/**
 * Environment for a notebook's kernel: `backprop.matmulThreads` becomes BACKPROP_THREADS and
 * `backprop.kernel.tensorMemoryLimitMB` BACKPROP_TENSOR_MEMORY_MB (0 = the kernel decides).
 */
export function kernelEnv(notebook: vscode.NotebookDocument): Record<string, string> {
  const c = vscode.workspace.getConfiguration('backprop', notebook.uri);
  const threads = c.get<number>('matmulThreads', 0), memoryMB = c.get<number>('kernel.tensorMemoryLimitMB', 0);
  return {
    ...threads > 0 ? { BACKPROP_THREADS: String(Math.floor(threads)) } : {},
    ...memoryMB > 0 ? { [TENSOR_MEMORY_ENV]: String(Math.floor(memoryMB)) } : {},
  };
}

/** `backprop.gradientCheck.*`: the tolerances and sample size of gradient checks. */
export function gradientCheckSettings(scope?: vscode.Uri): { eps: number; atol: number; rtol: number; sampleSize: number } {
  const c = vscode.workspace.getConfiguration('backprop.gradientCheck', scope);
  return { eps: c.get('eps', 1e-6), atol: c.get('atol', 1e-5), rtol: c.get('rtol', 1e-3), sampleSize: c.get('sampleSize', 64) };
}

/** `backprop.graph.*`: the most boxes a graph draws, and what its edge labels show. */
export function graphSettings(scope?: vscode.Uri): { maxNodes: number; edgeLabel: 'norm' | 'mean' | 'values' } {
  const c = vscode.workspace.getConfiguration('backprop.graph', scope);
  const label = c.get<string>('edgeLabel', 'norm');
  return { maxNodes: c.get('maxNodes', 60), edgeLabel: label === 'mean' || label === 'values' ? label : 'norm' };
}
