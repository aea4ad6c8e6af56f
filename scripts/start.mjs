// `npm start`: the examples in a real VS Code in the browser, with this repository's extension loaded.
// Installs code-server on first use (scripts/setupTools.mjs, into the git-ignored tools/), builds, copies the
// example notebooks into out/examples-workspace/, starts code-server on 127.0.0.1 and prints the URL to open.
// Ctrl-C stops code-server, its extension host and the kernels it started (one process group).
//
// Usage: npm start [-- --port 8080] [-- --reset]
//   --port N   listen on 127.0.0.1:N (default: $PORT, else 8080, else any free port)
//   --reset    copy the examples afresh, dropping edits and outputs made in the workspace copy
//
// Why a copy of media/examples: running a notebook writes outputs (and edits) into the .ipynb file. The repository
// keeps its examples without outputs (the tests run them, diffs stay readable), so the workbench opens a copy under
// out/ (git-ignored). The copy persists between runs, so your changes survive a restart; --reset starts over.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const codeServerBin = join(root, 'tools', 'code-server', 'node_modules', '.bin', 'code-server');
const examples = join(root, 'media', 'examples');
const workspace = join(root, 'out', 'examples-workspace');
const state = join(root, '.state', 'code-server');

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function step(cmd, argv) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function choosePort() {
  const wanted = Number(option('--port') ?? process.env.PORT ?? 8080);
  if (await portFree(wanted)) return wanted;
  if (option('--port')) { console.error(`start: port ${wanted} is in use`); process.exit(1); }
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

/** Copies the example notebooks (and their README) that the workspace does not have yet; all of them with --reset. */
function prepareWorkspace() {
  if (args.includes('--reset')) rmSync(workspace, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  const copied = [];
  for (const name of readdirSync(examples)) {
    if (!/\.(ipynb|md)$/.test(name) || existsSync(join(workspace, name))) continue;
    copyFileSync(join(examples, name), join(workspace, name));
    copied.push(name);
  }
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const settings = join(workspace, '.vscode', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ 'workbench.startupEditor': 'readme' }, null, 2) + '\n');
  return copied;
}

/** A fresh-enough profile: kept in .state/ between runs, with settings that keep the workbench quiet and offline. */
function prepareProfile() {
  const user = join(state, 'user-data', 'User');
  mkdirSync(user, { recursive: true });
  for (const d of ['extensions', 'xdg-config', 'xdg-data']) mkdirSync(join(state, d), { recursive: true });
  const settingsFile = join(user, 'settings.json');
  const settings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {};
  const quiet = JSON.parse(readFileSync(join(root, 'scripts', 'codeServerSettings.json'), 'utf8'));
  writeFileSync(settingsFile, JSON.stringify({ ...quiet, 'workbench.colorTheme': 'Default Light Modern', ...settings }, null, 2) + '\n');
}

/** Environment without the variables that would tie code-server to a VS Code this was started from. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE'));
}

async function healthy(base) {
  try { return (await fetch(`${base}/healthz`)).ok; } catch { return false; }
}

if (!existsSync(join(root, 'tools', 'code-server', '.installed')) || !existsSync(codeServerBin)) {
  step(process.execPath, [join(root, 'scripts', 'setupTools.mjs'), '--no-browser']);
}
step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const copied = prepareWorkspace();
prepareProfile();

const port = await choosePort();
const authority = `127.0.0.1:${port}`;
const base = `http://${authority}`;
// The extension host's unix sockets live in $TMPDIR, and their paths may not exceed 107 bytes.
const tmp = mkdtempSync('/tmp/bpstart-');
const child = spawn(codeServerBin, [
  '--bind-addr', authority, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--disable-getting-started-override',
  '--user-data-dir', join(state, 'user-data'), '--extensions-dir', join(state, 'extensions'),
], {
  detached: true, // its own process group: Ctrl-C ends the server, its extension hosts and their kernels together
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...cleanEnv(), XDG_CONFIG_HOME: join(state, 'xdg-config'), XDG_DATA_HOME: join(state, 'xdg-data'), TMPDIR: tmp },
});
let log = '';
const keep = (b) => { log = (log + b.toString()).slice(-20000); };
child.stdout.on('data', keep);
child.stderr.on('data', keep);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try { if (child.pid) process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const force = setTimeout(() => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  const done = () => { clearTimeout(force); rmSync(tmp, { recursive: true, force: true }); process.exit(code); };
  if (child.exitCode !== null || child.signalCode !== null) done(); else child.once('exit', done);
}
process.on('SIGINT', () => { console.log('\nstopping code-server'); stop(0); });
process.on('SIGTERM', () => stop(0));
child.once('exit', (code) => {
  if (stopping) return;
  console.error(`code-server exited (${code}). Its last output:\n${log}`);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});

const deadline = Date.now() + 60_000;
while (!(await healthy(base))) {
  if (Date.now() > deadline) { console.error(`code-server did not answer within 60 s:\n${log}`); stop(1); }
  await new Promise((r) => setTimeout(r, 250));
}
const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${root}`]];
const url = `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
if (copied.length) console.log(`copied ${copied.length} example(s) into ${workspace}`);
console.log(`
Backprop Notebooks is running in VS Code (code-server ${base}), with the extension loaded from ${root}.
Open this URL in a browser on this machine (from elsewhere: ssh -L ${port}:127.0.0.1:${port} <this host>):

  ${url}

Open a notebook from the Explorer (start with one-neuron.ipynb) and press "Run All". Ctrl-C here stops everything.
`);
