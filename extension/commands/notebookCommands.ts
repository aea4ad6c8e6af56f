// The notebook and kernel commands (category "Backprop"): New Notebook, Restart Kernel, Interrupt Kernel.
import * as vscode from 'vscode';
import { controllerId, notebookType, type BackpropController } from '../controller';
import type { KernelSessions } from '../kernelSessions';
import { starterNotebook } from '../starterNotebook';

/** The notebook a command is about: the one it was invoked on (toolbar) or else the active one. */
function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  const uri = arg instanceof vscode.Uri ? arg
    : (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  if (uri) return vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === uri.toString());
  return vscode.window.activeNotebookEditor?.notebook;
}

export function registerNotebookCommands(extensionId: string, controller: BackpropController, sessions: KernelSessions): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('backprop.newNotebook', async () => {
      const notebook = await vscode.workspace.openNotebookDocument(notebookType, starterNotebook());
      controller.updateAffinity(notebook);
      await vscode.window.showNotebookDocument(notebook);
      await vscode.commands.executeCommand('notebook.selectKernel', { id: controllerId, extension: extensionId });
      return notebook;
    }),
    vscode.commands.registerCommand('backprop.restartKernel', async (arg?: unknown) => {
      const notebook = targetNotebook(arg);
      if (!notebook) { void vscode.window.showWarningMessage('Backprop: open a notebook to restart its kernel.'); return undefined; }
      const kernel = await sessions.restart(notebook);
      void vscode.window.showInformationMessage('Backprop: kernel restarted. Variables from earlier runs are gone: run the cells again.');
      return kernel.pid;
    }),
    vscode.commands.registerCommand('backprop.interruptKernel', (arg?: unknown) => {
      const notebook = targetNotebook(arg);
      if (notebook) sessions.interrupt(notebook);
    }),
  ];
}
