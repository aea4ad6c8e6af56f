// How the threads of one product share the work, the same code on the calling thread and in workers. Two phases,
// each handing out units through an atomic counter: pack op(B) (groups of panels), then compute rectangles of C
// (chunks). Nobody waits for anybody: once the pack counter runs out, a thread packs again any group not yet
// flagged (identical bytes, so racing with its owner is harmless), then goes on to chunks. A chunk, in contrast,
// accumulates into C, so it is done once; chunks a dead worker left unflagged are redone by the caller after.
import { Job, KernelExports } from './protocol';

/** Register block of the wasm kernel (assembly/gemm.ts): MR rows, VB bytes of columns. */
export const MR = 6, VB = 32;

/** Panels (NR = VB / element size columns each) in n columns. */
export function panels(n: number, f32: boolean): number {
  return Math.ceil(n / (f32 ? VB / 4 : VB / 8));
}

/** [lo, hi) of part `i` of `parts` over `count` units of `unit` items, capped at `len` items. */
function part(i: number, parts: number, count: number, unit: number, len: number): [number, number] {
  return [Math.min(len, Math.floor((count * i) / parts) * unit), Math.min(len, Math.floor((count * (i + 1)) / parts) * unit)];
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
  const chunks = job[Job.Chunks];
  while (true) {
    const c = Atomics.add(job, Job.ChunkNext, 1);
    if (c >= chunks) break;
    computeChunk(kernel, job, c, work);
    Atomics.store(flags, units + c, 1);
    tick();
  }
}

/** Computes every chunk not flagged done (after a worker died holding one). */
export function finishChunks(kernel: KernelExports, job: Int32Array, flags: Int32Array, work: number): void {
  const units = job[Job.PackUnits];
  for (let c = 0; c < job[Job.Chunks]; c++) {
    if (Atomics.load(flags, units + c) === 0) { computeChunk(kernel, job, c, work); Atomics.store(flags, units + c, 1); }
  }
}

function packUnit(kernel: KernelExports, job: Int32Array, u: number): void {
  const f32 = job[Job.F32] === 1, np = panels(job[Job.N], f32);
  const [q0, q1] = part(u, job[Job.PackUnits], np, 1, np);
  (f32 ? kernel.packB32 : kernel.packB64)(job[Job.TransB], job[Job.N], job[Job.K], job[Job.B] >>> 0, q0, q1, job[Job.Packed] >>> 0);
}

/** Computes chunk `c`, or only its first `rowsFraction` of rows (tests: a worker dying mid-chunk). */
export function computeChunk(kernel: KernelExports, job: Int32Array, c: number, work: number, rowsFraction = 1): void {
  const f32 = job[Job.F32] === 1, m = job[Job.M], n = job[Job.N], np = panels(n, f32);
  const rowParts = job[Job.RowParts], colParts = job[Job.ColParts];
  const [i0, i1] = part(Math.floor(c / colParts), rowParts, Math.ceil(m / MR), MR, m);
  const [q0, q1] = part(c % colParts, colParts, np, 1, np);
  const rows = Math.ceil(((i1 - i0) * rowsFraction) / MR) * MR;
  (f32 ? kernel.tile32 : kernel.tile64)(job[Job.TransA], m, n, job[Job.K], job[Job.A] >>> 0, job[Job.Packed] >>> 0,
    job[Job.C] >>> 0, i0, Math.min(i1, i0 + rows), q0, q1, work);
}

/**
 * How a product of this shape is cut for `threads` threads: about 4 chunks per thread (fewer when small), rows
 * first, then columns when there are too few rows; pack units likewise over panels.
 */
export function plan(m: number, n: number, k: number, f32: boolean, threads: number): { rowParts: number; colParts: number; packUnits: number } {
  if (threads === 1) return { rowParts: 1, colParts: 1, packUnits: 1 };
  const np = panels(n, f32), rowBlocks = Math.ceil(m / MR);
  const minChunkFlops = 1 << 20;
  const target = Math.max(threads, Math.min(4 * threads, Math.floor((2 * m * n * k) / minChunkFlops)));
  const rowParts = Math.min(rowBlocks, target);
  const colParts = Math.min(np, Math.ceil(target / rowParts));
  return { rowParts, colParts, packUnits: Math.min(np, 4 * threads) };
}
