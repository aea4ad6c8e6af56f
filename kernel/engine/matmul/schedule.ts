// How the threads of one product share the work, the same code on the calling thread and in workers. Two phases,
// each handing out units through an atomic counter: pack op(B) (groups of depth blocks × panels), then compute
// rectangles of C (chunks), large ones first and smaller towards the end so that the threads finish together.
// The calling thread posts the job before the operands are in the arena and copies them in while the workers
// start: B in slabs, then A in the rows of the chunks in order; a unit waits only for the slabs it packs, a chunk
// for its rows. Nobody waits for another thread's work: once the pack counter runs out, a thread packs again any
// unit not yet flagged (identical bytes, so racing with its owner is harmless), then goes on to chunks. A chunk,
// in contrast, accumulates into C, so it is done once; chunks a dead worker left unflagged are redone by the
// caller after.
import { Job, KernelExports } from './protocol';
import type { FloatArray } from '../dtype';

/** Register block of the wasm kernel (assembly/gemm.ts): MR rows, VB bytes of columns. */
export const MR = 6, VB = 32;
/** Row blocks in a stripe: the kernel packs op(A) MC = 72 rows at a time and reuses each panel of B across them. */
const STRIPE = 12;
/** Bytes of op(B) from which it no longer stays in cache between chunks (see plan). */
const LARGE_B = 4 << 20;
/** Of an equal share of the work, how much each thread's first chunk takes (see chunkRects). */
const FIRST_SHARE = 0.8;

/** How long a thread polls for operands still being copied before sleeping on them (see awaitCopied). */
const COPY_SPIN_MS = 1;

/** Panels (NR = VB / element size columns each) in n columns. */
export function panels(n: number, f32: boolean): number {
  return Math.ceil(n / (f32 ? VB / 4 : VB / 8));
}

/** A rectangle of C: rows [i0, i1), panels [q0, q1). */
export interface Rect { i0: number; i1: number; q0: number; q1: number }

/**
 * The chunks of C in the order threads take them, counted in MR×NR cells and at least `minCells`: first one per
 * thread of FIRST_SHARE of an equal share, then each 1/threads of the work left, so chunks shrink towards the end
 * and the threads finish together even when one is slowed (the calling thread also copies the operands in and C
 * out). Few large chunks, because each chunk streams its panels of op(B) again. Rows are cut in stripes of
 * `stripe` row blocks: while the work a chunk takes is a stripe or more, it is whole stripes; after, panel ranges
 * of one stripe, at least `minPanels` wide. The stripe that is not full comes first, so the ones cut into columns
 * at the end are full. One chunk for one thread.
 */
export function chunkRects(m: number, np: number, threads: number, minCells: number, stripe: number, minPanels: number): Rect[] {
  const rows = Math.ceil(m / MR), first = rows % stripe || stripe, rects: Rect[] = [];
  const rect = (r0: number, r1: number, q0: number, q1: number) => ({ i0: r0 * MR, i1: Math.min(m, r1 * MR), q0, q1 });
  if (threads === 1) return [rect(0, rows, 0, np)];
  const stripeEnd = (r: number) => (r === 0 ? first : r + stripe); // r at a stripe's start
  const total = rows * np;
  let left = total, r = 0, q = 0;
  while (left > 0) {
    const want = Math.max(minCells, Math.ceil(rects.length < threads ? (FIRST_SHARE * total) / threads : left / threads));
    let r1 = stripeEnd(r);
    if (q === 0 && (r1 - r) * np <= want) {
      while (r1 < rows && (stripeEnd(r1) - r) * np <= want) r1 = stripeEnd(r1);
      rects.push(rect(r, r1, 0, np));
      left -= (r1 - r) * np;
      r = r1;
      continue;
    }
    let q1 = Math.min(np, q + Math.max(minPanels, Math.ceil(want / (r1 - r))));
    if (np - q1 < minPanels) q1 = np; // no sliver at the stripe's end
    rects.push(rect(r, r1, q, q1));
    left -= (r1 - r) * (q1 - q);
    q = q1;
    if (q === np) { q = 0; r = r1; }
  }
  return rects;
}

/** The chunks of the job in `job`. */
export function jobChunks(job: Int32Array): Rect[] {
  const np = panels(job[Job.N], job[Job.F32] === 1);
  return chunkRects(job[Job.M], np, job[Job.Threads], job[Job.MinCells], job[Job.Stripe], job[Job.MinPanels]);
}

/**
 * Does this thread's share of the job in `job` (slot 0 of the control block); `tick` after each unit. `chunks` are
 * the job's: the calling thread has them from `plan`, a worker rebuilds them from the job's fields.
 */
export function participate(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number, tick: () => void,
  chunks: Rect[] = jobChunks(job)): void {
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
  while (true) {
    const c = Atomics.add(job, Job.ChunkNext, 1);
    if (c >= chunks.length) break;
    if (!awaitCopied(job, Job.ARows, chunks[c].i1)) return;
    computeChunk(kernel, job, chunks[c], work);
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
export function finishChunks(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number, chunks: Rect[]): void {
  const units = job[Job.PackUnits];
  chunks.forEach((chunk, c) => {
    if (Atomics.load(flags, units + c) === 0) { computeChunk(kernel, job, chunk, work); Atomics.store(flags, units + c, 1); }
  });
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

/** Computes a chunk of C, or only its first `rowsFraction` of rows (tests: a worker dying mid-chunk). */
export function computeChunk(kernel: KernelExports, job: Int32Array, chunk: Rect, work: number, rowsFraction = 1): void {
  const { i0, i1: end, q0, q1 } = chunk;
  const i1 = Math.min(end, i0 + Math.ceil(((end - i0) * rowsFraction) / MR) * MR);
  (job[Job.F32] === 1 ? kernel.tile32 : kernel.tile64)(job[Job.TransA], job[Job.M], job[Job.N], job[Job.K], job[Job.A] >>> 0,
    job[Job.Packed] >>> 0, job[Job.C] >>> 0, job[Job.Ldc], i0, i1, q0, q1, work);
}

/**
 * Copies the chunks of C out of the arena into the caller's array as they are finished, by whichever thread: the
 * caller calls `copyFinished` between its own chunks, so that copying (and the page faults of a freshly allocated
 * output, ~5% of an n = 2048 float64 product) overlaps the workers' computing instead of following it.
 */
export class ChunkCopier {
  private readonly copied: Uint8Array;
  private first = 0;

  /** `chunks` are the job's (jobChunks). */
  constructor(private readonly job: Int32Array, private readonly chunks: Rect[], private readonly flags: Int32Array,
    private readonly c: FloatArray, private readonly out: FloatArray, private readonly outOffset: number) {
    this.copied = new Uint8Array(chunks.length);
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
    const { i0, i1, q0, q1 } = this.chunks[chunk], n = this.job[Job.N], ldc = this.job[Job.Ldc], { c, out, outOffset } = this;
    const nr = VB / c.BYTES_PER_ELEMENT, j0 = q0 * nr, j1 = Math.min(n, q1 * nr);
    if (j0 === 0 && j1 === n && ldc === n) { out.set(c.subarray(i0 * n, i1 * n), outOffset + i0 * n); return; }
    for (let i = i0; i < i1; i++) out.set(c.subarray(i * ldc + j0, i * ldc + j1), outOffset + i * n + j0);
  }
}

/**
 * Elements from one row of C to the next in the arena. A row stride that is a multiple of 1 KiB puts the rows of a
 * block of C (MC = 72) in a few cache sets (L1 has 64 sets of 64 bytes: 4 KiB strides share one), which then
 * evict one another between the micro-kernel's visits; one more cache line per row spreads them over all sets.
 * Only where C is then copied out row by row at a negligible cost (~20 ns a row, next to 2·n·k flops a row).
 * (Measured, two threads computing halves: n = 1024 and 2048 float64, ~1% faster.)
 */
export function cStride(n: number, k: number, f32: boolean): number {
  const S = f32 ? 4 : 8;
  return (n * S) % 1024 === 0 && n * k >= 1 << 18 ? n + 64 / S : n;
}

/**
 * How a product of this shape is cut for `threads` threads: chunks (chunkRects, as jobChunks gives them back from
 * the job's fields) of at least ~0.5 MFLOP; pack
 * units over depth blocks (so that packing can follow the copy of B, a block at a time) and panels. `depth` is
 * kernel.blockDepth(k).
 *
 * Every chunk streams its panels of op(B) once per MC rows, and a chunk cut into columns packs its rows of op(A)
 * again. While op(B) stays in cache, thin chunks cost little: rows are cut by row blocks, columns at 64 wide. A
 * large op(B) comes from memory for every chunk: rows are cut in whole stripes and columns at 256 wide, so that
 * packing op(A) again stays small next to the piece's arithmetic. (Measured at n = 2048 on two threads: the
 * tenth of the work done in row slices of a few row blocks ran 10% slower; chunks of 1/(2·threads) of the work
 * left, twice as many as 1/threads, made the product 2–7% slower; first chunks of 4/5 of a share, 1–3% faster.)
 */
export function plan(m: number, n: number, k: number, f32: boolean, transB: boolean, threads: number, depth: number): {
  minCells: number; stripe: number; minPanels: number; chunks: Rect[]; packUnits: number; blockGroups: number;
} {
  const np = panels(n, f32), nr = VB / (f32 ? 4 : 8), large = k * n * (f32 ? 4 : 8) >= LARGE_B;
  const minCells = Math.max(1, Math.ceil((1 << 19) / (2 * k * MR * nr)));
  const stripe = large ? STRIPE : 1, minPanels = Math.ceil((large ? 256 : 64) / nr);
  const chunks = chunkRects(m, np, threads, minCells, stripe, minPanels);
  // Stored [n×k], B is copied and packed by panels; stored [k×n], by depth blocks, each cut into panel groups.
  const blockGroups = threads === 1 || transB ? 1 : Math.ceil(k / depth);
  const perGroup = threads === 1 ? 1 : Math.min(np, Math.ceil((4 * threads) / blockGroups));
  return { minCells, stripe, minPanels, chunks, packUnits: blockGroups * perGroup, blockGroups };
}
