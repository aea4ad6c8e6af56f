/*
 * `backprop-nb run`: every code cell of a notebook, in order, in one kernel; the outputs go back into the
 * notebook. Progress goes to stderr, one line per cell.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { KernelClient, type CellResult, type RunOptions } from '../kernel/client/client';
import { MAX_OUTPUT_ENV, TENSOR_MEMORY_ENV } from '../kernel/client/protocol';
import { cellLanguage, cellSource, Notebook, NotebookError, parseNotebook, serializeNotebook, toNbOutput } from './notebook';
import type { RunOptions as CliOptions } from './args';
import { writeFileAtomic } from './writeFileAtomic';

/** After an interrupt for --timeout, how long the kernel gets to stop before it is killed. */
const KILL_AFTER_MS = 5000;

export interface RunReport { path: string; outPath: string; failed: boolean }

/** Where the executed notebook goes: --out, --out-dir/<name>, the notebook itself (--inplace), or <name>.out.ipynb next to it. */
export function outputPath(notebook: string, opts: CliOptions): string {
  if (opts.out !== undefined) return resolve(opts.out);
  if (opts.outDir !== undefined) return resolve(opts.outDir, basename(notebook));
  if (opts.inplace) return resolve(notebook);
  return resolve(dirname(notebook), basename(notebook).replace(/(\.ipynb)?$/, '.out.ipynb'));
}

export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotebookError(code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path} is a folder, not a notebook` : `${path}: ${(e as Error).message}`);
  }
  return parseNotebook(text, path);
}

/** Runs one notebook; returns whether a cell failed. `log` gets the progress lines. */
export async function runNotebook(path: string, opts: CliOptions, log: (line: string) => void, kernelPath?: string): Promise<RunReport> {
  const nb = readNotebook(path);
  const absolute = resolve(path);
  const outPath = outputPath(path, opts);
  const code = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === 'code');
  log(`running ${path} (${code.length} code cells)`);
  const env: Record<string, string> = {};
  if (opts.maxOutputMb !== undefined) env[MAX_OUTPUT_ENV] = String(Math.max(1, Math.round(opts.maxOutputMb * 2 ** 20)));
  if (opts.tensorMemoryMB !== undefined) env[TENSOR_MEMORY_ENV] = String(opts.tensorMemoryMB);
  const kernel = await KernelClient.start({ kernelPath, cwd: dirname(absolute), env });
  let failed = false;
  let count = 0;
  try {
    for (const [k, { c, i }] of code.entries()) {
      const source = cellSource(c);
      if (failed && !opts.allowErrors) {
        // Cells after the failure did not run: no stale outputs from an earlier run.
        c.outputs = [];
        c.execution_count = null;
        continue;
      }
      if (source.trim() === '') { c.outputs = []; c.execution_count = null; continue; }
      const executionCount = ++count;
      const prefix = `[${k + 1}/${code.length}] cell ${i + 1}`;
      const result = await runCell(kernel, source, {
        executionCount, cellId: c.id ?? `cell-${i + 1}`, language: cellLanguage(c, nb), notebookPath: absolute,
      }, opts.timeout);
      c.execution_count = executionCount;
      c.outputs = result.outputs.map(toNbOutput);
      log(`  ${prefix}: ${describeResult(result)} (${result.durationMs} ms)`);
      if (result.status !== 'ok') failed = true;
    }
  } finally {
    await kernel.shutdown();
  }
  writeFileAtomic(outPath, serializeNotebook(nb));
  return { path, outPath, failed };
}

function describeResult(r: CellResult): string {
  if (r.status === 'ok') return 'ok';
  const err = r.outputs.find((o) => o.kind === 'error');
  const what = err && err.kind === 'error' ? `${err.ename}: ${err.evalue}` : r.status;
  return `${r.status === 'error' ? 'failed' : r.status} - ${what.split('\n')[0]}`;
}

/**
 * Runs a cell; past `timeout` seconds it is interrupted, and if it has not stopped KILL_AFTER_MS later (stuck in
 * native code, like an execSync) the kernel is restarted. The next cell runs only once that restart is done.
 */
async function runCell(kernel: KernelClient, source: string, options: RunOptions, timeout?: number): Promise<CellResult> {
  if (timeout === undefined) return kernel.run(source, options);
  const stop = new AbortController();
  let restarting: Promise<unknown> | undefined;
  let killer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    stop.abort();
    killer = setTimeout(() => { restarting = kernel.restart(); }, KILL_AFTER_MS);
  }, timeout * 1000);
  try {
    const result = await kernel.run(source, { ...options, signal: stop.signal });
    clearTimeout(killer);
    await restarting;
    if (!stop.signal.aborted) return result;
    const outputs = result.outputs.filter((o) => o.kind !== 'error' || !o.ename.startsWith('Kernel'));
    const what = restarting
      ? `the cell ran longer than ${timeout} s and did not stop when interrupted, so the kernel was restarted: its variables are lost`
      : `the cell ran longer than ${timeout} s and was stopped`;
    outputs.push({ kind: 'error', ename: 'Timeout', evalue: what, traceback: [`Timeout: ${what}`] });
    return { ...result, status: 'error', outputs };
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
  }
}
