// The extension's kernel client (extension/kernelClient.ts) against the real kernel process (dist/kernel.js,
// built by npm test): run, interrupt a busy loop keeping variables, death, shutdown. No VS Code needed.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CellOutputMessage, GradientCheckReply } from '../../kernel/client/protocol';
import { KernelClient, KernelDiedError } from '../../extension/kernelClient';
import { SLOW_TO_CHECK_CELL } from './helpers/kernelProcess';

const kernelPath = join(__dirname, '..', '..', 'dist', 'kernel.js');
const started: KernelClient[] = [];

function start(): KernelClient {
  assert.ok(existsSync(kernelPath), 'dist/kernel.js is built (node scripts/build.mjs)');
  const k = new KernelClient({ kernelPath, cwd: __dirname });
  started.push(k);
  return k;
}

async function run(k: KernelClient, code: string, executionCount = 1): Promise<{ status: string; outputs: CellOutputMessage[] }> {
  const outputs: CellOutputMessage[] = [];
  const done = await k.execute({ cellId: `cell${executionCount}`, code, executionCount }, (m) => outputs.push(m));
  return { status: done.status, outputs };
}

after(async () => { await Promise.all(started.map((k) => k.shutdown())); });

test('runs a cell: streams, then the execute result, then done', async () => {
  const k = start();
  const ready = await k.ready;
  assert.equal(ready.pid, k.pid);
  const r = await run(k, "console.log('hi');\n6 * 7");
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.outputs.map((m) => m.type), ['stream', 'executeResult']);
  const result = r.outputs[1];
  assert.ok(result.type === 'executeResult');
  assert.equal(result.data['text/plain'], '42');
});

test('interrupt stops a busy loop and the variables survive', async () => {
  const k = start();
  assert.equal((await run(k, 'const kept = 7;')).status, 'ok');
  const looping = run(k, 'while (true) {}', 2);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(k.busy);
  k.interrupt();
  assert.equal((await looping).status, 'interrupted');
  assert.ok(k.alive);
  const r = await run(k, 'kept', 3);
  const result = r.outputs.find((m) => m.type === 'executeResult');
  assert.ok(result?.type === 'executeResult');
  assert.equal(result.data['text/plain'], '7');
});

test('a gradient check is stopped through its request abort signal (the Cancel of its progress)', async () => {
  const k = start();
  assert.equal((await run(k, SLOW_TO_CHECK_CELL)).status, 'ok');
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 300);
  const reply = await k.request<GradientCheckReply>({ type: 'gradientCheck' }, undefined, stop.signal);
  assert.equal(reply.cancelled, true, JSON.stringify(reply).slice(0, 300));
  assert.equal((await run(k, 'W.shape', 2)).status, 'ok');
});

test('an interrupt sent before the kernel is ready still stops the cell', async () => {
  const k = start();
  const looping = run(k, 'for (;;) {}');
  k.interrupt();
  assert.equal((await looping).status, 'interrupted');
  assert.equal((await run(k, '1 + 1', 2)).status, 'ok');
});

test('a kernel that dies rejects the running cell with KernelDiedError and says how it ended', async () => {
  const k = start();
  let exitSeen: KernelDiedError | undefined;
  k.onExit((e) => { exitSeen = e; });
  await assert.rejects(run(k, "process.kill(process.pid, 'SIGKILL')"), (e: unknown) => {
    assert.ok(e instanceof KernelDiedError);
    assert.equal(e.signal, 'SIGKILL');
    assert.equal(e.byClient, false);
    return true;
  });
  assert.equal(k.alive, false);
  assert.ok(exitSeen);
});

test('shutdown ends the process; later runs are refused', async () => {
  const k = start();
  await k.ready;
  await k.shutdown();
  assert.equal(k.alive, false);
  await assert.rejects(run(k, '1'), (e: unknown) => e instanceof KernelDiedError && e.byClient);
});
