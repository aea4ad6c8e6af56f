// The extension's settings (section "backprop" in package.json) and how they reach the kernel process.
import * as vscode from 'vscode';

/** Environment for a notebook's kernel: `backprop.matmulThreads` becomes BACKPROP_THREADS (0 = the kernel decides). */
export function kernelEnv(notebook: vscode.NotebookDocument): Record<string, string> {
  const threads = vscode.workspace.getConfiguration('backprop', notebook.uri).get<number>('matmulThreads', 0);
  return threads > 0 ? { BACKPROP_THREADS: String(Math.floor(threads)) } : {};
}
