// STAND-IN, to be dropped when the engine's own declaration build lands (it writes the same two files):
// dist/engine.d.ts (the module's declarations) and dist/cells.d.ts (a global script declaring every cell global
// through `typeof import('./engine')`). This one emits kernel/engine's declarations with TypeScript into
// dist/engine-types/ and points dist/engine.d.ts at them. Skipped when dist/engine.d.ts is newer than the engine.
// Usage: node scripts/declsStandIn.mjs [outDir]   (default dist/)
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');
const MARK = '// stand-in declarations (scripts/declsStandIn.mjs)';

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Writes engine.d.ts and cells.d.ts into `out`; returns false when they were up to date. */
export function writeStandInDeclarations(out = join(root, 'dist')) {
  const engineDts = join(out, 'engine.d.ts');
  if (existsSync(engineDts) && statSync(engineDts).mtimeMs > newest(join(root, 'kernel', 'engine'))) return false;
  const typesDir = join(out, 'engine-types');
  rmSync(typesDir, { recursive: true, force: true });
  const options = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    declaration: true, emitDeclarationOnly: true, strict: true, skipLibCheck: true, outDir: typesDir,
    rootDir: join(root, 'kernel', 'engine'), types: ['node'], lib: ['lib.es2022.d.ts'],
  };
  const program = ts.createProgram([join(root, 'kernel', 'engine', 'index.ts')], options);
  const emitted = program.emit();
  if (emitted.emitSkipped) throw new Error('declsStandIn: TypeScript could not emit the engine declarations');
  mkdirSync(out, { recursive: true });
  writeFileSync(engineDts, `${MARK}\nexport * from './engine-types/index';\n`);
  // Every export of the engine: values become global consts, types global type aliases.
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(join(root, 'kernel', 'engine', 'index.ts'));
  const lines = [MARK, '// Every name a notebook cell sees besides its own.'];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(index))) {
    const name = symbol.getName();
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    // the doc comment comes along: a const typed `typeof …` would otherwise hover and complete without it
    const decl = target.declarations?.[0];
    const doc = decl ? ts.getJSDocCommentsAndTags(decl).filter(ts.isJSDoc).map((d) => d.getText()).at(-1) : undefined;
    if (target.flags & ts.SymbolFlags.Value) {
      if (doc) lines.push(doc.replace(/\n\s*\*/g, '\n *'));
      lines.push(`declare const ${name}: typeof import('./engine').${name};`);
    }
    // Generator is also a global interface of TypeScript's lib: the class keeps its value only
    if (target.flags & (ts.SymbolFlags.Type) && !(target.flags & ts.SymbolFlags.Namespace) && name !== 'Generator') {
      lines.push(`type ${name} = import('./engine').${name};`);
    }
  }
  lines.push(
    "/** The whole engine: `bp.tensor`, `bp.nn`, … */",
    "declare const bp: typeof import('./engine');",
    '/**',
    ' * Shows values as outputs of the running cell: tensors as a table with their gradient, graph snapshots as a',
    ' * graph, an object keyed by mime types as that output, anything else as text.',
    ' * @example display(w)',
    ' */',
    'declare function display(...values: unknown[]): void;',
    '/** Options of the graphs drawn after each backward(). */',
    'declare function setGraphOptions(options: { maxNodes?: number; edgeLabel?: "norm" | "mean" | "values"; show?: boolean }): void;',
  );
  writeFileSync(join(out, 'cells.d.ts'), lines.join('\n') + '\n');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wrote = writeStandInDeclarations(process.argv[2]);
  console.log(wrote ? 'wrote stand-in engine.d.ts and cells.d.ts' : 'stand-in declarations are up to date');
}
