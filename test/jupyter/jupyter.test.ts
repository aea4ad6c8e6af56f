// The Jupyter kernel through real Jupyter clients (Debian's python3 with jupyter_client, nbclient, nbformat): the
// kernelspec install-kernel writes, every message of the protocol driven by jupyter_client's KernelManager
// (protocol.py), and every example notebook run by nbclient with the same outputs as the CLI's (examples.py).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { bundle, repoRoot, requireArtefacts } from '../artefacts';
import { CellLanguageService } from '../../kernel/language/cellLanguageService';
import { languageFiles } from '../../kernel/language/languageFiles';
import { VirtualNotebook } from '../../kernel/language/virtualNotebook';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const APT_PACKAGES = 'python3-jupyter-client python3-nbclient python3-nbformat';
const GRAPH_MIME = 'application/vnd.backprop.graph+json';
const cli = join(repoRoot, 'dist', 'cli.js');

/** Examples too slow to run twice here, with why; test/unit/examples.test.ts still runs them through the CLI. */
const SLOW: Record<string, string> = {
  'cnn-mnist.ipynb': 'trains a convolutional network on MNIST for one to two minutes',
};

/** The cells protocol.py runs before it asks for completions at `w.ma`. */
const CELLS_BEFORE_COMPLETE = [
  'const w = tensor([[1, 2], [3, 4]], { requiresGrad: true, name: "w" });\nconsole.log("hello");\n1 + 1',
  'const loss = w.mul(w).sum();\nloss.backward();',
  'const a = 1;\nthrow new Error("boom");',
  '41 + 1',
];

let tmp = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
  requireArtefacts(bundle('cli.js'), bundle('jupyter.js'), bundle('kernel.js'));
  const probe = spawnSync(PYTHON, ['-c', 'import jupyter_client, nbclient, nbformat'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`the Jupyter tests need ${PYTHON} with jupyter_client, nbclient and nbformat: apt-get install -y ${APT_PACKAGES} ` +
      `(npm test installs them when run as root)\n${probe.stderr ?? probe.error?.message ?? ''}`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'backprop-jupyter-'));
  const install = spawnSync(process.execPath, [cli, 'install-kernel', '--prefix', tmp], { encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  // Jupyter finds the kernelspec there, and writes connection files under tmp, not in the user's folders
  env = { ...process.env, JUPYTER_PATH: join(tmp, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: join(tmp, 'runtime'), JUPYTER_PLATFORM_DIRS: '1' };
});

async function python(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(PYTHON, [join(__dirname, script), ...args], { env, maxBuffer: 64 * 2 ** 20, timeout: 600_000 });
  return stdout;
}

test('install-kernel writes the kernelspec backprop-ts, which runs `backprop-nb kernel -f` with this Node', () => {
  const spec = JSON.parse(readFileSync(join(tmp, 'share', 'jupyter', 'kernels', 'backprop-ts', 'kernel.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(spec.argv, [process.execPath, cli, 'kernel', '-f', '{connection_file}']);
  assert.equal(spec.display_name, 'Backprop (TypeScript)');
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.interrupt_mode, 'message');
  const bad = spawnSync(process.execPath, [cli, 'install-kernel', '--prefix'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /install-kernel takes one of --user, --sys-prefix, --prefix DIR/);
});

interface Broadcast { msg_type: string; content: Record<string, unknown> }
interface Executed { reply: Record<string, unknown>; iopub: Broadcast[] }
interface ProtocolRun {
  kernel_info: { content: Record<string, unknown> & { language_info: Record<string, unknown> }; iopub: string[] };
  execute_value: Executed; execute_graph: Executed; execute_error: Executed; execute_silent: Executed;
  complete_member: { matches: string[]; cursor_start: number; cursor_end: number };
  complete_global: { matches: string[]; cursor_start: number; cursor_end: number };
  inspect: { found: boolean; data: Record<string, string> };
  is_complete: Record<string, { status: string; indent?: string }>;
  execute_update: Executed; abort: { first: string; second: string }; abort_ran: Executed;
  interrupt: Executed & { seconds: number }; after_interrupt: Executed; after_restart: Executed;
  history: { history: [number, number, string][] }; comm_info: { status: string; comms: object };
  bad_signature: string; good_signature_after: string; alive_before_shutdown: boolean; alive_after_shutdown: boolean;
}

let protocolRun: Promise<ProtocolRun> | undefined;
const protocol = () => protocolRun ??= python('protocol.py').then((out) => JSON.parse(out) as ProtocolRun);
const kinds = (e: Executed) => e.iopub.map((m) => m.msg_type);

test('kernel_info: protocol 5.3, TypeScript with its CodeMirror mode and file extension, wrapped in busy and idle', async () => {
  const { kernel_info } = await protocol();
  assert.equal(kernel_info.content.protocol_version, '5.3');
  assert.equal(kernel_info.content.status, 'ok');
  assert.equal(kernel_info.content.language_info.name, 'typescript');
  assert.equal(kernel_info.content.language_info.file_extension, '.ts');
  assert.ok(kernel_info.content.language_info.codemirror_mode);
  // JupyterLab waits for these, parented on the request, before it calls a kernel connected
  assert.deepEqual(kernel_info.iopub, ['status:busy', 'status:idle']);
});

test('execute: execution counts, execute_input, stream, execute_result, then idle', async () => {
  const { execute_value: e, execute_silent: silent } = await protocol();
  assert.equal(e.reply.status, 'ok');
  assert.equal(e.reply.execution_count, 1);
  assert.deepEqual(kinds(e), ['status', 'execute_input', 'stream', 'execute_result', 'status']);
  assert.deepEqual(e.iopub[2].content, { name: 'stdout', text: 'hello\n' });
  assert.deepEqual((e.iopub[3].content as { data: unknown }).data, { 'text/plain': '2' });
  // a silent run shows nothing and does not count
  assert.deepEqual(kinds(silent), ['status', 'status']);
});

test('a graph output carries its own mime, an SVG drawn in the kernel and text/plain, with a display_id', async () => {
  const { execute_graph: e } = await protocol();
  const display = e.iopub.find((m) => m.msg_type === 'display_data');
  assert.ok(display, `no display_data in ${kinds(e).join(', ')}`);
  const content = display.content as { data: Record<string, unknown>; transient: { display_id?: string } };
  assert.deepEqual(Object.keys(content.data).sort(), [GRAPH_MIME, 'image/svg+xml', 'text/plain']);
  assert.match(content.data['image/svg+xml'] as string, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(content.data['image/svg+xml'] as string, />w</, 'the drawing names the leaf w');
  assert.ok(content.transient.display_id);
});

test('a graph redrawn by later backward() calls is updated in place: update_display_data with its display_id', async () => {
  const { execute_update: e } = await protocol();
  const shown = e.iopub.filter((m) => m.msg_type === 'display_data');
  const updates = e.iopub.filter((m) => m.msg_type === 'update_display_data');
  assert.equal(shown.length, 1, kinds(e).join(', '));
  assert.ok(updates.length >= 1, kinds(e).join(', '));
  const id = (m: Broadcast) => (m.content.transient as { display_id?: string }).display_id;
  for (const u of updates) assert.equal(id(u), id(shown[0]));
  assert.ok(Object.keys(updates[updates.length - 1].content.data as object).includes('image/svg+xml'));
});

test('stop_on_error: the cell queued behind a failing one is aborted, not run', async () => {
  const { abort, abort_ran } = await protocol();
  assert.deepEqual(abort, { first: 'error', second: 'aborted' });
  const result = abort_ran.iopub.find((m) => m.msg_type === 'execute_result');
  assert.deepEqual((result?.content as { data: unknown } | undefined)?.data, { 'text/plain': 'false' });
});

test('an error names the cell line it happened on, and the reply says error', async () => {
  const { execute_error: e } = await protocol();
  assert.equal(e.reply.status, 'error');
  assert.equal(e.reply.ename, 'Error');
  assert.equal(e.reply.evalue, 'boom');
  const error = e.iopub.find((m) => m.msg_type === 'error');
  assert.ok(error);
  assert.ok((error.content.traceback as string[]).some((l) => /line 2\b/.test(l)), JSON.stringify(error.content.traceback));
});

test('complete: the same TypeScript completions as in VS Code, members and globals', async () => {
  const { complete_member: member, complete_global: global } = await protocol();
  // `w.ma|`: the tensor's methods starting with ma, replacing the two letters typed
  assert.ok(member.matches.includes('matmul'), member.matches.join(', '));
  assert.ok(member.matches.every((m) => m.toLowerCase().startsWith('ma')));
  assert.deepEqual([member.cursor_start, member.cursor_end], [2, 4]);
  assert.ok(global.matches.includes('tensor'), global.matches.join(', '));
  assert.deepEqual([global.cursor_start, global.cursor_end], [0, 4]);
});

test("complete offers exactly what VS Code's language service offers at that point", async () => {
  const { complete_member: member } = await protocol();
  const nb = new VirtualNotebook(ts, repoRoot, 'parity');
  nb.update([...CELLS_BEFORE_COMPLETE, 'w.ma'].map((text, i) => ({ key: `c${i}`, text, language: 'typescript' as const })));
  const service = new CellLanguageService(ts, nb, languageFiles(repoRoot));
  const entries = service.completions(`c${CELLS_BEFORE_COMPLETE.length}`, 4, '.')?.entries ?? [];
  const expected = entries.map((e) => e.name).filter((n) => n.toLowerCase().startsWith('ma'));
  service.dispose();
  assert.deepEqual([...member.matches].sort(), expected.sort());
});

test("inspect: the hover's content, the static type and the kernel's value and gradient", async () => {
  const { inspect } = await protocol();
  assert.equal(inspect.found, true);
  assert.match(inspect.data['text/markdown'], /const w: Tensor/);
  assert.match(inspect.data['text/markdown'], /grad/);
  assert.match(inspect.data['text/plain'], /\[6\., 8\.\]/);
});

test('is_complete: complete, incomplete inside a block or a template string (with an indent), invalid', async () => {
  const { is_complete: c } = await protocol();
  assert.equal(c['const x = 1'].status, 'complete');
  assert.deepEqual(c['for (let i = 0; i < 3; i++) {'], { status: 'incomplete', indent: '  ' });
  assert.equal(c['const s = `abc'].status, 'incomplete');
  assert.equal(c['const = = 3'].status, 'invalid');
});

test('interrupt stops `while (true) {}` and keeps the variables', async () => {
  const { interrupt, after_interrupt: after } = await protocol();
  assert.equal(interrupt.reply.status, 'error');
  assert.equal(interrupt.reply.ename, 'Interrupted');
  assert.ok(interrupt.seconds < 10, `the interrupt took ${interrupt.seconds} s`);
  const result = after.iopub.find((m) => m.msg_type === 'execute_result');
  assert.deepEqual((result?.content as { data: unknown } | undefined)?.data, { 'text/plain': '42' });
});

test('history and comm_info answer', async () => {
  const { history, comm_info } = await protocol();
  assert.deepEqual(history.history.map((h) => h[2]), ['while (true) {}', 'kept']);
  assert.deepEqual(comm_info, { status: 'ok', comms: {} });
});

test('a message with a bad signature is dropped; the next good one is answered', async () => {
  const r = await protocol();
  assert.equal(r.bad_signature, 'ignored');
  assert.equal(r.good_signature_after, 'ok');
});

test('restart gives a fresh kernel (counts from 1, no variables); shutdown ends it', async () => {
  const { after_restart: e, alive_before_shutdown, alive_after_shutdown } = await protocol();
  assert.equal(e.reply.execution_count, 1);
  const result = e.iopub.find((m) => m.msg_type === 'execute_result');
  assert.deepEqual((result?.content as { data: unknown } | undefined)?.data, { 'text/plain': "'undefined'" });
  assert.equal(alive_before_shutdown, true);
  assert.equal(alive_after_shutdown, false);
});

interface NbOutput { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string; execution_count?: number }
interface Nb { cells: { cell_type: string; outputs?: NbOutput[] }[] }

const joined = (t: unknown) => (Array.isArray(t) ? t.join('') : t);

/**
 * What must agree between two runs of a notebook: per code cell, its outputs' kinds and mime types, the text of
 * streams (consecutive ones joined: nbclient 0.7 keeps each message apart) and values, and errors. Graph outputs
 * are compared by presence; the SVG only Jupyter's outputs carry is left out (checked apart).
 */
function comparable(nb: Nb): unknown[] {
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => {
    const out: unknown[] = [];
    for (const o of c.outputs ?? []) {
      const last = out[out.length - 1] as { stream?: string; text: string } | undefined;
      if (o.output_type === 'stream' && last?.stream === o.name) last!.text += joined(o.text) as string;
      else if (o.output_type === 'stream') out.push({ stream: o.name, text: joined(o.text) });
      else if (o.output_type === 'error') out.push({ error: o.ename, evalue: o.evalue });
      else {
        const mimes = Object.keys(o.data ?? {}).filter((m) => m !== 'image/svg+xml').sort();
        out.push({ [o.output_type]: mimes, text: mimes.includes(GRAPH_MIME) ? 'graph' : joined(o.data?.['text/plain']) });
      }
    }
    return out;
  });
}

test('every example runs through nbclient with the same outputs as the CLI', { timeout: 900_000 }, async () => {
  const examples = join(repoRoot, 'media', 'examples');
  const notebooks = readdirSync(examples).filter((f) => f.endsWith('.ipynb') && !(f in SLOW)).map((f) => join(examples, f));
  assert.ok(notebooks.length >= 5, `examples found: ${notebooks.join(', ')}`);
  const viaJupyter = join(tmp, 'nbclient'), viaCli = join(tmp, 'cli');
  await run('mkdir', ['-p', viaJupyter, viaCli]);
  await Promise.all([
    python('examples.py', [viaJupyter, ...notebooks]),
    run(process.execPath, [cli, 'run', ...notebooks, '--allow-errors', '--out-dir', viaCli], { maxBuffer: 64 * 2 ** 20 }),
  ]);
  for (const path of notebooks) {
    const name = path.slice(examples.length + 1);
    const jupyter = JSON.parse(readFileSync(join(viaJupyter, name), 'utf8')) as Nb;
    const headless = JSON.parse(readFileSync(join(viaCli, name), 'utf8')) as Nb;
    assert.deepEqual(comparable(jupyter), comparable(headless), `${name}: nbclient's outputs differ from the CLI's`);
    const graphs = jupyter.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[GRAPH_MIME]);
    for (const g of graphs) assert.match(joined(g.data?.['image/svg+xml']) as string, /^<svg/, `${name}: a graph without its SVG`);
  }
});
