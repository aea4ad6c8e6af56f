/*
 * Jupyter notebooks (nbformat 4) as the CLI reads and writes them: validation with one-line messages, cell
 * sources, and the kernel's outputs converted to nbformat outputs (stream, display_data, execute_result, error).
 */
import { randomUUID } from 'node:crypto';
import type { CellOutput } from '../kernel/client/client';
import type { CellLanguage, MimeBundle } from '../kernel/client/protocol';

export class NotebookError extends Error {}

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NbOutput[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

export type NbOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string[] }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; execution_count: number; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** The notebook metadata the Backprop kernel writes. */
export const KERNELSPEC = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };
export const LANGUAGE_INFO = { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };

/** Parses and checks a notebook's text; `name` is used in messages. */
export function parseNotebook(text: string, name: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${name} is not valid JSON (${(e as Error).message})`);
  }
  const n = nb as Partial<Notebook> | null;
  const isObject = typeof n === 'object' && n !== null && !Array.isArray(n);
  // An older notebook has no "cells" (nbformat 3 keeps them in "worksheets"): say which format it is.
  if (isObject && typeof n.nbformat === 'number' && n.nbformat !== 4) {
    throw new NotebookError(`${name} is nbformat ${n.nbformat}; only nbformat 4 notebooks are supported (jupyter nbconvert --to notebook upgrades it)`);
  }
  if (!isObject || !Array.isArray(n.cells)) throw new NotebookError(`${name} is not a Jupyter notebook (no "cells" list)`);
  if (n.nbformat !== 4) throw new NotebookError(`${name} is nbformat ${String(n.nbformat)}; only nbformat 4 notebooks are supported`);
  n.cells.forEach((cell, i) => {
    const ok = typeof cell === 'object' && cell !== null && ['code', 'markdown', 'raw'].includes(cell.cell_type)
      && (typeof cell.source === 'string' || (Array.isArray(cell.source) && cell.source.every((l) => typeof l === 'string')));
    if (!ok) throw new NotebookError(`${name}: cell ${i + 1} is malformed (needs cell_type and a string source)`);
    cell.metadata ??= {};
  });
  n.metadata ??= {};
  n.nbformat_minor ??= 4;
  return n as Notebook;
}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** TypeScript unless the cell (VS Code's languageId) or the notebook says JavaScript. */
export function cellLanguage(cell: NotebookCell, nb: Notebook): CellLanguage {
  const vscode = cell.metadata.vscode as { languageId?: string } | undefined;
  const lang = vscode?.languageId ?? (nb.metadata.language_info as { name?: string } | undefined)?.name;
  return lang === 'javascript' ? 'javascript' : 'typescript';
}

/** Text as nbformat stores it: a list of lines, each but the last ending in a newline. */
export function toLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

/** Text mimes are stored as lines; JSON mimes as JSON. */
function nbData(data: MimeBundle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    const json = mime === 'application/json' || mime.endsWith('+json');
    out[mime] = !json && typeof value === 'string' ? toLines(value) : value;
  }
  return out;
}

export function toNbOutput(o: CellOutput): NbOutput {
  switch (o.kind) {
    case 'stream': return { output_type: 'stream', name: o.name, text: toLines(o.text) };
    case 'display': return { output_type: 'display_data', data: nbData(o.data), metadata: {} };
    case 'executeResult': return { output_type: 'execute_result', execution_count: o.executionCount, data: nbData(o.data), metadata: {} };
    case 'error': return { output_type: 'error', ename: o.ename, evalue: o.evalue, traceback: o.traceback };
  }
}

/** The notebook as Jupyter writes it (one-space indent, trailing newline), with the Backprop kernel's metadata. */
export function serializeNotebook(nb: Notebook): string {
  // nbformat 4.5 requires an id on every cell.
  if (nb.nbformat_minor >= 5) for (const cell of nb.cells) cell.id ??= randomUUID().slice(0, 8);
  nb.metadata.kernelspec = KERNELSPEC;
  nb.metadata.language_info = { ...(nb.metadata.language_info as object | undefined), ...LANGUAGE_INFO };
  return JSON.stringify(nb, null, 1) + '\n';
}
