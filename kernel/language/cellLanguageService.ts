/*
 * TypeScript's language service over one notebook's cells (see virtualNotebook.ts): completions, quick info,
 * signature help, definitions and diagnostics, asked and answered in cell offsets. No `vscode` here: the
 * providers (providers.ts) translate, and the unit tests and the bench drive it directly.
 *
 * Incremental: each cell file has a version, so after an edit TypeScript reparses that cell (and the headers of
 * later cells only when the cell's top-level names changed). The lib files, @types/node and the engine's
 * declarations are parsed once per process: every notebook's service shares one document registry.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as TS from 'typescript';
import type { LanguageFiles } from './languageFiles';
import type { CellOffset, VirtualNotebook } from './virtualNotebook';

/** The module names under which a cell imports the engine (kernel/cells/modules.ts gives them the engine too). */
export const ENGINE_MODULES = ['backprop', 'backprop-notebook', 'backprop-notebook/engine'];

/** TypeScript's "Cannot assign to 'x' because it is an import.": a let/var of an earlier cell may be assigned. */
const ASSIGN_TO_IMPORT = 2632;

export interface CellDiagnostic {
  start: number;
  length: number;
  message: string;
  code: number;
  category: 'error' | 'warning' | 'suggestion' | 'message';
}

/** A place in the cells or, for declarations outside them, in a file on disk. */
export type Location = { key: string; start: number; length: number } | { fileName: string; start: number; length: number };

export interface QuickInfo {
  /** The declaration as TypeScript prints it, e.g. `const w: Tensor`. */
  signature: string;
  /** The doc comment, markdown, with its @tags. */
  documentation: string;
  start: number;
  length: number;
}

export interface Signature {
  label: string;
  documentation: string;
  parameters: { label: [number, number]; documentation: string }[];
}

export interface SignatureHelp {
  signatures: Signature[];
  activeSignature: number;
  activeParameter: number;
}

let registry: TS.DocumentRegistry | undefined;

export class CellLanguageService {
  private readonly service: TS.LanguageService;
  private readonly options: TS.CompilerOptions;
  private readonly cellsDeclarations: string;

  constructor(private readonly ts: typeof TS, readonly notebook: VirtualNotebook, files: LanguageFiles) {
    const engine = join(files.declarations, 'engine.d.ts').replace(/\\/g, '/');
    this.cellsDeclarations = join(files.declarations, 'cells.d.ts').replace(/\\/g, '/');
    const paths: Record<string, string[]> = Object.fromEntries(ENGINE_MODULES.map((m) => [m, [engine]]));
    const undici = join(files.types, 'undici-types', 'index.d.ts');
    if (existsSync(undici)) paths['undici-types'] = [undici];
    this.options = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [files.types], paths,
      strict: true, allowJs: true, checkJs: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true,
      noEmit: true, allowImportingTsExtensions: true,
    };
    const libFile = join(files.lib, 'lib.es2022.d.ts');
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [this.cellsDeclarations, ...notebook.list().map((c) => c.fileName)],
      // files on disk are read once (a package installed later is seen when the notebook is opened again)
      getScriptVersion: (f) => String(notebook.cellOfFile(f)?.version ?? 0),
      getScriptKind: (f) => (f.endsWith('.js') ? ts.ScriptKind.JS : f.endsWith('.d.ts') || f.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.Unknown),
      getScriptSnapshot: (f) => {
        const cell = notebook.cellOfFile(f);
        if (cell) return ts.ScriptSnapshot.fromString(notebook.fileText(cell));
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => notebook.folder,
      getDefaultLibFileName: () => libFile,
      fileExists: (f) => !!notebook.cellOfFile(f) || ts.sys.fileExists(f),
      readFile: (f) => { const cell = notebook.cellOfFile(f); return cell ? notebook.fileText(cell) : ts.sys.readFile(f); },
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (p) => ts.sys.realpath?.(p) ?? p,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
    registry ??= ts.createDocumentRegistry();
    this.service = ts.createLanguageService(host, registry);
  }

  private at(key: string, offset: number): { fileName: string; offset: number } {
    return this.notebook.toFile(key, offset);
  }

  /** Completions at an offset of a cell: members after `.`, else every name in scope (cells, engine, Node). */
  completions(key: string, offset: number, triggerCharacter?: TS.CompletionsTriggerCharacter): { entries: readonly TS.CompletionEntry[]; isMemberCompletion: boolean } | undefined {
    const { fileName, offset: at } = this.at(key, offset);
    const info = this.service.getCompletionsAtPosition(fileName, at, {
      triggerCharacter, includeCompletionsWithInsertText: true, includeCompletionsWithSnippetText: false,
      includeCompletionsForModuleExports: false, includeAutomaticOptionalChainCompletions: true,
    });
    return info && { entries: info.entries, isMemberCompletion: info.isMemberCompletion };
  }

  /** The signature and doc comment of one completion entry. */
  completionDetails(key: string, offset: number, entry: Pick<TS.CompletionEntry, 'name' | 'source' | 'data'>): { detail: string; documentation: string } | undefined {
    const { fileName, offset: at } = this.at(key, offset);
    const d = this.service.getCompletionEntryDetails(fileName, at, entry.name, {}, entry.source, {}, entry.data);
    if (!d) return undefined;
    return { detail: this.cleanSignature(d.displayParts), documentation: this.docs(d.documentation, d.tags) };
  }

  /** The static type and doc comment of the name at an offset. */
  quickInfo(key: string, offset: number): QuickInfo | undefined {
    const { fileName, offset: at } = this.at(key, offset);
    const info = this.service.getQuickInfoAtPosition(fileName, at);
    if (!info) return undefined;
    const start = this.notebook.toCell(fileName, info.textSpan.start);
    if (!start) return undefined;
    return {
      signature: this.cleanSignature(info.displayParts), documentation: this.docs(info.documentation, info.tags),
      start: start.offset, length: info.textSpan.length,
    };
  }

  signatureHelp(key: string, offset: number): SignatureHelp | undefined {
    const { fileName, offset: at } = this.at(key, offset);
    const help = this.service.getSignatureHelpItems(fileName, at, {});
    if (!help) return undefined;
    const text = (parts: TS.SymbolDisplayPart[] | undefined) => this.ts.displayPartsToString(parts);
    return {
      activeSignature: help.selectedItemIndex, activeParameter: help.argumentIndex,
      signatures: help.items.map((item) => {
        let label = text(item.prefixDisplayParts);
        const parameters = item.parameters.map((p, i) => {
          if (i > 0) label += text(item.separatorDisplayParts);
          const start = label.length;
          label += text(p.displayParts);
          return { label: [start, label.length] as [number, number], documentation: text(p.documentation) };
        });
        label += text(item.suffixDisplayParts);
        return { label, parameters, documentation: this.docs(item.documentation, item.tags) };
      }),
    };
  }

  /** Where the name at an offset is declared: a cell, or a declaration file (the engine's, a package's, Node's). */
  definition(key: string, offset: number): Location[] {
    const { fileName, offset: at } = this.at(key, offset);
    const found = this.service.getDefinitionAtPosition(fileName, at) ?? [];
    const out: Location[] = [];
    for (const d of found) {
      if (this.notebook.cellOfFile(d.fileName)) {
        const start: CellOffset | undefined = this.notebook.toCell(d.fileName, d.textSpan.start);
        if (start) out.push({ key: start.key, start: start.offset, length: d.textSpan.length });
      } else {
        out.push(this.throughGlobals(d.fileName, d.textSpan) ?? { fileName: d.fileName, start: d.textSpan.start, length: d.textSpan.length });
      }
    }
    return out;
  }

  /**
   * A cell global is declared in cells.d.ts as `declare const tensor: typeof import('./engine').tensor`: the
   * definition worth opening is the engine's, so follow the name after `import('./engine').`.
   */
  private throughGlobals(fileName: string, span: TS.TextSpan): Location | undefined {
    if (fileName !== this.cellsDeclarations) return undefined;
    const text = this.service.getProgram()?.getSourceFile(fileName)?.text ?? '';
    const lineEnd = text.indexOf('\n', span.start);
    const line = text.slice(span.start, lineEnd === -1 ? undefined : lineEnd);
    const match = /import\((['"])[^'"]+\1\)\.([\w$]+)/.exec(line);
    if (!match) return undefined;
    const at = span.start + match.index + match[0].length - match[2].length;
    const target = this.service.getDefinitionAtPosition(fileName, at)?.[0];
    return target && { fileName: target.fileName, start: target.textSpan.start, length: target.textSpan.length };
  }

  /** Syntax and type errors of a cell, in its own offsets (nothing about the hidden header and footer). */
  diagnostics(key: string): CellDiagnostic[] {
    const cell = this.notebook.cell(key);
    if (!cell) throw new Error(`diagnostics: no cell ${key}`);
    const all = [...this.service.getSyntacticDiagnostics(cell.fileName), ...this.service.getSemanticDiagnostics(cell.fileName)];
    const out: CellDiagnostic[] = [];
    for (const d of all) {
      if (d.start === undefined) continue;
      const start = this.notebook.toCell(cell.fileName, d.start);
      if (!start) continue;
      const length = Math.min(d.length ?? 0, cell.text.length - start.offset);
      if (d.code === ASSIGN_TO_IMPORT) {
        const name = cell.text.slice(start.offset, start.offset + length);
        if (cell.imported.get(name)?.mutable) continue;
      }
      let message = this.ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.code === ASSIGN_TO_IMPORT) message = message.replace('because it is an import', 'because it is a constant');
      out.push({ start: start.offset, length, message, code: d.code, category: categoryName(this.ts, d.category) });
    }
    return out;
  }

  /** The program's source files (for the bench and the tests). */
  sourceFileCount(): number {
    return this.service.getProgram()?.getSourceFiles().length ?? 0;
  }

  dispose(): void {
    this.service.dispose();
  }

  /** `const w: Tensor`, not `(alias) const w: Tensor\nimport w` for a name an earlier cell declared. */
  private cleanSignature(parts: TS.SymbolDisplayPart[] | undefined): string {
    const text = this.ts.displayPartsToString(parts);
    if (!text.startsWith('(alias) ')) return text;
    return text.slice('(alias) '.length).replace(/\nimport [\w$]+$/, '');
  }

  private docs(documentation: TS.SymbolDisplayPart[] | undefined, tags: readonly TS.JSDocTagInfo[] | undefined): string {
    const main = this.ts.displayPartsToString(documentation);
    const lines = (tags ?? []).map((t) => {
      const body = this.ts.displayPartsToString(t.text);
      return t.name === 'example' ? `*@example*\n\`\`\`ts\n${body}\n\`\`\`` : `*@${t.name}*${body ? ' — ' + body : ''}`;
    });
    return [main, ...lines].filter(Boolean).join('\n\n');
  }
}

function categoryName(ts: typeof TS, c: TS.DiagnosticCategory): CellDiagnostic['category'] {
  switch (c) {
    case ts.DiagnosticCategory.Error: return 'error';
    case ts.DiagnosticCategory.Warning: return 'warning';
    case ts.DiagnosticCategory.Suggestion: return 'suggestion';
    default: return 'message';
  }
}
