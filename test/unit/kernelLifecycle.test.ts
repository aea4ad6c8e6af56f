// The kernel process's life: interrupts that keep the variables (a synchronous loop before or after an await,
// a promise that never settles), a kernel that dies in a cell, restart, and memory over a long training loop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { KernelClient, type CellResult, type CellOutput } from '../../kernel/client/client';
import { INTERRUPT_FD_ENV, KERNEL_EXEC_ARGV, type KernelToClient } from '../../kernel/client/protocol';
import { ensureBuilt, kernelPath, root, startKernel } from './helpers/kernelProcess';
import { result } from './helpers/cellOutputs';



/** Interrupts the cell once it has printed `marker` (so the loop is surely running). */
async function runAndInterrupt(kernel: KernelClient, code: string, marker = 'started'): Promise<CellResult> {
  return kernel.run(code, {
    onMessage: (m) => { if (m.type === 'stream' && m.text.includes(marker)) setTimeout(() => kernel.interrupt(), 100); },
  });
}

describe('kernel: interrupt, death, restart', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await startKernel();
  });
  after(async () => { await kernel.shutdown(); });

  test('a synchronous infinite loop is interrupted and the variables survive', async () => {
    await kernel.run('const kept = tensor([1, 2, 3]);\nlet spins = 0;');
    const r = await runAndInterrupt(kernel, 'console.log("started");\nprocess.stdout.write("");\nwhile (true) { spins++; }');
    assert.equal(r.status, 'interrupted');
    assert.equal(result(await kernel.run('[kept.sum().item(), spins > 0]')), '[ 6, true ]');
  });

  test('a loop inside noGrad() is interrupted, and later cells record graphs again', async () => {
    const r = await runAndInterrupt(kernel, 'console.log("started");\nnoGrad(() => { for (;;) spins++; });');
    assert.equal(r.status, 'interrupted');
    assert.equal(result(await kernel.run('isGradEnabled()')), 'true');
    assert.equal(result(await kernel.run('tensor([2], { requiresGrad: true }).mul(3).requiresGrad')), 'true');
  });

  test('a loop after an await is interrupted too, and the kernel keeps working', async () => {
    const r = await runAndInterrupt(kernel, 'await new Promise((r) => setTimeout(r, 10));\nconsole.log("started");\nlet after = 0;\nfor (;;) { after++; }');
    assert.equal(r.status, 'interrupted');
    assert.equal(result(await kernel.run('after > 0 && kept.size === 3')), 'true');
  });

  test('an await that never settles is abandoned', async () => {
    const r = await runAndInterrupt(kernel, 'console.log("started");\nawait new Promise(() => {});\nconst never = 1;');
    assert.equal(r.status, 'interrupted');
    assert.equal(result(await kernel.run('typeof never')), "'undefined'");
    assert.equal(result(await kernel.run('kept.size')), '3');
  });

  test('a loop in a timer callback, while the cell awaits it, is interrupted', async () => {
    const r = await runAndInterrupt(kernel, [
      'function spin() { console.log("started"); for (;;) {} }',
      'await new Promise((resolve) => setTimeout(() => { spin(); resolve(0); }, 20));',
    ].join('\n'));
    assert.equal(r.status, 'interrupted');
    assert.equal(result(await kernel.run('kept.size')), '3');
  });

  test('a loop in a nextTick callback is interrupted, and async context still works afterwards', async () => {
    const r = await runAndInterrupt(kernel, 'process.nextTick(() => { console.log("started"); for (;;) {} });\nawait new Promise(() => {});');
    assert.equal(r.status, 'interrupted');
    const als = await kernel.run([
      'const { AsyncLocalStorage } = require("node:async_hooks");',
      'const store = new AsyncLocalStorage<number>();',
      'await store.run(5, async () => { await new Promise((r) => setTimeout(r, 5)); return store.getStore(); })',
    ].join('\n'));
    assert.equal(result(als), '5');
    assert.equal(result(await kernel.run('await new Promise((r) => setImmediate(() => r(kept.size)))')), '3');
  });

  test('a cell that exits the process is reported, and the next run starts a new kernel', async () => {
    const before = kernel.pid;
    const r = await kernel.run('console.log("bye");\nprocess.exit(3)');
    assert.equal(r.status, 'died');
    assert.equal(r.exit?.code, 3);
    const err = r.outputs.find((o) => o.kind === 'error') as Extract<CellOutput, { kind: 'error' }>;
    assert.match(err.evalue, /lost/);
    const next = await kernel.run('typeof kept');
    assert.equal(next.status, 'ok');
    assert.equal(result(next), "'undefined'", 'a new kernel, without the old state');
    assert.notEqual(kernel.pid, before);
  });

  test('a kernel out of memory is reported on its cell, and the next run starts a new kernel', async () => {
    const small = await startKernel({ execArgv: ['--max-old-space-size=64'] });
    try {
      const r = await small.run('const hog: number[][] = [];\nwhile (true) hog.push(new Array(100000).fill(1.5));');
      assert.equal(r.status, 'died');
      const err = r.outputs.find((o) => o.kind === 'error') as Extract<CellOutput, { kind: 'error' }>;
      assert.match(err.evalue, /out of memory/i);
      assert.equal(result(await small.run('1 + 1')), '2');
    } finally {
      await small.shutdown();
    }
  });

  test('cells queued behind a failing or interrupted one are cancelled; later ones run', async () => {
    const [failing, queued] = await Promise.all([kernel.run('throw new Error("first fails")'), kernel.run('const queuedRan = true;')]);
    assert.equal(failing.status, 'error');
    assert.equal(queued.status, 'cancelled');
    assert.equal(result(await kernel.run('typeof queuedRan')), "'undefined'");
    const spinning = runAndInterrupt(kernel, 'console.log("started");\nwhile (true) {}');
    const behind = kernel.run('const behindRan = true;');
    assert.equal((await spinning).status, 'interrupted');
    assert.equal((await behind).status, 'cancelled');
    assert.equal(result(await kernel.run('typeof behindRan')), "'undefined'");
  });

  test('text printed in a burst right before a long synchronous loop shows while the loop runs', { timeout: 20_000 }, async () => {
    // Without it the loop never ends: the test interrupts it once the header has come, or fails on its timeout.
    const r = await runAndInterrupt(kernel, 'for (let i = 0; i < 30; i++) console.log("row", i);\nconsole.log("header");\nwhile (true) {}', 'header');
    assert.equal(r.status, 'interrupted');
    const text = r.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    assert.equal(text, Array.from({ length: 30 }, (_, i) => `row ${i}\n`).join('') + 'header\n');
  });

  test('restart gives a fresh kernel', async () => {
    await kernel.run('const gone = 1;');
    await kernel.restart();
    assert.equal(result(await kernel.run('typeof gone')), "'undefined'");
  });
});

describe('kernel: as packaged', () => {
  test('runs from a copy of dist/*.js with no node_modules around (as in the .vsix)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-packaged-'));
    for (const f of readdirSync(join(root, 'dist'))) if (/\.(js|wasm)$/.test(f)) copyFileSync(join(root, 'dist', f), join(dir, f));
    const packaged = await KernelClient.start({ kernelPath: join(dir, 'kernel.js'), cwd: dir });
    try {
      const r = await packaged.run('const v: number[] = [1, 2];\nconst t = tensor(v, { requiresGrad: true });\nt.square().sum().backward();\nt.grad!.toArray()');
      assert.equal(r.status, 'ok', JSON.stringify(r.outputs));
      assert.equal(result(r), '[ 2, 4 ]');
      const bad = await packaged.run('const = 1');
      assert.equal(bad.status, 'error');
      assert.equal((bad.outputs[0] as Extract<CellOutput, { kind: 'error' }>).ename, 'SyntaxError');
    } finally {
      await packaged.shutdown();
    }
  });
});

describe('kernel: memory over a long training loop', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel({ execArgv: ['--expose-gc'] }); });
  after(async () => { await kernel.shutdown(); });

  test('10x more steps (graphs shown after backward) do not keep 10x more memory', async () => {
    const setup = await kernel.run([
      'manualSeed(0);',
      'const model = new nn.MLP([4, 16, 1], { activation: "tanh" });',
      'const opt = new optim.SGD(model.parameters(), { lr: 0.01 });',
      'const xs = randn([8, 4]), ys = randn([8, 1]);',
      'function train(steps: number): number {',
      '  let last = 0;',
      '  for (let i = 0; i < steps; i++) {',
      '    opt.zeroGrad();',
      '    const loss = mseLoss(model.forward(xs), ys);',
      '    loss.backward();',
      '    opt.step();',
      '    last = loss.item();',
      '  }',
      '  return last;',
      '}',
      'function heapAfter(steps: number): number {',
      '  train(steps);',
      '  (globalThis as any).gc();',
      '  return process.memoryUsage().heapUsed;',
      '}',
      'heapAfter(100);',
    ].join('\n'));
    assert.equal(setup.status, 'ok', JSON.stringify(setup.outputs));
    const heap = async (steps: number) => {
      const r = await kernel.run(`heapAfter(${steps})`);
      assert.equal(r.status, 'ok', JSON.stringify(r.outputs));
      return Number(result(r));
    };
    const small = await heap(1000);
    const large = await heap(10000);
    assert.ok(large < small * 1.5 + 8e6, `heap after 1,000 steps ${small}, after 10,000 steps ${large}`);
  });
});

// Through the raw protocol, as a client that sends the interrupt first: the interrupt pipe can overtake the
// `execute` message, and a client may interrupt a run it has not sent yet (its kernel still starting).
describe('kernel: an interrupt that comes before its execute', () => {
  let child: ChildProcess;
  const done = new Map<string, (status: string) => void>();
  const doneOf = (requestId: string) => new Promise<string>((resolve) => done.set(requestId, resolve));
  const execute = (requestId: string, code: string) => {
    const status = doneOf(requestId);
    child.send({ type: 'execute', requestId, cellId: requestId, code, executionCount: 1 });
    return status;
  };
  before(async () => {
    ensureBuilt();
    child = fork(kernelPath, [], {
      env: { ...process.env, [INTERRUPT_FD_ENV]: '4' }, execArgv: [...KERNEL_EXEC_ARGV],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc', 'pipe'], serialization: 'json',
    });
    await new Promise<void>((resolve) => child.on('message', (m: KernelToClient) => {
      if (m.type === 'ready') resolve();
      if (m.type === 'done') done.get(m.requestId)?.(m.status);
    }));
  });
  after(() => { child.kill(); });
  const pipe = () => child.stdio[4] as Writable;
  // Without the fix the busy cell is never stopped: the test fails on its timeout rather than hanging.
  /** Lets the kernel's watcher thread read the pipe before the `execute` is sent (the order this test is about). */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  test('one interrupt on the pipe, read before the execute, stops that busy cell when it starts', { timeout: 20_000 }, async () => {
    pipe().write('p1\n');
    await settle();
    assert.equal(await execute('p1', 'while (true) {}'), 'interrupted');
    assert.equal(await execute('p2', '1 + 1'), 'ok', 'the next cell runs');
  });

  test('one interrupt message sent before the execute stops that cell', { timeout: 20_000 }, async () => {
    child.send({ type: 'interrupt', requestId: 'm1' });
    assert.equal(await execute('m1', 'while (true) {}'), 'interrupted');
  });

  test('an interrupt that comes after its cell ended does not stop the next one', { timeout: 20_000 }, async () => {
    assert.equal(await execute('l1', '1'), 'ok');
    pipe().write('l1\n');
    child.send({ type: 'interrupt', requestId: 'l1' });
    await settle();
    assert.equal(await execute('l2', 'await new Promise((r) => setTimeout(r, 50)); 2'), 'ok');
  });
});
