// Where the declarations a cell is checked against live: the engine's (engine.d.ts, and cells.d.ts declaring its
// names as globals), TypeScript's lib files and @types/node. The build copies the last two into dist/ so the
// .vsix has them; from a checkout without that copy they are taken from node_modules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface LanguageFiles {
  /** Folder holding `engine.d.ts` (the module `backprop`) and `cells.d.ts` (the globals of a cell). */
  declarations: string;
  /** Folder of TypeScript's `lib.*.d.ts`. */
  lib: string;
  /** Folder holding `node/` (@types/node) and `undici-types/` (which @types/node imports). */
  types: string;
}

/** The layout under an extension folder: dist/ when the build copied the files there, else node_modules. */
export function languageFiles(root: string, declarations = join(root, 'dist')): LanguageFiles {
  const lib = join(root, 'dist', 'lib');
  if (existsSync(join(lib, 'lib.es2022.d.ts'))) return { declarations, lib, types: join(root, 'dist', 'types') };
  return { declarations, lib: join(root, 'node_modules', 'typescript', 'lib'), types: join(root, 'node_modules', '@types') };
}

/** What is missing for the language service to work, or undefined when everything is there. */
export function missingLanguageFile(files: LanguageFiles): string | undefined {
  const needed = [join(files.declarations, 'engine.d.ts'), join(files.declarations, 'cells.d.ts'),
    join(files.lib, 'lib.es2022.d.ts'), join(files.types, 'node', 'index.d.ts')];
  return needed.find((f) => !existsSync(f));
}
