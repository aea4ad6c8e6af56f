// Notebooks for the tool suites (hover, gradient check, variables, export): saved .ipynb files with unique names in
// a temporary folder, not untitled ones. The ipynb extension writes cell metadata a moment after outputs change;
// for an untitled notebook closed just before, that late edit would land on the next untitled notebook, which reuses
// the URI. A file's URI is never reused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeActiveEditorWithoutSaving, extensionId, kernelspec } from './helpers';

let folder: string | undefined;
let count = 0;

/** A saved notebook with these code cells, shown, with the Backprop kernel selected. */
export async function fileNotebook(...sources: string[]): Promise<vscode.NotebookDocument> {
  folder ??= mkdtempSync(join(tmpdir(), 'backprop-tools-'));
  const path = join(folder, `tools-${++count}-${Date.now()}.ipynb`);
  const cells = sources.map((s, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source: s }));
  writeFileSync(path, JSON.stringify({
    cells, metadata: { kernelspec, language_info: { name: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
  }));
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path));
  await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: 'backprop-ts', extension: extensionId });
  return notebook;
}

/** Closes every notebook editor without saving, once the ipynb extension's pending metadata edits have landed. */
export async function closeNotebooks(): Promise<void> {
  await new Promise((r) => setTimeout(r, 500));
  while (vscode.window.activeNotebookEditor) await closeActiveEditorWithoutSaving();
}
