// How the threads of one product share the work, the same code on the calling thread and in workers. Two phases,
// each handing out units through an atomic counter: pack op(B) (groups of depth blocks × panels), then compute row
// (or column) ranges of C (chunks), large ones first and smaller towards the end so that the threads finish
// together. The calling thread posts the job before the operands are in the arena and copies them in while the
// workers start: B in slabs, then A in the rows of the chunks in order; a unit waits only for the slabs it packs,
// a chunk for its rows. Nobody waits for another thread's work: once the pack counter runs out, a thread packs
// again any unit not yet flagged (identical bytes, so racing with its owner is harmless), then goes on to chunks.
// A chunk, in contrast, accumulates into C, so it is done once; chunks a dead worker left unflagged are redone by
// the caller after.
import { Job, KernelExports } from './protocol';

type FloatArray = Float32Array | Float64Array;

/** Register block of the wasm kernel (assembly/gemm.ts): MR rows, VB bytes of columns. */
export const MR = 6, VB = 32;

/** How long a thread polls for operands still being copied before sleeping on them (see awaitCopied). */
const COPY_SPIN_MS = 1;

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
export function chunkBounds(job: Int32Array): number[] {
  const count = job[Job.ByRows] ? Math.ceil(job[Job.M] / MR) : panels(job[Job.N], job[Job.F32] === 1);
  return guidedBounds(count, job[Job.Guide], job[Job.MinUnits]);
}

/** Does this thread's share of the job in `job` (slot 0 of the control block); `tick` after each unit. */
export function participate(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number, tick: () => void): void {
  const units = job[Job.PackUnits];
  while (true) {
    const u = Atomics.add(job, Job.PackNext, 1);
    if (u >= units) break;
    if (!packUnit(kernel, job, u)) return;
    Atomics.store(flags, u, 1);
    tick();
  }
  for (let u = 0; u < units; u++) {
    if (Atomics.load(flags, u) === 0) {
      if (!packUnit(kernel, job, u)) return;
      Atomics.store(flags, u, 1);
    }
  }
  const chunks = job[Job.Chunks], bounds = chunkBounds(job);
  while (true) {
    const c = Atomics.add(job, Job.ChunkNext, 1);
    if (c >= chunks) break;
    if (!awaitCopied(job, Job.ARows, chunkRect(job, bounds, c).i1)) return;
    computeChunk(kernel, job, bounds, c, work);
    Atomics.store(flags, units + c, 1);
    tick();
  }
}

/**
 * Waits until the calling thread has counted at least `count` at `field` (slabs of B, rows of A) as copied into
 * the arena. False when that call was cut short before: then this thread stops taking work. Polls for a while
 * first: a slab takes microseconds to copy, and waking from Atomics.wait can take ~100 µs on a busy machine.
 */
export function awaitCopied(job: Int32Array, field: Job.BSlabs | Job.ARows, count: number): boolean {
  const spinUntil = performance.now() + COPY_SPIN_MS;
  for (;;) {
    const have = Atomics.load(job, field);
    if (have < 0) return false;
    if (have >= count) return true;
    if (performance.now() > spinUntil) Atomics.wait(job, field, have, 50);
  }
}

/** Computes every chunk not flagged done (after a worker died holding one). */
export function finishChunks(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number): void {
  const units = job[Job.PackUnits], bounds = chunkBounds(job);
  for (let c = 0; c < job[Job.Chunks]; c++) {
    if (Atomics.load(flags, units + c) === 0) { computeChunk(kernel, job, bounds, c, work); Atomics.store(flags, units + c, 1); }
  }
}

/** What pack unit `u` packs: depth blocks [j0, j1) of panels [q0, q1), once the first `slabs` slabs of B are in. */
export function packRect(job: Int32Array, u: number): { j0: number; j1: number; q0: number; q1: number; slabs: number } {
  const perGroup = job[Job.PackUnits] / job[Job.BlockGroups], g = Math.floor(u / perGroup), v = u % perGroup;
  const blocks = depthBlocks(job), np = panels(job[Job.N], job[Job.F32] === 1);
  const j0 = Math.floor((blocks * g) / job[Job.BlockGroups]), j1 = Math.floor((blocks * (g + 1)) / job[Job.BlockGroups]);
  const q0 = Math.floor((np * v) / perGroup), q1 = Math.floor((np * (v + 1)) / perGroup);
  // A slab is a depth block of B [k×n], or a unit's panels of B stored [n×k] (transB): contiguous rows either way.
  return { j0, j1, q0, q1, slabs: job[Job.TransB] ? u + 1 : j1 };
}

function depthBlocks(job: Int32Array): number {
  return Math.ceil(job[Job.K] / job[Job.Depth]);
}

/** How many slabs B is copied in. */
export function slabCount(job: Int32Array): number {
  return job[Job.TransB] ? job[Job.PackUnits] : depthBlocks(job);
}

/** The elements [e0, e1) of B that slab `s` covers. */
export function slabRange(job: Int32Array, s: number): [number, number] {
  const n = job[Job.N], k = job[Job.K];
  if (!job[Job.TransB]) return [s * job[Job.Depth] * n, Math.min(k, (s + 1) * job[Job.Depth]) * n];
  const { q0, q1 } = packRect(job, s), nr = VB / (job[Job.F32] === 1 ? 4 : 8);
  return [q0 * nr * k, Math.min(n, q1 * nr) * k];
}

/** Packs unit `u` once its slabs of B are in the arena; false if the call was cut short first. */
function packUnit(kernel: KernelExports, job: Int32Array, u: number): boolean {
  const { j0, j1, q0, q1, slabs } = packRect(job, u);
  if (!awaitCopied(job, Job.BSlabs, slabs)) return false;
  (job[Job.F32] === 1 ? kernel.packB32 : kernel.packB64)(job[Job.TransB], job[Job.N], job[Job.K], job[Job.B] >>> 0,
    q0, q1, j0, j1, job[Job.Packed] >>> 0);
  return true;
}

/** The rectangle of C chunk `c` covers: rows [i0, i1), panels [q0, q1). */
export function chunkRect(job: Int32Array, bounds: number[], c: number): { i0: number; i1: number; q0: number; q1: number } {
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
 * or along columns when there are too few rows; chunks of at least ~0.5 MFLOP; pack units over depth blocks (so
 * that packing can follow the copy of B, a block at a time) and panels. `depth` is kernel.blockDepth(k).
 */
export function plan(m: number, n: number, k: number, f32: boolean, transB: boolean, threads: number, depth: number): {
  byRows: boolean; guide: number; minUnits: number; chunks: number; packUnits: number; blockGroups: number;
} {
  const np = panels(n, f32), rowBlocks = Math.ceil(m / MR), nr = VB / (f32 ? 4 : 8);
  const byRows = threads === 1 || rowBlocks >= 4 * threads || rowBlocks >= np;
  const unitFlops = 2 * k * (byRows ? MR * n : nr * m);
  const minUnits = Math.max(1, Math.ceil((1 << 19) / unitFlops));
  const chunks = guidedBounds(byRows ? rowBlocks : np, threads, minUnits).length - 1;
  // Stored [n×k], B is copied and packed by panels; stored [k×n], by depth blocks, each cut into panel groups.
  const blockGroups = threads === 1 || transB ? 1 : Math.ceil(k / depth);
  const perGroup = threads === 1 ? 1 : Math.min(np, Math.ceil((4 * threads) / blockGroups));
  return { byRows, guide: threads, minUnits, chunks, packUnits: blockGroups * perGroup, blockGroups };
}
