// Entry point: wires the controller, the kernel sessions, the commands and the status bar together.
import * as vscode from 'vscode';
import { registerNotebookCommands } from './commands/notebookCommands';
import { BackpropController } from './controller';
import { KernelSessions, type CellRunState, type KernelState } from './kernelSessions';
import { registerTypeAwareCells } from './language/register';
import { createLog } from './log';
import { kernelStatusBar } from './statusBar';
import { registerTools, type ToolsApi } from './tools';

const graphRendererId = 'backprop-graph';
/** Renderer messages kept for the tests: the newest, enough for any one test's draws. */
const KEPT_RENDERER_MESSAGES = 200;

/** What activate() returns: lets the tests that run in the extension host look inside. */
export interface BackpropApi {
  /** The latest messages the graph renderer posted (it posts one when it has drawn), newest last. */
  rendererMessages: { notebook: string; message: unknown }[];
  kernelPid(notebook: vscode.NotebookDocument): number | undefined;
  kernelState(notebook: vscode.NotebookDocument): KernelState | undefined;
  /** Where the cell's latest run request is ('cancelled': it was queued and ended without running). */
  cellRunState(cell: vscode.NotebookCell): CellRunState | undefined;
  /** Warnings the extension showed, newest last (e.g. a kernel that died between runs). */
  warnings: readonly string[];
  /** Whether VS Code has the Backprop kernel selected for the notebook. */
  isSelected(notebook: vscode.NotebookDocument): boolean;
  /** Hover, variables view, gradient and graph commands (extension/tools.ts). */
  tools: ToolsApi;
}

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const log = createLog();
  const sessions = new KernelSessions(context.asAbsolutePath('dist/kernel.js'), log);
  const controller = new BackpropController(context.extension.id, sessions, log);
  const rendererMessages: BackpropApi['rendererMessages'] = [];
  context.subscriptions.push(
    log, sessions, controller, kernelStatusBar(sessions),
    ...registerNotebookCommands(context.extension.id, controller, sessions),
  );
  const cells = registerTypeAwareCells(context, controller, log);
  context.subscriptions.push(...cells.disposables);
  const tools = registerTools(context, controller, sessions, log, cells.language);
  context.subscriptions.push(...tools.disposables);
  // VS Code allows messaging only with a renderer this extension contributes (renderer/, when it is built)
  const renderers = (context.extension.packageJSON as { contributes?: { notebookRenderer?: { id: string }[] } }).contributes?.notebookRenderer ?? [];
  if (renderers.some((r) => r.id === graphRendererId)) {
    const messaging = vscode.notebooks.createRendererMessaging(graphRendererId);
    context.subscriptions.push(messaging.onDidReceiveMessage((e) => {
      rendererMessages.push({ notebook: e.editor.notebook.uri.toString(), message: e.message });
      if (rendererMessages.length > KEPT_RENDERER_MESSAGES) rendererMessages.splice(0, rendererMessages.length - KEPT_RENDERER_MESSAGES);
    }));
  }
  return {
    rendererMessages,
    warnings: sessions.warnings,
    kernelPid: (nb) => sessions.find(nb)?.kernel?.pid,
    kernelState: (nb) => sessions.find(nb)?.state,
    cellRunState: (cell) => sessions.find(cell.notebook)?.cellRuns.get(cell.document.uri.toString()),
    isSelected: (nb) => controller.isSelected(nb),
    tools: tools.api,
  };
}

export function deactivate(): void {}
