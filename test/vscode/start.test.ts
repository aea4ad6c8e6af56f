// `npm start` as a user runs it (scripts/start.mjs on a free port, a profile in a temporary folder): nothing is
// served without the password, a foreign Host or Origin is refused (DNS rebinding, other sites), the URL it
// prints logs in, and a SIGTERM to the script's own pid ends code-server and every process under it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './browser';
import { codeServerBin, freePort, repoRoot, type CodeServer } from './codeServer';
import { countInFrames, openNotebook, runAll, scrollToCell, type Workbench } from './examplesUi';

interface Answer { status: number; headers: IncomingHttpHeaders; body: string }

/** One HTTP request with the headers given as they are (Host included, which fetch does not allow). */
function get(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake: resolves with the status of the answer (101 when code-server took it). */
function upgrade(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path: '/healthz', agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

/** The pids below `pid`. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of rows) if (found.has(pp) && !found.has(p)) { found.add(p); grew = true; }
  }
  found.delete(pid);
  return [...found];
}

/** Polls until `probe` holds; fails with a message after `timeoutMs`. */
async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await probe()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: the renderer drew no graph`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('npm start', { skip: !existsSync(codeServerBin) && 'code-server is not installed (node scripts/setupTools.mjs)' }, () => {
  let script: ChildProcess;
  let port: number;
  let printed = '';
  let state: string;
  let exited: Promise<number | null>;

  before(async () => {
    port = await freePort();
    state = mkdtempSync(join(tmpdir(), 'bpstart-test-'));
    script = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--no-build', '--port', String(port), '--state', state], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => script.once('exit', (code) => resolve(code)));
    script.stdout!.on('data', (b: Buffer) => { printed += b.toString(); });
    script.stderr!.on('data', (b: Buffer) => { printed += b.toString(); });
    const deadline = Date.now() + 90_000;
    while (!/token=/.test(printed)) {
      if (Date.now() > deadline || script.exitCode !== null) throw new Error(`npm start printed no URL:\n${printed}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (script.exitCode === null) {
      for (const pid of [...descendants(script.pid!), script.pid!]) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    rmSync(state, { recursive: true, force: true });
  });

  const printedUrl = () => new URL(/http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+/.exec(printed)![0]);
  const host = () => `127.0.0.1:${port}`;

  test('without the password, the workbench answers with its login page', async () => {
    const answer = await get(port, '/', { host: host() });
    assert.equal(answer.status, 302);
    assert.match(String(answer.headers.location), /login/);
    assert.equal((await get(port, '/login', { host: host() })).status, 200);
  });

  test('a foreign Host or Origin is refused, page and WebSocket alike', async () => {
    assert.equal((await get(port, '/', { host: `x.example:${port}` })).status, 403);
    assert.equal((await get(port, '/login', { host: `x.example:${port}`, origin: `http://x.example:${port}` })).status, 403, 'a rebinding page: Host and Origin agree, both foreign');
    assert.equal((await get(port, '/login', { host: host(), origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(port, '/login', { host: `localhost:${port}` })).status, 200, 'localhost is this server too');
    assert.equal(await upgrade(port, { host: host(), origin: 'http://evil.example' }), 403);
    assert.equal(await upgrade(port, { host: `x.example:${port}`, origin: `http://x.example:${port}` }), 403);
  });

  test('the printed URL logs in, and drops the token from the address', async () => {
    const url = printedUrl();
    assert.equal(url.host, host());
    const wrong = new URL(url);
    wrong.searchParams.set('token', 'not-the-password');
    const refused = await get(port, wrong.pathname + wrong.search, { host: host() });
    assert.equal(refused.headers['set-cookie'], undefined, 'a wrong token gets no session');
    const login = await get(port, url.pathname + url.search, { host: host() });
    assert.equal(login.status, 302);
    const location = new URL(String(login.headers.location), url);
    assert.equal(location.searchParams.get('token'), null);
    assert.equal(location.searchParams.get('folder'), url.searchParams.get('folder'));
    const cookie = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    assert.match(cookie, /code-server-session=/);
    const workbench = await get(port, location.pathname + location.search, { host: host(), cookie });
    assert.equal(workbench.status, 200);
    assert.match(workbench.body, /workbench/i);
  });

  test('in a browser, the printed URL opens the workbench: it asks for trust, shows the README, and Run All draws graphs', async () => {
    const browser = await launchBrowser();
    const consoleLines: string[] = [];
    try {
      const { page } = browser;
      page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
      await page.goto(printedUrl().toString());
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      assert.doesNotMatch(page.url(), /token=/, 'the token is gone from the address bar');
      // workspace trust is on: VS Code asks before the folder's code may run
      const trust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Yes, I trust/ });
      await trust.waitFor({ timeout: 60_000 });
      await trust.click();
      await page.locator('.tab', { hasText: /README/ }).first().waitFor({ timeout: 60_000 });
      assert.doesNotMatch(await page.title(), /Extension Development Host/);
      // trusting restarts the extension hosts: open the notebook once they are up, or the README, opened late,
      // takes its place
      await page.locator('.statusbar', { hasText: /Activating Extensions/ }).waitFor({ state: 'detached', timeout: 120_000 }).catch(() => undefined);
      await page.waitForTimeout(2000);
      await openNotebook(page, 'one-neuron.ipynb');
      // the first notebook of a fresh profile waits for its webview (on a loaded machine, a minute)
      await page.locator('.notebook-editor .cell-list-container .code-cell-row').first().waitFor({ timeout: 120_000 });
      const workspace = join(state, 'examples-workspace');
      const wb = { page, browser, workspace, consoleLines, server: undefined as unknown as CodeServer, close: async () => undefined } satisfies Workbench;
      await runAll(wb, 'one-neuron.ipynb');
      // the cell that calls backward() (cell 5): its graph is drawn by the renderer, in a webview served through the door
      await scrollToCell(page, 5, 8, 0);
      await waitUntil(async () => await countInFrames(page, 'svg.bp-graph') >= 1, 60_000);
      assert.equal(await page.locator('.notebook-editor .codicon-notebook-state-error').count(), 0, 'no cell failed');
      assert.ok(await page.locator('.notebook-editor .codicon-notebook-state-success').count() >= 1, 'cells ran');
    } finally {
      await browser.close();
    }
  });

  test('SIGTERM to the script ends code-server and every process under it, then the script', async () => {
    const tree = descendants(script.pid!);
    assert.ok(tree.length >= 1, 'code-server runs under the script');
    script.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
    assert.notEqual(code, 'timeout', 'the script exits');
    assert.deepEqual(tree.filter(alive), [], 'no process of code-server survives');
  });
});
