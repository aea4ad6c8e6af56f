// The run queue (kernel/client/queue.ts) on its own: one job at a time in order, a failure cancels the runs queued
// behind it (not tool turns), a run's signal cancels it while it waits and aborts its job once it runs.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunQueue } from '../../kernel/client/queue';

/** A job that ends when told to, with the result given; records when it started. */
function gate<T>(log: string[], name: string, value: T) {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  return { open: () => open(), job: async (signal: AbortSignal) => { log.push(`start ${name}`); await Promise.race([opened, new Promise((r) => signal.addEventListener('abort', r))]); return signal.aborted ? 'aborted' as T : value; } };
}

const opts = { failed: (r: string) => r !== 'ok', cancelled: () => 'cancelled' };

test('runs one job at a time, in call order', async () => {
  const q = new RunQueue();
  const log: string[] = [];
  const a = gate(log, 'a', 'ok');
  const b = gate(log, 'b', 'ok');
  const ra = q.run(a.job, opts);
  const rb = q.run(b.job, opts);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['start a'], 'b waits');
  assert.equal(q.queued, 1);
  a.open();
  assert.equal(await ra, 'ok');
  b.open();
  assert.equal(await rb, 'ok');
  assert.deepEqual(log, ['start a', 'start b']);
  assert.ok(q.idle);
});

test('a failing run cancels the runs queued behind it, not the tool turns; later runs go on', async () => {
  const q = new RunQueue();
  const log: string[] = [];
  const a = gate(log, 'a', 'error');
  const ra = q.run(a.job, opts);
  const rb = q.run(async () => { log.push('start b'); return 'ok'; }, opts);
  const turn = q.turn(async () => { log.push('turn'); return 7; });
  a.open();
  assert.deepEqual([await ra, await rb, await turn], ['error', 'cancelled', 7]);
  assert.deepEqual(log, ['start a', 'turn']);
  assert.equal(await q.run(async () => 'ok', opts), 'ok');
});

test('a job that throws rejects its run and cancels the queued ones', async () => {
  const q = new RunQueue();
  const ra = q.run(async () => { throw new Error('broken'); }, opts);
  const rb = q.run(async () => 'ok', opts);
  await assert.rejects(ra, /broken/);
  assert.equal(await rb, 'cancelled');
});

test("interrupt cancels the queued runs and aborts the running one's signal; a run's own signal does the same for it", async () => {
  const q = new RunQueue();
  const log: string[] = [];
  const a = gate(log, 'a', 'ok');
  const ra = q.run(a.job, opts);
  const rb = q.run(async () => 'ok', opts);
  q.interrupt();
  assert.deepEqual([await ra, await rb], ['aborted', 'cancelled']);
  const stopC = new AbortController();
  const stopD = new AbortController();
  const c = gate(log, 'c', 'ok');
  const rc = q.run(c.job, { ...opts, signal: stopC.signal });
  const rd = q.run(async () => 'ok', { ...opts, signal: stopD.signal });
  stopD.abort();
  assert.equal(await rd, 'cancelled', 'cancelled while it waited');
  stopC.abort();
  assert.equal(await rc, 'aborted');
  assert.equal(await q.run(async () => 'ok', { ...opts, signal: AbortSignal.abort() }), 'cancelled', 'an aborted signal never runs');
});
