// The names a cell declares at its top level: what later cells see (the kernel keeps them across cells).
import type * as TS from 'typescript';

export interface TopLevelName {
  name: string;
  /** `let`/`var` may be assigned again by later cells; everything else may not. */
  mutable: boolean;
}

/** Every top-level name of `source` (a cell parsed as a module), in order, each once (the last kind wins). */
export function topLevelNames(ts: typeof TS, source: string, isJavaScript: boolean): TopLevelName[] {
  const file = ts.createSourceFile(isJavaScript ? 'cell.js' : 'cell.ts', source, ts.ScriptTarget.ES2022, false,
    isJavaScript ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found = new Map<string, boolean>();
  const add = (name: string, mutable: boolean) => { found.delete(name); found.set(name, mutable); };
  const addBinding = (binding: TS.BindingName, mutable: boolean): void => {
    if (ts.isIdentifier(binding)) { add(binding.text, mutable); return; }
    for (const element of binding.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name, mutable);
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      const mutable = (statement.declarationList.flags & ts.NodeFlags.Const) === 0;
      for (const d of statement.declarationList.declarations) addBinding(d.name, mutable);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
      add(statement.name.text, false);
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      add(statement.name.text, false);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) add(clause.name.text, false);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name.text, false);
      else if (bindings) for (const e of bindings.elements) add(e.name.text, false);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(statement.name.text, false);
    }
  }
  return [...found].map(([name, mutable]) => ({ name, mutable }));
}
