// Shared steps of the suite that runs inside VS Code: open notebooks, run cells, wait, read outputs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BackpropApi } from '../../../extension/extension';

export const extensionId = 'backprop-notebooks.backprop-notebook';
export { GRAPH_MIME as graphMime } from '../../../kernel/client/protocol';
export const errorMime = 'application/vnd.code.notebook.error';
export const kernelspec = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };

export async function api(): Promise<BackpropApi> {
  const ext = vscode.extensions.getExtension<BackpropApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is loaded`);
  return ext.activate();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with test/vscode/workspace open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** An untitled .ipynb for the backprop-ts kernel with these code cells, shown, with the Backprop kernel selected. */
export async function untitledNotebook(...sources: string[]): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, 'typescript')));
  data.metadata = { cells: [], metadata: { kernelspec, language_info: { name: 'typescript' } }, nbformat: 4, nbformat_minor: 5 };
  const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
  await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: 'backprop-ts', extension: extensionId });
  return notebook;
}

/** Runs cells [start, end) and resolves when VS Code reports the run finished. */
export async function runCells(notebook: vscode.NotebookDocument, start: number, end = start + 1): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start, end }], document: notebook.uri });
}

/**
 * Resolves once the cell's latest run has ended (VS Code sets executionSummary.timing.endTime), or once it was
 * cancelled before it ran (its summary then has no timing and no success).
 */
export async function waitForEnd(cell: vscode.NotebookCell, timeoutMs = 30_000): Promise<vscode.NotebookCellExecutionSummary> {
  const { cellRunState } = await api();
  return waitFor(`cell ${cell.index} to finish`, () => {
    const state = cellRunState(cell);
    // A queued cell cancelled (an earlier one failed, or an interrupt) ends without ever running: no timing.
    if (state === 'cancelled') return cell.executionSummary ?? {};
    if (state !== 'ended') return undefined;
    return cell.executionSummary?.timing?.endTime ? cell.executionSummary : undefined;
  }, timeoutMs);
}

export function decode(item: vscode.NotebookCellOutputItem): string {
  return new TextDecoder().decode(item.data);
}

/** Every item of a mime in the cell's outputs, decoded. */
export function itemsOf(cell: vscode.NotebookCell, mime: string): string[] {
  return cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map(decode));
}

export const stdout = (cell: vscode.NotebookCell): string => itemsOf(cell, 'application/vnd.code.notebook.stdout').join('');
export const stderr = (cell: vscode.NotebookCell): string => itemsOf(cell, 'application/vnd.code.notebook.stderr').join('');

/** The execute result's text/plain. */
export function resultText(cell: vscode.NotebookCell): string | undefined {
  const out = cell.outputs.find((o) => o.metadata?.outputType === 'execute_result');
  const item = out?.items.find((i) => i.mime === 'text/plain');
  return item && decode(item);
}

export async function closeActiveEditorWithoutSaving(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}
