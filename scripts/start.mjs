// `npm start`: the examples in a real VS Code in the browser, with this repository's extension loaded.
// Installs code-server on first use (scripts/setupTools.mjs, into the git-ignored tools/), builds, copies the
// example notebooks into out/examples-workspace/, starts code-server and prints the URL to open.
//
// Usage: npm start [-- --port 8080] [-- --reset] [-- --no-build] [-- --state DIR]
//   --port N     listen on 127.0.0.1:N (default: $PORT, else 8080, else any free port)
//   --reset      copy the examples afresh, dropping edits and outputs made in the workspace copy
//   --no-build   use dist/ as it is
//   --state DIR  keep the VS Code profile and the workspace copy under DIR (default .state/code-server, out/)
//
// Security, as Jupyter does it: code-server asks for a random password, which the printed URL carries as a token
// (the first visit trades it for a session cookie); it listens on a unix socket in a private folder, and only
// the front door (scripts/frontDoor.mjs) listens on 127.0.0.1, refusing a foreign Host or Origin (DNS
// rebinding, other sites' pages). Workspace trust stays on: VS Code asks before it runs anything of a folder.
//
// Stopping: Ctrl-C, or SIGINT/SIGTERM/SIGHUP to this process, stops code-server, its extension hosts and the
// kernels they started (code-server runs in its own process group; processes that left it are ended too), and
// this process exits once they have.
//
// Why a copy of media/examples: running a notebook writes outputs (and edits) into the .ipynb file. The repository
// keeps its examples without outputs (the tests run them, diffs stay readable), so the workbench opens a copy under
// out/ (git-ignored). The copy persists between runs, so your changes survive a restart; --reset starts over.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFrontDoor } from './frontDoor.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const codeServerBin = join(root, 'tools', 'code-server', 'node_modules', '.bin', 'code-server');
const examples = join(root, 'media', 'examples');
const stateOption = option('--state');
const state = stateOption ? resolve(stateOption) : join(root, '.state', 'code-server');
const workspace = stateOption ? join(state, 'examples-workspace') : join(root, 'out', 'examples-workspace');

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

// A signal before code-server runs ends the script after the step in progress; after, it stops code-server first.
let stopRequested;
let stopServer;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (signal === 'SIGINT') console.log('\nstopping code-server');
    stopRequested ??= signal;
    if (stopServer) stopServer(0); else process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 })[signal]);
  });
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
  return copied;
}

/** A profile kept between runs, with settings that keep the workbench quiet and offline and open the README first. */
function prepareProfile() {
  const user = join(state, 'user-data', 'User');
  mkdirSync(user, { recursive: true });
  for (const d of ['extensions', 'xdg-config', 'xdg-data']) mkdirSync(join(state, d), { recursive: true });
  const settingsFile = join(user, 'settings.json');
  const settings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {};
  // written by earlier versions of this script: trust is the user's to give now
  delete settings['security.workspace.trust.enabled'];
  const quiet = JSON.parse(readFileSync(join(root, 'scripts', 'codeServerSettings.json'), 'utf8'));
  const firstRun = { 'workbench.colorTheme': 'Default Light Modern', 'workbench.startupEditor': 'readme' };
  writeFileSync(settingsFile, JSON.stringify({ ...quiet, ...firstRun, ...settings }, null, 2) + '\n');
}

/**
 * Installs this repository as a user extension of the profile: a link to it in the extensions folder, listed in
 * its extensions.json, as `code-server --install-extension` would list a copy. Loaded as an extension under
 * development instead, VS Code would title the window "[Extension Development Host]" (a prefix no setting drops).
 * The link serves the repository as it is: a rebuild shows at the next window reload.
 */
function linkExtension() {
  const { publisher, name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const id = `${publisher}.${name}`;
  const dir = join(state, 'extensions');
  const folder = `${id}-${version}`;
  for (const old of readdirSync(dir)) if (old.startsWith(`${id}-`)) rmSync(join(dir, old), { recursive: true, force: true });
  symlinkSync(root, join(dir, folder), 'dir');
  const listFile = join(dir, 'extensions.json');
  const listed = existsSync(listFile) ? JSON.parse(readFileSync(listFile, 'utf8')).filter((e) => e.identifier?.id !== id) : [];
  const location = join(dir, folder);
  listed.push({
    identifier: { id }, version, relativeLocation: folder,
    location: { $mid: 1, fsPath: location, external: `file://${location}`, path: location, scheme: 'file' },
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  });
  writeFileSync(listFile, JSON.stringify(listed));
  // VS Code caches the manifests of installed extensions: drop the cache so a changed package.json is read
  rmSync(join(state, 'user-data', 'CachedProfilesData'), { recursive: true, force: true });
}

/** Environment without the variables that would tie code-server to a VS Code this was started from. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE' && k !== 'PASSWORD' && k !== 'HASHED_PASSWORD'));
}

/** code-server's flags: its socket in a private folder, a password, workspace trust left on. */
function codeServerArgs(socketPath) {
  return [
    '--socket', socketPath, '--socket-mode', '600', '--auth', 'password',
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', join(state, 'user-data'), '--extensions-dir', join(state, 'extensions'),
  ];
}

function healthy(socketPath) {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/healthz', headers: { host: 'localhost' } }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Every process below `pid` (children, theirs, ...), with its process group: code-server's, kernels included. */
function descendants(pid) {
  let table;
  try { table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' }); } catch { return []; }
  const rows = table.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const out = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp, g] of rows) if (parents.has(pp) && !parents.has(p)) { parents.add(p); out.push({ pid: p, pgid: g }); grew = true; }
  }
  return out;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

if (!existsSync(join(root, 'tools', 'code-server', '.installed')) || !existsSync(codeServerBin)) {
  step(process.execPath, [join(root, 'scripts', 'setupTools.mjs'), '--no-browser']);
}
if (!args.includes('--no-build') || !existsSync(join(root, 'dist', 'extension.js'))) step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const copied = prepareWorkspace();
prepareProfile();
linkExtension();

const port = await choosePort();
const authority = `127.0.0.1:${port}`;
const base = `http://${authority}`;
const password = randomBytes(24).toString('base64url');
// A private folder (mkdtemp makes it 0700) for code-server's socket and the extension host's: their paths may
// not exceed 107 bytes, hence /tmp.
const tmp = mkdtempSync('/tmp/bpstart-');
const socketPath = join(tmp, 'code-server.sock');
const child = spawn(codeServerBin, codeServerArgs(socketPath), {
  detached: true, // its own process group: stopping ends the server, its extension hosts and their kernels together
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...cleanEnv(), PASSWORD: password, XDG_CONFIG_HOME: join(state, 'xdg-config'), XDG_DATA_HOME: join(state, 'xdg-data'), TMPDIR: tmp },
});
let log = '';
const keep = (b) => { log = (log + b.toString()).slice(-20000); };
child.stdout.on('data', keep);
child.stderr.on('data', keep);
let door;

let stopping = false;
/** Ends code-server's process group and every process it started (some may have left the group), then exits. */
stopServer = (code = 0) => {
  if (stopping) return;
  stopping = true;
  door?.close();
  door?.closeAllConnections();
  const tree = [{ pid: child.pid, pgid: child.pid }, ...descendants(child.pid)];
  const groups = new Set(tree.map((p) => p.pgid).filter((g) => g > 1 && g !== process.pid));
  const signal = (sig) => {
    for (const g of groups) { try { process.kill(-Number(g), sig); } catch { /* gone */ } }
    for (const p of tree) { try { process.kill(p.pid, sig); } catch { /* gone */ } }
  };
  signal('SIGTERM');
  const started = Date.now();
  const wait = setInterval(() => {
    const left = tree.filter((p) => alive(p.pid));
    if (left.length && Date.now() - started > 5000) signal('SIGKILL');
    if (left.length && Date.now() - started < 10_000) return;
    clearInterval(wait);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  }, 100);
};
child.once('exit', (code) => {
  if (stopping) return;
  console.error(`code-server exited (${code}). Its last output:\n${log}`);
  stopServer(1);
});
if (stopRequested) stopServer(0);
// `npm start` passes no SIGTERM on to this script (npm and its `sh -c` just exit): when the process that started
// us goes, we are re-parented, and stop as if signalled.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) stopServer(0); }, 500).unref();

const deadline = Date.now() + 60_000;
while (!(await healthy(socketPath))) {
  if (stopping) await new Promise(() => undefined);
  if (Date.now() > deadline) { console.error(`code-server did not answer within 60 s:\n${log}`); stopServer(1); }
  await new Promise((r) => setTimeout(r, 250));
}
door = await startFrontDoor({ port, socketPath, password, log: (line) => { if (process.env.BACKPROP_START_VERBOSE) console.error(`front door: ${line}`); } });
const url = `${base}/?folder=${encodeURIComponent(workspace)}&token=${password}`;
if (copied.length) console.log(`copied ${copied.length} example(s) into ${workspace}`);
console.log(`
Backprop Notebooks is running in VS Code (code-server ${base}, process ${child.pid}), with the extension installed from ${root}.
Open this URL in a browser on this machine (from elsewhere: ssh -L ${port}:127.0.0.1:${port} <this host>); it logs you in:

  ${url}

The password, should the browser ask for it: ${password}
VS Code asks whether you trust the folder: trust it to run the examples (they are this repository's).
Open a notebook from the Explorer (start with one-neuron.ipynb) and press "Run All". Ctrl-C here stops everything.
`);
