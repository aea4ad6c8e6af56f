/*
 * The Jupyter side of `backprop-nb` (dist/jupyter.js, loaded by dist/cli.js for these two commands only, so the CLI
 * and the VS Code extension never load ZeroMQ otherwise):
 *
 *   backprop-nb install-kernel [--user | --sys-prefix | --prefix DIR]   writes the kernelspec backprop-ts
 *   backprop-nb kernel -f CONNECTION_FILE                               what that kernelspec runs
 */
import { join } from 'node:path';
import { readConnectionFile } from './connectionFile';
import { JupyterKernel } from './kernel';
import { installKernelSpec, type Where } from './kernelspec';

export const JUPYTER_USAGE = `Usage: backprop-nb install-kernel [--user | --sys-prefix | --prefix DIR]
       backprop-nb kernel -f CONNECTION_FILE

install-kernel writes the Jupyter kernelspec 'backprop-ts' ("Backprop (TypeScript)"):
  --user          in your Jupyter data folder (the default)
  --sys-prefix    in the Python environment's share/jupyter/kernels (JupyterHub images)
  --prefix DIR    in DIR/share/jupyter/kernels
kernel is what the kernelspec runs; Jupyter gives it the connection file.`;

/** Thrown for a bad command line: its message is the one line shown, and the exit status is 2. */
export class JupyterUsageError extends Error {}

/** Runs `install-kernel` or `kernel`; resolves with the exit status. `root` is the package's folder. */
export async function main(argv: string[], root: string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'install-kernel') {
    const dir = installKernelSpec(parseWhere(rest), join(root, 'dist', 'cli.js'), join(root, 'media', 'icon.png'));
    process.stdout.write(`installed the Jupyter kernel backprop-ts ("Backprop (TypeScript)") in ${dir}\n`);
    return 0;
  }
  if (command === 'kernel') {
    const at = rest.findIndex((a) => a === '-f' || a === '--connection-file');
    const file = at >= 0 ? rest[at + 1] : undefined;
    if (!file) throw new JupyterUsageError('kernel needs -f CONNECTION_FILE (Jupyter passes it; see install-kernel)');
    const log = (line: string) => { process.stderr.write(`[backprop-ts] ${line}\n`); };
    const kernel = new JupyterKernel(readConnectionFile(file), { root, kernelPath: join(root, 'dist', 'kernel.js'), log });
    // Jupyter ends a kernel it cannot reach by message with SIGTERM; SIGINT is the terminal's (interrupts come by message)
    process.once('SIGTERM', () => { void kernel.close(); });
    process.on('SIGINT', () => undefined);
    await kernel.start();
    await kernel.closed;
    // the kernel process and its group have ended; nothing else may keep Jupyter waiting for this one
    process.exit(0);
  }
  throw new JupyterUsageError(`unknown command '${command}'`);
}

function parseWhere(args: string[]): Where {
  if (args.length === 0 || (args.length === 1 && args[0] === '--user')) return { kind: 'user' };
  if (args.length === 1 && args[0] === '--sys-prefix') return { kind: 'sys-prefix' };
  if (args.length === 2 && args[0] === '--prefix') return { kind: 'prefix', dir: args[1] };
  throw new JupyterUsageError(`install-kernel takes one of --user, --sys-prefix, --prefix DIR (got '${args.join(' ')}')`);
}
