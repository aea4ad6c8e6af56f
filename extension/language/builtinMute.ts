/*
 * Tells the TypeScript server plugin (tsserverPlugin.ts) which notebooks are on the Backprop kernel, so that VS
 * Code's built-in TypeScript stays silent in their cells and only the extension's language service answers.
 */
import * as vscode from 'vscode';
import type { Log } from '../log';

/** The plugin's package name: package.json's contributes.typescriptServerPlugins, and the folder the build writes. */
export const TSSERVER_PLUGIN = 'backprop-notebook-tsserver-plugin';

/** What the extension sends the plugin: the paths of the notebooks on the kernel (URI paths, as in their cells' URIs). */
export interface MuteConfiguration {
  notebooks: string[];
}

interface TypeScriptApi { configurePlugin(pluginId: string, configuration: unknown): void }

/** Keeps the plugin's list of notebooks in step; `changed` fires when a notebook's kernel changes. */
export function muteBuiltinTypeScript(isOnKernel: (nb: vscode.NotebookDocument) => boolean, changed: vscode.Event<unknown>, log: Log): vscode.Disposable {
  let api: TypeScriptApi | undefined;
  const push = () => {
    const config: MuteConfiguration = { notebooks: vscode.workspace.notebookDocuments.filter(isOnKernel).map((nb) => nb.uri.path) };
    api?.configurePlugin(TSSERVER_PLUGIN, config);
    log.info(`built-in TypeScript muted in ${config.notebooks.length} notebook(s)${api ? '' : ' (not yet: no API)'}`);
  };
  const ts = vscode.extensions.getExtension<{ getAPI?(version: 0): TypeScriptApi | undefined }>('vscode.typescript-language-features');
  void ts?.activate().then((exports) => {
    api = exports?.getAPI?.(0);
    if (!api) log.error('the built-in TypeScript extension gave no API: its answers in notebook cells are not muted');
    push();
  }, (e) => log.error(`the built-in TypeScript extension did not start: ${e}`));
  const listeners = [changed(push), vscode.workspace.onDidCloseNotebookDocument(push)];
  return { dispose: () => { for (const l of listeners) l.dispose(); } };
}
