/*
 * Errors as the notebook shows them: `ename: evalue`, then the stack with positions in cell lines
 * (`at f (cell [3]:2:9)`) and the kernel's own frames (the evaluator, the engine's internals, Node's) removed.
 * Each compiled cell registers its script's file name here, so a function defined in cell 1 and failing when
 * called from cell 4 still points at cell 1.
 */
import { inspect } from 'node:util';
import type { CompiledCell } from './compile';
import { CellSyntaxError } from './compile';
import type { ErrorMessage } from '../client/protocol';

/** An error as the kernel reports it: the protocol's error message without its envelope. */
export type ErrorReport = Omit<ErrorMessage, 'type' | 'requestId'>;

interface CellScript { label: string; cell: CompiledCell }

/** Cells whose frames can be mapped; the oldest are forgotten beyond this many. */
const MAX_CELLS = 1000;
const scripts = new Map<string, CellScript>();

/** Remembers a cell's script under the file name it runs as. */
export function registerCell(filename: string, label: string, cell: CompiledCell): void {
  scripts.set(filename, { label, cell });
  if (scripts.size > MAX_CELLS) scripts.delete(scripts.keys().next().value!);
}

/** A compile error, pointing at the cell's line and column. */
export function compileErrorReport(e: CellSyntaxError, label: string): ErrorReport {
  const where = e.line !== undefined ? ` (${label}:${e.line}:${e.column ?? 1})` : '';
  const traceback = [`SyntaxError: ${e.message}${where}`];
  if (e.lineText !== undefined && e.column !== undefined) {
    traceback.push(`    ${e.lineText}`, `    ${' '.repeat(Math.max(0, e.column - 1))}^`);
  }
  return { ename: 'SyntaxError', evalue: e.message, traceback, line: e.line, column: e.column, compile: true };
}

/** A value thrown by a running cell. */
export function runtimeErrorReport(thrown: unknown): ErrorReport {
  if (!(thrown instanceof Error) && !(typeof thrown === 'object' && thrown !== null && 'stack' in thrown)) {
    const evalue = inspect(thrown);
    return { ename: 'Uncaught', evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const err = thrown as Error;
  const ename = err.name || 'Error';
  const evalue = String(err.message ?? '');
  const traceback = [evalue ? `${ename}: ${evalue}` : ename];
  let line: number | undefined, column: number | undefined;
  for (const frame of String(err.stack ?? '').split('\n')) {
    const m = /^\s+at (?:(.*?) \()?(.*):(\d+):(\d+)\)?$/.exec(frame);
    if (!m) continue;
    const [, fn, file, l, c] = m;
    const script = scripts.get(file);
    if (!script) continue;
    const pos = script.cell.toCell(Number(l), Number(c));
    if (!pos) continue;
    if (line === undefined) { line = pos.line; column = pos.column; }
    const name = fn && !fn.startsWith('async ') ? fn : fn?.replace(/^async /, '');
    const at = `${script.label}:${pos.line}:${pos.column}`;
    traceback.push(name && name !== '<anonymous>' ? `    at ${name} (${at})` : `    at ${at}`);
  }
  return { ename, evalue, traceback, line, column };
}
