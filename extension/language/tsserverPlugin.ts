/*
 * A TypeScript server plugin that mutes VS Code's built-in TypeScript in the cells of notebooks on the Backprop
 * kernel: there it knows nothing of the engine or of the other cells (every value `any`, no engine names), and
 * the extension's own language service answers instead. Without it each hover, completion list and syntax error
 * would come twice, once wrong. Other files, and other notebooks, are left alone.
 *
 * It runs inside tsserver (built to node_modules/backprop-notebook-tsserver-plugin/, where tsserver looks for the
 * plugins extensions contribute). Which notebooks are on the kernel: the extension says so through the TypeScript
 * extension's configurePlugin (extension/language/builtinMute.ts). That message reaches only the semantic server,
 * and only once it has loaded its project; until then (and always in the syntax server, which answers while a
 * project loads) a saved notebook whose kernelspec is Backprop's counts as on the kernel: the controller selects
 * the kernel for those.
 */
import { readFileSync, statSync } from 'node:fs';
import type * as TS from 'typescript/lib/tsserverlibrary';
import type { MuteConfiguration } from './builtinMute';

/** tsserver's name for a cell: `^/vscode-notebook-cell/<authority>/<notebook path>#<cell>`. */
function notebookPathOfCell(fileName: string): string | undefined {
  const match = /^\^\/vscode-notebook-cell\/[^/]*(\/?[^#]*)#/.exec(fileName.replace(/\\/g, '/'));
  return match ? match[1].replace(/^\/?/, '/') : undefined;
}

const kernelspecs = new Map<string, { mtimeMs: number; ours: boolean }>();

/** Whether the notebook file at this URI path names the Backprop kernel in its metadata (cached by mtime). */
function writtenForKernel(uriPath: string): boolean {
  const file = /^\/[A-Za-z]:/.test(uriPath) ? uriPath.slice(1) : uriPath;
  try {
    const { mtimeMs } = statSync(file);
    const known = kernelspecs.get(file);
    if (known?.mtimeMs === mtimeMs) return known.ours;
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as { metadata?: { kernelspec?: { name?: unknown } } };
    const ours = notebook.metadata?.kernelspec?.name === 'backprop-ts';
    kernelspecs.set(file, { mtimeMs, ours });
    return ours;
  } catch {
    return false;   // untitled, unreadable or not JSON: only the extension's word counts
  }
}

const init: TS.server.PluginModuleFactory = () => {
  let configured: Set<string> | undefined;
  const isMuted = (fileName: string) => {
    const path = notebookPathOfCell(fileName);
    if (path === undefined) return false;
    return configured ? configured.has(path) : writtenForKernel(path);
  };
  return {
    create(info) {
      const ls = info.languageService;
      const proxy = Object.create(null) as TS.LanguageService;
      // every method is called with the service as `this` (bound, or method.call(ls, ...)), so taking it unbound is safe
      /* eslint-disable @typescript-eslint/unbound-method */
      for (const key of Object.keys(ls) as (keyof TS.LanguageService)[]) {
        const method = ls[key];
        (proxy as unknown as Record<string, unknown>)[key] = typeof method === 'function' ? (method as (...a: unknown[]) => unknown).bind(ls) : method;
      }
      const none = <A extends unknown[], R>(method: (fileName: string, ...rest: A) => R, empty: R) =>
        (fileName: string, ...rest: A): R => (isMuted(fileName) ? empty : method.call(ls, fileName, ...rest));
      proxy.getCompletionsAtPosition = none(ls.getCompletionsAtPosition, undefined);
      proxy.getQuickInfoAtPosition = none(ls.getQuickInfoAtPosition, undefined);
      proxy.getSignatureHelpItems = none(ls.getSignatureHelpItems, undefined);
      proxy.getDefinitionAtPosition = none(ls.getDefinitionAtPosition, undefined);
      proxy.getDefinitionAndBoundSpan = none(ls.getDefinitionAndBoundSpan, undefined);
      proxy.getTypeDefinitionAtPosition = none(ls.getTypeDefinitionAtPosition, undefined);
      proxy.getSyntacticDiagnostics = none(ls.getSyntacticDiagnostics, []);
      proxy.getSemanticDiagnostics = none(ls.getSemanticDiagnostics, []);
      proxy.getSuggestionDiagnostics = none(ls.getSuggestionDiagnostics, []);
      /* eslint-enable @typescript-eslint/unbound-method */
      return proxy;
    },
    onConfigurationChanged(config: MuteConfiguration) {
      configured = new Set(Array.isArray(config?.notebooks) ? config.notebooks.filter((p) => typeof p === 'string') : []);
    },
  };
};

export = init;
