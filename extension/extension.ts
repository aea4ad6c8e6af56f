// Entry point: wires the controller, the kernel sessions, the commands and the status bar together.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { BackpropController } from './controller';
import { KernelSessions, type KernelState } from './kernelSessions';
import { kernelStatusBar } from './statusBar';

/** What activate() returns: lets the tests that run in the extension host look inside. */
export interface BackpropApi {
  /** Messages the graph renderer posted (it posts one when it has drawn), newest last. */
  rendererMessages: { notebook: string; message: unknown }[];
  kernelPid(notebook: vscode.NotebookDocument): number | undefined;
  kernelState(notebook: vscode.NotebookDocument): KernelState | undefined;
}

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const log = vscode.window.createOutputChannel('Backprop', { log: true });
  const sessions = new KernelSessions(context.asAbsolutePath('dist/kernel.js'), log);
  const controller = new BackpropController(sessions, log);
  const rendererMessages: BackpropApi['rendererMessages'] = [];
  const messaging = vscode.notebooks.createRendererMessaging('backprop-graph');
  context.subscriptions.push(
    log, sessions, controller, kernelStatusBar(sessions),
    ...registerCommands(context.extension.id, controller, sessions),
    messaging.onDidReceiveMessage((e) => rendererMessages.push({ notebook: e.editor.notebook.uri.toString(), message: e.message })),
  );
  return {
    rendererMessages,
    kernelPid: (nb) => sessions.find(nb)?.kernel?.pid,
    kernelState: (nb) => sessions.find(nb)?.state,
  };
}

export function deactivate(): void {}
