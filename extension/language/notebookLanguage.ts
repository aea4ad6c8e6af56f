/*
 * One language service per notebook on the Backprop kernel, made on the first request and dropped when the
 * notebook closes. Before each answer the notebook's cells are read again (cheap: only cells whose text changed
 * are parsed, and TypeScript reparses only files whose version changed). TypeScript itself is loaded on the first
 * request, from dist/typescript.js (the bundle the kernel's fallback transpiler loads too).
 */
import { createRequire } from 'node:module';
import { dirname, basename, join } from 'node:path';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type * as TS from 'typescript';
import { CellLanguageService } from '../../kernel/language/cellLanguageService';
import { languageFiles, missingLanguageFile } from '../../kernel/language/languageFiles';
import { VirtualNotebook, type CellInput } from '../../kernel/language/virtualNotebook';
import type { Log } from '../log';

/** The languages whose cells the kernel runs. */
export const cellSelector: vscode.DocumentFilter[] = [
  { scheme: 'vscode-notebook-cell', language: 'typescript' },
  { scheme: 'vscode-notebook-cell', language: 'javascript' },
];

/** A cell document inside its notebook's language service. */
export interface CellContext {
  service: CellLanguageService;
  notebook: vscode.NotebookDocument;
  key: string;
}

export class NotebookLanguage implements vscode.Disposable {
  private ts: typeof TS | undefined;
  private readonly services = new Map<vscode.NotebookDocument, CellLanguageService>();
  private readonly disposables: vscode.Disposable[] = [];
  private unavailable: string | undefined;

  /**
   * @param isOnKernel whether a notebook runs on the Backprop kernel (the others are left to VS Code)
   */
  constructor(private readonly extensionPath: string, readonly isOnKernel: (nb: vscode.NotebookDocument) => boolean,
    private readonly log: Log) {
    this.disposables.push(vscode.workspace.onDidCloseNotebookDocument((nb) => this.drop(nb)));
  }

  /** The notebook holding a cell document, when it is on this kernel. */
  notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
    if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.uri.path === document.uri.path && nb.getCells().some((c) => c.document === document));
    return notebook && this.isOnKernel(notebook) ? notebook : undefined;
  }

  /** The service of the cell's notebook, in step with its cells; undefined when the cell is not ours. */
  context(document: vscode.TextDocument): CellContext | undefined {
    const notebook = this.notebookOf(document);
    if (!notebook) return undefined;
    const service = this.service(notebook);
    return service && { service, notebook, key: document.uri.toString() };
  }

  /** The notebook's service with its cells synced, made if needed (undefined if TypeScript cannot be loaded). */
  service(notebook: vscode.NotebookDocument): CellLanguageService | undefined {
    let service = this.services.get(notebook);
    if (!service) {
      const ts = this.typescript();
      if (!ts) return undefined;
      const folder = notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath)
        : vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? homedir();
      const cells = new VirtualNotebook(ts, folder, basename(notebook.uri.path).replace(/\.ipynb$/, ''));
      service = new CellLanguageService(ts, cells, languageFiles(this.extensionPath));
      this.services.set(notebook, service);
    }
    service.notebook.update(codeCells(notebook));
    return service;
  }

  private typescript(): typeof TS | undefined {
    if (this.ts || this.unavailable) return this.ts;
    const missing = missingLanguageFile(languageFiles(this.extensionPath));
    const load = createRequire(join(this.extensionPath, 'package.json'));
    try {
      if (missing) throw new Error(`${missing} is missing (run the build)`);
      try {
        this.ts = load('./dist/typescript.js') as typeof TS;
      } catch {
        this.ts = load('typescript') as typeof TS;
      }
    } catch (e) {
      this.unavailable = e instanceof Error ? e.message : String(e);
      this.log.error(`type-aware cells are off: ${this.unavailable}`);
    }
    return this.ts;
  }

  private drop(notebook: vscode.NotebookDocument): void {
    this.services.get(notebook)?.dispose();
    this.services.delete(notebook);
  }

  /** The notebooks that have a service now. */
  notebooks(): vscode.NotebookDocument[] {
    return [...this.services.keys()];
  }

  dispose(): void {
    for (const nb of this.notebooks()) this.drop(nb);
    for (const d of this.disposables) d.dispose();
  }
}

/** The code cells of a notebook in order, keyed by their document URIs. */
export function codeCells(notebook: vscode.NotebookDocument): CellInput[] {
  return notebook.getCells()
    .filter((c) => c.kind === vscode.NotebookCellKind.Code && (c.document.languageId === 'typescript' || c.document.languageId === 'javascript'))
    .map((c) => ({ key: c.document.uri.toString(), text: c.document.getText(), language: c.document.languageId === 'javascript' ? 'javascript' : 'typescript' }));
}
