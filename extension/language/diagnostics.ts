/*
 * Type errors and unknown names as squiggles in the cells of notebooks on the Backprop kernel, a moment after
 * typing stops. Warnings by default (`backprop.typeCheck.diagnostics`: "warning" | "error" | "off"): they
 * inform, they never block a run (the kernel runs what the user wrote).
 */
import * as vscode from 'vscode';
import type { CellDiagnostic } from './cellLanguageService';
import { codeCells, type NotebookLanguage } from './notebookLanguage';

/** How long after the last edit the cells are checked again. */
const DEBOUNCE_MS = 250;

export type DiagnosticsSetting = 'warning' | 'error' | 'off';

export function diagnosticsSetting(scope?: vscode.Uri): DiagnosticsSetting {
  const value = vscode.workspace.getConfiguration('backprop.typeCheck', scope).get<string>('diagnostics', 'warning');
  return value === 'error' || value === 'off' ? value : 'warning';
}

export class CellDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backprop-types');
  private readonly timers = new Map<vscode.NotebookDocument, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly language: NotebookLanguage) {
    this.disposables = [
      this.collection,
      vscode.workspace.onDidChangeTextDocument((e) => {
        const nb = this.language.notebookOf(e.document);
        if (nb) this.schedule(nb);
      }),
      vscode.workspace.onDidChangeNotebookDocument((e) => this.schedule(e.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.clear(nb)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('backprop.typeCheck')) return;
        for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb);
      }),
    ];
  }

  /** Checks the notebook's cells after a pause (or clears them when it is not on the kernel any more). */
  schedule(notebook: vscode.NotebookDocument): void {
    clearTimeout(this.timers.get(notebook));
    this.timers.set(notebook, setTimeout(() => {
      this.timers.delete(notebook);
      this.check(notebook);
    }, DEBOUNCE_MS));
  }

  private check(notebook: vscode.NotebookDocument): void {
    const setting = diagnosticsSetting(notebook.uri);
    const service = setting !== 'off' && !notebook.isClosed && this.language.isOnKernel(notebook) ? this.language.service(notebook) : undefined;
    if (!service) { this.clear(notebook); return; }
    const severity = setting === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
    const known = new Set(codeCells(notebook).map((c) => c.key));
    for (const cell of notebook.getCells()) {
      this.collection.set(cell.document.uri, known.has(cell.document.uri.toString()) ? service.diagnostics(cell.document.uri.toString()).map((d) => toDiagnostic(cell.document, d, severity)) : []);
    }
  }

  private clear(notebook: vscode.NotebookDocument): void {
    for (const cell of notebook.getCells()) this.collection.delete(cell.document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(document: vscode.TextDocument, d: CellDiagnostic, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(d.start), document.positionAt(d.start + d.length));
  // suggestions (e.g. "could be converted") stay hints; errors take the setting's severity
  const diagnostic = new vscode.Diagnostic(range, d.message, d.category === 'error' ? severity : vscode.DiagnosticSeverity.Hint);
  diagnostic.source = 'ts';
  diagnostic.code = d.code;
  return diagnostic;
}
