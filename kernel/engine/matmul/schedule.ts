// How the threads of one product share the work, the same code on the calling thread and in workers. Two phases,
// each handing out units through an atomic counter: pack op(B) (groups of panels), then compute row (or column)
// ranges of C (chunks), large ones first and smaller towards the end so that the threads finish together. Nobody waits for anybody: once the pack counter runs out, a thread packs again any group not yet
// flagged (identical bytes, so racing with its owner is harmless), then goes on to chunks. A chunk, in contrast,
// accumulates into C, so it is done once; chunks a dead worker left unflagged are redone by the caller after.
import { Job, KernelExports } from './protocol';

type FloatArray = Float32Array | Float64Array;

/** Register block of the wasm kernel (assembly/gemm.ts): MR rows, VB bytes of columns. */
export const MR = 6, VB = 32;

/** How long a worker polls for A before sleeping on it (see awaitA). */
const A_SPIN_MS = 1;

/** Panels (NR = VB / element size columns each) in n columns. */
export function panels(n: number, f32: boolean): number {
  return Math.ceil(n / (f32 ? VB / 4 : VB / 8));
}

/**
 * Chunk boundaries over `count` units (row blocks or panels): each chunk takes 1/(2·threads) of what is left, at
 * least `min` units, so chunks shrink towards the end (guided scheduling). One chunk when threads = 1.
 */
export function guidedBounds(count: number, threads: number, min: number): number[] {
  const b = [0];
  let done = 0;
  while (done < count) {
    const left = count - done;
    done += threads === 1 ? left : Math.min(left, Math.max(min, Math.ceil(left / (2 * threads))));
    b.push(done);
  }
  return b;
}

/** The chunk boundaries of the job in `job`. */
function chunkBounds(job: Int32Array): number[] {
  const count = job[Job.ByRows] ? Math.ceil(job[Job.M] / MR) : panels(job[Job.N], job[Job.F32] === 1);
  return guidedBounds(count, job[Job.Guide], job[Job.MinUnits]);
}

/** Does this thread's share of the job in `job` (slot 0 of the control block); `tick` after each unit. */
export function participate(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number, tick: () => void): void {
  const units = job[Job.PackUnits];
  while (true) {
    const u = Atomics.add(job, Job.PackNext, 1);
    if (u >= units) break;
    packUnit(kernel, job, u);
    Atomics.store(flags, u, 1);
    tick();
  }
  for (let u = 0; u < units; u++) {
    if (Atomics.load(flags, u) === 0) { packUnit(kernel, job, u); Atomics.store(flags, u, 1); }
  }
  if (!awaitA(job)) return;
  const chunks = job[Job.Chunks], bounds = chunkBounds(job);
  while (true) {
    const c = Atomics.add(job, Job.ChunkNext, 1);
    if (c >= chunks) break;
    computeChunk(kernel, job, bounds, c, work);
    Atomics.store(flags, units + c, 1);
    tick();
  }
}

/**
 * Waits until the caller has copied A into the arena (it posts the job as soon as B is there, so that packing
 * overlaps that copy). False when the call was cut short before: then this thread takes no chunk. Polls for a
 * while first: that copy takes microseconds, and waking from Atomics.wait can take ~100 µs on a busy machine.
 */
export function awaitA(job: Int32Array): boolean {
  const spinUntil = performance.now() + A_SPIN_MS;
  for (;;) {
    const state = Atomics.load(job, Job.AReady);
    if (state !== 0) return state === 1;
    if (performance.now() > spinUntil) Atomics.wait(job, Job.AReady, 0, 50);
  }
}

/** Computes every chunk not flagged done (after a worker died holding one). */
export function finishChunks(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number): void {
  const units = job[Job.PackUnits], bounds = chunkBounds(job);
  for (let c = 0; c < job[Job.Chunks]; c++) {
    if (Atomics.load(flags, units + c) === 0) { computeChunk(kernel, job, bounds, c, work); Atomics.store(flags, units + c, 1); }
  }
}

function packUnit(kernel: KernelExports, job: Int32Array, u: number): void {
  const f32 = job[Job.F32] === 1, np = panels(job[Job.N], f32), units = job[Job.PackUnits];
  const q0 = Math.floor((np * u) / units), q1 = Math.floor((np * (u + 1)) / units);
  (f32 ? kernel.packB32 : kernel.packB64)(job[Job.TransB], job[Job.N], job[Job.K], job[Job.B] >>> 0, q0, q1, job[Job.Packed] >>> 0);
}

/** The rectangle of C chunk `c` covers: rows [i0, i1), panels [q0, q1). */
function chunkRect(job: Int32Array, bounds: number[], c: number): { i0: number; i1: number; q0: number; q1: number } {
  if (job[Job.ByRows]) return { i0: bounds[c] * MR, i1: Math.min(job[Job.M], bounds[c + 1] * MR), q0: 0, q1: panels(job[Job.N], job[Job.F32] === 1) };
  return { i0: 0, i1: job[Job.M], q0: bounds[c], q1: bounds[c + 1] };
}

/** Computes chunk `c`, or only its first `rowsFraction` of rows (tests: a worker dying mid-chunk). */
export function computeChunk(kernel: KernelExports, job: Int32Array, bounds: number[] | null, c: number, work: number, rowsFraction = 1): void {
  bounds ??= chunkBounds(job);
  const { i0, i1: end, q0, q1 } = chunkRect(job, bounds, c);
  const i1 = Math.min(end, i0 + Math.ceil(((end - i0) * rowsFraction) / MR) * MR);
  (job[Job.F32] === 1 ? kernel.tile32 : kernel.tile64)(job[Job.TransA], job[Job.M], job[Job.N], job[Job.K], job[Job.A] >>> 0,
    job[Job.Packed] >>> 0, job[Job.C] >>> 0, i0, i1, q0, q1, work);
}

/**
 * Copies the chunks of C out of the arena into the caller's array as they are finished, by whichever thread: the
 * caller calls `copyFinished` between its own chunks, so that copying (and the page faults of a freshly allocated
 * output, ~5% of an n = 2048 float64 product) overlaps the workers' computing instead of following it.
 */
export class ChunkCopier {
  private readonly bounds: number[];
  private readonly copied: Uint8Array;
  private first = 0;

  constructor(private readonly job: Int32Array, private readonly flags: Int32Array, private readonly c: FloatArray,
    private readonly out: FloatArray, private readonly outOffset: number) {
    this.bounds = chunkBounds(job);
    this.copied = new Uint8Array(job[Job.Chunks]);
  }

  /** Copies every chunk flagged done and not copied yet. */
  copyFinished(): void {
    const chunks = this.copied.length, units = this.job[Job.PackUnits];
    while (this.first < chunks && this.copied[this.first]) this.first++;
    for (let c = this.first; c < chunks; c++) {
      if (!this.copied[c] && Atomics.load(this.flags, units + c) === 1) { this.copy(c); this.copied[c] = 1; }
    }
  }

  private copy(chunk: number): void {
    const { i0, i1, q0, q1 } = chunkRect(this.job, this.bounds, chunk), n = this.job[Job.N], { c, out, outOffset } = this;
    if (this.job[Job.ByRows]) { out.set(c.subarray(i0 * n, i1 * n), outOffset + i0 * n); return; }
    const nr = VB / c.BYTES_PER_ELEMENT, j0 = q0 * nr, j1 = Math.min(n, q1 * nr);
    for (let i = i0; i < i1; i++) out.set(c.subarray(i * n + j0, i * n + j1), outOffset + i * n + j0);
  }
}

/**
 * How a product of this shape is cut for `threads` threads: chunks along rows (each packs only its rows of A),
 * or along columns when there are too few rows; chunks of at least ~0.5 MFLOP; pack units over panels.
 */
export function plan(m: number, n: number, k: number, f32: boolean, threads: number): { byRows: boolean; guide: number; minUnits: number; chunks: number; packUnits: number } {
  const np = panels(n, f32), rowBlocks = Math.ceil(m / MR), nr = VB / (f32 ? 4 : 8);
  const byRows = threads === 1 || rowBlocks >= 4 * threads || rowBlocks >= np;
  const unitFlops = 2 * k * (byRows ? MR * n : nr * m);
  const minUnits = Math.max(1, Math.ceil((1 << 19) / unitFlops));
  const chunks = guidedBounds(byRows ? rowBlocks : np, threads, minUnits).length - 1;
  return { byRows, guide: threads, minUnits, chunks, packUnits: threads === 1 ? 1 : Math.min(np, 4 * threads) };
}
