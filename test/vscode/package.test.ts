// The packaged extension: `vsce package` builds a small .vsix of the bundles, which installs into a fresh
// code-server with `--install-extension` and works there without this repository (no extensionDevelopmentPath, no
// node_modules): a notebook's cells run in its kernel and the renderer draws the graph.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundle, CODE_SERVER, requireArtefacts } from '../artefacts';
import { codeServerBin, repoRoot } from './codeServer';
import { openExamples, openNotebook, runAll, type Workbench } from './examplesUi';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
let tmp = '';
let vsix = '';
let extensionsDir = '';

before(() => {
  requireArtefacts(CODE_SERVER, bundle('extension.js'), bundle('kernel.js'), bundle('renderer.js'));
  tmp = mkdtempSync('/tmp/bp-package-');
  vsix = join(tmp, `${pkg.name}-${pkg.version}.vsix`);
  extensionsDir = join(tmp, 'extensions');
  mkdirSync(extensionsDir);
});
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

test('vsce packages the bundles only, into a small .vsix', { timeout: 120_000 }, () => {
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const ls = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(ls.status, 0, ls.stderr);
  const files = ls.stdout.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'media/icon.png', 'dist/extension.js', 'dist/kernel.js', 'dist/renderer.js', 'dist/plotRenderer.js']) {
    assert.ok(files.includes(f), `${f} is packaged`);
  }
  // declarations: the engine's, TypeScript's lib files and @types/node, for type-aware cells
  const stray = files.filter((f) => !/^(dist\/[^/]+\.(js|wasm)|dist\/.+\.d\.ts|media\/(icon\.png|examples\/[^/]+|datasets\/mnist\/[^/]+)|package\.json|README\.md|LICENSE)$/.test(f));
  assert.deepEqual(stray, [], 'nothing but bundles, declarations, the icon, the examples and the package files');
  // the Jupyter kernel, and ZeroMQ with it, are the CLI's: never in the extension
  assert.deepEqual(files.filter((f) => f === 'dist/jupyter.js' || f.includes('zeromq')), [], 'no Jupyter kernel, no ZeroMQ');
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--no-build', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(statSync(vsix).size < 10 * 1024 * 1024, `the .vsix stays under 10 MB (${statSync(vsix).size} bytes)`);
});

test('the .vsix installs into a fresh code-server and runs a notebook there', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(vsix), 'packaged by the previous test');
  const state = join(tmp, 'state');
  const install = spawnSync(codeServerBin, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(state, 'user-data')], {
    encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(state, 'xdg-config'), XDG_DATA_HOME: join(state, 'xdg-data') },
  });
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
  const id = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
  assert.ok(readdirSync(extensionsDir).includes(id), `installed as ${id} (found ${readdirSync(extensionsDir).join(', ')})`);
  assert.deepEqual(readdirSync(join(extensionsDir, id, 'node_modules')), ['backprop-notebook-tsserver-plugin'],
    'the installed extension carries no node_modules but the TypeScript server plugin');
  let wb: Workbench | undefined;
  try {
    wb = await openExamples({ extensionDevelopmentPath: null, extensionsDir });
    await openNotebook(wb.page, 'chain-rule.ipynb');
    const r = await runAll(wb, 'chain-rule.ipynb');
    const context = `\n${wb.consoleLines.filter((l) => /Extension Host|error/i.test(l)).slice(-30).join('\n')}`;
    assert.equal(r.failed, 0, `no cell failed${context}`);
    assert.equal(r.succeeded, r.codeCells, `every cell ran in the installed extension's kernel${context}`);
    assert.ok(r.graphs > 0, `the installed renderer drew the graph${context}`);
  } finally {
    await wb?.close();
  }
});
