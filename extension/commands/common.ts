// What the gradient and graph commands share: which notebook a command is about, its live kernel, taking a turn
// in the notebook's run queue, picking a tensor variable, and writing outputs into a cell that already ran.
import * as vscode from 'vscode';
import type { BackpropController } from '../controller';
import type { KernelClient } from '../../kernel/client/client';
import type { KernelSession, KernelSessions } from '../kernelSessions';

export interface ToolContext {
  controller: BackpropController;
  sessions: KernelSessions;
  log: { info(line: string): void; error(line: string): void };
}

/** The notebook a command is about: the one it was invoked on (toolbar, a URI) or else the active one. */
export function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  const uri = arg instanceof vscode.Uri ? arg
    : (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri
      ?? (arg as { notebook?: vscode.Uri } | undefined)?.notebook;
  if (uri instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === uri.toString());
  return vscode.window.activeNotebookEditor?.notebook;
}

/** The notebook's session and live kernel, or a message saying why there is none. */
export function liveKernel(ctx: ToolContext, notebook: vscode.NotebookDocument | undefined): { session: KernelSession; kernel: KernelClient } | string {
  if (!notebook) return 'open a Backprop notebook first.';
  const session = ctx.sessions.find(notebook);
  if (!session?.kernel?.alive) return 'the notebook has no running kernel: run a cell (one that calls backward()) first.';
  return { session, kernel: session.kernel };
}

/**
 * Runs `fn` when the notebook's queued cells have run (the kernel answers between cells, so a check asked for
 * while a training loop runs waits for it rather than seeing it half done).
 */
export function afterQueuedCells<T>(kernel: KernelClient, fn: () => Promise<T>): Promise<T> {
  return kernel.queue.turn(fn);
}

/** Lets the user pick one of the kernel's tensor variables (module parameters included, by path). */
export async function pickTensor(kernel: KernelClient, title: string, extra: vscode.QuickPickItem[] = []): Promise<string | undefined> {
  const reply = await kernel.request('variables', {}, { timeoutMs: 10_000 });
  const items: vscode.QuickPickItem[] = [...extra];
  for (const v of reply.variables) {
    if (v.type === 'Tensor') items.push({ label: v.name, description: v.summary });
    for (const c of v.children ?? []) {
      if (c.type === 'Tensor') items.push({ label: `${v.name}.${c.name.replace(/\.(\d+)(?=\.|$)/g, '[$1]')}`, description: c.summary });
    }
  }
  if (items.length === 0) { void vscode.window.showInformationMessage('Backprop: the kernel has no tensor variables yet.'); return undefined; }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'a tensor variable', matchOnDescription: true });
  return picked?.label;
}

/** The cell whose run had this execution count (the cell a kernel reply points at). */
export function cellOfRun(notebook: vscode.NotebookDocument, executionCount: number | undefined): vscode.NotebookCell | undefined {
  if (executionCount === undefined) return undefined;
  return notebook.getCells().find((c) => c.executionSummary?.executionOrder === executionCount);
}

/**
 * How messages name a cell: by its execution count as the notebook shows it (`cell [4]`), as the kernel's reports
 * do; a cell that never ran in this session by its position.
 */
export function cellLabel(cell: vscode.NotebookCell): string {
  const order = cell.executionSummary?.executionOrder;
  return order !== undefined ? `cell [${order}]` : `the cell at position ${cell.index + 1}`;
}

/** Scrolls the notebook's editor to a cell and selects it (an output added off-screen would go unseen). */
export function revealCell(cell: vscode.NotebookCell): void {
  const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === cell.notebook);
  if (!editor) return;
  const range = new vscode.NotebookRange(cell.index, cell.index + 1);
  editor.selections = [range];
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
}

/** The code cell that ran last (highest execution order). */
export function lastRunCell(notebook: vscode.NotebookDocument): vscode.NotebookCell | undefined {
  let best: vscode.NotebookCell | undefined;
  for (const c of notebook.getCells()) {
    const n = c.executionSummary?.executionOrder;
    if (n !== undefined && (!best || n > (best.executionSummary?.executionOrder ?? 0))) best = c;
  }
  return best;
}

/**
 * Changes the outputs of a cell that ran earlier. VS Code lets only an execution touch outputs, so this opens
 * one and ends it with the cell's previous order, success and timing, which therefore do not change.
 */
export async function editOutputs(ctx: ToolContext, cell: vscode.NotebookCell, edit: (e: vscode.NotebookCellExecution) => Promise<void>): Promise<void> {
  const before = cell.executionSummary;
  const execution = ctx.controller.controller.createNotebookCellExecution(cell);
  execution.executionOrder = before?.executionOrder;
  execution.start(before?.timing?.startTime ?? Date.now());
  try {
    await edit(execution);
  } finally {
    execution.end(before?.success, before?.timing?.endTime ?? Date.now());
  }
}

/** The root identifier of a property path (`model` of `model.layers[0].weight`). */
export function rootName(expression: string): string {
  return /^[A-Za-z_$][\w$]*/.exec(expression.trim())?.[0] ?? expression;
}

/** The last code cell whose source declares `name` at the start of a line (const/let/var/function/class). */
export function cellDeclaring(notebook: vscode.NotebookDocument, name: string): vscode.NotebookCell | undefined {
  const escaped = name.replace(/\$/g, '\\$');
  const declares = new RegExp(`^\\s*(?:export\\s+)?(?:const|let|var|function\\*?|class)\\s+(?:[^=;]*[{,\\[]\\s*)?${escaped}\\b`, 'm');
  const cells = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && declares.test(c.document.getText()));
  return cells.at(-1);
}
