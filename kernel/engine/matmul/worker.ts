// A matmul worker: instantiates the kernel on the shared memory, says it is ready, then loops forever — sleep on
// its slot's job number, take its share of the job (schedule.ts), publish the job number as done. It never
// returns to its event loop; the pool unrefs it and Node terminates it at exit.
import { workerData } from 'node:worker_threads';
import { Job, KernelExports, PROTOCOL_VERSION, SLOT_INTS, Slot, State, WorkerInit } from './protocol';
import { awaitCopied, computeChunk, jobChunks, participate } from './schedule';

/**
 * How long to poll for the next job before sleeping. Waking a sleeping thread costs the caller ~100 µs on a busy
 * machine (the woken thread preempts it); in a training loop products come every few hundred µs, so the worker
 * stays awake through a step and then sleeps. Not longer: on a busy machine a polling worker takes CPU from others.
 */
const SPIN_MS = 2;

function main(init: WorkerInit): void {
  const ctrl = new Int32Array(init.memory.buffer, 0, SLOT_INTS * 32);
  const job = ctrl.subarray(0, SLOT_INTS), me = ctrl.subarray(init.slot * SLOT_INTS, (init.slot + 1) * SLOT_INTS);
  const markDead = () => { Atomics.store(me, Slot.State, State.Dead); Atomics.notify(me, Slot.Done); };
  if (init.protocol !== PROTOCOL_VERSION) return markDead(); // a stale dist/matmulWorker.js: the pool goes on without it
  process.on('exit', markDead);
  const kernel = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as KernelExports;
  const tick = () => { Atomics.add(me, Slot.Progress, 1); };

  let last = Atomics.load(me, Slot.Seq);
  Atomics.store(me, Slot.State, State.Ready);
  for (;;) {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(me, Slot.Seq) === last && performance.now() < until) { /* spin */ }
    // Sleeping is set before wait checks Seq, and the caller sets Seq before reading Sleeping: no lost wake-up.
    Atomics.store(me, Slot.Sleeping, 1);
    Atomics.wait(me, Slot.Seq, last);
    Atomics.store(me, Slot.Sleeping, 0);
    const seq = Atomics.load(me, Slot.Seq);
    if (seq === last) continue;
    try {
      const memory = init.memory.buffer; // re-read: the arena may have grown
      const flags = new Int32Array(memory, job[Job.Flags] >>> 0, job[Job.PackUnits] + job[Job.Chunks]);
      const work = me[Slot.Work] >>> 0;
      if (Atomics.exchange(me, Slot.DieMidJob, 0) === 1) dieMidChunk(kernel, job, work);
      participate(kernel, job, flags, work, tick);
    } catch {
      Atomics.store(me, Slot.Failed, seq);
    }
    last = seq;
    Atomics.store(me, Slot.Done, seq);
    if (Atomics.load(job, Job.CallerSleeping) === 1) Atomics.notify(me, Slot.Done);
  }
}

/** Tests only: claim a chunk, compute half of its rows, exit — as a crash would leave it. */
function dieMidChunk(kernel: KernelExports, job: Int32Array, work: number): never {
  const c = Atomics.add(job, Job.ChunkNext, 1), chunk = jobChunks(job)[c];
  if (chunk && awaitCopied(job, Job.ARows, chunk.i1)) computeChunk(kernel, job, chunk, work, 0.5);
  process.exit(1);
}

main(workerData as WorkerInit);
