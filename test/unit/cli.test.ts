// backprop-nb as it ships (dist/cli.js): runs notebooks through the kernel and writes nbformat 4 outputs;
// failing cells, --allow-errors, --timeout, and one-line messages for bad input.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle, requireArtefacts } from '../artefacts';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(__dirname, 'fixtures', 'notebooks');

type Lines = string | string[];
interface Output { output_type: string; name?: string; text?: Lines; data?: Record<string, unknown>; execution_count?: number; ename?: string; evalue?: string; traceback?: string[] }
interface Cell { cell_type: string; id?: string; source: Lines; execution_count?: number | null; outputs?: Output[] }
interface Notebook { nbformat: number; nbformat_minor: number; metadata: Record<string, unknown>; cells: Cell[] }

const text = (s: Lines | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Notebook;
const code = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code');

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of a fixture in a fresh folder (the CLI writes next to it). */
function copy(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-cli-'));
  copyFileSync(join(fixtures, name), join(dir, name));
  return join(dir, name);
}

describe('backprop-nb run', () => {
  before(() => {
    requireArtefacts(bundle('cli.js'), bundle('kernel.js'));
  });

  test('runs every code cell in one kernel and writes nbformat 4 outputs next to the notebook', () => {
    const nbPath = copy('basic.ipynb');
    const r = run(['run', nbPath]);
    assert.equal(r.status, 0, r.stderr);
    const outPath = nbPath.replace(/\.ipynb$/, '.out.ipynb');
    assert.match(r.stderr, /\[1\/5\] cell 2: ok/);
    assert.match(r.stderr, new RegExp(`wrote ${outPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const nb = read(outPath);
    assert.equal(nb.nbformat, 4);
    assert.deepEqual(nb.metadata.kernelspec, { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' });
    assert.equal((nb.metadata.language_info as { name: string }).name, 'typescript');
    const [c1, c2, empty, c4, c5] = code(nb);
    assert.equal(c1.execution_count, 1);
    assert.deepEqual(c1.outputs, [{ output_type: 'stream', name: 'stdout', text: ['made w\n'] }]);
    // The gradient cell: a graph (display_data) then the value (execute_result with its count).
    assert.deepEqual(c2.outputs!.map((o) => o.output_type), ['display_data', 'execute_result']);
    assert.ok('application/vnd.backprop.graph+json' in c2.outputs![0].data!);
    assert.equal(typeof c2.outputs![0].data['application/vnd.backprop.graph+json'], 'object', 'JSON mimes are stored as JSON');
    assert.equal(c2.outputs![1].execution_count, 2);
    assert.match(text(c2.outputs![1].data!['text/plain'] as Lines), /tensor\(\[2\., 4\.\]\)/);
    assert.ok(Array.isArray(c2.outputs![1].data!['text/html']), 'text mimes are stored as lines');
    assert.equal(empty.execution_count, null, 'an empty cell is not run');
    assert.deepEqual(c4.outputs!.map((o) => [o.output_type, o.name ?? '']), [['display_data', ''], ['stream', 'stderr'], ['execute_result', '']]);
    assert.equal(text(c4.outputs![2].data!['text/plain'] as Lines), '5');
    assert.equal(c4.execution_count, 3);
    assert.equal(text(c5.outputs![0].data!['text/plain'] as Lines), '[ 2, 4, 6 ]');
    assert.equal(text(nb.cells[0].source), '# A notebook for the CLI tests', 'markdown is kept');
  });

  test('--out and --inplace choose where the notebook goes', () => {
    const nbPath = copy('basic.ipynb');
    const out = join(mkdtempSync(join(tmpdir(), 'bp-cli-out-')), 'sub', 'result.ipynb');
    assert.equal(run(['run', nbPath, '--out', out]).status, 0);
    assert.equal(code(read(out))[0].execution_count, 1);
    assert.equal(run(['run', nbPath, '--inplace']).status, 0);
    assert.equal(code(read(nbPath))[0].execution_count, 1);
  });

  test('stops at the first failing cell with exit 1; later cells are left unrun', () => {
    const nbPath = copy('failing.ipynb');
    const out = nbPath.replace(/\.ipynb$/, '.out.ipynb');
    const r = run(['run', nbPath]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cell 2: failed - Error: cell two fails/);
    const [, failed, after] = code(read(out));
    const error = failed.outputs!.find((o) => o.output_type === 'error')!;
    assert.equal(error.ename, 'Error');
    assert.equal(error.evalue, 'cell two fails');
    assert.match(error.traceback!.join('\n'), /cell\[2\]:2:\d+/);
    assert.equal(after.execution_count, null);
    assert.deepEqual(after.outputs, []);
    assert.ok(code(read(out)).every((c) => typeof c.id === 'string'), 'nbformat 4.5 cells get ids');
  });

  test('--allow-errors runs on after a failing cell and exits 0', () => {
    const nbPath = copy('failing.ipynb');
    const r = run(['run', nbPath, '--allow-errors']);
    assert.equal(r.status, 0, r.stderr);
    const after = code(read(nbPath.replace(/\.ipynb$/, '.out.ipynb')))[2];
    assert.deepEqual(after.outputs, [{ output_type: 'stream', name: 'stdout', text: ['after 2\n'] }]);
  });

  test('--timeout stops a cell that runs too long; with --allow-errors the next cell still sees the state', () => {
    const nbPath = copy('slow.ipynb');
    const r = run(['run', nbPath, '--timeout', '1', '--allow-errors']);
    assert.equal(r.status, 0, r.stderr);
    const [, slow, after] = code(read(nbPath.replace(/\.ipynb$/, '.out.ipynb')));
    const error = slow.outputs!.find((o) => o.output_type === 'error')!;
    assert.equal(error.ename, 'Timeout');
    assert.deepEqual(after.outputs, [{ output_type: 'stream', name: 'stdout', text: ['spun true\n'] }]);
    assert.equal(run(['run', nbPath, '--timeout', '1']).status, 1, 'without --allow-errors a timeout fails the run');
  });

  test('a cell that kills its own kernel mid-run: the CLI reports KernelDied at once and exits 1', () => {
    const nbPath = copy('killsKernel.ipynb');
    const started = Date.now();
    const r = run(['run', nbPath]);
    assert.ok(Date.now() - started < 15_000, `the CLI took ${Date.now() - started} ms`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cell 2: died - KernelDied: The kernel process was killed \(SIGKILL\); its variables are lost/);
    const [, killed, after] = code(read(nbPath.replace(/\.ipynb$/, '.out.ipynb')));
    assert.deepEqual(killed.outputs!.map((o) => o.ename ?? o.name), ['stdout', 'KernelDied']);
    assert.equal(after.execution_count, null, 'the cell after it did not run');
  });

  test('--timeout on a cell stuck in native code restarts the kernel, says so, and runs on in the new one', () => {
    const nbPath = copy('stuckNative.ipynb');
    const started = Date.now();
    const r = run(['run', nbPath, '--timeout', '1', '--allow-errors']);
    const took = Date.now() - started;
    assert.equal(r.status, 0, r.stderr);
    // interrupt at 1 s, restart 5 s later, the stuck kernel killed after its 1 s grace, a new one, two short cells
    assert.ok(took < 15_000, `the CLI took ${took} ms`);
    const [, stuck, after] = code(read(nbPath.replace(/\.ipynb$/, '.out.ipynb')));
    const errors = stuck.outputs!.filter((o) => o.output_type === 'error');
    assert.deepEqual(errors.map((e) => e.ename), ['Timeout']);
    assert.match(errors[0].evalue!, /did not stop when interrupted, so the kernel was restarted: its variables are lost/);
    assert.deepEqual(after.outputs, [{ output_type: 'stream', name: 'stdout', text: ['undefined\n'] }], 'a fresh kernel');
  });

  test('Ctrl+C (SIGINT) stops the CLI and ends its kernel and what the kernel started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-cli-int-'));
    const nbPath = join(dir, 'forever.ipynb');
    const pids = join(dir, 'pids');
    writeFileSync(nbPath, JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{
      cell_type: 'code', metadata: {}, outputs: [], execution_count: null,
      source: "const sleeper = require('node:child_process').spawn('sleep', ['60']);\n"
        + `require('node:fs').writeFileSync(${JSON.stringify(pids)}, process.pid + ' ' + sleeper.pid);\nfor (;;) {}`,
    }] }));
    const child = spawn(process.execPath, [cli, 'run', nbPath], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 300 && !existsSync(pids); i++) await new Promise((r) => setTimeout(r, 50));
    const [kernel, sleeper] = readFileSync(pids, 'utf8').split(' ').map(Number);
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const running = (pid: number) => { try { process.kill(pid, 0); return !/^[ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!); } catch { return false; } };
    for (let i = 0; i < 50 && (running(kernel) || running(sleeper)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(running(kernel), false, 'the kernel ended');
    assert.equal(running(sleeper), false, 'the process its cell started ended');
  });

  test('bad input gets one clear line and a non-zero exit, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['run', join(fixtures, 'missing.ipynb')], /missing\.ipynb: no such file/],
      [['run', join(fixtures, 'malformed.ipynb')], /malformed\.ipynb is not valid JSON/],
      [['run', join(fixtures, 'notNotebook.json')], /notNotebook\.json is not a Jupyter notebook/],
      [['run', join(fixtures, 'nbformat3.ipynb')], /nbformat 3; only nbformat 4/],
      [['run'], /no notebook given/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['run', 'a.ipynb', '--bogus'], /unknown option '--bogus'/],
      [['run', 'a.ipynb', '--timeout', 'soon'], /--timeout must be a positive number/],
      [['run', 'a.ipynb', '--out'], /--out needs a value/],
      [['run', 'a.ipynb', '--out', 'b.ipynb', '--inplace'], /choose one of/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], /^backprop-nb: /);
      assert.match(lines[0], message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  test('--html into a folder that does not exist creates it; pathological markdown is shown as text, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-cli-'));
    const nbPath = join(dir, 'deep.ipynb');
    const deepList = Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i)}- item`).join('\n');
    writeFileSync(nbPath, JSON.stringify({
      nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
        { cell_type: 'markdown', id: 'q', metadata: {}, source: `${'>'.repeat(3000)} quoted` },
        { cell_type: 'markdown', id: 'l', metadata: {}, source: deepList },
        { cell_type: 'markdown', id: 'm', metadata: {}, source: '# Still rendered' },
        { cell_type: 'code', id: 'c', metadata: {}, source: '1 + 1', outputs: [], execution_count: null },
      ],
    }));
    const html = join(dir, 'new', 'folder', 'page.html');
    const r = run(['run', nbPath, '--html', html]);
    assert.equal(r.status, 0, r.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /markdown nested 3000 levels deep \(more than \d+\), shown as text/);
    assert.match(page, /markdown nested \d{3} levels deep/);
    assert.ok(page.includes('<h1>Still rendered</h1>'));
  });

  test('several notebooks: one that cannot be read does not stop the others, and the exit status says so', () => {
    const good = copy('basic.ipynb');
    const r = run(['run', join(fixtures, 'nbformat3.ipynb'), good]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /nbformat3\.ipynb is nbformat 3; only nbformat 4/);
    assert.ok(existsSync(good.replace(/\.ipynb$/, '.out.ipynb')), 'the second notebook ran');
  });

  test('an output that cannot be written exits 2 with one clear line, promptly', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
    const started = Date.now();
    const r = run(['run', copy('basic.ipynb'), '--out', '/proc/backprop-nb-test/x.ipynb']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^backprop-nb: cannot create the folder \/proc\/backprop-nb-test: /m);
    assert.ok(Date.now() - started < 30_000);
  });

  test('--help prints the usage', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: backprop-nb run <notebook\.ipynb>/);
  });
});
