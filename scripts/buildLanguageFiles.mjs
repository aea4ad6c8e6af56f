// What type-aware cells need at run time, copied into dist/ (the .vsix has no node_modules): TypeScript itself as
// dist/typescript.js (one copy, loaded lazily by the extension's language service and by the kernel's fallback
// transpiler), the lib files of ES2022 and what @types/node asks for (dist/lib/), and @types/node with the
// undici-types it imports (dist/types/). Unchanged files are not copied again.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const tsLib = join(modules, 'typescript', 'lib');
/** `/// <reference lib="esnext.intl" />` → its file name, as TypeScript maps it. */
const { libMap } = createRequire(import.meta.url)('typescript');

function copy(from, to) {
  const a = statSync(from);
  if (existsSync(to)) { const b = statSync(to); if (b.size === a.size && b.mtimeMs >= a.mtimeMs) return; }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function copyTree(from, to, skip = () => false) {
  for (const name of readdirSync(from)) {
    const p = join(from, name);
    if (skip(relative(from, p))) continue;
    if (statSync(p).isDirectory()) copyTree(p, join(to, name), (r) => skip(join(name, r)));
    else if (name.endsWith('.d.ts')) copy(p, join(to, name));
  }
}

/** The files of these libs and of every lib they reference, transitively. */
function libClosure(names) {
  const seen = new Set();
  const visit = (name) => {
    const file = libMap.get(name);
    if (!file) throw new Error(`buildLanguageFiles: TypeScript has no lib "${name}"`);
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(tsLib, file), 'utf8');
    for (const m of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"/g)) visit(m[1]);
  };
  names.forEach(visit);
  return [...seen];
}

copy(join(tsLib, 'typescript.js'), join(root, 'dist', 'typescript.js'));
// tsserver loads an extension's plugin from <extension>/node_modules/<name> only (scripts/package.mjs puts it
// there in the .vsix; in a checkout, the extension folder is the repository).
export const pluginName = 'backprop-notebook-tsserver-plugin';
const plugin = join(modules, pluginName);
copy(join(root, 'dist', 'tsserverPlugin.js'), join(plugin, 'index.js'));
writeFileSync(join(plugin, 'package.json'), JSON.stringify({ name: pluginName, version: '0.0.0', private: true, main: 'index.js' }, null, 2) + '\n');
const nodeTypes = join(modules, '@types', 'node');
const nodeLibs = [...readFileSync(join(nodeTypes, 'index.d.ts'), 'utf8').matchAll(/\/\/\/\s*<reference lib="([^"]+)"/g)].map((m) => m[1]);
for (const file of libClosure(['es2022', ...nodeLibs])) copy(join(tsLib, file), join(root, 'dist', 'lib', file));
copyTree(nodeTypes, join(root, 'dist', 'types', 'node'), (r) => r === 'ts4.8');
copyTree(join(modules, 'undici-types'), join(root, 'dist', 'types', 'undici-types'));
