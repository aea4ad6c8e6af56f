// Errors nobody catches, through the kernel client: a rejected promise nobody awaits and a throw in a timer are
// never lost. The cell whose code started them fails with them while it runs; once it has ended they show as
// stderr in the next cell to run, naming the cell they came from, and that cell does not fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellResult, KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';
import { errorOf, result } from './helpers/cellOutputs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stderrOf = (r: CellResult) => r.outputs.map((o) => (o.kind === 'stream' && o.name === 'stderr' ? o.text : '')).join('');

describe('kernel: errors nobody catches', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  test('a rejected promise nobody awaits fails its cell with the error, at its line', async () => {
    const r = await kernel.run("const answer = 42;\nPromise.reject(new Error('x'));\n1");
    assert.equal(r.status, 'error');
    const e = errorOf(r);
    assert.equal(e?.ename, 'Error');
    assert.equal(e?.evalue, 'x');
    assert.equal(e?.line, 2);
    assert.equal(result(r), undefined, 'a failed cell shows no value');
    assert.equal(result(await kernel.run('answer')), '42', 'the kernel and its variables are still there');
  });

  test('so does a rejection several awaits deep in a promise chain the cell dropped', async () => {
    const r = await kernel.run("(async () => { await null; await null; throw new RangeError('deep'); })();\n'v'");
    assert.equal(r.status, 'error');
    assert.equal(errorOf(r)?.ename, 'RangeError');
    assert.equal(errorOf(r)?.evalue, 'deep');
  });

  test('a timer that throws while its cell still awaits ends that cell with the error at once', async () => {
    const started = Date.now();
    const r = await kernel.run("setTimeout(() => { throw new TypeError('during'); }, 20);\nawait new Promise((r) => setTimeout(r, 3000));\n'unreached'");
    assert.equal(r.status, 'error');
    assert.equal(errorOf(r)?.evalue, 'during');
    assert.equal(errorOf(r)?.line, 1);
    assert.ok(Date.now() - started < 2500, 'the cell did not wait for its own await');
    assert.equal(result(await kernel.run('1 + 1')), '2');
  });

  test('a timer that throws after its cell ended shows in the next cell as stderr, naming its cell; the next cell succeeds', async () => {
    const first = await kernel.run("setTimeout(() => { throw new Error('late'); }, 50);\n'quick'", { executionCount: 31 });
    assert.equal(first.status, 'ok');
    assert.equal(result(first), "'quick'");
    await sleep(200);
    const next = await kernel.run('1 + 1', { executionCount: 32 });
    assert.equal(next.status, 'ok');
    assert.equal(result(next), '2');
    const text = stderrOf(next);
    assert.match(text, /^Uncaught Error: late\n/);
    assert.match(text, /at .*\(cell\[31\]:1:\d+\)/, 'the frame in the cell that set the timer');
    assert.match(text, /by code of cell\[31\], after that cell ended/);
    assert.ok(next.outputs.findIndex((o) => o.kind === 'stream') < next.outputs.findIndex((o) => o.kind === 'executeResult'), 'shown first');
    assert.equal(stderrOf(await kernel.run('3')), '', 'shown once');
  });

  test('a promise rejected in a timer after its cell ended shows in the next cell too', async () => {
    await kernel.run("setTimeout(() => { void Promise.reject(new Error('late rejection')); }, 20);", { executionCount: 41 });
    await sleep(150);
    const next = await kernel.run("'next'");
    assert.equal(next.status, 'ok');
    assert.match(stderrOf(next), /Uncaught Error: late rejection\n[^]*by code of cell\[41\]/);
  });

  test('an error from an ended cell\'s timer while another cell runs goes to that cell as stderr, without failing it', async () => {
    await kernel.run("setTimeout(() => { throw new Error('meanwhile'); }, 60);", { executionCount: 51 });
    const busy = await kernel.run("await new Promise((r) => setTimeout(r, 300));\n'b'", { executionCount: 52 });
    assert.equal(busy.status, 'ok');
    assert.equal(result(busy), "'b'");
    assert.match(stderrOf(busy), /Uncaught Error: meanwhile\n[^]*by code of cell\[51\]/);
  });

  test('a rejection whose stack names no cell fails the cell running, else shows in the next one', async () => {
    const running = await kernel.run("setTimeout(() => { void Promise.reject('no stack'); }, 20);\nawait new Promise((r) => setTimeout(r, 3000));");
    assert.equal(running.status, 'error');
    assert.equal(errorOf(running)?.evalue, "'no stack'");
    await kernel.run("setTimeout(() => { void Promise.reject('no stack either'); }, 20);");
    await sleep(150);
    const next = await kernel.run('1');
    assert.equal(next.status, 'ok');
    assert.match(stderrOf(next), /^Uncaught 'no stack either'\n\(thrown while no cell ran; reported in the next cell to run\)\n$/);
  });

  test('text a timer prints after its cell ended is held for the next cell, not dropped', async () => {
    await kernel.run("setTimeout(() => console.log('printed later'), 20);\n'now'");
    await sleep(150);
    const next = await kernel.run("'next'");
    assert.deepEqual(next.outputs[0], { kind: 'stream', name: 'stdout', text: 'printed later\n' });
  });
});
