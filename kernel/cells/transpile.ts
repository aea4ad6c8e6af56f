/*
 * Types out: a cell's TypeScript (or JavaScript) → JavaScript with a source map back to the cell.
 *
 * esbuild's `transform` does it (fast; the first call starts its service in ~20 ms). esbuild drives a native
 * binary, so its API cannot be bundled: it is loaded at run time from node_modules (or from the binary named
 * by ESBUILD_BINARY_PATH). Where neither exists (the .vsix ships dist/*.js only), TypeScript's own
 * `transpileModule` (dist/typescript.js, shared with the extension's language service; loaded only then) does the same job; it costs
 * ~1-2 s on the first cell while it warms up. BACKPROP_TRANSPILER=esbuild|typescript forces one.
 */
import { createRequire } from 'node:module';
import type { CellLanguage } from '../client/protocol';

export interface Transpiled {
  code: string;
  /** Source map (v3, JSON) from `code` back to the cell. */
  map: string;
}

/** A cell that does not parse, at its 1-based line and column. */
export class CellSyntaxError extends Error {
  override name = 'SyntaxError';
  constructor(message: string, readonly line: number | undefined, readonly column: number | undefined, readonly lineText?: string) {
    super(message);
  }
}

type Transpiler = (source: string, language: CellLanguage) => Promise<Transpiled>;

interface EsbuildModule { transform(code: string, options: object): Promise<{ code: string; map: string }> }
interface EsbuildFailure { errors?: { text: string; location?: { line: number; column: number; lineText: string } | null }[] }

function esbuildTranspiler(): Transpiler | undefined {
  let esbuild: EsbuildModule;
  try {
    esbuild = createRequire(__filename)('esbuild') as EsbuildModule;
  } catch {
    return undefined;
  }
  return async (source, language) => {
    try {
      return await esbuild.transform(source, {
        loader: language === 'javascript' ? 'js' : 'ts', sourcemap: 'external', target: 'node20', sourcefile: 'cell',
        // Keep every import (a cell's import is used by later cells, which esbuild cannot see).
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      });
    } catch (e) {
      const first = (e as EsbuildFailure).errors?.[0];
      if (!first) throw e;
      const loc = first.location;
      throw new CellSyntaxError(first.text, loc?.line, loc ? loc.column + 1 : undefined, loc?.lineText);
    }
  };
}

type TypeScript = typeof import('typescript');

/** dist/typescript.js next to dist/kernel.js; from source (tsx), the typescript package. */
function loadTypescript(): TypeScript {
  const load = createRequire(__filename);
  try {
    return load('./typescript.js') as TypeScript;
  } catch {
    return load('typescript') as TypeScript;
  }
}

function typescriptTranspiler(): Transpiler {
  const ts = loadTypescript();
  return async (source, language) => {
    const out = ts.transpileModule(source, {
      fileName: language === 'javascript' ? 'cell.js' : 'cell.ts',
      reportDiagnostics: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, verbatimModuleSyntax: true,
        allowJs: true,
      },
    });
    const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (error) {
      const before = source.slice(0, error.start ?? 0).split('\n');
      const line = before.length, column = before[before.length - 1].length + 1;
      throw new CellSyntaxError(ts.flattenDiagnosticMessageText(error.messageText, '\n'), line, column, source.split('\n')[line - 1]);
    }
    return { code: out.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, ''), map: out.sourceMapText ?? '{"version":3,"sources":[],"mappings":""}' };
  };
}

let chosen: Transpiler | undefined;

/** The transpiler in use: esbuild where it can run, TypeScript otherwise. */
export function transpile(source: string, language: CellLanguage): Promise<Transpiled> {
  if (!chosen) {
    const want = process.env.BACKPROP_TRANSPILER;
    chosen = want === 'typescript' ? typescriptTranspiler() : esbuildTranspiler() ?? typescriptTranspiler();
  }
  return chosen(source, language);
}
