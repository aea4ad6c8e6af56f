// A cell's text output is bounded in the kernel (BACKPROP_MAX_OUTPUT_BYTES, 16 MB by default), through the kernel
// client: past the bound the text is dropped with one note that says how many bytes, displays and the value still
// arrive, and the kernel carries on. The client's own safety net (CLIENT_STREAM_LIMIT_CHARS) is never the one met.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_STREAM_LIMIT_CHARS, type CellResult, type KernelClient } from '../../kernel/client/client';
import { MAX_OUTPUT_ENV } from '../../kernel/client/protocol';
import { DEFAULT_MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES_LIMIT } from '../../kernel/process/outbox';
import { startKernel } from './helpers/kernelProcess';
import { plain, result, streamText } from './helpers/cellOutputs';

const displays = (r: CellResult) => r.outputs.filter((o) => o.kind === 'display').map(plain);
const NOTE = /^output truncated: (\d+) more bytes not shown \(backprop\.output\.maxBytesPerCell: a cell keeps (.+?) of text; backprop-nb: --max-output-mb\)$/;

/** The truncation notes of a run, and the dropped bytes each one counts. */
function notes(r: CellResult): number[] {
  return displays(r).flatMap((text) => { const m = NOTE.exec(text ?? ''); return m ? [Number(m[1])] : []; });
}

describe('kernel: text output bounded per cell (1000 bytes)', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel({ env: { [MAX_OUTPUT_ENV]: '1000' } }); });
  after(async () => { await kernel.shutdown(); });

  test('past the bound text is dropped with one note counting the bytes; a display and the value after it arrive', async () => {
    const r = await kernel.run([
      "for (let i = 0; i < 100; i++) console.log('x'.repeat(99));",
      "console.error('e'.repeat(500));",
      "display({ 'text/plain': 'after the flood' });",
      "'done'",
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.equal(streamText(r), 'x'.repeat(99).concat('\n').repeat(10), 'exactly the first 1000 bytes');
    assert.deepEqual(notes(r), [100 * 100 - 1000 + 501]);
    assert.match(displays(r)[0]!, /a cell keeps 1000 bytes of text/);
    assert.deepEqual(r.outputs.map((o) => o.kind), ['stream', 'display', 'display', 'executeResult'], 'text, note, display, value');
    assert.equal(displays(r)[1], 'after the flood');
    assert.equal(result(r), "'done'");
    assert.ok(!streamText(r).includes('by the Backprop client'), 'the kernel\'s bound is the one met');
  });

  test('the bound is per cell: the next cell prints again, and a cell under the bound has no note', async () => {
    const r = await kernel.run("console.log('small');\n1");
    assert.equal(streamText(r), 'small\n');
    assert.deepEqual(notes(r), []);
  });

  test('text printed after the note, in later turns of the cell, is counted in the note when the cell ends', async () => {
    const r = await kernel.run([
      "console.log('a'.repeat(1999));",
      'await new Promise((r) => setTimeout(r, 30));',
      "process.stdout.write('b'.repeat(3000));",
    ].join('\n'));
    assert.equal(streamText(r), 'a'.repeat(1000));
    assert.deepEqual(notes(r), [2000 - 1000 + 3000], 'one note, with the final count');
  });

  test('multi-byte text is cut on a character boundary, within the bound', async () => {
    const r = await kernel.run("console.log('é😀'.repeat(400));");
    const kept = streamText(r);
    const bytes = Buffer.byteLength(kept);
    assert.ok(bytes <= 1000 && bytes > 990, `${bytes} bytes kept`);
    assert.ok(!kept.includes('\uFFFD'), 'no broken character');
    assert.equal(kept, 'é😀'.repeat(400).slice(0, kept.length));
    assert.deepEqual(notes(r), [Buffer.byteLength('é😀'.repeat(400)) + 1 - bytes]);
  });

  test('an error after the bound is still shown, and fails the cell', async () => {
    const r = await kernel.run("console.log('z'.repeat(5000));\nthrow new Error('after the text');");
    assert.equal(r.status, 'error');
    assert.equal(notes(r).length, 1);
    const e = r.outputs.at(-1);
    assert.ok(e?.kind === 'error' && e.evalue === 'after the text');
  });

  test('text held while no cell ran counts against the next cell', async () => {
    await kernel.run("setTimeout(() => console.log('h'.repeat(1500)), 10);");
    await new Promise((r) => setTimeout(r, 100));
    const next = await kernel.run("console.log('in the cell');\n'v'");
    assert.equal(streamText(next), 'h'.repeat(1000));
    assert.deepEqual(notes(next), [501 + 'in the cell\n'.length]);
    assert.equal(result(next), "'v'");
  });
});

describe('kernel: text output bounded per cell (default bound)', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  test('the default bound, 16 MB, sits below the client\'s safety net', () => {
    assert.equal(DEFAULT_MAX_OUTPUT_BYTES, 16 * 2 ** 20);
    assert.ok(MAX_OUTPUT_BYTES_LIMIT < CLIENT_STREAM_LIMIT_CHARS, 'a UTF-8 byte is at least one character: the kernel cuts first');
  });

  test('1,000,000 lines keep 16 MB of text and one note; a display after them still arrives', async () => {
    const line = (i: number) => `line ${String(i).padStart(20, '0')}\n`;
    const r = await kernel.run([
      "for (let i = 0; i < 1e6; i++) console.log('line ' + String(i).padStart(20, '0'));",
      "display({ 'text/plain': 'still shown' });",
      "'done'",
    ].join('\n'));
    assert.equal(r.status, 'ok');
    const text = streamText(r);
    assert.equal(Buffer.byteLength(text), DEFAULT_MAX_OUTPUT_BYTES);
    assert.ok(text.startsWith(line(0) + line(1)));
    assert.deepEqual(notes(r), [1e6 * line(0).length - DEFAULT_MAX_OUTPUT_BYTES]);
    assert.equal(displays(r).at(-1), 'still shown');
    assert.equal(result(r), "'done'");
  });

  test('a 530 MB string keeps 16 MB and one note; the kernel survives and the next cell runs', async () => {
    const r = await kernel.run("const big = 'x'.repeat(530e6);\nconsole.log(big);\ndisplay({ 'text/plain': 'after big' });\nbig.length");
    assert.equal(r.status, 'ok');
    assert.equal(streamText(r).length, DEFAULT_MAX_OUTPUT_BYTES);
    assert.deepEqual(notes(r), [530e6 + 1 - DEFAULT_MAX_OUTPUT_BYTES]);
    assert.equal(displays(r).at(-1), 'after big');
    assert.equal(result(r), '530000000');
    const next = await kernel.run('big = undefined;\n1 + 1');
    assert.equal(next.status, 'ok');
    assert.equal(result(next), '2');
  });
});

describe('kernel: a bad bound', () => {
  test('is reported in the client\'s log, and the kernel runs with the default', async () => {
    const lines: string[] = [];
    const kernel = await startKernel({ env: { [MAX_OUTPUT_ENV]: 'lots' }, log: (l: string) => lines.push(l) });
    try {
      const r = await kernel.run("console.log('fine');\n1");
      assert.equal(streamText(r), 'fine\n');
      assert.ok(lines.some((l) => /BACKPROP_MAX_OUTPUT_BYTES: the output bound must be a whole number of bytes from 1 to 33554432, got NaN/.test(l)), lines.join('\n'));
    } finally {
      await kernel.shutdown();
    }
  });
});
