// DESIGN.md's boundaries, enforced: only extension/ imports vscode; the engine imports nothing outside itself;
// the extension takes only the protocol from the kernel, the renderer only types; the Node-side code never names the DOM.
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

const all = ['kernel', 'extension', 'renderer', 'cli'].flatMap((d) => sources(d).flatMap(importsOf));
const bad = (pred: (i: Import) => boolean) => all.filter(pred).map((i) => `${i.file} imports '${i.spec}'`);

test('only extension/ imports vscode', () => {
  assert.deepEqual(bad((i) => i.spec === 'vscode' && !i.file.startsWith('extension/')), []);
});

test('the engine imports nothing outside kernel/engine but Node built-ins', () => {
  assert.deepEqual(bad((i) => i.file.startsWith('kernel/engine/') && !isBuiltin(i.spec) && !inside(i, 'kernel/engine')), []);
});

// protocol.ts is the shared vocabulary: message types and a few protocol constants, and it imports nothing, so
// taking a constant from it brings no kernel code into the extension host.
test('the extension takes from the kernel only its protocol (and types), nothing from the renderer or CLI', () => {
  assert.deepEqual(bad((i) => i.file.startsWith('extension/') && i.spec.startsWith('.') && !inside(i, 'extension') &&
    !(i.typeOnly && target(i).startsWith('kernel/')) && target(i) !== 'kernel/protocol'), []);
  assert.deepEqual(bad((i) => i.file === 'kernel/protocol.ts' && !i.typeOnly), []);
});

test('the renderer imports only itself, mermaid, and types', () => {
  assert.deepEqual(bad((i) => i.file.startsWith('renderer/') && !i.typeOnly && !inside(i, 'renderer') && i.spec !== 'mermaid'), []);
});

test('the kernel process and CLI never import the extension or renderer code', () => {
  assert.deepEqual(bad((i) => (i.file.startsWith('kernel/') || i.file.startsWith('cli/')) && !i.typeOnly &&
    (inside(i, 'extension') || inside(i, 'renderer'))), []);
});

test('the import scan sees the project (guards against a vacuous pass)', () => {
  assert.ok(all.some((i) => i.file.startsWith('extension/') && i.spec === 'vscode'));
  assert.ok(all.some((i) => i.file.startsWith('renderer/') && i.spec === 'mermaid'));
  assert.ok(all.filter((i) => i.file.startsWith('kernel/engine/')).length > 20);
});
