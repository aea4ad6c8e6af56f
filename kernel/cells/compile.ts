/*
 * The cell compiler: TypeScript (or JavaScript) source → one script that runs in the kernel's realm and keeps
 * its top-level names for later cells.
 *
 * 1. esbuild strips the types (`transform`, with a source map back to the cell; see transpile.ts); the nested
 *    names it renamed get their own back (see originalNames).
 * 2. acorn parses the JavaScript (a real parser: declarations, patterns and imports are read from the tree).
 * 3. The top-level statements are rewritten in place, as Node's REPL does for top-level await:
 *      const {a, b} = o;   →  void K.name(({a, b} = o), {a, b});   with `var a, b;` hoisted before the wrapper
 *      h = h.relu()        →  K.name((h = h.relu()), {h})            (a top-level assignment to names)
 *      class C {}          →  C = class C {};
 *      function f() {}     →  stays (hoisted inside the wrapper); the prologue copies it to globalThis.f
 *      import {x} from 'm' →  void (({x} = __backpropKernel.load("m")));
 *      import('m')         →  __backpropKernel.dynamicImport('m')
 *      lastExpression      →  return (lastExpression);
 *    and the body is wrapped in `(async () => { ... })()`, so `await` works at the top level.
 *    `K.name` (names.ts) gives each tensor a declaration or assignment binds the name it is bound to, unless it
 *    has one, and returns the assigned value: graphs then read `w2`, not `t16`.
 *    `var` at a script's top level makes a global property, which later scripts may redeclare: re-running a
 *    cell that declares `const x` works. Replacements never add or remove line breaks, so only the first
 *    line (the wrapper's) shifts the script's lines, and a column map undoes the in-line edits.
 */
import * as acorn from 'acorn';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { CellSyntaxError, transpile } from './transpile';
import type { CellLanguage } from '../client/protocol';

/** The global through which compiled cells reach the kernel (imports). */
export const KERNEL_GLOBAL = '__backpropKernel';

/** A cell that compiled: the script to run and how to map its positions back to the cell. */
export interface CompiledCell {
  script: string;
  /** Names the cell declares at its top level (they become globals). */
  declared: string[];
  /** Maps a 1-based (line, column) of `script` to the cell's 1-based (line, column); undefined outside the cell. */
  toCell(line: number, column: number): { line: number; column: number } | undefined;
}

/**
 * Compiles one cell.
 * @throws CellSyntaxError with the cell's line and column when the source does not parse.
 */
export async function compileCell(source: string, language: CellLanguage = 'typescript'): Promise<CompiledCell> {
  // As the REPL does: a cell that is `{ ... }` alone means an object, not a block.
  if (/^\s*\{/.test(source) && /\}\s*$/.test(source)) {
    const asObject = await compileCell(`(${source}\n)`, language).catch(() => undefined);
    if (asObject && asObject.declared.length === 0) return asObject;
  }
  const out = await transpile(source, language);
  const js = out.code;
  const map = new SourceMap(JSON.parse(out.map) as SourceMapPayload);
  const jsToCell = (line: number, column: number) => {
    const entry = map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
    if (entry.originalLine === undefined) return undefined;
    return { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  };
  let program: acorn.Program;
  try {
    program = acorn.parse(js, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, locations: false });
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const pos = loc ? jsToCell(loc.line, loc.column + 1) : undefined;
    throw new CellSyntaxError(String((e as Error).message).replace(/\s*\(\d+:\d+\)$/, ''), pos?.line, pos?.column);
  }
  const { edits, declared, functions } = rewrite(program, js);
  edits.push(...originalNames(program, js, map));
  const { text, columnMap } = applyEdits(js, edits);
  const prologue = functions.map((f) => `globalThis[${JSON.stringify(f)}] = ${f};`).join(' ');
  const header = `${declared.length ? `var ${declared.join(', ')}; ` : ''}(async () => { ${prologue}`;
  const script = `${header}\n${text}\n})()`;
  const jsLines = text.split('\n').length;
  return {
    script,
    declared,
    toCell(line, column) {
      if (line < 2 || line > jsLines + 1) return undefined;
      return jsToCell(line - 1, columnMap(line - 1, column));
    },
  };
}

interface Edit { start: number; end: number; text: string }

/** The edits that turn a cell's top level into assignments to globals, and the names it declares. */
function rewrite(program: acorn.Program, js: string): { edits: Edit[]; declared: string[]; functions: string[] } {
  const edits: Edit[] = [];
  const declared = new Set<string>();
  const functions: string[] = [];
  const body = program.body;
  const last = body.length - 1;
  // `import(x)` anywhere: scripts run by vm have no module loader, so it goes through the kernel's.
  walk(program, (node) => {
    if (node.type === 'ImportExpression') {
      edits.push({ start: node.start, end: (node as acorn.ImportExpression).source.start, text: `${KERNEL_GLOBAL}.dynamicImport(` });
    }
  });
  body.forEach((statement, index) => {
    let node: acorn.Node = statement;
    if (statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') {
      const decl = statement.declaration;
      if (!decl) { edits.push({ start: statement.start, end: statement.end, text: '' }); return; }
      // `export` means nothing in a cell: drop the keyword, keep what it exports.
      edits.push({ start: statement.start, end: decl.start, text: '' });
      node = decl;
    } else if (statement.type === 'ExportAllDeclaration') {
      edits.push({ start: statement.start, end: statement.end, text: '' });
      return;
    }
    switch (node.type) {
      case 'VariableDeclaration': {
        const decl = node as acorn.VariableDeclaration;
        const bound = new Set<string>();
        for (const d of decl.declarations) patternNames(d.id, bound);
        for (const name of bound) declared.add(name);
        edits.push({ start: decl.start, end: decl.declarations[0].start, text: `void ${KERNEL_GLOBAL}.name((` });
        for (const d of decl.declarations) {
          if (!d.init && decl.kind !== 'var') edits.push({ start: d.id.end, end: d.id.end, text: ' = undefined' });
        }
        const closeAt = js[decl.end - 1] === ';' ? decl.end - 1 : decl.end;
        edits.push({ start: closeAt, end: closeAt, text: `), ${bindings(bound)})` });
        break;
      }
      case 'FunctionDeclaration': {
        const name = (node as acorn.FunctionDeclaration).id?.name;
        if (name) { declared.add(name); functions.push(name); }
        break;
      }
      case 'ClassDeclaration': {
        const cls = node as acorn.ClassDeclaration;
        const name = cls.id?.name;
        if (!name) break;
        declared.add(name);
        edits.push({ start: cls.start, end: cls.start, text: `${name} = ` });
        edits.push({ start: cls.end, end: cls.end, text: ';' });
        break;
      }
      case 'ImportDeclaration':
        edits.push({ start: node.start, end: node.end, text: importAsAssignments(node as acorn.ImportDeclaration, declared) });
        break;
      case 'ExpressionStatement': {
        const isLast = index === last && node === statement;
        // The statement's range, not the expression's: it includes parentheses around the expression.
        const closeAt = js[node.end - 1] === ';' ? node.end - 1 : node.end;
        if (isLast) edits.push({ start: node.start, end: node.start, text: 'return (' });
        // Edits at one position apply in the order pushed: `return (K.name((` ... `), {h}))`.
        const expr = (node as acorn.ExpressionStatement).expression;
        if (expr.type === 'AssignmentExpression' && expr.operator === '=' && expr.left.type !== 'MemberExpression') {
          const bound = new Set<string>();
          patternNames(expr.left, bound);
          if (bound.size) {
            edits.push({ start: expr.start, end: expr.start, text: `${KERNEL_GLOBAL}.name((` });
            edits.push({ start: expr.end, end: expr.end, text: `), ${bindings(bound)})` });
          }
        }
        if (isLast) edits.push({ start: closeAt, end: closeAt, text: ')' });
        break;
      }
    }
  });
  return { edits, declared: [...declared], functions };
}

/**
 * esbuild renames a nested name that shadows a top-level one (`const cube = customGrad(function cube…)` gets
 * `function cube2`), and that name shows in graphs, reports and stacks. Its source map records the original name
 * of each identifier it renamed: these edits put those names back, which restores the cell's own scoping.
 */
function originalNames(program: acorn.Program, js: string, map: SourceMap): Edit[] {
  const lineStarts = [0];
  for (let i = js.indexOf('\n'); i >= 0; i = js.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const edits = new Map<number, Edit>();
  walk(program, (node) => {
    if (node.type !== 'Identifier' || edits.has(node.start)) return;
    const name = (node as acorn.Identifier).name;
    let line = 0;
    for (let hi = lineStarts.length - 1; line < hi;) {
      const mid = (line + hi + 1) >> 1;
      if (lineStarts[mid] <= node.start) line = mid; else hi = mid - 1;
    }
    const column = node.start - lineStarts[line];
    const entry = map.findEntry(line, column) as { generatedLine?: number; generatedColumn?: number; name?: string };
    if (entry.name && entry.name !== name && entry.generatedLine === line && entry.generatedColumn === column) {
      edits.set(node.start, { start: node.start, end: node.end, text: entry.name });
    }
  });
  return [...edits.values()];
}

/** Calls `visit` on every node of the tree. */
function walk(node: acorn.Node, visit: (node: acorn.Node) => void): void {
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const child of value as unknown[]) if (child && typeof (child as acorn.Node).type === 'string') walk(child as acorn.Node, visit);
    } else if (value && typeof value === 'object' && typeof (value as acorn.Node).type === 'string') {
      walk(value as acorn.Node, visit);
    }
  }
}

/** `import d, {a as b} from 'm'` → `void (d = K.importDefault(K.load("m")), ({a: b} = K.load("m")));` */
function importAsAssignments(node: acorn.ImportDeclaration, declared: Set<string>): string {
  const load = `${KERNEL_GLOBAL}.load(${JSON.stringify(String(node.source.value))})`;
  const parts: string[] = [];
  const named: string[] = [];
  for (const s of node.specifiers) {
    declared.add(s.local.name);
    if (s.type === 'ImportDefaultSpecifier') parts.push(`${s.local.name} = ${KERNEL_GLOBAL}.importDefault(${load})`);
    else if (s.type === 'ImportNamespaceSpecifier') parts.push(`${s.local.name} = ${load}`);
    else {
      const imported = s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value);
      named.push(`${JSON.stringify(imported)}: ${s.local.name}`);
    }
  }
  if (named.length) parts.push(`({${named.join(', ')}} = ${load})`);
  if (!parts.length) parts.push(load);
  return `void (${parts.join(', ')});`;
}

/** `{a, b}`: an object of the bound names' values, keyed by their names (what `K.name` reads). */
function bindings(names: Set<string>): string {
  return `{${[...names].join(', ')}}`;
}

/** Adds the names bound by a declaration's pattern (`a`, `{a, b: [c]}`, `...rest`, `x = 1`). */
function patternNames(p: acorn.Pattern, into: Set<string>): void {
  switch (p.type) {
    case 'Identifier': into.add(p.name); break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, into);
      break;
    case 'ArrayPattern': for (const el of p.elements) if (el) patternNames(el, into); break;
    case 'RestElement': patternNames(p.argument, into); break;
    case 'AssignmentPattern': patternNames(p.left, into); break;
    default: break;
  }
}

/**
 * Applies the edits (same-line: replaced text keeps its line breaks) and returns a map from a 1-based column of
 * the edited text back to the column of the original on the same line.
 */
function applyEdits(js: string, edits: Edit[]): { text: string; columnMap: (line: number, column: number) => number } {
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  /** Per line (1-based): [column in the edited text where a shift starts, total shift from there on]. */
  const shifts = new Map<number, [number, number][]>();
  let out = '';
  let pos = 0;
  let line = 1;
  let lineStartOut = 0;
  let lineStartIn = 0;
  const advance = (upTo: number) => {
    const chunk = js.slice(pos, upTo);
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) {
      line++;
      lineStartIn = pos + i + 1;
      lineStartOut = out.length + i + 1;
    }
    out += chunk;
    pos = upTo;
  };
  for (const e of edits) {
    advance(e.start);
    const removed = js.slice(e.start, e.end);
    const breaks = removed.split('\n').length - 1;
    const replacement = e.text + '\n'.repeat(breaks);
    out += replacement;
    pos = e.end;
    if (breaks) {
      line += breaks;
      lineStartIn = js.lastIndexOf('\n', e.end - 1) + 1;
      lineStartOut = out.length;
    }
    const colOut = out.length - lineStartOut;
    const colIn = pos - lineStartIn;
    const list = shifts.get(line) ?? [];
    list.push([colOut, colOut - colIn]);
    shifts.set(line, list);
  }
  advance(js.length);
  return {
    text: out,
    columnMap(l, column) {
      let shift = 0;
      for (const [from, s] of shifts.get(l) ?? []) if (column - 1 >= from) shift = s;
      return Math.max(1, column - shift);
    },
  };
}

export { CellSyntaxError };
