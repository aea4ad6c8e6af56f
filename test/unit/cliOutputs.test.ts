// What backprop-nb (dist/cli.js) writes into the notebook for errors nobody catches and for floods of text:
// the errors appear in the cells, the text is bounded (--max-output-mb) with one note, and the run goes on.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

type Lines = string | string[];
interface Output { output_type: string; name?: string; text?: Lines; data?: Record<string, Lines>; ename?: string; evalue?: string }
interface Cell { cell_type: string; outputs?: Output[] }

const text = (s: Lines | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');
const streams = (c: Cell, name?: string) => (c.outputs ?? []).filter((o) => o.output_type === 'stream' && (!name || o.name === name)).map((o) => text(o.text)).join('');
const displayed = (c: Cell) => (c.outputs ?? []).filter((o) => o.output_type === 'display_data').map((o) => text(o.data?.['text/plain']));

/** Writes a notebook of these code cells into a fresh folder; returns its path. */
function notebook(cells: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bp-cli-out-')), 'nb.ipynb');
  writeFileSync(path, JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, source, metadata: {}, outputs: [], execution_count: null })),
  }));
  return path;
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

const cellsOf = (nbPath: string) => (JSON.parse(readFileSync(nbPath.replace(/\.ipynb$/, '.out.ipynb'), 'utf8')) as { cells: Cell[] }).cells;

describe('backprop-nb: errors nobody catches and floods of text', () => {
  before(() => {
    if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  });

  test('a rejected promise nobody awaits fails its cell; a late timer error shows in the next cell', () => {
    const nbPath = notebook([
      "Promise.reject(new Error('x'));\n1",
      "setTimeout(() => { throw new Error('late'); }, 50);\n'quick'",
      "await new Promise((r) => setTimeout(r, 200));\n'next'",
    ]);
    const r = run(['run', nbPath, '--allow-errors']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\[1\/3\] cell 1: failed - Error: x/);
    const [rejected, timer, next] = cellsOf(nbPath);
    const error = rejected.outputs!.find((o) => o.output_type === 'error');
    assert.equal(error?.evalue, 'x');
    assert.equal(streams(timer), '');
    assert.match(streams(next, 'stderr'), /^Uncaught Error: late\n[^]*by code of cell\[2\], after that cell ended/);
    assert.ok(next.outputs!.some((o) => o.output_type === 'execute_result'), 'the next cell still ran to its value');
  });

  test('--max-output-mb bounds a cell\'s text, with one note; a display after it arrives; a 530 MB string does not stop the run', () => {
    const nbPath = notebook([
      "for (let i = 0; i < 1e6; i++) console.log('line ' + i);\ndisplay({ 'text/plain': 'after the lines' });",
      "const big = 'x'.repeat(530e6);\nconsole.log(big);\nbig.length",
      "big = undefined;\n'still running'",
    ]);
    const r = run(['run', nbPath, '--max-output-mb', '1']);
    assert.equal(r.status, 0, r.stderr);
    const [lines, big, after] = cellsOf(nbPath);
    let total = 0;
    for (let i = 0; i < 1e6; i++) total += `line ${i}\n`.length;
    assert.equal(Buffer.byteLength(streams(lines)), 2 ** 20);
    assert.deepEqual(displayed(lines), [`output truncated: ${total - 2 ** 20} more bytes not shown (backprop.output.maxBytesPerCell: a cell keeps 1 MB of text; backprop-nb: --max-output-mb)`, 'after the lines']);
    assert.equal(streams(big).length, 2 ** 20);
    assert.match(displayed(big)[0], new RegExp(`^output truncated: ${530e6 + 1 - 2 ** 20} more bytes`));
    assert.equal(text(after.outputs![0].data!['text/plain']), "'still running'");
    const size = statSync(nbPath.replace(/\.ipynb$/, '.out.ipynb')).size;
    assert.ok(size < 4 * 2 ** 20, `the notebook is ${size} bytes`);
  });

  test('a bad --max-output-mb gets one clear line and exit 2', () => {
    for (const bad of ['0', '-1', 'lots', '33']) {
      const r = run(['run', 'a.ipynb', '--max-output-mb', bad]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim(), `backprop-nb: --max-output-mb must be a number of MB above 0 and at most 32, got '${bad}'`);
    }
  });
});
