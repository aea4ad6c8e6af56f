// One kernel client per notebook (kernel/client/client.ts): its process is started on the first run, replaced after
// it dies or on restart, shut down when the notebook closes. The client's run queue orders the notebook's cells;
// this side keeps VS Code's bookkeeping of them (the executions waiting and running) and the execution counter.
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { KernelClient } from '../kernel/client/client';
import type { ReadyMessage } from '../kernel/client/protocol';
import { kernelEnv } from './settings';
import type { Log } from './log';

export type KernelState = 'idle' | 'busy';

/** Where a cell's latest run request is: waiting its turn, running, ended (ran), or cancelled (never ran). */
export type CellRunState = 'queued' | 'running' | 'ended' | 'cancelled';

export class KernelSession {
  kernel: KernelClient | undefined;
  executionCount = 0;
  /** Executions waiting their turn in the kernel's run queue. */
  readonly queued = new Set<vscode.NotebookCellExecution>();
  running: vscode.NotebookCellExecution | undefined;
  /** Per cell document URI: the state of its latest run request (for the tests' waits). */
  readonly cellRuns = new Map<string, CellRunState>();

  constructor(readonly notebook: vscode.NotebookDocument) {}

  get state(): KernelState { return this.running || this.queued.size ? 'busy' : 'idle'; }

  /** Marks where a cell's run request is. */
  noteCell(execution: vscode.NotebookCellExecution, state: CellRunState): void {
    this.cellRuns.set(execution.cell.document.uri.toString(), state);
  }

  /** Ends one queued execution unrun (VS Code shows it neither passed nor failed). */
  cancel(execution: vscode.NotebookCellExecution): void {
    this.queued.delete(execution);
    execution.end(undefined);
    this.noteCell(execution, 'cancelled');
  }
}

/** The folder a notebook's kernel runs in: the notebook's own, else the first workspace folder's, else home. */
function kernelCwd(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? homedir();
}

export class KernelSessions implements vscode.Disposable {
  /** Keyed by the document, not its URI: a closed untitled notebook's URI comes back for the next one. */
  private readonly sessions = new Map<vscode.NotebookDocument, KernelSession>();
  private readonly changed = new vscode.EventEmitter<KernelSession>();
  /** Fires when a notebook's kernel starts, stops, gets busy or idle. */
  readonly onDidChange = this.changed.event;
  private readonly closeListener: vscode.Disposable;
  /** Warnings shown to the user, newest last (the tests read them: VS Code gives no way to see a notification). */
  readonly warnings: string[] = [];

  constructor(private readonly kernelPath: string, private readonly log: Log) {
    this.closeListener = vscode.workspace.onDidCloseNotebookDocument((nb) => void this.close(nb));
  }

  get(notebook: vscode.NotebookDocument): KernelSession {
    let s = this.sessions.get(notebook);
    if (!s) { s = new KernelSession(notebook); this.sessions.set(notebook, s); }
    return s;
  }

  find(notebook: vscode.NotebookDocument): KernelSession | undefined {
    return this.sessions.get(notebook);
  }

  /** The notebook's kernel client (its process starts on the first run). */
  client(session: KernelSession): KernelClient {
    if (session.kernel) return session.kernel;
    const kernel = new KernelClient({
      kernelPath: this.kernelPath, cwd: () => kernelCwd(session.notebook), env: () => kernelEnv(session.notebook),
      log: (l) => this.log.info(l),
    });
    session.kernel = kernel;
    kernel.onExit((e) => {
      this.changed.fire(session);
      // a death during a run is shown on the cell; one between runs (a timer, memory) would go unnoticed
      if (!e.byClient && !session.running) {
        const warning = `Backprop: ${e.message} Its variables are gone; the next run starts a new kernel.`;
        this.warnings.push(warning);
        void vscode.window.showWarningMessage(warning);
      }
    });
    return kernel;
  }

  /** The notebook's kernel, its process started (and awaited ready) if there is none. */
  async kernel(session: KernelSession): Promise<KernelClient> {
    const kernel = this.client(session);
    const starting = !kernel.alive;
    const ready = await kernel.start();
    if (starting) this.started(session, ready);
    return kernel;
  }

  private started(session: KernelSession, ready: ReadyMessage): void {
    this.log.info(`kernel ${ready.pid} ready (Node ${ready.nodeVersion}, protocol ${ready.protocolVersion}) for ${session.notebook.uri.toString()} in ${kernelCwd(session.notebook)}`);
    this.changed.fire(session);
  }

  notifyChanged(session: KernelSession): void {
    this.changed.fire(session);
  }

  /** Stops the running cell (variables survive) and cancels the queued ones. */
  interrupt(notebook: vscode.NotebookDocument): void {
    const s = this.find(notebook);
    if (!s) return;
    s.kernel?.interrupt();
    this.changed.fire(s);
  }

  /** A fresh kernel process: every variable is gone and the execution count starts again. */
  async restart(notebook: vscode.NotebookDocument): Promise<KernelClient> {
    const s = this.get(notebook);
    const kernel = this.client(s);
    const ready = await kernel.restart();
    s.executionCount = 0;
    this.started(s, ready);
    return kernel;
  }

  private async close(notebook: vscode.NotebookDocument): Promise<void> {
    const s = this.find(notebook);
    if (!s) return;
    this.sessions.delete(notebook);
    await s.kernel?.shutdown();
  }

  dispose(): void {
    this.closeListener.dispose();
    for (const s of this.sessions.values()) void s.kernel?.shutdown();
    this.sessions.clear();
    this.changed.dispose();
  }
}
