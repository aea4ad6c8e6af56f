/*
 * A notebook's code cells as TypeScript sees them: one module file per cell, in notebook order. Each file is the
 * cell's text between a one-line header that imports, from the latest earlier cell that declares it, every
 * top-level name the cell does not declare itself, and a footer that exports the cell's own top-level names:
 *
 *   import { w } from './.nb.cell0';      ← header (one line, absent when nothing comes from earlier cells)
 *   const loss = w.sum();                 ← the cell, unchanged
 *   export { loss };                      ← footer
 *
 * So a name has the type of its latest declaration before the cell (as in the kernel, where a later cell's
 * `const x` replaces the earlier one), declaring a name again in a later cell is no error (each cell is its own
 * module scope), and go-to-definition follows the import to the cell that declared it. Positions map by a
 * constant shift: the cell's offset plus the header's length. No `vscode` here: the unit tests drive it.
 */
import { posix } from 'node:path';
import type * as TS from 'typescript';
import { topLevelNames, type TopLevelName } from './topLevelNames';

export type CellLanguage = 'typescript' | 'javascript';

/** A code cell as the notebook has it. `key` is stable while the cell exists (its document URI). */
export interface CellInput {
  key: string;
  text: string;
  language: CellLanguage;
}

export interface VirtualCell {
  readonly key: string;
  readonly fileName: string;
  readonly language: CellLanguage;
  /** The cell's own text. */
  text: string;
  header: string;
  footer: string;
  /** Changes whenever the file's text changes (TypeScript reparses only files whose version changed). */
  version: number;
  names: TopLevelName[];
  /** Names taken from earlier cells, and whether they were declared with let/var there. */
  imported: Map<string, TopLevelName>;
  /** The source text these names were parsed from (parsing is skipped when the text is unchanged). */
  parsedText?: string;
  /** The file's text at its current version. */
  versionedText?: string;
}

/** A position in a cell: which cell, and the offset in its text. */
export interface CellOffset {
  key: string;
  offset: number;
}

/**
 * Versions count across every notebook of the process: TypeScript's document registry (shared by the notebooks)
 * takes a file name and version to mean one text, and a notebook opened again has the same file names.
 */
let lastVersion = 0;

export class VirtualNotebook {
  private cells: VirtualCell[] = [];
  private readonly byKey = new Map<string, VirtualCell>();
  private readonly byFile = new Map<string, VirtualCell>();
  private readonly ids = new Map<string, number>();
  private nextId = 0;

  /**
   * @param folder where the cell files seem to live: imports of packages resolve from there (the notebook's folder)
   * @param stem the start of each cell file's name (the notebook's name); files are `.<stem>.cell<N>.ts`
   */
  constructor(private readonly ts: typeof TS, folder: string, stem: string) {
    // TypeScript names files with forward slashes on every platform
    this.folder = folder.replace(/\\/g, '/');
    this.stem = stem.replace(/[^\w.-]/g, '_');
  }

  readonly folder: string;
  private readonly stem: string;

  /** Sets the code cells, in notebook order: new cells are added, missing ones dropped, moved ones reordered. */
  update(inputs: readonly CellInput[]): void {
    const keys = new Set<string>();
    const next: VirtualCell[] = [];
    for (const input of inputs) {
      if (keys.has(input.key)) throw new Error(`VirtualNotebook.update: cell key ${input.key} appears twice`);
      keys.add(input.key);
      let cell = this.byKey.get(input.key);
      if (!cell || cell.language !== input.language) {
        if (cell) this.byFile.delete(cell.fileName);
        cell = this.createCell(input);
      }
      cell.text = input.text;
      if (cell.parsedText !== input.text) {
        cell.names = topLevelNames(this.ts, input.text, input.language === 'javascript');
        cell.parsedText = input.text;
      }
      next.push(cell);
    }
    for (const [key, cell] of this.byKey) {
      if (keys.has(key)) continue;
      this.byKey.delete(key);
      this.byFile.delete(cell.fileName);
      this.ids.delete(key);
    }
    this.cells = next;
    this.link();
  }

  /** Replaces one cell's text (an edit); the cells after it get new headers only if its names changed. */
  edit(key: string, text: string): void {
    const cell = this.byKey.get(key);
    if (!cell) throw new Error(`VirtualNotebook.edit: no cell ${key}`);
    this.update(this.cells.map((c) => ({ key: c.key, language: c.language, text: c === cell ? text : c.text })));
  }

  /** The cells in notebook order. */
  list(): readonly VirtualCell[] {
    return this.cells;
  }

  cell(key: string): VirtualCell | undefined {
    return this.byKey.get(key);
  }

  cellOfFile(fileName: string): VirtualCell | undefined {
    return this.byFile.get(fileName);
  }

  /** The whole text TypeScript sees for a cell. */
  fileText(cell: VirtualCell): string {
    return cell.header + cell.text + cell.footer;
  }

  /** Offset in the cell's text → offset in its file. */
  toFile(key: string, offset: number): { fileName: string; offset: number } {
    const cell = this.byKey.get(key);
    if (!cell) throw new Error(`VirtualNotebook.toFile: no cell ${key}`);
    if (!Number.isInteger(offset) || offset < 0 || offset > cell.text.length) {
      throw new Error(`VirtualNotebook.toFile: offset ${offset} is outside the cell (0..${cell.text.length})`);
    }
    return { fileName: cell.fileName, offset: cell.header.length + offset };
  }

  /** Offset in a cell's file → offset in the cell's text; undefined in the header or footer, or another file. */
  toCell(fileName: string, offset: number): CellOffset | undefined {
    const cell = this.byFile.get(fileName);
    if (!cell) return undefined;
    const at = offset - cell.header.length;
    return at >= 0 && at <= cell.text.length ? { key: cell.key, offset: at } : undefined;
  }

  private createCell(input: CellInput): VirtualCell {
    let id = this.ids.get(input.key);
    if (id === undefined) { id = this.nextId++; this.ids.set(input.key, id); }
    const fileName = posix.join(this.folder, `.${this.stem}.cell${id}.${input.language === 'javascript' ? 'js' : 'ts'}`);
    const cell: VirtualCell = {
      key: input.key, fileName, language: input.language, text: input.text, header: '', footer: '', version: 0,
      names: [], imported: new Map(),
    };
    this.byKey.set(input.key, cell);
    this.byFile.set(fileName, cell);
    return cell;
  }

  /** Headers and footers from the names of the cells before each, in order. */
  private link(): void {
    const latest = new Map<string, { from: VirtualCell; name: TopLevelName }>();
    for (const cell of this.cells) {
      const own = new Set(cell.names.map((n) => n.name));
      const groups = new Map<VirtualCell, string[]>();
      const imported = new Map<string, TopLevelName>();
      for (const [name, { from, name: declared }] of latest) {
        if (own.has(name)) continue;
        imported.set(name, declared);
        const group = groups.get(from) ?? [];
        group.push(name);
        groups.set(from, group);
      }
      const header = [...groups].map(([from, names]) => `import { ${names.join(', ')} } from './${moduleName(from.fileName)}';`).join(' ');
      cell.header = header ? header + '\n' : '';
      cell.footer = `\nexport { ${cell.names.map((n) => n.name).join(', ')} };\n`;
      cell.imported = imported;
      const text = this.fileText(cell);
      if (text !== cell.versionedText) { cell.version = ++lastVersion; cell.versionedText = text; }
      for (const name of cell.names) latest.set(name.name, { from: cell, name });
    }
  }
}

/** `./.nb.cell3` for `/folder/.nb.cell3.ts`: what an import of that file says. */
function moduleName(fileName: string): string {
  return posix.basename(fileName).replace(/\.(ts|js)$/, '');
}

/** Line and character (0-based) of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0, start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) { line++; start = i + 1; }
  return { line, character: offset - start };
}

/** Offset of a line and character (0-based) in a text; the character is clamped to the line. */
export function offsetOf(text: string, line: number, character: number): number {
  let start = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next === -1) throw new Error(`offsetOf: line ${line} is past the end (the text has ${l + 1} lines)`);
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return start + Math.min(character, (end === -1 ? text.length : end) - start);
}
