// The kernel client (kernel/client/client.ts) against the real kernel process (dist/kernel.js): runs, interrupts,
// and above all death: whatever is pending when the kernel is killed (a run, an inspect, a gradient check, a graph
// export) is rejected within a second; what a cell starts ends with the kernel; a flood of output cannot kill the
// client.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { constants } from 'node:buffer';
import { after, describe, test } from 'node:test';
import type { CellOutputMessage } from '../../kernel/client/protocol';
import { CLIENT_STREAM_LIMIT_CHARS, KernelClient, KernelDiedError, type CellResult } from '../../kernel/client/client';
import { ensureBuilt, kernelPath, SLOW_TO_CHECK_CELL } from './helpers/kernelProcess';
import { result } from './helpers/cellOutputs';

const started: KernelClient[] = [];

async function start(options: ConstructorParameters<typeof KernelClient>[0] = {}): Promise<KernelClient> {
  ensureBuilt();
  const k = new KernelClient({ kernelPath, cwd: __dirname, ...options });
  started.push(k);
  await k.start();
  return k;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Settles to 'pending' if `p` has not settled by now. */
async function state(p: Promise<unknown>): Promise<'pending' | 'settled'> {
  return Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), sleep(0).then(() => 'pending' as const)]);
}

/** Kills the kernel with SIGKILL while `pending` waits on it; returns how long `pending` then took to reject, and its error. */
async function killDuring(k: KernelClient, pending: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  await sleep(300);
  assert.equal(await state(pending), 'pending', 'the request still waits on the kernel');
  const killedAt = Date.now();
  process.kill(k.pid!, 'SIGKILL');
  const error = await pending.then(() => assert.fail('resolved, though the kernel was killed'), (e: unknown) => e);
  return { ms: Date.now() - killedAt, error };
}

function assertDied(error: unknown): void {
  assert.ok(error instanceof KernelDiedError, String(error));
  assert.equal(error.signal, 'SIGKILL');
  assert.equal(error.byClient, false);
  assert.match(error.message, /The kernel process died \(signal SIGKILL\)/);
}

/** Whether a process runs (a zombie, ended but not yet reaped by init, does not count). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** A cell that starts `sleep 60` in the background and gives its pid. */
const SPAWN_SLEEP = "require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' }).pid";

after(async () => { await Promise.all(started.map((k) => k.shutdown())); });

describe('kernel client: runs and interrupts', () => {
  test('runs a cell: streams, then the execute result, then done', async () => {
    const k = await start();
    const messages: string[] = [];
    const r = await k.run("console.log('hi');\n6 * 7", { onMessage: (m: CellOutputMessage) => messages.push(m.type) });
    assert.equal(r.status, 'ok');
    assert.deepEqual(messages, ['stream', 'executeResult']);
    assert.equal(result(r), '42');
    assert.equal(result(await k.run('process.pid')), String(k.pid));
  });

  test('interrupt stops a busy loop and the variables survive', async () => {
    const k = await start();
    assert.equal((await k.run('const kept = 7;')).status, 'ok');
    const looping = k.run('while (true) {}');
    await sleep(300);
    assert.ok(k.busy);
    k.interrupt();
    assert.equal((await looping).status, 'interrupted');
    assert.ok(k.alive);
    assert.equal(result(await k.run('kept')), '7');
  });

  test("a run's own signal cancels it while queued and interrupts it once it runs", async () => {
    const k = await start();
    const first = new AbortController();
    const second = new AbortController();
    const looping = k.run('for (;;) {}', { signal: first.signal });
    const queued = k.run('const queuedRan = 1;', { signal: second.signal });
    second.abort();
    assert.equal((await queued).status, 'cancelled');
    await sleep(200);
    first.abort();
    assert.equal((await looping).status, 'interrupted');
    assert.equal(result(await k.run('typeof queuedRan')), "'undefined'");
  });

  test('an interrupt that comes before the kernel is ready still stops the cell', async () => {
    ensureBuilt();
    const k = new KernelClient({ kernelPath, cwd: __dirname });
    started.push(k);
    const looping = k.run('for (;;) {}');
    k.interrupt();
    assert.equal((await looping).status, 'interrupted');
    assert.equal(result(await k.run('1 + 1')), '2');
  });

  test('a gradient check is stopped through its abort signal (the Cancel of its progress)', async () => {
    const k = await start();
    assert.equal((await k.run(SLOW_TO_CHECK_CELL)).status, 'ok');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const reply = await k.request('gradientCheck', {}, { signal: stop.signal });
    assert.equal(reply.cancelled, true, JSON.stringify(reply).slice(0, 300));
    assert.equal((await k.run('W.shape')).status, 'ok');
  });

  test('a request the kernel cannot answer in time is rejected with a message that says why', async () => {
    const k = await start();
    await k.run('setTimeout(() => { const until = Date.now() + 1500; while (Date.now() < until) {} }, 0);');
    await assert.rejects(k.request('variables', {}, { timeoutMs: 200 }), /did not answer within 200 ms/);
  });
});

describe('kernel client: the kernel dies under a pending request', () => {
  test('a run resolves "died" within a second, with a KernelDied output; the next run starts a new kernel', async () => {
    const k = await start();
    const deadPid = k.pid;
    const run = k.run('const lost = 1;\nfor (;;) {}');
    const { ms, error } = await killDuring(k, run.then((r) => { throw Object.assign(new Error(r.status), { result: r }); }));
    assert.ok(ms < 1000, `settled ${ms} ms after the kill`);
    const r = (error as { result: CellResult }).result;
    assert.equal(r.status, 'died');
    assert.equal(r.exit?.signal, 'SIGKILL');
    const died = r.outputs.find((o) => o.kind === 'error');
    assert.ok(died?.kind === 'error');
    assert.equal(died.ename, 'KernelDied');
    assert.match(died.evalue, /was killed \(SIGKILL\); its variables are lost/);
    assert.equal(result(await k.run('typeof lost')), "'undefined'");
    assert.notEqual(k.pid, deadPid);
  });

  test('execute (the extension\'s path) rejects with KernelDiedError within a second', async () => {
    const k = await start();
    const exits: KernelDiedError[] = [];
    k.onExit((e) => exits.push(e));
    const { ms, error } = await killDuring(k, k.execute({ cellId: 'c', code: 'for (;;) {}', executionCount: 1 }, () => undefined));
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assertDied(error);
    assert.equal(exits.length, 1);
    assert.equal(k.alive, false);
  });

  // The kernel answers requests between cells: a loop in a timer callback, once its cell has ended, holds them.
  const HOLD_THE_THREAD = 'setTimeout(() => { for (;;) {} }, 0);';

  test('an inspect rejects within a second', async () => {
    const k = await start();
    await k.run(`const w = 1;\n${HOLD_THE_THREAD}`);
    await sleep(100);
    const { ms, error } = await killDuring(k, k.request('inspect', { expression: 'w' }));
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assertDied(error);
  });

  test('a slow gradient check rejects within a second', async () => {
    const k = await start();
    assert.equal((await k.run(SLOW_TO_CHECK_CELL)).status, 'ok');
    const { ms, error } = await killDuring(k, k.request('gradientCheck', {}));
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assertDied(error);
  });

  test('a graph export rejects within a second', async () => {
    const k = await start();
    await k.run(`const v = tensor([1, 2], { requiresGrad: true });\nv.square().sum().backward();\n${HOLD_THE_THREAD}`);
    await sleep(100);
    const { ms, error } = await killDuring(k, k.request('graph', { format: 'svg' }));
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assertDied(error);
    await assert.rejects(k.request('graph', {}), KernelDiedError, 'a request to the dead kernel is rejected at once');
  });

  test('shutdown ends the process; later runs and requests are refused', async () => {
    const k = await start();
    await k.shutdown();
    assert.equal(k.alive, false);
    await assert.rejects(k.execute({ cellId: 'c', code: '1', executionCount: 1 }, () => undefined), (e: unknown) => e instanceof KernelDiedError && e.byClient);
    await assert.rejects(k.request('variables', {}), (e: unknown) => e instanceof KernelDiedError && e.byClient);
  });
});

describe('kernel client: process group, restart races, huge outputs', () => {
  test('a process a cell started is gone after shutdown', async () => {
    const k = await start();
    const child = Number(result(await k.run(SPAWN_SLEEP)));
    assert.ok(running(child), 'sleep runs');
    await k.shutdown();
    assert.equal(running(child), false, 'sleep ended with the kernel');
  });

  test('a process a cell started is gone after restart, and after the kernel is killed', async () => {
    const k = await start();
    const first = Number(result(await k.run(SPAWN_SLEEP)));
    await k.restart();
    assert.equal(running(first), false, 'sleep ended with the restarted kernel');
    const second = Number(result(await k.run(SPAWN_SLEEP)));
    const exited = new Promise((r) => k.onExit(r));
    process.kill(k.pid!, 'SIGKILL');
    await exited;
    for (let i = 0; i < 100 && running(second); i++) await sleep(20);
    assert.equal(running(second), false, 'sleep ended after the kernel was killed');
  });

  test('a run that races a restart waits for it: one new kernel, not two', async () => {
    const k = await start();
    const before = k.pid;
    const restarted = k.restart();
    const ran = k.run('process.pid');
    await restarted;
    const pid = Number(result(await ran));
    assert.notEqual(pid, before);
    assert.equal(pid, k.pid);
    assert.equal(result(await k.run('process.pid')), String(pid), 'still that kernel');
  });

  test('stream output past the client limit is cut with a note, and the client carries on', async () => {
    const k = await start({ streamLimit: 1000 });
    const r = await k.run("for (let i = 0; i < 100; i++) console.log('x'.repeat(99));\nconsole.error('also dropped');\n'done'");
    assert.equal(r.status, 'ok');
    assert.equal(result(r), "'done'");
    const streams = r.outputs.filter((o) => o.kind === 'stream');
    const kept = streams.slice(0, -1).map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    assert.equal(kept, 'x'.repeat(99).concat('\n').repeat(10));
    const note = streams.at(-1);
    assert.ok(note?.kind === 'stream');
    assert.match(note.text, /output truncated by the Backprop client: this cell printed more than 1000 characters; 9013 more were dropped/);
    assert.equal(result(await k.run('1 + 1')), '2');
    assert.ok(CLIENT_STREAM_LIMIT_CHARS * 8 < constants.MAX_STRING_LENGTH, 'the default limit is far below V8\'s longest string');
  });
});
