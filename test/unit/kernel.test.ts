// The kernel process as it ships (dist/kernel.js), driven through its protocol by kernel/client/client.ts: state
// across cells, top-level await, streams, values, rich tensors, imports and errors with cell line numbers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';
import { errorOf, plain, result } from './helpers/cellOutputs';


// esbuild compiles cells where it can run; TypeScript's transpiler where it cannot (the .vsix): both are tested.
for (const transpiler of ['esbuild', 'typescript']) describe(`kernel: cells (${transpiler})`, () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel({ env: { BACKPROP_TRANSPILER: transpiler } }); });
  after(async () => { await kernel.shutdown(); });

  test('top-level declarations persist across cells, destructuring included', async () => {
    const r1 = await kernel.run([
      'const a: number = 2;',
      'let { b, c: [d] } = { b: 3, c: [4] };',
      'function twice(n: number): number { return 2 * n; }',
      'class Box { constructor(readonly v: number) {} }',
    ].join('\n'));
    assert.equal(r1.status, 'ok');
    assert.equal(result(r1), undefined, 'a cell ending in a declaration has no value');
    const r2 = await kernel.run('twice(a) + b + d + new Box(10).v');
    assert.equal(result(r2), '21');
  });

  test('a cell that declares const can be run again, and the new value wins', async () => {
    assert.equal((await kernel.run('const k = 1\nk')).status, 'ok');
    const again = await kernel.run('const k = 2\nk');
    assert.equal(again.status, 'ok');
    assert.equal(result(again), '2');
    assert.equal(result(await kernel.run('k * 10')), '20');
  });

  test('functions are hoisted within their cell', async () => {
    assert.equal(result(await kernel.run('const early = later(1);\nfunction later(x: number) { return x + 1; }\nearly')), '2');
  });

  test('top-level await, with declarations after it', async () => {
    const r = await kernel.run('const v = await new Promise<number>((r) => setTimeout(() => r(7), 20));\nconst w = v * 6;\nw');
    assert.equal(result(r), '42');
    assert.equal(result(await kernel.run('w')), '42');
  });

  test('console output comes as streams in order, timers that fire during the cell included', async () => {
    const r = await kernel.run([
      'console.log("one");',
      'console.error("two");',
      'console.info("three");',
      'setTimeout(() => console.warn("four"), 5);',
      'await new Promise((r) => setTimeout(r, 30));',
      'console.debug("five");',
      '"end"',
    ].join('\n'));
    const streams = r.outputs.filter((o) => o.kind === 'stream');
    assert.deepEqual(streams.map((s) => [s.name, s.text]), [
      ['stdout', 'one\n'], ['stderr', 'two\n'], ['stdout', 'three\n'], ['stderr', 'four\n'], ['stdout', 'five\n'],
    ]);
    assert.equal(r.outputs[r.outputs.length - 1].kind, 'executeResult', 'the value comes after the streams');
    assert.equal(result(r), "'end'");
  });

  test('many lines are coalesced into few messages but none is lost', async () => {
    let messages = 0;
    const r = await kernel.run('for (let i = 0; i < 5000; i++) console.log(i);', { onMessage: () => messages++ });
    const text = r.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    assert.equal(text, Array.from({ length: 5000 }, (_, i) => `${i}\n`).join(''));
    assert.ok(messages < 500, `${messages} messages for 5000 lines`);
  });

  test('the value of the last expression is the result; undefined gives none', async () => {
    assert.equal(result(await kernel.run('({ x: 1, y: [1, 2] })')), '{ x: 1, y: [ 1, 2 ] }');
    const r = await kernel.run('let nothing;\nnothing');
    assert.equal(r.outputs.length, 0);
  });

  test('tensors show shape, dtype, values as a table and the gradient', async () => {
    const r = await kernel.run([
      'const x = tensor([[1, 2], [3, 4]], { requiresGrad: true, name: "x" });',
      'setGraphOptions({ enabled: false });',
      'x.mul(x).sum().backward();',
      'setGraphOptions({ enabled: true });',
      'x',
    ].join('\n'));
    const out = r.outputs.find((o) => o.kind === 'executeResult')!;
    assert.ok('data' in out);
    const text = String(out.data['text/plain']);
    const html = String(out.data['text/html']);
    assert.match(text, /Tensor \[2, 2\] float64/);
    assert.match(text, /grad/);
    assert.match(html, /<table>/);
    // The values and then the gradient 2x, as table cells.
    const cells = [...html.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(cells, ['1', '2', '3', '4', '2', '4', '6', '8']);
  });

  test('large tensors are summarised, not tabulated', async () => {
    const r = await kernel.run('ones([100, 100])');
    const out = r.outputs[0];
    assert.ok('data' in out);
    const html = String(out.data['text/html']);
    assert.doesNotMatch(html, /<td>1<\/td><td>1<\/td>/);
    assert.match(html, /mean/);
  });

  test('display() adds outputs in order with the streams', async () => {
    const r = await kernel.run('console.log("before");\ndisplay(tensor([5, 6]), "text");\nconsole.log("after");');
    assert.deepEqual(r.outputs.map((o) => o.kind), ['stream', 'display', 'display', 'stream']);
    assert.match(plain(r.outputs[1])!, /Tensor \[2\]/);
    assert.equal(plain(r.outputs[2]), 'text');
  });

  test('display() of an object keyed by mime types shows that output, with text/plain always there', async () => {
    const r = await kernel.run("display({ 'image/svg+xml': '<svg></svg>', 'text/plain': 'a picture' }, { 'text/html': '<b>hi</b>' });");
    const [a, b] = r.outputs;
    assert.ok('data' in a && 'data' in b);
    assert.deepEqual(a.data, { 'image/svg+xml': '<svg></svg>', 'text/plain': 'a picture' });
    assert.equal(b.data['text/html'], '<b>hi</b>');
    assert.equal(typeof b.data['text/plain'], 'string');
    assert.equal(result(await kernel.run('({ x: 1 })')), '{ x: 1 }', 'other objects are text');
  });

  test('imports: the engine under its names is the global one; Node built-ins; packages next to the notebook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-kernel-'));
    mkdirSync(join(dir, 'node_modules', 'local-pkg'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'local-pkg', 'index.js'), 'exports.answer = 42; exports.twice = (x) => 2 * x;');
    const r = await kernel.run([
      "import { tensor as t, Tensor as T } from 'backprop';",
      "import * as engine from 'backprop-notebook/engine';",
      "import { join } from 'node:path';",
      "import pkg, { twice } from 'local-pkg';",
      'JSON.stringify([t === tensor, T === Tensor, engine === bp, join("a", "b"), pkg.answer, twice(2), require("local-pkg") === pkg])',
    ].join('\n'), { notebookPath: join(dir, 'nb.ipynb') });
    assert.equal(result(r), `'[true,true,true,"a/b",42,4,true]'`);
    assert.equal(result(await kernel.run('twice(5)')), '10', 'imported names persist too');
  });

  test('dynamic import() works, and a cell that is an object literal is an object', async () => {
    const r = await kernel.run("const path = await import('node:path');\nconst eng = await import('backprop');\n[path.join('x', 'y'), eng.tensor === tensor, typeof path.default.join]");
    assert.equal(result(r), "[ 'x/y', true, 'function' ]");
    assert.equal(result(await kernel.run('{ a: 1, b: [2] }')), '{ a: 1, b: [ 2 ] }');
    assert.equal(result(await kernel.run('{ const inBlock = 3; }')), undefined, 'a real block is still a block');
  });

  test('objects made in cells share the kernel realm built-ins', async () => {
    assert.equal(result(await kernel.run('[({}).constructor === Object, [] instanceof Array, tensor([1]).toArray() instanceof Array]')), '[ true, true, true ]');
  });

  test('compile errors point at the cell line and column', async () => {
    const r = await kernel.run('const ok = 1;\nconst bad: number = ;\n');
    assert.equal(r.status, 'error');
    const e = errorOf(r)!;
    assert.equal(e.ename, 'SyntaxError');
    assert.equal(e.line, 2);
    assert.equal(e.column, 21);
    assert.match(e.traceback.join('\n'), /:2:21/);
    assert.equal(result(await kernel.run('typeof ok')), "'undefined'", 'nothing of a cell that does not compile runs');
  });

  test('runtime errors have a stack in cell lines, kernel frames hidden', async () => {
    await kernel.run('function inner(n: number): number {\n  if (n > 2) {\n    throw new RangeError(`too big: ${n}`);\n  }\n  return n;\n}');
    const r = await kernel.run('const fine = 1;\n\ninner(fine + 5);', { executionCount: 77 });
    assert.equal(r.status, 'error');
    const e = errorOf(r)!;
    assert.equal(e.ename, 'RangeError');
    assert.equal(e.evalue, 'too big: 6');
    assert.equal(e.traceback[0], 'RangeError: too big: 6');
    assert.match(e.traceback[1], /at inner \(cell\[\d+\]:3:11\)/, 'the frame in the earlier cell, at its line');
    assert.match(e.traceback[2], /cell\[77\]:3:1/);
    assert.equal(e.traceback.length, 3, e.traceback.join('\n'));
    assert.equal(e.line, 3);
  });

  test('errors thrown by the engine name the op and point at the cell line', async () => {
    const r = await kernel.run('const m = ones([2, 3]);\nm.matmul(ones([4, 5]))');
    const e = errorOf(r)!;
    assert.match(e.evalue, /matmul/);
    assert.ok(!e.traceback.some((l) => /kernel\.js|node:/.test(l)), e.traceback.join('\n'));
    assert.match(e.traceback[e.traceback.length - 1], /:2:\d+/);
  });

  test('a rejected await fails the cell with the error', async () => {
    const r = await kernel.run('await Promise.reject(new TypeError("nope"))');
    assert.equal(r.status, 'error');
    assert.equal(errorOf(r)!.ename, 'TypeError');
  });

  test('a nested function keeps the name it shares with a top-level const (op names, stacks, error columns)', async () => {
    const thrower = 'const boom = function boom() { throw new Error("bang"); };';
    const r = await kernel.run([
      'const cube = customGrad(function cube(x: Tensor) {',
      '  return { value: x.mul(x).mul(x), gradFunc: (dy: Tensor) => dy.mul(x.mul(x).mul(3)) };',
      '});',
      thrower,
      'cube(tensor([2], { requiresGrad: true })).gradFn',
    ].join('\n'));
    assert.equal(result(r), "'cube'");
    const err = errorOf(await kernel.run('boom()'))!;
    assert.match(err.traceback[1].trim(), new RegExp(`^at boom \\(cell\\[\\d+\\]:4:${thrower.indexOf('new Error') + 1}\\)$`));
  });

  test('JavaScript cells run too', async () => {
    assert.equal(result(await kernel.run('const js = [1, 2].map((x) => x * 3);\njs', { language: 'javascript' })), '[ 3, 6 ]');
  });

  test('variables and inspect answer from the kernel state', async () => {
    await kernel.run('const inspected = tensor([1, 2, 3]);');
    const vars = (await kernel.request('variables', {})).variables;
    const v = vars.find((x) => x.name === 'inspected');
    assert.deepEqual(v?.shape, [3]);
    const reply = await kernel.request('inspect', { expression: 'inspected' });
    assert.equal(reply.found, true);
    assert.match(String(reply.data?.['text/plain']), /Tensor \[3\]/);
    assert.equal((await kernel.request('inspect', { expression: 'inspected.nothing.here' })).found, false);
    assert.equal((await kernel.request('inspect', { expression: 'launchMissiles()' })).found, false, 'only property paths are inspected');
  });
});
