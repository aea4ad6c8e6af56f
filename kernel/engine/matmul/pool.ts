// The matmul thread pool: persistent worker_threads computing on one shared WebAssembly memory (the arena).
// The caller stays synchronous: it copies the operands into the arena, posts each worker its rectangle of the
// output, computes its own, then Atomics.waits for the rest. A worker that dies, throws or stops making progress
// has its share recomputed on the calling thread and is replaced; nothing here ever waits without a timeout.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ARENA_START, CONTROL_BYTES, Field, KernelExports, PROTOCOL_VERSION, SLOTS, SLOT_INTS, State, WorkerInit, runSlotJob } from './protocol';

/** A worker whose progress counter has not moved for this long is presumed hung. */
const STALL_MS = 3000;
/** How long the caller polls before sleeping on a worker that has not finished. */
const SPIN_MS = 0.2;
const PAGE = 65536;
const MAX_PAGES = 32768;
/** At most this many workers: half the slots, so a replacement always finds a slot no live worker holds. */
const MAX_WORKERS = (SLOTS - 1) >> 1;

interface PoolWorker {
  worker: Worker;
  slot: number;
}

/** One rectangle of the output: rows [i0, i1), columns [j0, j1). */
export interface Share { i0: number; i1: number; j0: number; j1: number }

/** A product already copied into the arena. Pointers are byte addresses. */
export interface ArenaJob {
  f32: boolean; transA: boolean; transB: boolean; m: number; n: number; k: number; a: number; b: number; c: number;
}

let workerFile: string | null | undefined;
let warned = false;

/** dist/matmulWorker.js: next to this bundle when bundled, else under the repository's dist/ (tsx, tests). */
function findWorkerFile(): string | null {
  if (workerFile !== undefined) return workerFile;
  const candidates = [join(__dirname, 'matmulWorker.js'), join(__dirname, '..', '..', '..', 'dist', 'matmulWorker.js')];
  workerFile = candidates.find((f) => existsSync(f)) ?? null;
  if (!workerFile && !warned) {
    warned = true;
    process.emitWarning(`matmul: worker script not found (looked for ${candidates.join(', ')}); computing on one thread`);
  }
  return workerFile;
}

export class MatmulPool {
  readonly memory = new WebAssembly.Memory({ initial: ARENA_START / PAGE + 1, maximum: MAX_PAGES, shared: true });
  private readonly ctrl = new Int32Array(this.memory.buffer, 0, CONTROL_BYTES / 4);
  private readonly kernel: KernelExports;
  private readonly workBytes: number;
  private readonly workers: PoolWorker[] = [];
  private nextSlot = 1; // slot 0 is the calling thread's (its progress counter)
  private seq = 0;
  /** Tests only: the next worker that gets a job exits half-way through it. */
  killNextWorkerMidJob = false;

  constructor(private readonly module: WebAssembly.Module) {
    this.kernel = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as KernelExports;
    this.workBytes = align(this.kernel.workBytes());
  }

  /** Starts workers until there are `count` (never stops any). Returns false when there is no worker script. */
  grow(count: number): boolean {
    count = Math.min(count, MAX_WORKERS);
    if (this.workers.length >= count) return true;
    const file = findWorkerFile();
    if (!file) return false;
    while (this.workers.length < count) this.workers.push(this.spawn(file));
    return true;
  }

  /** Workers that finished starting up and can take a job now. */
  readyWorkers(): number {
    return this.workers.filter((w) => this.state(w) === State.Ready).length;
  }

  /** Blocks until every started worker is ready or `timeoutMs` passes. Returns the number ready. */
  waitReady(timeoutMs: number): number {
    const until = Date.now() + timeoutMs;
    for (const w of this.workers) {
      while (this.state(w) === State.Starting && Date.now() < until) {
        Atomics.wait(this.ctrl, w.slot * SLOT_INTS + Field.State, State.Starting, Math.min(5, until - Date.now()));
      }
    }
    return this.readyWorkers();
  }

  /** Byte addresses for this call's scratch areas and operands, growing the arena when needed. */
  layout(threads: number, aBytes: number, bBytes: number, cBytes: number): { work: number; a: number; b: number; c: number } {
    const work = ARENA_START, a = work + threads * this.workBytes;
    const b = a + align(aBytes), c = b + align(bBytes), end = c + align(cBytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`matmul: operands too large for the 2 GiB arena (${end} bytes)`);
      this.memory.grow(pages);
    }
    return { work, a, b, c };
  }

  /** Computes `shares` of the product: shares[0] on this thread, the others on ready workers. */
  run(job: ArenaJob, shares: Share[], work: number): void {
    const ready = this.workers.filter((w) => this.state(w) === State.Ready);
    const posted: { w: PoolWorker; share: Share; seq: number }[] = [];
    for (let s = 1; s < shares.length; s++) {
      const w = ready[s - 1];
      if (!w) { this.compute(job, shares[s], work); continue; }
      const seq = ++this.seq, base = w.slot * SLOT_INTS, sh = shares[s], ctrl = this.ctrl;
      ctrl[base + Field.Dtype] = job.f32 ? 0 : 1;
      ctrl[base + Field.TransA] = +job.transA; ctrl[base + Field.TransB] = +job.transB;
      ctrl[base + Field.M] = job.m; ctrl[base + Field.N] = job.n; ctrl[base + Field.K] = job.k;
      ctrl[base + Field.A] = job.a; ctrl[base + Field.B] = job.b; ctrl[base + Field.C] = job.c;
      ctrl[base + Field.I0] = sh.i0; ctrl[base + Field.I1] = sh.i1; ctrl[base + Field.J0] = sh.j0; ctrl[base + Field.J1] = sh.j1;
      ctrl[base + Field.Work] = work + s * this.workBytes;
      if (this.killNextWorkerMidJob) { this.killNextWorkerMidJob = false; ctrl[base + Field.DieMidJob] = 1; }
      Atomics.store(ctrl, base + Field.Seq, seq);
      Atomics.notify(ctrl, base + Field.Seq);
      posted.push({ w, share: sh, seq });
    }
    this.compute(job, shares[0], work);
    for (const p of posted) {
      if (!this.await(p.w, p.seq)) {
        this.compute(job, p.share, work);
        this.replace(p.w);
      }
    }
  }

  /** Computes one share on the calling thread. */
  private compute(job: ArenaJob, s: Share, work: number): void {
    const f = job.f32 ? this.kernel.gemmF32 : this.kernel.gemmF64;
    f(+job.transA, +job.transB, job.m, job.n, job.k, job.a, job.b, job.c, s.i0, s.i1, s.j0, s.j1, work, Field.Progress * 4);
  }

  /** Waits for a worker's job; false if it died, threw or hung (its share is then not computed). */
  private await(w: PoolWorker, seq: number): boolean {
    const ctrl = this.ctrl, base = w.slot * SLOT_INTS;
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, base + Field.Done) !== seq && performance.now() < spinUntil) { /* spin */ }
    let progress = Atomics.load(ctrl, base + Field.Progress), movedAt = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, base + Field.Done);
      if (done === seq) return Atomics.load(ctrl, base + Field.Failed) !== seq;
      if (this.state(w) !== State.Ready) return false;
      Atomics.wait(ctrl, base + Field.Done, done, 50);
      const p = Atomics.load(ctrl, base + Field.Progress);
      if (p !== progress) { progress = p; movedAt = Date.now(); }
      else if (Date.now() - movedAt > STALL_MS) return false;
    }
  }

  private state(w: PoolWorker): State {
    return Atomics.load(this.ctrl, w.slot * SLOT_INTS + Field.State);
  }

  private spawn(file: string): PoolWorker {
    const used = new Set(this.workers.map((x) => x.slot));
    let slot = this.nextSlot;
    while (used.has(slot)) slot = slot + 1 < SLOTS ? slot + 1 : 1;
    this.nextSlot = slot + 1 < SLOTS ? slot + 1 : 1;
    this.ctrl.fill(0, slot * SLOT_INTS, (slot + 1) * SLOT_INTS);
    const init: WorkerInit = { protocol: PROTOCOL_VERSION, memory: this.memory, module: this.module, slot };
    const worker = new Worker(file, { workerData: init, execArgv: [], stdout: false, stderr: false });
    const w: PoolWorker = { worker, slot };
    // An 'exit' can arrive after the slot went to a replacement; only a current worker's death counts.
    const dead = () => { if (this.workers.includes(w)) Atomics.store(this.ctrl, slot * SLOT_INTS + Field.State, State.Dead); };
    worker.on('error', dead);
    worker.on('exit', dead);
    worker.unref();
    return w;
  }

  /** Terminates a failed worker and starts a fresh one in its place (used once it is ready). */
  private replace(w: PoolWorker): void {
    const i = this.workers.indexOf(w);
    Atomics.store(this.ctrl, w.slot * SLOT_INTS + Field.State, State.Dead);
    w.worker.terminate().catch(() => undefined);
    const file = findWorkerFile();
    if (i >= 0) {
      if (file) this.workers[i] = this.spawn(file);
      else this.workers.splice(i, 1);
    }
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
