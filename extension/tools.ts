// Wires the inspection tools: hover, the variables view, the gradient and graph commands, and the graph settings
// the renderer reads (`backprop.graph.*`, sent as an `options` message).
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

/** What the tests running in the extension host can reach. */
export interface ToolsApi {
  variables: VariablesView;
}

const RENDERER_ID = 'backprop-graph';
/** The renderer's own defaults: no message needed while the settings keep them. */
const RENDERER_DEFAULTS = { maxNodes: 60, edgeLabel: 'norm' };

/** Sends `backprop.graph.*` to the graph renderer: to every output when they change, to each editor once it draws. */
function rendererOptions(): vscode.Disposable[] {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  let told = new WeakSet<vscode.NotebookEditor>();
  const options = () => ({ type: 'options', ...graphSettings() });
  const differs = () => { const o = graphSettings(); return o.maxNodes !== RENDERER_DEFAULTS.maxNodes || o.edgeLabel !== RENDERER_DEFAULTS.edgeLabel; };
  return [
    messaging.onDidReceiveMessage((e) => {
      if (told.has(e.editor) || (e.message as { type?: string })?.type !== 'rendered') return;
      told.add(e.editor);
      if (differs()) void messaging.postMessage(options(), e.editor);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('backprop.graph')) return;
      told = new WeakSet();
      void messaging.postMessage(options());
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
