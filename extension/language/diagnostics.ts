/*
 * Type errors and unknown names as squiggles in the cells of notebooks on the Backprop kernel, a moment after
 * typing stops. Warnings by default (`backprop.typeCheck.diagnostics`: "warning" | "error" | "off"): they
 * inform, they never block a run (the kernel runs what the user wrote).
 */
import * as vscode from 'vscode';
import type { CellDiagnostic } from '../../kernel/language/cellLanguageService';
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
  /** Bumped by each check: an older check still running stops. */
  private readonly generations = new Map<vscode.NotebookDocument, number>();
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
      void this.check(notebook);
    }, DEBOUNCE_MS));
  }

  /**
   * One cell per turn of the event loop, the cell being edited first: a first check of a long notebook takes
   * seconds, and completions and hovers asked meanwhile are answered between two cells. A newer edit stops it.
   */
  private async check(notebook: vscode.NotebookDocument): Promise<void> {
    const generation = (this.generations.get(notebook) ?? 0) + 1;
    this.generations.set(notebook, generation);
    const setting = diagnosticsSetting(notebook.uri);
    const service = setting !== 'off' && !notebook.isClosed && this.language.isOnKernel(notebook) ? this.language.service(notebook) : undefined;
    if (!service) { this.clear(notebook); return; }
    const severity = setting === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
    const known = new Set(codeCells(notebook).map((c) => c.key));
    const active = vscode.window.activeTextEditor?.document;
    const cells = notebook.getCells().sort((a, b) => Number(b.document === active) - Number(a.document === active));
    for (const cell of cells) {
      const key = cell.document.uri.toString();
      if (!known.has(key)) { this.collection.set(cell.document.uri, []); continue; }
      const current = this.language.service(notebook);
      if (!current || this.generations.get(notebook) !== generation || notebook.isClosed) return;
      const found = current.notebook.cell(key) ? current.diagnostics(key) : [];
      this.collection.set(cell.document.uri, found.map((d) => toDiagnostic(cell.document, d, severity)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private clear(notebook: vscode.NotebookDocument): void {
    this.generations.delete(notebook);
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
