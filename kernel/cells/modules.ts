/*
 * What `import`/`require` mean in a cell: the engine under its names ('backprop', 'backprop-notebook',
 * 'backprop-notebook/engine') is the very module whose names are globals (one Tensor class); anything else
 * resolves from the notebook's folder (packages installed next to it), then from the kernel (Node built-ins).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as engine from '../engine';

const ENGINE_NAMES = new Set(['backprop', 'backprop-notebook', 'backprop-notebook/engine']);

let notebookRequire: NodeRequire = createRequire(join(process.cwd(), 'notebook.ipynb'));

/** Resolves later imports from this folder. */
export function setNotebookFolder(folder: string): void {
  notebookRequire = createRequire(join(folder, 'notebook.ipynb'));
}

/** The module a cell's `import ... from spec` or `require(spec)` gets. */
export function load(spec: string): unknown {
  if (ENGINE_NAMES.has(spec)) return engine;
  return notebookRequire(spec);
}

/** `import x from 'm'`: the default export of an ES module compiled to CommonJS, else the module itself. */
export function importDefault(mod: unknown): unknown {
  const m = mod as { __esModule?: boolean; default?: unknown } | null;
  return m && m.__esModule && 'default' in m ? m.default : mod;
}

/** `import(spec)` in a cell: a namespace-like object of the module, with `default` as ES modules have. */
export async function dynamicImport(spec: string): Promise<unknown> {
  const mod = load(spec);
  return mod !== null && typeof mod === 'object' ? { ...mod, default: importDefault(mod) } : { default: mod };
}

/** The `require` function cells see. */
export function cellRequire(spec: string): unknown {
  return load(spec);
}
cellRequire.resolve = (spec: string) => notebookRequire.resolve(spec);
