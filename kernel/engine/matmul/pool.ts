// The matmul thread pool: persistent worker_threads computing on one shared WebAssembly memory (the arena).
// The caller stays synchronous: it describes the job in the control block, wakes the workers, copies B then A
// into the arena while they start packing and computing on what is there (schedule.ts), does its own share of
// the work, then Atomics.waits for the rest. A worker that dies, throws or stops making progress is replaced,
// and the chunks it left undone are computed by the caller; nothing here ever waits without a timeout.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ARENA_START, CONTROL_BYTES, Job, KernelExports, PROTOCOL_VERSION, SLOTS, SLOT_INTS, Slot, State, WorkerInit } from './protocol';
import { ChunkCopier, Rect, cStride, finishChunks, panels, participate, plan, slabCount, slabRange } from './schedule';

/** A worker whose progress counter has not moved for this long is presumed hung. */
const STALL_MS = 3000;
/**
 * How long the caller polls before sleeping on a worker that has not finished. Short: when the two threads share a
 * CPU (a busy machine), polling only delays the worker it waits for.
 */
const SPIN_MS = 0.05;
const PAGE = 65536;
const MAX_PAGES = 32768;
/** At most this many workers: half the slots, so a replacement always finds a slot no live worker holds. */
const MAX_WORKERS = (SLOTS - 1) >> 1;

interface PoolWorker {
  worker: Worker;
  slot: number;
}

/** A product to compute: op(A)·op(B), the operands given as views to copy into the arena. */
export interface Product {
  transA: boolean; transB: boolean; m: number; n: number; k: number;
  a: Float32Array | Float64Array; b: Float32Array | Float64Array;
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
  private readonly job = this.ctrl.subarray(0, SLOT_INTS);
  /** The kernel's instance on this thread: gemm's primitives, and loops that run on staging arrays. */
  readonly kernel: KernelExports;
  private readonly workBytes: number;
  private readonly workers: PoolWorker[] = [];
  private nextSlot = 1;
  private seq = 0;
  /** Jobs posted by a call that was cut short (an interrupt terminated it mid-product): waited for first. */
  private pending: { w: PoolWorker; seq: number }[] = [];
  /** Workers replaced after dying, throwing or hanging (tests and diagnostics). */
  replaced = 0;
  /** Tests only: the next worker that gets a job exits half-way through a chunk of it. */
  killNextWorkerMidJob = false;
  /** Bytes from ARENA_START lent out by `staging`; a job's regions start after them. */
  private reserved = 0;
  /** The buffer of the last staging view: an operand on it is read where it lies, not copied. */
  private stagingBuffer: ArrayBufferLike | null = null;

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
        Atomics.wait(this.ctrl, w.slot * SLOT_INTS + Slot.State, State.Starting, Math.min(5, until - Date.now()));
      }
    }
    return this.readyWorkers();
  }

  /**
   * A view of `length` elements at the start of the arena, for the caller to write operands into: `run` reads an
   * operand on it in place instead of copying it (for convolutions' column blocks, megabytes per product, that copy
   * was a quarter of a LeNet step). Valid until the next call of `staging`; null when the arena cannot grow.
   */
  staging(length: number, f32: boolean): Float32Array | Float64Array | null {
    this.settle(); // no worker of a cut-short job still reads the region
    const bytes = align(length * (f32 ? 4 : 8));
    if (bytes > this.reserved) {
      if (!this.layout([bytes])) return null;
      this.reserved = bytes;
    }
    const buffer = this.memory.buffer, view = f32 ? new Float32Array(buffer, ARENA_START, length) : new Float64Array(buffer, ARENA_START, length);
    this.stagingBuffer = buffer;
    return view;
  }

  /**
   * In a staging view v, `count` blocks of `length` elements, the i-th from v[src + i·srcStride] to
   * v[dst + i·dstStride], as copyWithin; false (nothing done) when v is not the current staging view.
   */
  copyBlocks(v: Float32Array | Float64Array, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): boolean {
    if (v.buffer !== this.stagingBuffer) return false;
    const S = v.BYTES_PER_ELEMENT, at = v.byteOffset;
    this.kernel.copyBlocks(at + dst * S, dstStride * S, at + src * S, srcStride * S, count, length * S);
    return true;
  }

  /** As copyBlocks, but each block is added to its destination (v[dst…] += v[src…]). */
  addBlocks(v: Float32Array | Float64Array, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): boolean {
    if (v.buffer !== this.stagingBuffer) return false;
    const S = v.BYTES_PER_ELEMENT, at = v.byteOffset, add = S === 4 ? this.kernel.addBlocks32 : this.kernel.addBlocks64;
    add(at + dst * S, dstStride * S, at + src * S, srcStride * S, count, length);
    return true;
  }

  /** In a staging view v: v[start … start + length) += value; false (nothing done) when v is not the current one. */
  addConstant(v: Float32Array | Float64Array, start: number, length: number, value: number): boolean {
    if (v.buffer !== this.stagingBuffer) return false;
    const S = v.BYTES_PER_ELEMENT;
    (S === 4 ? this.kernel.addConstant32 : this.kernel.addConstant64)(v.byteOffset + start * S, length, value);
    return true;
  }

  /**
   * Computes op(A)·op(B) on `threads` threads (this one and ready workers) into out[outOffset…], or returns false
   * when the operands do not fit in the arena (2 GiB at most).
   */
  run(p: Product, threads: number, out: Float32Array | Float64Array, outOffset: number): boolean {
    this.settle();
    const { m, n, k } = p, f32 = p.a instanceof Float32Array, S = f32 ? 4 : 8, View = f32 ? Float32Array : Float64Array;
    const ready = this.workers.filter((w) => this.state(w) === State.Ready).slice(0, threads - 1);
    const depth = this.kernel.blockDepth(k), cut = plan(m, n, k, f32, p.transB, ready.length + 1, depth);
    const chunkCount = cut.chunks.length, ldc = cStride(n, k, f32);
    const aStaged = p.a.buffer === this.stagingBuffer, bStaged = p.b.buffer === this.stagingBuffer;
    const at = this.layout([
      (ready.length + 1) * this.workBytes, (cut.packUnits + chunkCount) * 4, k * panels(n, f32) * 32,
      aStaged ? 0 : m * k * S, bStaged ? 0 : k * n * S, m * ldc * S,
    ], this.reserved);
    if (!at) return false;
    const [work, flagsAt, packed, c] = [at[0], at[1], at[2], at[5]], buf = this.memory.buffer;
    const a = aStaged ? p.a.byteOffset : at[3], b = bStaged ? p.b.byteOffset : at[4];
    const flags = new Int32Array(buf, flagsAt, cut.packUnits + chunkCount).fill(0);
    const job = this.job, values = [+f32, +p.transA, +p.transB, m, n, k, a, b, c, packed, flagsAt,
      cut.packUnits, 0, chunkCount, 0, ready.length + 1, cut.minCells, cut.stripe, cut.minPanels, 0, depth, cut.blockGroups, 0, 0, ldc];
    for (let i = 0; i < values.length; i++) Atomics.store(job, i, values[i]);

    const posted: { w: PoolWorker; seq: number }[] = [];
    ready.forEach((w, i) => {
      const seq = ++this.seq, base = w.slot * SLOT_INTS, ctrl = this.ctrl;
      ctrl[base + Slot.Work] = work + (i + 1) * this.workBytes;
      if (this.killNextWorkerMidJob) { this.killNextWorkerMidJob = false; ctrl[base + Slot.DieMidJob] = 1; }
      Atomics.store(ctrl, base + Slot.Seq, seq);
      if (Atomics.load(ctrl, base + Slot.Sleeping) === 1) Atomics.notify(ctrl, base + Slot.Seq);
      posted.push({ w, seq });
    });
    this.pending = posted;
    this.copyOperands(p, cut.chunks, aStaged ? null : new View(buf, a, m * k), bStaged ? null : new View(buf, b, k * n), posted.length > 0);
    const copier = new ChunkCopier(job, cut.chunks, flags, new View(buf, c, m * ldc), out, outOffset);
    participate(this.kernel, job, flags, work, () => copier.copyFinished(), cut.chunks);
    copier.copyFinished(); // while the workers finish their last chunks
    let lost = false;
    for (const { w, seq } of posted) {
      if (!this.await(w, seq)) { lost = true; this.replace(w); }
    }
    this.pending = [];
    if (lost) finishChunks(this.kernel, job, flags, work, cut.chunks);
    copier.copyFinished();
    return true;
  }

  /**
   * Copies B into the arena a slab at a time, then A by the rows of the chunks in order, counting each in the job
   * as it lands: the workers pack a slab as soon as it is there and start their first chunk as soon as its rows are.
   * A null destination is an operand already in the arena (staging): all of it counts at once.
   */
  private copyOperands(p: Product, chunks: Rect[], a: Float32Array | Float64Array | null, b: Float32Array | Float64Array | null,
    notify: boolean): void {
    const job = this.job, publish = (field: Job.BSlabs | Job.ARows, count: number) => {
      Atomics.store(job, field, count);
      if (notify) Atomics.notify(job, field);
    };
    const slabs = slabCount(job);
    if (!b) publish(Job.BSlabs, slabs);
    else for (let s = 0; s < slabs; s++) {
      const [e0, e1] = slabRange(job, s);
      b.set(p.b.subarray(e0, e1), e0);
      publish(Job.BSlabs, s + 1);
    }
    if (!a || p.transA) { a?.set(p.a); publish(Job.ARows, p.m); return; }
    let copied = 0;
    for (const { i1 } of chunks) {
      if (i1 <= copied) continue; // chunks come in the order of their rows
      a.set(p.a.subarray(copied * p.k, i1 * p.k), copied * p.k);
      publish(Job.ARows, copied = i1);
    }
  }

  /** Waits for workers still busy with the job of a call that was terminated half-way, before reusing the arena. */
  private settle(): void {
    const pending = this.pending, job = this.job;
    if (pending.length > 0) {
      for (const field of [Job.BSlabs, Job.ARows]) { Atomics.store(job, field, -1); Atomics.notify(job, field); }
    }
    for (const { w, seq } of pending) {
      if (this.workers.includes(w) && !this.await(w, seq)) this.replace(w);
    }
    this.pending = [];
  }

  /**
   * Byte addresses of consecutive regions of the given sizes after the control block and `skip` bytes, growing the
   * arena; null if it cannot grow.
   */
  private layout(sizes: number[], skip = 0): number[] | null {
    const at: number[] = [];
    let end = ARENA_START + skip;
    for (const s of sizes) { at.push(end); end += align(s); }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return null;
      try { this.memory.grow(pages); } catch { return null; } // out of memory
    }
    return at;
  }

  /** Waits for a worker's job; false if it died, threw or hung (chunks it held are then not done). */
  private await(w: PoolWorker, seq: number): boolean {
    const ctrl = this.ctrl, base = w.slot * SLOT_INTS;
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, base + Slot.Done) !== seq && performance.now() < spinUntil) { /* spin */ }
    let progress = Atomics.load(ctrl, base + Slot.Progress), movedAt = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, base + Slot.Done);
      if (done === seq) return Atomics.load(ctrl, base + Slot.Failed) !== seq;
      if (this.state(w) !== State.Ready) return false;
      // As for workers: CallerSleeping is set before wait re-checks Done, and the worker sets Done before reading it.
      Atomics.store(this.job, Job.CallerSleeping, 1);
      Atomics.wait(ctrl, base + Slot.Done, done, 50);
      Atomics.store(this.job, Job.CallerSleeping, 0);
      const p = Atomics.load(ctrl, base + Slot.Progress);
      if (p !== progress) { progress = p; movedAt = Date.now(); }
      else if (Date.now() - movedAt > STALL_MS) return false;
    }
  }

  private state(w: PoolWorker): State {
    return Atomics.load(this.ctrl, w.slot * SLOT_INTS + Slot.State);
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
    const dead = () => { if (this.workers.includes(w)) Atomics.store(this.ctrl, slot * SLOT_INTS + Slot.State, State.Dead); };
    worker.on('error', dead);
    worker.on('exit', dead);
    worker.unref();
    return w;
  }

  /** Terminates a failed worker and starts a fresh one in its place (used once it is ready). */
  private replace(w: PoolWorker): void {
    const i = this.workers.indexOf(w);
    this.replaced++;
    Atomics.store(this.ctrl, w.slot * SLOT_INTS + Slot.State, State.Dead);
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
