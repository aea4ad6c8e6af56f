/*
 * `backprop-nb install-kernel`: writes the kernelspec `backprop-ts` where Jupyter looks for kernels, as
 * `jupyter kernelspec install` would: `--user` (the default) in the user's Jupyter data folder, `--sys-prefix` in
 * the Python environment's (`<sys.prefix>/share/jupyter/kernels`, where a JupyterHub image's Jupyter looks),
 * `--prefix DIR` in `DIR/share/jupyter/kernels`. The spec runs `backprop-nb kernel -f {connection_file}` with this
 * Node and this CLI, by absolute path: a hub's kernels do not inherit the installer's PATH.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KERNEL_NAME = 'backprop-ts';
export const DISPLAY_NAME = 'Backprop (TypeScript)';

export type Where = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'message' | 'signal';
  metadata: Record<string, unknown>;
}

/** The spec that runs the CLI at `cliPath` with this Node. */
export function kernelSpec(cliPath: string): KernelSpec {
  return {
    argv: [process.execPath, cliPath, 'kernel', '-f', '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    // the front process stays responsive while a cell runs: it is told to interrupt by a message
    interrupt_mode: 'message',
    metadata: { debugger: false },
  };
}

/** The user's Jupyter data folder, as jupyter_core computes it. */
function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'jupyter');
}

/** The Python environment Jupyter runs in: `$PYTHON` or python3's `sys.prefix`. */
function sysPrefix(): string {
  const python = process.env.PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
  try {
    return execFileSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`install-kernel --sys-prefix: could not ask ${python} for sys.prefix (${(e as Error).message.split('\n')[0]}); use --prefix DIR`, { cause: e });
  }
}

/** The folder of the kernelspec for `where`. */
export function kernelDir(where: Where): string {
  const data = where.kind === 'user' ? userDataDir() : join(where.kind === 'prefix' ? where.dir : sysPrefix(), 'share', 'jupyter');
  return join(data, 'kernels', KERNEL_NAME);
}

/** Writes kernel.json (and the logo, when the package has its icon) and returns the folder. */
export function installKernelSpec(where: Where, cliPath: string, icon?: string): string {
  const dir = kernelDir(where);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(kernelSpec(cliPath), null, 2) + '\n');
  if (icon && existsSync(icon)) copyFileSync(icon, join(dir, 'logo-64x64.png'));
  return dir;
}
