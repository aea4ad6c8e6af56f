/*
 * VS Code's side of type-aware cells: completions (with the doc comment of the chosen one), signature help and
 * go-to-definition for the cells of notebooks on the Backprop kernel, answered by the notebook's language service.
 * The static hover joins the kernel's runtime hover in hover.ts; diagnostics are in diagnostics.ts.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type * as TS from 'typescript';
import type { Location } from '../../kernel/language/cellLanguageService';
import { cellSelector, type NotebookLanguage } from './notebookLanguage';
import { positionOf } from '../../kernel/language/virtualNotebook';

/** TypeScript's element kinds (ts.ScriptElementKind) as VS Code's completion kinds. */
const KINDS: Record<string, vscode.CompletionItemKind> = {
  method: vscode.CompletionItemKind.Method, function: vscode.CompletionItemKind.Function,
  'local function': vscode.CompletionItemKind.Function, property: vscode.CompletionItemKind.Field,
  getter: vscode.CompletionItemKind.Property, setter: vscode.CompletionItemKind.Property,
  var: vscode.CompletionItemKind.Variable, 'local var': vscode.CompletionItemKind.Variable, let: vscode.CompletionItemKind.Variable,
  const: vscode.CompletionItemKind.Constant, class: vscode.CompletionItemKind.Class, interface: vscode.CompletionItemKind.Interface,
  type: vscode.CompletionItemKind.TypeParameter, enum: vscode.CompletionItemKind.Enum, 'enum member': vscode.CompletionItemKind.EnumMember,
  module: vscode.CompletionItemKind.Module, alias: vscode.CompletionItemKind.Variable, keyword: vscode.CompletionItemKind.Keyword,
  parameter: vscode.CompletionItemKind.Variable, constructor: vscode.CompletionItemKind.Constructor,
  string: vscode.CompletionItemKind.Value,
};

class CellCompletionItem extends vscode.CompletionItem {
  constructor(readonly entry: TS.CompletionEntry, readonly document: vscode.TextDocument, readonly offset: number) {
    super(entry.name, KINDS[entry.kind] ?? vscode.CompletionItemKind.Text);
  }
}

class CompletionProvider implements vscode.CompletionItemProvider<CellCompletionItem> {
  constructor(private readonly language: NotebookLanguage) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, _token: vscode.CancellationToken,
    context: vscode.CompletionContext): vscode.CompletionList<CellCompletionItem> | undefined {
    const cell = this.language.context(document);
    if (!cell) return undefined;
    const offset = document.offsetAt(position);
    const trigger = context.triggerCharacter === '.' ? '.' : undefined;
    const found = cell.service.completions(cell.key, offset, trigger);
    if (!found) return undefined;
    const wordRange = document.getWordRangeAtPosition(position, /[\w$]+/);
    const fileName = cell.service.notebook.cell(cell.key)?.fileName ?? '';
    const items = found.entries.map((entry) => {
      const item = new CellCompletionItem(entry, document, offset);
      item.sortText = entry.sortText;
      if (entry.insertText !== undefined) item.insertText = entry.insertText;
      if (entry.replacementSpan) {
        const start = cell.service.notebook.toCell(fileName, entry.replacementSpan.start);
        if (start) item.range = new vscode.Range(document.positionAt(start.offset), document.positionAt(start.offset + entry.replacementSpan.length));
      } else if (wordRange) {
        item.range = wordRange;
      }
      if (entry.kindModifiers?.includes('deprecated')) item.tags = [vscode.CompletionItemTag.Deprecated];
      return item;
    });
    return new vscode.CompletionList(items, false);
  }

  resolveCompletionItem(item: CellCompletionItem): CellCompletionItem {
    const cell = this.language.context(item.document);
    const details = cell?.service.completionDetails(cell.key, item.offset, item.entry);
    if (details) {
      item.detail = details.detail;
      item.documentation = new vscode.MarkdownString(details.documentation);
    }
    return item;
  }
}

class SignatureHelpProvider implements vscode.SignatureHelpProvider {
  constructor(private readonly language: NotebookLanguage) {}

  provideSignatureHelp(document: vscode.TextDocument, position: vscode.Position): vscode.SignatureHelp | undefined {
    const cell = this.language.context(document);
    const help = cell?.service.signatureHelp(cell.key, document.offsetAt(position));
    if (!help) return undefined;
    const out = new vscode.SignatureHelp();
    out.signatures = help.signatures.map((s) => {
      const info = new vscode.SignatureInformation(s.label, new vscode.MarkdownString(s.documentation));
      info.parameters = s.parameters.map((p) => new vscode.ParameterInformation(p.label, p.documentation || undefined));
      return info;
    });
    out.activeSignature = help.activeSignature;
    out.activeParameter = help.activeParameter;
    return out;
  }
}

class DefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly language: NotebookLanguage) {}

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location[] | undefined {
    const cell = this.language.context(document);
    if (!cell) return undefined;
    return cell.service.definition(cell.key, document.offsetAt(position))
      .map((l) => toLocation(cell.notebook, l))
      .filter((l): l is vscode.Location => l !== undefined);
  }
}

/** A place the service names, as a VS Code location: in a cell document, or in a file on disk. */
function toLocation(notebook: vscode.NotebookDocument, location: Location): vscode.Location | undefined {
  if ('key' in location) {
    const doc = notebook.getCells().find((c) => c.document.uri.toString() === location.key)?.document;
    if (!doc) return undefined;
    return new vscode.Location(doc.uri, new vscode.Range(doc.positionAt(location.start), doc.positionAt(location.start + location.length)));
  }
  const text = readFileSync(location.fileName, 'utf8');
  const start = positionOf(text, location.start), end = positionOf(text, location.start + location.length);
  return new vscode.Location(vscode.Uri.file(location.fileName),
    new vscode.Range(start.line, start.character, end.line, end.character));
}

export function registerLanguageProviders(language: NotebookLanguage): vscode.Disposable[] {
  return [
    vscode.languages.registerCompletionItemProvider(cellSelector, new CompletionProvider(language), '.'),
    vscode.languages.registerSignatureHelpProvider(cellSelector, new SignatureHelpProvider(language), '(', ','),
    vscode.languages.registerDefinitionProvider(cellSelector, new DefinitionProvider(language)),
  ];
}
