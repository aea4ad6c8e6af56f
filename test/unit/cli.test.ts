// backprop-nb as it ships (dist/cli.js): runs notebooks through the kernel and writes nbformat 4 outputs;
// failing cells, --allow-errors, --timeout, and one-line messages for bad input.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
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

  test('--help prints the usage', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: backprop-nb run <notebook\.ipynb>/);
  });
});
