/*
 * backprop-nb: runs Backprop notebooks headless through the same kernel as VS Code.
 * Exit status: 0 all cells ran (or --allow-errors), 1 a cell failed, 2 bad arguments, an unreadable notebook or a
 * file that could not be written (the other notebooks still run).
 */
import { parseArgs, UsageError, USAGE } from './args';
import { runNotebook } from './run';
import { NotebookError } from './notebook';
import { writeHtml } from './html';
import { OutputError } from './writeFileAtomic';
import { version } from '../package.json';
import { join } from 'node:path';
import type * as Jupyter from '../jupyter/main';

/** The Jupyter commands, from dist/jupyter.js (ZeroMQ and all): loaded only for them, never bundled here. */
const JUPYTER_COMMANDS = ['kernel', 'install-kernel'];

async function jupyter(argv: string[]): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known at run time, kept out of this bundle
  const bundle = require(join(__dirname, 'jupyter.js')) as typeof Jupyter;
  try {
    return await bundle.main(argv, join(__dirname, '..'));
  } catch (e) {
    if (!(e instanceof bundle.JupyterUsageError)) throw e;
    process.stderr.write(`backprop-nb: ${e.message}\n${bundle.JUPYTER_USAGE}\n`);
    return 2;
  }
}

async function main(argv: string[]): Promise<number> {
  if (JUPYTER_COMMANDS.includes(argv[0])) return jupyter(argv);
  const cmd = parseArgs(argv);
  if (cmd.command === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  if (cmd.command === 'version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  let failed = false;
  let unwritten = false;
  for (const notebook of cmd.notebooks) {
    let report;
    try {
      report = await runNotebook(notebook, cmd, (line) => process.stderr.write(`${line}\n`));
      process.stderr.write(`wrote ${report.outPath}\n`);
      if (cmd.html) process.stderr.write(`wrote ${writeHtml(report.outPath, cmd.html === true ? undefined : cmd.html)}\n`);
    } catch (e) {
      // One unreadable notebook or unwritable file does not stop the others; the exit status says so at the end.
      if (!(e instanceof NotebookError || e instanceof OutputError)) throw e;
      process.stderr.write(`backprop-nb: ${e.message}\n`);
      unwritten = true;
    }
    if (report?.failed) {
      failed = true;
      if (!cmd.allowErrors) return 1;
    }
  }
  return failed && !cmd.allowErrors ? 1 : unwritten ? 2 : 0;
}

// Kernels lead their own process groups, out of reach of the terminal's Ctrl+C: exiting ends them (see
// kernel/client/processGroup.ts), so a signal that stops the CLI exits it properly.
// (The Jupyter kernel handles its own signals: Jupyter stops it by message, or with SIGTERM once it has shut down.)
if (!JUPYTER_COMMANDS.includes(process.argv[2])) {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code));
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof UsageError || e instanceof NotebookError || e instanceof OutputError) {
    process.stderr.write(`backprop-nb: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`backprop-nb: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  }
});
