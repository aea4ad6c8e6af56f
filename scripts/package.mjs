// `npm run package`: builds, then packs the extension into out/<name>-<version>.vsix with @vscode/vsce.
// What goes in is decided by .vscodeignore (bundles, media, README, LICENSE, package.json); the bundles carry
// their dependencies. One file must sit in node_modules: the TypeScript server plugin (tsserver loads plugins from
// <extension>/node_modules/<name> only), and vsce packs node_modules only as dependencies listed by npm. So the
// files vsce lists are copied into out/vsix-stage/ with the plugin as the one dependency, and packed from there.
// Install with `code --install-extension <file>`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// --out FILE: where the .vsix goes; --no-build: package what dist/ holds
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1] : join(root, 'out', `${pkg.name}-${pkg.version}.vsix`);

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const plugin = 'backprop-notebook-tsserver-plugin';

function step(cmd, argv, cwd = root, stdio = 'inherit') {
  const r = spawnSync(cmd, argv, { stdio, cwd, encoding: 'utf8' });
  if (r.status !== 0) { if (stdio !== 'inherit') process.stderr.write(r.stderr ?? ''); process.exit(r.status ?? 1); }
  return r.stdout;
}

if (!process.argv.includes('--no-build')) step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const stage = join(root, 'out', 'vsix-stage');
rmSync(stage, { recursive: true, force: true });
const files = step(process.execPath, [vsce, 'ls', '--no-dependencies'], root, 'pipe').split('\n').filter(Boolean);
for (const f of files) {
  mkdirSync(dirname(join(stage, f)), { recursive: true });
  copyFileSync(join(root, f), join(stage, f));
}
mkdirSync(join(stage, 'node_modules', plugin), { recursive: true });
copyFileSync(join(root, 'dist', 'tsserverPlugin.js'), join(stage, 'node_modules', plugin, 'index.js'));
writeFileSync(join(stage, 'node_modules', plugin, 'package.json'), JSON.stringify({ name: plugin, version: '0.0.0', main: 'index.js' }));
writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...pkg, dependencies: { [plugin]: '0.0.0' } }, null, 2));
writeFileSync(join(stage, '.vscodeignore'), readFileSync(join(root, '.vscodeignore'), 'utf8') + `!node_modules/${plugin}/*\n`);
mkdirSync(dirname(out), { recursive: true });
step(process.execPath, [vsce, 'package', '--out', out], stage);
rmSync(stage, { recursive: true, force: true });
console.log(`\n${relative(process.cwd(), out) || out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
console.log(`install it with:  code --install-extension ${out}   (or code-server --install-extension …)`);
