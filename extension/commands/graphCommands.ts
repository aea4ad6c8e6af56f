// "Show Computation Graph…": the graph behind a chosen tensor variable (or the last backward()'s), appended as a
// graph output to the cell that declares the variable (else the cell that ran last); the editor scrolls to that
// cell and a message says where the graph went (it may be far from what the user was looking at).
// "Export Graph…": the last backward()'s graph (or a variable's) as SVG, mermaid, DOT or JSON, to a file. The
// kernel writes every format (kernel/tools/graphExport.ts), so a file needs no webview.
import * as vscode from 'vscode';
import { outputItems } from '../cellOutputs';
import { graphSettings } from '../settings';
import type { GraphFormat } from '../../kernel/client/protocol';
import {
  afterQueuedCells, cellDeclaring, cellLabel, cellOfRun, editOutputs, lastRunCell, liveKernel, pickTensor, revealCell,
  rootName, targetNotebook, type ToolContext,
} from './common';

const LAST = '$(history) last backward()';

const FORMATS: { label: string; format: GraphFormat; ext: string; filter: string }[] = [
  { label: 'SVG drawing', format: 'svg', ext: 'svg', filter: 'SVG' },
  { label: 'Mermaid flowchart', format: 'mermaid', ext: 'mmd', filter: 'Mermaid' },
  { label: 'Graphviz DOT', format: 'dot', ext: 'dot', filter: 'DOT' },
  { label: 'GraphSnapshot JSON', format: 'json', ext: 'json', filter: 'JSON' },
];

/** Command arguments (from tests, or other extensions); all optional: what is missing is asked for. */
interface GraphArgs {
  expression?: string;
  notebook?: vscode.Uri;
  /** Export: the file to write, and its format (else taken from the file's extension). */
  target?: string | vscode.Uri;
  format?: GraphFormat;
}

function argsOf(arg: unknown): GraphArgs {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && !('notebookEditor' in arg) ? arg : {};
}

/** The expression the user wants (undefined: the last backward()); null when they cancelled. */
async function chooseTensor(args: GraphArgs, kernel: Parameters<typeof pickTensor>[0], title: string): Promise<string | undefined | null> {
  if (args.expression !== undefined || args.target !== undefined) return args.expression;
  const picked = await pickTensor(kernel, title, [{ label: LAST, description: 'the graph of the most recent backward()' }]);
  if (picked === undefined) return null;
  return picked === LAST ? undefined : picked;
}

async function showGraph(ctx: ToolContext, arg: unknown): Promise<{ cellIndex?: number; message?: string; error?: string } | undefined> {
  const args = argsOf(arg);
  const notebook = targetNotebook(args.notebook ? { notebook: args.notebook } : arg);
  const live = liveKernel(ctx, notebook);
  if (typeof live === 'string') { void vscode.window.showWarningMessage(`Backprop: ${live}`); return { error: live }; }
  const expression = await chooseTensor(args, live.kernel, 'Show the computation graph behind…');
  if (expression === null) return undefined;
  return afterQueuedCells(live.kernel, async () => {
    const reply = await live.kernel.request('graph', { expression, graphDisplay: graphSettings(notebook!.uri) });
    if (reply.error || !reply.data) { void vscode.window.showWarningMessage(`Backprop: ${reply.error}`); return { error: reply.error }; }
    const cell = (expression ? cellDeclaring(notebook!, rootName(expression)) : cellOfRun(notebook!, reply.executionCount)) ?? lastRunCell(notebook!);
    if (!cell) return { error: 'no cell has run yet' };
    await editOutputs(ctx, cell, async (e) => { await e.appendOutput(new vscode.NotebookCellOutput(outputItems(reply.data!), { outputType: 'display_data' })); });
    revealCell(cell);
    const message = `Backprop: the graph ${expression ? `behind ${expression}` : 'of the last backward()'} is shown under ${cellLabel(cell)}.`;
    void vscode.window.showInformationMessage(message);
    return { cellIndex: cell.index, message };
  });
}

async function exportGraph(ctx: ToolContext, arg: unknown): Promise<{ path?: string; error?: string } | undefined> {
  const args = argsOf(arg);
  const notebook = targetNotebook(args.notebook ? { notebook: args.notebook } : arg);
  const live = liveKernel(ctx, notebook);
  if (typeof live === 'string') { void vscode.window.showWarningMessage(`Backprop: ${live}`); return { error: live }; }
  let target = typeof args.target === 'string' ? vscode.Uri.file(args.target) : args.target;
  let format = args.format ?? FORMATS.find((f) => target?.path.toLowerCase().endsWith(`.${f.ext}`))?.format;
  if (!target) {
    const expression = await chooseTensor(args, live.kernel, 'Export the computation graph behind…');
    if (expression === null) return undefined;
    args.expression = expression;
    const picked = format ? FORMATS.find((f) => f.format === format) : await vscode.window.showQuickPick(FORMATS, { title: 'Export the graph as…' });
    if (!picked) return undefined;
    format = picked.format;
    const folder = notebook!.uri.scheme === 'file' ? vscode.Uri.joinPath(notebook!.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `graph.${picked.ext}`) : undefined, filters: { [picked.filter]: [picked.ext] },
    });
    if (!target) return undefined;
  }
  const { edgeLabel } = graphSettings(notebook!.uri);
  return afterQueuedCells(live.kernel, async () => {
    const reply = await live.kernel.request('graph', { expression: args.expression, format: format ?? 'svg', edgeLabel });
    if (reply.error || reply.text === undefined) { void vscode.window.showWarningMessage(`Backprop: ${reply.error}`); return { error: reply.error }; }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(reply.text));
    ctx.log.info(`exported the graph (${format ?? 'svg'}) to ${target.toString()}`);
    if (args.target === undefined) void vscode.window.showInformationMessage(`Backprop: graph exported to ${target.fsPath}.`);
    return { path: target.fsPath };
  });
}

export function registerGraphCommands(ctx: ToolContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('backprop.showGraph', (arg?: unknown) => showGraph(ctx, arg)),
    vscode.commands.registerCommand('backprop.exportGraph', (arg?: unknown) => exportGraph(ctx, arg)),
  ];
}
