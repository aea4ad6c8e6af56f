// The expression a hover (in VS Code) or an inspect request (in Jupyter) asks the kernel about: the property path
// under the cursor. Pure text: the extension and the Jupyter kernel share it.

/**
 * The property path that ends at the identifier under `character`: `a.b[0].c` when hovering `c`, `a.b` when
 * hovering `b`. Undefined when the cursor is not on an identifier.
 * @example expressionAt('y = model.layers[0].weight;', 22) // { expression: 'model.layers[0].weight', start: 4, end: 26 }
 */
export function expressionAt(line: string, character: number): { expression: string; start: number; end: number } | undefined {
  const isId = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  let at = character;
  if (!isId(line[at])) {
    if (!isId(line[at - 1])) return undefined;
    at--;
  }
  let start = at, end = at;
  while (isId(line[start - 1])) start--;
  while (isId(line[end])) end++;
  if (/^\d/.test(line.slice(start, end))) return undefined;
  // Walk left over `.name`, `?.name`, `[123]`, `['key']`. A chain that starts at a call, a literal or anything
  // else cannot be evaluated without running code: no hover then (rather than a wrong value).
  const skipSpaces = (i: number) => { while (i > 0 && line[i - 1] === ' ') i--; return i; };
  for (;;) {
    let i = skipSpaces(start);
    if (line[i - 1] === '.') {
      if (line[i - 2] === '.') break; // spread `...x`
      i = skipSpaces(line[i - 2] === '?' ? i - 2 : i - 1);
    } else if (line[i - 1] === ']') {
      const open = line.lastIndexOf('[', i - 1);
      if (open < 0 || !/^\s*(?:\d+|'[^'\\]*'|"[^"\\]*")\s*$/.test(line.slice(open + 1, i - 1))) return undefined;
      i = skipSpaces(open);
      if (!isId(line[i - 1]) && line[i - 1] !== ']') return undefined;
      if (line[i - 1] === ']') { start = i; continue; }
    } else break;
    if (line[i - 1] === ']') { start = i; continue; }
    if (!isId(line[i - 1])) return undefined;
    let j = i;
    while (isId(line[j - 1])) j--;
    if (/^\d/.test(line.slice(j, i))) return undefined;
    start = j;
  }
  return { expression: line.slice(start, end).replace(/\s+/g, ''), start, end };
}
