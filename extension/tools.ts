// Wires the inspection tools: hover, the variables view, the gradient and graph commands, and the graph settings
// the renderer reads (`backprop.graph.*`: in each graph output, and as an `options` message when they change).
import * as vscode from 'vscode';
import type { BackpropController } from './controller';
import type { KernelSessions } from './kernelSessions';
import { registerHover } from './hover';
import { VariableDetails, VariablesView } from './variablesView';
import { registerGradientCommands } from './commands/checkGradients';
import { registerGraphCommands } from './commands/graphCommands';
import { graphSettings } from './settings';
import type { ToolContext } from './commands/common';
import type { VariableInfo } from '../kernel/client/protocol';
import type { NotebookLanguage } from './language/notebookLanguage';
import type { RenderedMessage } from '../renderer/messages';

/** What the tests running in the extension host can reach. */
export interface ToolsApi {
  variables: VariablesView;
}

const RENDERER_ID = 'backprop-graph';

/**
 * Sends `backprop.graph.*` to the graph renderer when the settings change. Outputs carry the settings they were
 * made with (the kernel puts them in each), so they are drawn once; an output made before a change (saved in the
 * notebook, or by the CLI) says what it was drawn with, and its editor is told the settings now in force.
 */
function rendererOptions(): vscode.Disposable[] {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  return [
    messaging.onDidReceiveMessage((e) => {
      const m = e.message as Partial<RenderedMessage> | undefined;
      if (m?.type !== 'rendered' || !m.display) return;
      const now = graphSettings(e.editor.notebook.uri);
      if (m.display.maxNodes !== now.maxNodes || m.display.edgeLabel !== now.edgeLabel) void messaging.postMessage({ type: 'options', ...now }, e.editor);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('backprop.graph')) void messaging.postMessage({ type: 'options', ...graphSettings() });
    }),
  ];
}

export function registerTools(context: vscode.ExtensionContext, controller: BackpropController, sessions: KernelSessions,
  log: ToolContext['log'], language?: NotebookLanguage): { disposables: vscode.Disposable[]; api: ToolsApi } {
  const ctx: ToolContext = { controller, sessions, log };
  const variables = new VariablesView(sessions);
  const details = new VariableDetails();
  const disposables = [
    variables, details,
    variables.attach(vscode.window.createTreeView('backprop.variables', { treeDataProvider: variables, showCollapseAll: true })),
    vscode.commands.registerCommand('backprop.refreshVariables', () => variables.refresh()),
    vscode.commands.registerCommand('backprop.showVariable', (info: VariableInfo) => details.show(info)),
    registerHover(sessions, language),
    ...registerGradientCommands(ctx),
    ...registerGraphCommands(ctx),
  ];
  // messaging exists only for a renderer this extension contributes
  const renderers = (context.extension.packageJSON as { contributes?: { notebookRenderer?: { id: string }[] } }).contributes?.notebookRenderer ?? [];
  if (renderers.some((r) => r.id === RENDERER_ID)) disposables.push(...rendererOptions());
  return { disposables, api: { variables } };
}
