/*
 * The command line of `backprop-nb`, parsed into options, or a UsageError whose message is the one line shown.
 *
 *   backprop-nb run <notebook.ipynb>... [--out <path> | --inplace | --out-dir <folder>] [--allow-errors] [--timeout <s>]
 *                   [--html [page.html]] [--max-output-mb <n>] [--tensor-memory-limit <MB>]
 */

/** The most text a cell may keep (the kernel's own upper bound, kernel/process/outbox.ts), in MB. */
const MAX_OUTPUT_MB = 32;

export class UsageError extends Error {}

export interface RunOptions {
  command: 'run';
  notebooks: string[];
  /** Where the executed notebook goes; see outputPath() in run.ts for the default. */
  out?: string;
  outDir?: string;
  inplace: boolean;
  allowErrors: boolean;
  /** Seconds a cell may run before it is interrupted; undefined for no limit. */
  timeout?: number;
  /** Also write the executed notebook as an HTML page: at this path, or (true) next to the output with .html. */
  html?: string | true;
  /** MB (2^20 bytes) of text a cell keeps (the kernel's default, 16, when undefined). */
  maxOutputMb?: number;
  /** Most MB the kernel's tensors may hold at once; undefined for the kernel's default (half the memory). */
  tensorMemoryMB?: number;
}

export type Command = RunOptions | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: backprop-nb run <notebook.ipynb>... [options]

Runs every code cell of a notebook in order in one Backprop kernel and writes the notebook with its outputs.

Options:
  --out <path>        write the executed notebook here (one notebook only)
  --out-dir <folder>  write each executed notebook into this folder, under its own name
  --inplace           overwrite the notebook
                      (default: <name>.out.ipynb next to the notebook)
  --allow-errors      keep going after a failing cell (exit 0); otherwise stop at it and exit 1
  --timeout <s>       interrupt a cell that runs longer than this many seconds (counts as a failure)
  --html [page.html]  also write the executed notebook as one self-contained HTML page
                      (default: next to the executed notebook, ending in .html)
  --max-output-mb <n> keep at most this many MB of each cell's text output (default 16, at most 32);
                      the rest is dropped with a note saying how much
  --tensor-memory-limit <MB>
                      most memory the kernel's tensors may hold at once; an op over it fails
                      with an error (default: half of the machine's memory)
  -h, --help          show this help
  --version           show the version

Jupyter (see the README's "Use it in Jupyter"):
  backprop-nb install-kernel [--user | --sys-prefix | --prefix DIR]   install the kernelspec backprop-ts
  backprop-nb kernel -f CONNECTION_FILE                               what that kernelspec runs`;

export function parseArgs(argv: string[]): Command {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return { command: 'help' };
  if (argv[0] === '--version') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(`unknown command '${command}' (expected 'run'; see --help)`);
  const opts: RunOptions = { command: 'run', notebooks: [], inplace: false, allowErrors: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--out': opts.out = value(); break;
      case '--out-dir': opts.outDir = value(); break;
      case '--inplace': opts.inplace = true; break;
      case '--allow-errors': opts.allowErrors = true; break;
      // the path is optional: taken only when the next argument names an .html file
      case '--html': opts.html = /\.html?$/i.test(rest[i + 1] ?? '') ? rest[++i] : true; break;
      case '--timeout': {
        const raw = value();
        const seconds = Number(raw);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${raw}'`);
        opts.timeout = seconds;
        break;
      }
      case '--max-output-mb': {
        const raw = value();
        const mb = Number(raw);
        if (!(mb > 0 && mb <= MAX_OUTPUT_MB) || raw.trim() === '') {
          throw new UsageError(`--max-output-mb must be a number of MB above 0 and at most ${MAX_OUTPUT_MB}, got '${raw}'`);
        }
        opts.maxOutputMb = mb;
        break;
      }
      case '--tensor-memory-limit': {
        const raw = value();
        const mb = Number(raw);
        if (!Number.isFinite(mb) || mb <= 0) throw new UsageError(`--tensor-memory-limit must be a positive number of MB, got '${raw}'`);
        opts.tensorMemoryMB = mb;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (see --help)`);
        opts.notebooks.push(arg);
    }
  }
  if (opts.notebooks.length === 0) throw new UsageError('no notebook given (usage: backprop-nb run <notebook.ipynb>)');
  if ([opts.out !== undefined, opts.inplace, opts.outDir !== undefined].filter(Boolean).length > 1) {
    throw new UsageError('choose one of --out, --out-dir and --inplace');
  }
  if (opts.out !== undefined && opts.notebooks.length > 1) throw new UsageError('--out takes one notebook; use --out-dir for several');
  if (typeof opts.html === 'string' && opts.notebooks.length > 1) throw new UsageError('--html <path> takes one notebook; use --html alone for several');
  return opts;
}
