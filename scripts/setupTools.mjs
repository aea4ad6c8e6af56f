// Installs what the VS Code and Jupyter tests need outside npm: Debian's chromium, libkrb5-dev, ripgrep and Jupyter's clients
// (python3-jupyter-client, -nbclient, -nbformat), and code-server (a real VS Code: server + web workbench) into the git-ignored tools/code-server/. Idempotent; fast when done.
// Usage: node scripts/setupTools.mjs        (npm test calls it before the build)
//        node scripts/setupTools.mjs --no-browser   (npm start: code-server only, chromium is for the tests)
//
// Why code-server and not @vscode/test-electron: the latter downloads VS Code from Microsoft, which offline machines
// and this CI cannot reach; code-server comes from npm. 4.100.3 (VS Code 1.100.3) is the last release that runs on
// Node 20, hence the pin, and why engines.vscode and @types/vscode stay at 1.100.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const codeServerVersion = '4.100.3';
const debianPackages = ['chromium', 'libkrb5-dev', 'ripgrep'].filter((p) => p !== 'chromium' || !process.argv.includes('--no-browser'));
// The Jupyter tests' clients (test/jupyter/): not needed to start VS Code (`npm start` passes --no-browser).
if (!process.argv.includes('--no-browser')) debianPackages.push('python3-jupyter-client', 'python3-nbclient', 'python3-nbformat');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolDir = join(root, 'tools', 'code-server');
const stamp = join(toolDir, '.installed');
export const codeServerBin = join(toolDir, 'node_modules', '.bin', 'code-server');
const bundledRg = join(toolDir, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

function must(cmd, args, opts = {}) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.stdout ?? '';
}

function missingDebianPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...debianPackages], { encoding: 'utf8' });
  if (r.error) {
    console.error(`setupTools: no dpkg-query here (${r.error.message}). The VS Code tests expect Debian with the packages ` +
      `${debianPackages.join(', ')}; elsewhere run only the unit tests: npm test -- --unit`);
    process.exit(1);
  }
  const installed = new Set((r.stdout ?? '').split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return debianPackages.filter((p) => !installed.has(p));
}

/** apt refuses to run twice at once; wait for another apt/dpkg (e.g. unattended upgrades) to finish. */
function waitForOtherApt() {
  for (let i = 0; i < 600; i++) {
    if (run('pgrep', ['-x', 'apt-get|apt|dpkg']).status !== 0) return;
    if (i === 0) console.log('setupTools: waiting for another apt/dpkg process to finish');
    spawnSync('sleep', ['1']);
  }
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (!missing.length) return;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`setupTools: missing Debian packages ${missing.join(', ')}. Run as root:\n  ${cmd}`);
    process.exit(1);
  }
  console.log(`setupTools: ${cmd}`);
  waitForOtherApt();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  must('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  must('apt-get', ['install', '-y', '-qq', ...missing], { env, stdio: 'inherit' });
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable). It first looks in
 * $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<tag>-<target>.tar.gz, so seed that with Debian's rg
 * (13.0.0, the ripgrep release VS Code ships). Version and tag are read from the tarballs, not hard-coded.
 */
function seedRipgrepCache(tmp) {
  must('npm', ['pack', '--silent', `code-server@${codeServerVersion}`], { cwd: tmp });
  const csTgz = readdirSync(tmp).find((f) => f.startsWith('code-server-') && f.endsWith('.tgz'));
  must('tar', ['xzf', csTgz, 'package/lib/vscode/npm-shrinkwrap.json'], { cwd: tmp });
  const shrinkwrap = JSON.parse(readFileSync(join(tmp, 'package/lib/vscode/npm-shrinkwrap.json'), 'utf8'));
  const rgVersion = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!rgVersion) return;
  rmSync(join(tmp, 'package'), { recursive: true, force: true });
  must('npm', ['pack', '--silent', `@vscode/ripgrep@${rgVersion}`], { cwd: tmp });
  const rgTgz = readdirSync(tmp).find((f) => f.startsWith('vscode-ripgrep-') && f.endsWith('.tgz'));
  must('tar', ['xzf', rgTgz, 'package/lib/postinstall.js'], { cwd: tmp });
  const tag = /^const VERSION = '(.*)';/m.exec(readFileSync(join(tmp, 'package/lib/postinstall.js'), 'utf8'))?.[1];
  if (!tag) throw new Error(`could not read the ripgrep tag of @vscode/ripgrep@${rgVersion}`);
  const cache = join(tmp, `vscode-ripgrep-cache-${rgVersion}`);
  mkdirSync(join(tmp, 'rgsrc'), { recursive: true });
  mkdirSync(cache, { recursive: true });
  copyFileSync('/usr/bin/rg', join(tmp, 'rgsrc', 'rg'));
  must('tar', ['czf', join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`), '-C', join(tmp, 'rgsrc'), 'rg']);
  console.log(`setupTools: seeded the ripgrep cache (@vscode/ripgrep ${rgVersion} wants ${tag})`);
}

function installCodeServer() {
  console.log(`setupTools: installing code-server ${codeServerVersion} into tools/code-server (about a minute)`);
  const tmp = join(toolDir, '.tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  rmSync(stamp, { force: true });
  const pkg = join(toolDir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, '{ "name": "code-server-tool", "private": true }\n');
  const env = {
    ...process.env,
    TMPDIR: tmp,
    // code-server's postinstall refuses to run as root without it (npm 11 warns it is unknown, still exports it).
    npm_config_unsafe_perm: 'true',
    // node-pty's postinstall runs `npx node-gyp`; a user npmrc with yes=false would cancel it.
    npm_config_yes: 'true',
    // keeps native builds and the nested npm installs of the postinstall running if npm blocks unapproved scripts.
    npm_config_dangerously_allow_all_scripts: 'true',
  };
  seedRipgrepCache(tmp);
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts',
    `code-server@${codeServerVersion}`], { cwd: toolDir, env, maxBuffer: 1 << 28 });
  writeFileSync(join(toolDir, 'install.log'), `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0 || !existsSync(bundledRg)) {
    console.error(`setupTools: code-server install failed; tail of tools/code-server/install.log:`);
    console.error(`${r.stdout}\n${r.stderr}`.split('\n').slice(-40).join('\n'));
    process.exit(1);
  }
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(stamp, `${codeServerVersion}\n`);
  console.log(`setupTools: code-server ${codeServerVersion} installed`);
}

function installedVersion() {
  try { return readFileSync(stamp, 'utf8').trim(); } catch { return ''; }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureDebianPackages();
  if (installedVersion() !== codeServerVersion || !existsSync(codeServerBin) || !existsSync(bundledRg)) installCodeServer();
}
