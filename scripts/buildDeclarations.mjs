// Writes the type declarations that ship next to the bundles:
//   dist/engine.d.ts  the declarations of dist/engine.js (`require('backprop-notebook/engine')`), one
//                     self-contained file: the compiler's declarations of kernel/engine, rolled up by API Extractor.
//   dist/cells.d.ts   every name a notebook cell sees as a global, as a script (no imports or exports) that
//                     refers to ./engine.d.ts: the engine's exports, the module as `bp`, and the kernel's own
//                     `display` and `setGraphOptions` (kernel/cells/globals.ts). Hover texts are the sources' JSDoc.
// Skipped when both are newer than their sources. Usage: node scripts/buildDeclarations.mjs (build.mjs runs it).
import ts from 'typescript';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = (p) => join(root, p);
const ENGINE = 'kernel/engine/index.ts';
/** The kernel's own cell globals: the source file and the names it declares for cells. */
const KERNEL_GLOBALS = [
  { file: 'kernel/cells/globals.ts', names: ['display'] },
  { file: 'kernel/outputs/graphOutput.ts', names: ['GraphOptions', 'setGraphOptions'] },
  // --- plots ---
  { file: 'kernel/outputs/plotData.ts', names: ['Series', 'ScatterData', 'HistogramData', 'HeatmapData', 'PlotData', 'PlotOptions'] },
  { file: 'kernel/outputs/plotOutput.ts', names: ['plot'] },
];
const TYPES_DIR = r('out/declarations');
const OUT_ENGINE = r('dist/engine.d.ts');
const OUT_CELLS = r('dist/cells.d.ts');

function* tsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

function upToDate() {
  if (!existsSync(OUT_ENGINE) || !existsSync(OUT_CELLS)) return false;
  const built = Math.min(statSync(OUT_ENGINE).mtimeMs, statSync(OUT_CELLS).mtimeMs);
  const sources = [...tsFiles(r('kernel/engine')), ...KERNEL_GLOBALS.map((g) => r(g.file)), fileURLToPath(import.meta.url), r('package.json')];
  return sources.every((f) => statSync(f).mtimeMs < built);
}

/** The compiler's declarations of the engine and of the kernel's globals, one .d.ts per source, under TYPES_DIR. */
function emitDeclarations() {
  const config = ts.getParsedCommandLineOfConfigFile(r('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  const options = {
    ...config.options, noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false,
    rootDir: root, outDir: TYPES_DIR, types: ['node'], noEmitOnError: false,
  };
  rmSync(TYPES_DIR, { recursive: true, force: true });
  const program = ts.createProgram([r(ENGINE), ...KERNEL_GLOBALS.map((g) => r(g.file))], options);
  const result = program.emit();
  if (result.diagnostics.length) throw new Error(ts.formatDiagnostics(result.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
}

/** dist/engine.d.ts: API Extractor's rollup of the engine's declarations into one file. */
function rollUpEngine() {
  const entry = join(TYPES_DIR, ENGINE.replace(/\.ts$/, '.d.ts'));
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: r('package.json'),
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry,
      // Only the engine: a program of the whole folder would see dist/cells.d.ts's globals and rename around them.
      compiler: { overrideTsconfig: { files: [entry], compilerOptions: { lib: ['ES2022'], types: [], skipLibCheck: true, strict: true } } },
      apiReport: { enabled: false },
      docModel: { enabled: false },
      tsdocMetadata: { enabled: false },
      dtsRollup: { enabled: true, untrimmedFilePath: OUT_ENGINE },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        // Types the engine uses but does not export (Shape, Listener, ...) are declared in the file unexported.
        extractorMessageReporting: { default: { logLevel: 'none' } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
  const result = Extractor.invoke(config, { localBuild: true, messageCallback: (m) => { if (m.logLevel !== ExtractorLogLevel.Error) m.handled = true; } });
  if (!result.succeeded) throw new Error(`API Extractor failed with ${result.errorCount} error(s)`);
  writeFileSync(OUT_ENGINE, withReservedNames(withNamespaceDocs(readFileSync(OUT_ENGINE, 'utf8'))));
}

/**
 * API Extractor declares an export under its exported name, which for `variance as var` is not a legal function
 * name: declare it under its own name and export it renamed.
 */
function withReservedNames(dts) {
  for (const name of RESERVED) {
    const declaration = `export declare function ${name}(`;
    if (!dts.includes(declaration)) continue;
    dts = dts.replace(declaration, `declare function ${name}_(`).replace(/\nexport \{ \}\s*$/, `\nexport { ${name}_ as ${name} }\n`);
  }
  return dts;
}

/**
 * API Extractor writes `export * as nn from './nn'` as `export declare namespace nn { ... }` without the JSDoc of
 * the export statement: put it back, so `nn` and `optim` have their hover text.
 */
function withNamespaceDocs(dts) {
  const sf = ts.createSourceFile(ENGINE, readFileSync(r(ENGINE), 'utf8'), ts.ScriptTarget.ES2022, true);
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || !st.exportClause || !ts.isNamespaceExport(st.exportClause)) continue;
    const name = st.exportClause.name.text, doc = jsDocOf(st, '');
    const declaration = `export declare namespace ${name} {`;
    if (!dts.includes(declaration)) throw new Error(`buildDeclarations: engine.d.ts has no namespace ${name}`);
    if (doc) dts = dts.replace(declaration, doc + declaration);
  }
  return dts;
}

/** The JSDoc right before a declaration (for a variable, before its statement), re-indented by `indent`. */
function jsDocOf(decl, indent) {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  const text = node.getSourceFile().text;
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const docs = ranges.filter((c) => text.startsWith('/**', c.pos));
  if (!docs.length) return '';
  const last = docs[docs.length - 1];
  const lines = text.slice(last.pos, last.end).split('\n').map((l, i) => (i === 0 ? l.trim() : ` ${l.trim()}`));
  return lines.map((l) => indent + l).join('\n') + '\n';
}

function docOf(symbol, indent) {
  for (const d of symbol.declarations ?? []) {
    const doc = jsDocOf(d, indent);
    if (doc) return doc;
  }
  return '';
}

/** `<T extends U>` and `<T>` of a type's first declaration (to alias generic types). */
function typeParams(symbol) {
  const d = (symbol.declarations ?? []).find((x) => x.typeParameters?.length);
  if (!d) return ['', ''];
  return [`<${d.typeParameters.map((p) => p.getText()).join(', ')}>`, `<${d.typeParameters.map((p) => p.name.text).join(', ')}>`];
}

/**
 * The members of `bp` (and, recursively, of its namespaces nn and optim): for each export of `path`, a const of
 * its value's type and a type alias of its type, each with the export's JSDoc.
 */
/** Export names that cannot be declared as a const (`var`: the method form `x.var()` serves cells). */
const RESERVED = new Set(['var']);

function namespaceBody(checker, moduleSymbol, path, indent) {
  let out = '';
  const exports = checker.getExportsOfModule(moduleSymbol).slice().sort((a, b) => a.name.localeCompare(b.name));
  for (const s of exports) {
    if (RESERVED.has(s.name)) continue;
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    const name = s.name, ref = `${path}.${name}`, doc = docOf(target, indent);
    if (target.flags & ts.SymbolFlags.ValueModule) {
      out += `${doc}${indent}export namespace ${name} {\n${namespaceBody(checker, target, ref, `${indent}  `)}${indent}}\n`;
      continue;
    }
    if (target.flags & ts.SymbolFlags.Value) out += `${doc}${indent}export const ${name}: typeof ${ref};\n`;
    if (target.flags & ts.SymbolFlags.Type) {
      const [params, args] = typeParams(target);
      out += `${target.flags & ts.SymbolFlags.Value ? '' : doc}${indent}export type ${name}${params} = ${ref}${args};\n`;
    }
  }
  return out;
}

/** Names lib.es2022 and @types/node already declare in a script, as values and as types. */
function builtInGlobals() {
  const file = 'globals-probe.ts';
  const host = ts.createCompilerHost({});
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v) => (f === file ? ts.createSourceFile(f, 'let probe = 0;\n', v) : getSourceFile(f, v));
  const program = ts.createProgram([file], { lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [r('node_modules/@types')], noEmit: true }, host);
  const checker = program.getTypeChecker(), sf = program.getSourceFile(file);
  const names = (flags) => new Set(checker.getSymbolsInScope(sf.statements[0], flags).map((s) => s.name));
  return { values: names(ts.SymbolFlags.Value), types: names(ts.SymbolFlags.Type) };
}

/** The declarations of `names` from the compiler's .d.ts of `file`, without `export`, with their JSDoc. */
function kernelGlobals(file, names) {
  const path = join(TYPES_DIR, file.replace(/\.ts$/, '.d.ts'));
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  return names.map((name) => {
    const st = sf.statements.find((s) => s.name?.text === name);
    if (!st) throw new Error(`buildDeclarations: ${file} declares no ${name}`);
    return `${jsDocOf(st, '')}${st.getText().replace(/^export (declare )?/, 'declare ')}\n`;
  }).join('\n');
}

/** dist/cells.d.ts, from dist/engine.d.ts and the kernel's globals. */
function cellsDeclarations() {
  const program = ts.createProgram([OUT_ENGINE], { lib: ['lib.es2022.d.ts'], types: [], noEmit: true });
  const checker = program.getTypeChecker();
  const engine = checker.getSymbolAtLocation(program.getSourceFile(OUT_ENGINE));
  const builtIn = builtInGlobals();
  let out = `// Generated by scripts/buildDeclarations.mjs from engine.d.ts and the kernel's sources: do not edit.
// The globals of a notebook cell (a TypeScript script): every export of the engine, the whole engine as \`bp\`,
// display and setGraphOptions. Names that lib.es2022 or Node already declare keep their built-in meaning (the
// engine's stay reachable as bp.<name>), as in the kernel, which defines only globals that do not exist yet.

/**
 * The engine module (the same one \`import * as bp from 'backprop'\` gives): every name below is also a global.
 * @example const w = bp.randn([3, 2], { requiresGrad: true, seed: 0 });
 */
declare namespace bp {
${namespaceBody(checker, engine, "import('./engine')", '  ')}}

`;
  const skipped = [];
  for (const s of checker.getExportsOfModule(engine).slice().sort((a, b) => a.name.localeCompare(b.name))) {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    const name = s.name;
    if (builtIn.values.has(name) || RESERVED.has(name)) { skipped.push(name); continue; }
    const typeClash = builtIn.types.has(name) && target.flags & ts.SymbolFlags.Type;
    if (!typeClash) { out += `import ${name} = bp.${name};\n`; continue; }
    if (!(target.flags & ts.SymbolFlags.Value)) { skipped.push(name); continue; }
    // Only the value: the type keeps the built-in meaning (e.g. lib's Generator interface).
    out += `${docOf(target, '')}declare const ${name}: typeof bp.${name};\n`;
  }
  out += '\n' + KERNEL_GLOBALS.map((g) => kernelGlobals(g.file, g.names)).join('\n');
  const ours = new Set(KERNEL_GLOBALS.flatMap((g) => g.names).concat('bp'));
  const clash = [...ours].filter((n) => builtIn.values.has(n) || builtIn.types.has(n));
  if (clash.length) throw new Error(`buildDeclarations: cell globals ${clash.join(', ')} collide with built-in globals`);
  if (skipped.length) out += `\n// Left to their built-in meaning: ${skipped.join(', ')} (use bp.<name>).\n`;
  return out;
}

export function buildDeclarations({ force = false } = {}) {
  if (!force && upToDate()) return false;
  mkdirSync(r('dist'), { recursive: true });
  emitDeclarations();
  rollUpEngine();
  writeFileSync(OUT_CELLS, cellsDeclarations());
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  buildDeclarations({ force: process.argv.includes('--force') });
  console.log(`${relative(process.cwd(), OUT_ENGINE)}, ${relative(process.cwd(), OUT_CELLS)} (${Date.now() - t0} ms)`);
}
