// Starts code-server (a real VS Code 1.100: server + web workbench, installed by scripts/setupTools.mjs) on a free
// loopback port with a fresh profile, and stops it with its whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const codeServerBin = join(repoRoot, 'tools', 'code-server', 'node_modules', '.bin', 'code-server');

export interface CodeServer {
  /** e.g. `http://127.0.0.1:41234` */
  base: string;
  /** host:port, the remote authority of `vscode-remote://` URIs the workbench accepts. */
  authority: string;
  /** Everything code-server printed so far (the extension host's stderr lands here too). */
  log(): string;
  stop(): Promise<void>;
}

/** User settings of the fresh profile: the quiet, offline ones `npm start` uses too, plus no welcome page. */
const settings = {
  ...(JSON.parse(readFileSync(join(repoRoot, 'scripts', 'codeServerSettings.json'), 'utf8')) as Record<string, unknown>),
  'workbench.startupEditor': 'none',
  'files.autoSave': 'off',
  'editor.hover.delay': 100,
};

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The extension host's unix sockets live in $TMPDIR and their paths may not exceed 107 bytes: keep it short. */
function shortTempDir(): string {
  const base = existsSync('/tmp') ? '/tmp' : tmpdir();
  return mkdtempSync(join(base, 'bpcs-'));
}

/** The environment of the test runner minus what would make code-server talk to an enclosing VS Code. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  }
  return env;
}

async function healthy(base: string): Promise<boolean> {
  try { return (await fetch(`${base}/healthz`)).ok; } catch { return false; }
}

/**
 * Starts code-server on 127.0.0.1 with a fresh user-data, extensions, XDG and TMPDIR under one short temp folder.
 * `env` reaches the extension host (and so the extension and the kernels it forks). `opts.extensionsDir`: use
 * these installed extensions (e.g. a .vsix installed with `code-server --install-extension`) instead of none.
 */
export async function startCodeServer(env: Record<string, string> = {}, opts: { extensionsDir?: string } = {}): Promise<CodeServer> {
  if (!existsSync(codeServerBin)) throw new Error(`${codeServerBin} is missing: run node scripts/setupTools.mjs`);
  const state = shortTempDir();
  for (const d of ['user-data/User', 'extensions', 'xdg-config', 'xdg-data', 'tmp']) mkdirSync(join(state, d), { recursive: true });
  writeFileSync(join(state, 'user-data/User/settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const base = `http://${authority}`;
  let output = '';
  const child: ChildProcess = spawn(codeServerBin, [
    '--bind-addr', authority, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', join(state, 'user-data'), '--extensions-dir', opts.extensionsDir ?? join(state, 'extensions'),
  ], {
    // its own process group, so stop() ends the server, its extension hosts and the kernels they forked
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...cleanEnv(), ...env,
      // without these code-server writes ~/.config/code-server/config.yaml and sockets into /tmp
      XDG_CONFIG_HOME: join(state, 'xdg-config'), XDG_DATA_HOME: join(state, 'xdg-data'), TMPDIR: join(state, 'tmp'),
    },
  });
  child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => { alive = false; });

  const stop = async (): Promise<void> => {
    if (alive && child.pid) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(state, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (!(await healthy(base))) {
    if (!alive) { await stop(); throw new Error(`code-server exited before it answered:\n${output}`); }
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server did not answer /healthz within 60 s:\n${output}`); }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, authority, log: () => output, stop };
}
