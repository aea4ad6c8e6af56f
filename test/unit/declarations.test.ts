// The declarations the build writes: dist/engine.d.ts types a user's project that imports the engine (the whole
// API type-checks, wrong calls do not), dist/cells.d.ts gives a notebook cell its globals next to lib.es2022 and
// Node's, and every public name carries a doc comment (each differentiable op with its gradient rule's maths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { cellScript, engineApiUse, engineWrongCalls, engineWrongCallsPrelude } from './helpers/declarationFixtures';

const root = resolve(__dirname, '../..');
const engineDts = join(root, 'dist/engine.d.ts');
const cellsDts = join(root, 'dist/cells.d.ts');
const typeRoots = [join(root, 'node_modules/@types')];

function built(): void {
  for (const f of [engineDts, cellsDts]) {
    assert.ok(existsSync(f), `${f} is missing: build first with \`node scripts/build.mjs\``);
  }
}

/** A program of real files plus in-memory ones (`virtual`, by absolute path). */
function program(rootNames: string[], virtual: Record<string, string>, options: ts.CompilerOptions): ts.Program {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (f, v, ...rest) => (f in virtual ? ts.createSourceFile(f, virtual[f], v) : getSourceFile.call(host, f, v, ...rest));
  host.fileExists = (f) => f in virtual || fileExists.call(host, f);
  host.readFile = (f) => (f in virtual ? virtual[f] : readFile.call(host, f));
  return ts.createProgram([...rootNames, ...Object.keys(virtual)], { noEmit: true, strict: true, ...options }, host);
}

/** Diagnostics outside node_modules (@types/node 20 has its own with lib.es2022 and this TypeScript). */
function diagnostics(p: ts.Program): readonly ts.Diagnostic[] {
  return ts.getPreEmitDiagnostics(p).filter((d) => !d.file || !d.file.fileName.includes('/node_modules/'));
}

function describe(ds: readonly ts.Diagnostic[]): string {
  return ds.map((d) => {
    const at = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return at + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  }).join('\n');
}

/** A user's project: `backprop-notebook/engine` resolves to dist/engine.d.ts, no Node types. */
function userProject(source: string): { program: ts.Program; file: string } {
  const file = join(root, 'out/declarations-test/user.ts');
  const p = program([], { [file]: source }, {
    lib: ['lib.es2022.d.ts'], types: [], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    baseUrl: root, paths: { 'backprop-notebook/engine': [engineDts] },
  });
  return { program: p, file };
}

/** The engine module's symbol and a checker over dist/engine.d.ts alone. */
function engineModule(): { checker: ts.TypeChecker; module: ts.Symbol; file: ts.SourceFile } {
  const p = program([engineDts], {}, { lib: ['lib.es2022.d.ts'], types: [] });
  const checker = p.getTypeChecker(), file = p.getSourceFile(engineDts)!;
  return { checker, module: checker.getSymbolAtLocation(file)!, file };
}

const resolveAlias = (checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const docOf = (checker: ts.TypeChecker, s: ts.Symbol): string => ts.displayPartsToString(s.getDocumentationComment(checker)).trim();

test('dist/engine.d.ts is one self-contained file (no imports, no references)', () => {
  built();
  const text = readFileSync(engineDts, 'utf8');
  assert.doesNotMatch(text, /^\s*import\s|^\s*\/\/\/\s*<reference|\bimport\(/m);
  const p = program([engineDts], {}, { lib: ['lib.es2022.d.ts'], types: [] });
  assert.equal(describe(diagnostics(p)), '');
});

test('a TypeScript file using the whole engine API type-checks against dist/engine.d.ts', () => {
  built();
  const { program: p } = userProject(engineApiUse);
  assert.equal(describe(diagnostics(p)), '');
  // The file really is the whole API: it names every export and every public member of Tensor.
  const { checker, module } = engineModule();
  const missing = checker.getExportsOfModule(module).map((s) => s.name).filter((n) => !new RegExp(`\\b${n}\\b`).test(engineApiUse));
  assert.deepEqual(missing, [], 'exports the fixture does not use');
  const tensorClass = resolveAlias(checker, checker.getExportsOfModule(module).find((s) => s.name === 'Tensor')!);
  const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(tensorClass)).map((s) => s.name)
    .filter((n) => !n.startsWith('__'));
  assert.ok(members.length > 50, `Tensor has ${members.length} members`);
  assert.deepEqual(members.filter((n) => !engineApiUse.includes(`.${n}`)), [], 'Tensor members the fixture does not use');
});

test('wrong calls against dist/engine.d.ts are type errors, each on its own line', () => {
  built();
  const { program: p, file } = userProject(engineWrongCallsPrelude + engineWrongCalls.join('\n') + '\n');
  const first = engineWrongCallsPrelude.split('\n').length;
  const lines = new Set(diagnostics(p).filter((d) => d.file?.fileName === file)
    .map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1));
  assert.equal(describe(diagnostics(p).filter((d) => d.file?.fileName !== file)), '');
  engineWrongCalls.forEach((call, i) => assert.ok(lines.has(first + i), `no type error for \`${call}\``));
  for (const line of lines) assert.ok(line >= first, `the prelude has a type error on line ${line}`);
  const { program: misspelt } = userProject(`${engineWrongCallsPrelude}w.matmull(w);\n`);
  assert.match(describe(diagnostics(misspelt)), /Property 'matmull' does not exist on type 'Tensor'. Did you mean 'matmul'\?/);
});

test('a cell script type-checks with the globals of dist/cells.d.ts, lib.es2022 and Node\'s types', () => {
  built();
  const cells = readFileSync(cellsDts, 'utf8');
  assert.doesNotMatch(cells, /^(import|export)\s.*\sfrom\s|^export\s/m, 'cells.d.ts must be a script');
  const cell = join(root, 'out/declarations-test/cell.ts');
  const options = { lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots };
  assert.equal(describe(diagnostics(program([cellsDts], { [cell]: cellScript }, options))), '');
  const typo = diagnostics(program([cellsDts], { [cell]: 'tensr(1);\n' }, options));
  assert.equal(describe(typo), `${cell}:1 Cannot find name 'tensr'. Did you mean 'tensor'?`);
});

test('cells.d.ts declares every export of the engine as a global, or leaves a built-in name alone', () => {
  built();
  const cell = join(root, 'out/declarations-test/cell.ts');
  const { checker, module } = engineModule();
  const names = checker.getExportsOfModule(module).map((s) => s.name);
  // Each export as a value or type in a script: `bp.X` always, the bare name unless Node or lib.es2022 has it.
  const uses = names.map((n) => `type T_${n} = typeof bp.${n} extends never ? 0 : 1;`).join('\n');
  // `var` is a reserved word: no bare global, only the method x.var() (and bp.var in JavaScript).
  const typeUses = names.filter((n) => n !== 'var').map((n) => `type U_${n} = typeof ${n};`).join('\n');
  const p = program([cellsDts], { [cell]: `${uses}\n${typeUses}\n` }, { lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots });
  const messages = diagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  // Type-only exports give "only refers to a type"; nothing may be missing.
  assert.deepEqual(messages.filter((m) => /Cannot find name|has no exported member/.test(m)), []);
  for (const n of ['display', 'setGraphOptions', 'bp', 'nn', 'optim', 'tensor', 'traceGraph']) {
    assert.match(readFileSync(cellsDts, 'utf8'), new RegExp(`\\b${n}\\b`));
  }
});

test('every public name of dist/engine.d.ts has a doc comment', () => {
  built();
  const { checker, module } = engineModule();
  const undocumented: string[] = [];
  const visit = (s: ts.Symbol, path: string): void => {
    const target = resolveAlias(checker, s);
    if (!docOf(checker, target)) undocumented.push(path);
    if (target.flags & ts.SymbolFlags.ValueModule) {
      for (const m of checker.getExportsOfModule(target)) visit(m, `${path}.${m.name}`);
    }
    if (target.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
      for (const m of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))) {
        const decl = m.valueDeclaration ?? m.declarations?.[0];
        const hidden = decl && ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
        if (!hidden && !m.name.startsWith('__') && !docOf(checker, m)) undocumented.push(`${path}.${m.name}`);
      }
    }
  };
  for (const s of checker.getExportsOfModule(module)) visit(s, s.name);
  assert.deepEqual(undocumented, []);
});

/** The maths of each rule of the gradient table: the first line of the `//` comment right above its key. */
function gradientRules(): Map<string, string> {
  const path = join(root, 'kernel/engine/gradients.ts'), text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const rules = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText() === 'gradients' && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
      for (const p of node.initializer.properties) {
        const comments = (ts.getLeadingCommentRanges(text, p.getFullStart()) ?? []).filter((c) => c.kind === ts.SyntaxKind.SingleLineCommentTrivia);
        const key = p.name!.getText();
        assert.ok(comments.length > 0, `gradients.ts: rule '${key}' has no comment with its maths`);
        rules.set(key, text.slice(comments[0].pos + 2, comments[0].end).trim());
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  assert.ok(rules.size > 40, `found ${rules.size} rules`);
  return rules;
}

test('every public differentiable op documents its gradient: the maths of its rule in gradients.ts', () => {
  built();
  const { checker, module } = engineModule();
  const exports = new Map(checker.getExportsOfModule(module).map((s) => [s.name, resolveAlias(checker, s)]));
  const tensorType = checker.getDeclaredTypeOfSymbol(exports.get('Tensor')!);
  const squash = (s: string): string => s.replace(/\s+/g, ' ');
  const wrong: string[] = [];
  let checked = 0;
  for (const [op, maths] of gradientRules()) {
    const docs: [string, ts.Symbol | undefined][] = [[op, exports.get(op)], [`Tensor.${op}`, tensorType.getProperty(op)]];
    for (const [name, symbol] of docs) {
      if (!symbol) continue;
      checked++;
      if (!squash(docOf(checker, symbol)).includes(`Gradient: ${squash(maths)}`)) wrong.push(`${name}: expected "Gradient: ${maths}"`);
    }
  }
  assert.ok(checked > 70, `checked ${checked} docs`);
  assert.deepEqual(wrong, []);
});
