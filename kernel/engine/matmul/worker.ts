// A matmul worker: instantiates the kernel on the shared memory, says it is ready, then loops forever — sleep on
// its slot's job number, compute the rectangle described in the slot, publish the job number as done. It never
// returns to its event loop; the pool unrefs it and Node terminates it at exit.
import { workerData } from 'node:worker_threads';
import { Field, KernelExports, PROTOCOL_VERSION, SLOT_INTS, State, WorkerInit, runSlotJob } from './protocol';
import { enableRelaxedSimd } from './wasmKernel';

/** How long to poll for the next job before sleeping: consecutive matmuls then skip a futex wake-up. */
const SPIN_MS = 0.3;

function main(init: WorkerInit): void {
  const ctrl = new Int32Array(init.memory.buffer, 0, 1024);
  const base = init.slot * SLOT_INTS;
  const markDead = () => { Atomics.store(ctrl, base + Field.State, State.Dead); Atomics.notify(ctrl, base + Field.Done); };
  if (init.protocol !== PROTOCOL_VERSION) return markDead(); // a stale dist/matmulWorker.js: let the pool fall back
  process.on('exit', markDead);
  enableRelaxedSimd();
  const kernel = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as KernelExports;

  let last = Atomics.load(ctrl, base + Field.Seq);
  Atomics.store(ctrl, base + Field.State, State.Ready);
  for (;;) {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, base + Field.Seq) === last && performance.now() < until) { /* spin */ }
    Atomics.wait(ctrl, base + Field.Seq, last);
    const seq = Atomics.load(ctrl, base + Field.Seq);
    if (seq === last) continue;
    try {
      const i0 = ctrl[base + Field.I0], i1 = ctrl[base + Field.I1];
      if (Atomics.exchange(ctrl, base + Field.DieMidJob, 0) === 1) {
        runSlotJob(kernel, ctrl, base, i0, i0 + ((i1 - i0) >> 1));
        process.exit(1);
      }
      runSlotJob(kernel, ctrl, base, i0, i1);
    } catch {
      Atomics.store(ctrl, base + Field.Failed, seq);
    }
    last = seq;
    Atomics.store(ctrl, base + Field.Done, seq);
    Atomics.notify(ctrl, base + Field.Done);
  }
}

main(workerData as WorkerInit);
