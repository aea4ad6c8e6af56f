// The layers of kernel/README.md, enforced: each folder imports only what runs where it runs (only extension/
// imports vscode; the engine imports nothing outside itself; the renderer takes only types from the rest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');

interface Import { file: string; spec: string; typeOnly: boolean }

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) { if (name !== 'assembly') out.push(...sources(p)); }
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module a file imports, re-exports or require()s, and whether only types cross. */
function importsOf(file: string): Import[] {
  const sf = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      found.push({ file, spec: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ file, spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      found.push({ file, spec: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
/** The repo-relative path a relative import points at (no extension). */
const target = (i: Import) => relative(root, resolve(root, dirname(i.file), i.spec));
const inside = (i: Import, dir: string) => i.spec.startsWith('.') && (target(i) + '/').startsWith(dir + '/');

const all = ['kernel', 'extension', 'renderer', 'cli', 'jupyter'].flatMap((d) => sources(d).flatMap(importsOf));
const bad = (pred: (i: Import) => boolean) => all.filter(pred).map((i) => `${i.file} imports '${i.spec}'`);

/** Where code runs, and so what it may import (besides Node built-ins and type-only imports, which cost nothing at run time). */
const layers: { dir: string; runs: string; mayImport: string[]; packages?: string[] }[] = [
  { dir: 'kernel/engine', runs: 'anywhere Node runs (also shipped alone as dist/engine.js)', mayImport: ['kernel/engine'] },
  { dir: 'kernel/client', runs: 'the extension host, the CLI and the tests', mayImport: ['kernel/client'] },
  { dir: 'kernel/cells', runs: 'the kernel process', mayImport: ['kernel/cells', 'kernel/outputs', 'kernel/process', 'kernel/engine', 'kernel/client/protocol'], packages: ['acorn', 'typescript', 'esbuild'] },
  { dir: 'kernel/outputs', runs: 'the kernel process', mayImport: ['kernel/outputs', 'kernel/process', 'kernel/engine', 'kernel/client/protocol'] },
  { dir: 'kernel/tools', runs: 'the kernel process', mayImport: ['kernel/tools', 'kernel/outputs', 'kernel/engine', 'kernel/client/protocol'] },
  { dir: 'kernel/process', runs: 'the kernel process', mayImport: ['kernel/process', 'kernel/cells', 'kernel/outputs', 'kernel/tools', 'kernel/engine', 'kernel/client/protocol'] },
  { dir: 'extension', runs: 'the VS Code extension host', mayImport: ['extension', 'kernel/client', 'kernel/language'], packages: ['vscode', 'typescript'] },
  // kernel/engine/gradScale: the colour rule shared with the graph export, a file that imports nothing (checked below)
  { dir: 'renderer', runs: 'the notebook output webview', mayImport: ['renderer', 'kernel/engine/gradScale'], packages: ['mermaid', '@observablehq/plot'] },
  { dir: 'cli', runs: 'a terminal', mayImport: ['cli', 'kernel/client', 'package.json'], packages: ['marked', 'katex'] },
  // --- jupyter ---
  { dir: 'kernel/language', runs: 'the extension host and the Jupyter kernel (type-aware cells)', mayImport: ['kernel/language'] },
  { dir: 'jupyter', runs: "the Jupyter kernel's front process (ZeroMQ), never the extension", mayImport: ['jupyter', 'kernel/client', 'kernel/language', 'package.json'], packages: ['zeromq'] },
];

for (const layer of layers) {
  test(`${layer.dir}/ (${layer.runs}) imports only ${[...layer.mayImport, ...layer.packages ?? []].join(', ')}`, () => {
    const allowed = (i: Import) => i.typeOnly || isBuiltin(i.spec) || (layer.packages ?? []).some((p) => i.spec === p || i.spec.startsWith(`${p}/`)) ||
      (i.spec.startsWith('.') && layer.mayImport.some((d) => target(i) === d || target(i) === d.replace(/\.json$/, '') || inside(i, d)));
    assert.deepEqual(bad((i) => (i.file + '/').startsWith(`${layer.dir}/`) && !allowed(i)), []);
  });
}

test('kernel/engine/gradScale.ts, which the renderer bundles, imports nothing', () => {
  assert.deepEqual(importsOf('kernel/engine/gradScale.ts'), []);
});

test('every source file belongs to a layer', () => {
  const files = [...new Set(all.map((i) => i.file))];
  assert.deepEqual(files.filter((f) => !layers.some((l) => f.startsWith(`${l.dir}/`))), []);
});

test('only jupyter/ imports zeromq (the .vsix ships without it)', () => {
  assert.deepEqual(bad((i) => i.spec === 'zeromq' && !i.file.startsWith('jupyter/')), []);
});

test('only extension/ imports vscode, even for types', () => {
  assert.deepEqual(bad((i) => i.spec === 'vscode' && !i.file.startsWith('extension/')), []);
});

test('the protocol imports nothing but types', () => {
  assert.deepEqual(bad((i) => i.file === 'kernel/client/protocol.ts' && !i.typeOnly), []);
});

test('the import scan sees the project (guards against a vacuous pass)', () => {
  assert.ok(all.some((i) => i.file.startsWith('extension/') && i.spec === 'vscode'));
  assert.ok(all.some((i) => i.file.startsWith('renderer/') && i.spec === 'mermaid'));
  assert.ok(all.filter((i) => i.file.startsWith('kernel/engine/')).length > 20);
});
