/*
 * Completions, the static half of inspect, and is_complete, from the same TypeScript language service VS Code's
 * cells use (kernel/language/). Jupyter sends one cell's code; the cells run before it stand for the cells above,
 * so names declared earlier complete, with their types, as in VS Code. TypeScript is loaded on the first request
 * (from dist/typescript.js), so a kernel that is never asked costs nothing for it.
 *
 * Positions: Jupyter counts cursor positions in Unicode code points (protocol 5.2 and later), JavaScript strings in
 * UTF-16 units; `toUnits` and `toCodePoints` convert.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { CellLanguageService } from '../kernel/language/cellLanguageService';
import { languageFiles, missingLanguageFile } from '../kernel/language/languageFiles';
import { positionOf, VirtualNotebook, type CellInput } from '../kernel/language/virtualNotebook';
import type { Reply } from './messages';

/** The key of the cell being asked about (the history's cells are `h1`, `h2`, ...). */
const CURRENT = 'current';
/** Most completions in one reply (TypeScript offers every global; front ends show a short list anyway). */
const MAX_MATCHES = 500;

/** UTF-16 offset of a code-point offset in `text`. */
export function toUnits(text: string, codePoints: number): number {
  let units = 0;
  for (let i = 0; i < codePoints && units < text.length; i++) units += text.codePointAt(units)! > 0xffff ? 2 : 1;
  return units;
}

/** Code-point offset of a UTF-16 offset in `text`. */
export function toCodePoints(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}

export class CellLanguage {
  private service: CellLanguageService | undefined;
  private ts: typeof TS | undefined;
  private unavailable: string | undefined;
  private readonly history: CellInput[] = [];

  /** @param root the package's folder (dist/ holds the declarations and TypeScript) @param folder where cells' imports resolve from */
  constructor(private readonly root: string, private readonly folder: string, private readonly log: (line: string) => void) {}

  /** A cell was run: later cells see its names. */
  ran(code: string): void {
    this.history.push({ key: `h${this.history.length + 1}`, text: code, language: 'typescript' });
  }

  complete(code: string, cursorPos: number): Reply<'complete_reply'> {
    const at = toUnits(code, cursorPos);
    const prefix = /[\w$]*$/.exec(code.slice(0, at))![0];
    const start = at - prefix.length;
    const empty: Reply<'complete_reply'> = { status: 'ok', matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} };
    const service = this.with(code);
    const result = service?.completions(CURRENT, at, code[start - 1] === '.' ? '.' : undefined);
    if (!result) return empty;
    const lower = prefix.toLowerCase();
    const entries = result.entries
      .filter((e) => e.name.toLowerCase().startsWith(lower) && !e.name.startsWith('__'))
      .sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name))
      .slice(0, MAX_MATCHES);
    const cursorStart = toCodePoints(code, start);
    return {
      status: 'ok', matches: entries.map((e) => e.name), cursor_start: cursorStart, cursor_end: cursorPos,
      metadata: {
        _jupyter_types_experimental: entries.map((e) => ({ start: cursorStart, end: cursorPos, text: e.name, type: e.kind, signature: '' })),
      },
    };
  }

  /** The static type and doc comment of the name at the cursor, as markdown, or undefined. */
  quickInfo(code: string, cursorPos: number): { signature: string; documentation: string } | undefined {
    const at = toUnits(code, cursorPos);
    const service = this.with(code);
    // Jupyter puts the cursor just after the name (after `w` in `w|`): TypeScript wants it on the name
    return service?.quickInfo(CURRENT, at) ?? (at > 0 ? service?.quickInfo(CURRENT, at - 1) : undefined);
  }

  /** Whether `code` is a whole cell: 'incomplete' (with the next line's indent) when it stops inside a block or string. */
  isComplete(code: string): Reply<'is_complete_reply'> {
    const ts = this.typescript();
    if (!ts) return { status: 'unknown' };
    const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    const errors = out.diagnostics ?? [];
    if (errors.length === 0) return { status: 'complete' };
    // an error at the very end is the parser waiting for more (a `}`, the rest of a string or an expression)
    if (errors.every((d) => (d.start ?? 0) >= code.trimEnd().length)) {
      const depth = Math.max(0, [...code].reduce((n, c) => n + ('{([' .includes(c) ? 1 : ')}]'.includes(c) ? -1 : 0), 0));
      return { status: 'incomplete', indent: '  '.repeat(depth) };
    }
    return { status: 'invalid' };
  }

  private with(code: string): CellLanguageService | undefined {
    const ts = this.typescript();
    if (!ts) return undefined;
    this.service ??= new CellLanguageService(ts, new VirtualNotebook(ts, this.folder, 'jupyter'), languageFiles(this.root));
    this.service.notebook.update([...this.history, { key: CURRENT, text: code, language: 'typescript' }]);
    return this.service;
  }

  private typescript(): typeof TS | undefined {
    if (this.ts || this.unavailable) return this.ts;
    try {
      const missing = missingLanguageFile(languageFiles(this.root));
      if (missing) throw new Error(`${missing} is missing (run the build)`);
      const load = createRequire(join(this.root, 'package.json'));
      try { this.ts = load('./dist/typescript.js') as typeof TS; } catch { this.ts = load('typescript') as typeof TS; }
    } catch (e) {
      this.unavailable = (e as Error).message;
      this.log(`completions and types are off: ${this.unavailable}`);
    }
    return this.ts;
  }
}

/** The line of `code` holding a code-point cursor, and the cursor's character in it (for expressionAt). */
export function lineAt(code: string, cursorPos: number): { line: string; character: number } {
  const at = toUnits(code, cursorPos);
  const { line, character } = positionOf(code, at);
  return { line: code.split('\n')[line] ?? '', character };
}

