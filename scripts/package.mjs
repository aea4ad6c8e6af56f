// `npm run package`: builds, then packs the extension into out/<name>-<version>.vsix with @vscode/vsce.
// What goes in is decided by .vscodeignore (bundles, media, README, LICENSE, package.json); the bundles carry
// their dependencies, so vsce runs with --no-dependencies. Install with `code --install-extension <file>`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'out', `${pkg.name}-${pkg.version}.vsix`);

function step(cmd, argv) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
mkdirSync(dirname(out), { recursive: true });
step(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out]);
console.log(`\n${relative(process.cwd(), out) || out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
console.log(`install it with:  code --install-extension ${out}   (or code-server --install-extension …)`);
