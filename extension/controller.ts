// The notebook controller "Backprop (TypeScript)" for .ipynb notebooks (VS Code's built-in `jupyter-notebook`
// type): runs cells one after another in the notebook's kernel, maps outputs, interrupts, and is the preferred
// kernel of notebooks whose kernelspec is backprop-ts.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { CellOutputs } from './cellOutputs';
import { graphSettings } from './settings';
import { KernelDiedError } from '../kernel/client/client';
import type { KernelSession, KernelSessions } from './kernelSessions';
import type { Log } from './log';

export const controllerId = 'backprop-ts';
export const notebookType = 'jupyter-notebook';
export const kernelspec = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };

/** The kernelspec name, where VS Code 1.100's ipynb serializer puts it: the file's top-level `metadata`. */
export function kernelspecName(notebook: vscode.NotebookDocument): string | undefined {
  const m = notebook.metadata as { metadata?: { kernelspec?: { name?: unknown } }; custom?: { metadata?: { kernelspec?: { name?: unknown } } } };
  // `custom.metadata` is where VS Code before 1.80 kept it
  const name = m.metadata?.kernelspec?.name ?? m.custom?.metadata?.kernelspec?.name;
  return typeof name === 'string' ? name : undefined;
}

export class BackpropController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly disposables: vscode.Disposable[] = [];

  /** Notebooks for which VS Code has this controller selected. */
  private readonly selected = new Set<vscode.NotebookDocument>();

  constructor(
    private readonly extensionId: string, private readonly sessions: KernelSessions, private readonly log: Log,
  ) {
    this.controller = vscode.notebooks.createNotebookController(controllerId, notebookType, 'Backprop (TypeScript)');
    this.controller.supportedLanguages = ['typescript', 'javascript'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TypeScript cells on the Backprop autodiff engine';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.sessions.interrupt(notebook);
    this.disposables.push(
      this.controller,
      this.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        if (selected) this.selected.add(notebook);
        else this.selected.delete(notebook);
      }),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.updateAffinity(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.selected.delete(nb)),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => void this.selectIfPreferred(editor)),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.updateAffinity(nb);
    void this.selectIfPreferred(vscode.window.activeNotebookEditor);
  }

  isSelected(notebook: vscode.NotebookDocument): boolean {
    return this.selected.has(notebook);
  }

  private prefers(notebook: vscode.NotebookDocument): boolean {
    return notebook.notebookType === notebookType && kernelspecName(notebook) === kernelspec.name;
  }

  /** Notebooks written for this kernel get it as their preferred kernel. */
  updateAffinity(notebook: vscode.NotebookDocument): void {
    if (this.prefers(notebook)) this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /**
   * VS Code 1.100 only lists a preferred kernel first in its picker, and Run All still asks when several kernels
   * exist; so a notebook written for this kernel gets it selected when shown, unless a kernel is selected already.
   */
  private async selectIfPreferred(editor: vscode.NotebookEditor | undefined): Promise<void> {
    if (!editor || !this.prefers(editor.notebook) || this.isSelected(editor.notebook)) return;
    if (vscode.window.activeNotebookEditor !== editor) return;
    await vscode.commands.executeCommand('notebook.selectKernel', {
      id: controllerId, extension: this.extensionId, skipIfAlreadySelected: true,
    });
  }

  /**
   * Queues the cells (they show as pending) in the kernel's run queue, after what this notebook already runs; a
   * cell that fails or is interrupted cancels the ones queued behind it.
   */
  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const session = this.sessions.get(notebook);
    const kernel = this.sessions.client(session);
    const turns = cells.map((cell) => {
      const execution = this.controller.createNotebookCellExecution(cell);
      session.queued.add(execution);
      session.noteCell(execution, 'queued');
      return kernel.queue.run((signal) => { session.queued.delete(execution); return this.runCell(execution, session, signal); }, {
        failed: (ok) => !ok,
        cancelled: () => { session.cancel(execution); this.sessions.notifyChanged(session); return false; },
      });
    });
    this.sessions.notifyChanged(session);
    try {
      await Promise.all(turns);
    } catch (err) {
      this.log.error(`run queue: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Runs one cell to its end; false when it failed, was interrupted or the kernel died. Aborting `signal` interrupts it. */
  private async runCell(execution: vscode.NotebookCellExecution, session: KernelSession, signal: AbortSignal): Promise<boolean> {
    const { cell } = execution;
    session.running = execution;
    execution.executionOrder = ++session.executionCount;
    execution.start(Date.now());
    session.noteCell(execution, 'running');
    this.sessions.notifyChanged(session);
    const outputs = new CellOutputs(execution);
    let ok = false;
    try {
      await execution.clearOutput();
      const kernel = await this.sessions.kernel(session);
      // an interrupt that came while the kernel was starting has aborted `signal` already: execute passes it on
      const done = await kernel.execute({
        cellId: `${basename(cell.notebook.uri.path)}#${cell.index}`,
        code: cell.document.getText(),
        executionCount: execution.executionOrder,
        language: cell.document.languageId === 'javascript' ? 'javascript' : 'typescript',
        notebookPath: cell.notebook.uri.scheme === 'file' ? cell.notebook.uri.fsPath : undefined,
        graphDisplay: graphSettings(cell.notebook.uri),
      }, (m) => outputs.add(m), signal);
      ok = done.status === 'ok';
      if (done.status === 'interrupted') outputs.addError('Interrupted', 'The cell was interrupted. The kernel keeps its variables.');
    } catch (e) {
      if (e instanceof KernelDiedError) {
        outputs.addError('KernelDied', e.byClient
          ? 'The kernel was restarted or shut down while this cell ran; its variables are gone.'
          : `${e.message} Its variables are gone; the next run starts a new kernel.`);
      } else {
        outputs.addError('KernelError', `Could not run the cell: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.log.error(`cell ${cell.index} of ${cell.notebook.uri.toString()}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      await outputs.flush();
    } catch (e) {
      this.log.error(`cell ${cell.index}: could not write its outputs: ${e instanceof Error ? e.message : String(e)}`);
    }
    execution.end(ok, Date.now());
    session.noteCell(execution, 'ended');
    session.running = undefined;
    this.sessions.notifyChanged(session);
    return ok;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
