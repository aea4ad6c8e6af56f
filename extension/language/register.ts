// Type-aware cells, wired: the notebooks' language services, the providers, the diagnostics, and the TypeScript
// server plugin told which cells are ours (so VS Code's built-in TypeScript does not answer there as well).
import * as vscode from 'vscode';
import type { BackpropController } from '../controller';
import type { Log } from '../log';
import { muteBuiltinTypeScript } from './builtinMute';
import { CellDiagnostics } from './diagnostics';
import { NotebookLanguage } from './notebookLanguage';
import { registerLanguageProviders } from './providers';

export function registerTypeAwareCells(context: vscode.ExtensionContext, controller: BackpropController, log: Log): { language: NotebookLanguage; disposables: vscode.Disposable[] } {
  const language = new NotebookLanguage(context.extensionPath, (nb) => controller.isSelected(nb), log);
  const diagnostics = new CellDiagnostics(language);
  const disposables: vscode.Disposable[] = [
    language, diagnostics, ...registerLanguageProviders(language),
    // a notebook gets (or loses) its squiggles when the kernel is picked for it (or another one is)
    controller.controller.onDidChangeSelectedNotebooks(({ notebook }) => diagnostics.schedule(notebook)),
    muteBuiltinTypeScript(language.isOnKernel, controller.controller.onDidChangeSelectedNotebooks, log),
  ];
  return { language, disposables };
}
