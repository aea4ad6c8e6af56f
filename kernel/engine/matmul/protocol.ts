// The layout of the control block the calling thread and the matmul workers share: the first page of the shared
// WebAssembly memory (the kernel has no data of its own), in slots of SLOT_INTS int32. Slot 0 describes the current
// product (the job); slot s ≥ 1 belongs to one worker.

/** Bumped whenever the layout or meaning below changes: a worker built from other sources refuses to start. */
export const PROTOCOL_VERSION = 8;

export const CONTROL_BYTES = 4096;
export const SLOT_INTS = 32;
export const SLOTS = CONTROL_BYTES / 4 / SLOT_INTS;
/** Where scratch areas, flags and operands start (bytes); below is control. */
export const ARENA_START = 65536;

/** Int32 fields of a worker's slot. */
export const enum Slot {
  /** Job number posted by the calling thread; the worker sleeps on it. */
  Seq = 0,
  /** Job number the worker finished with (see Failed). The calling thread sleeps on it. */
  Done = 1,
  State = 2,
  /** Job number that threw in the worker. */
  Failed = 3,
  /** Bumped after each unit of work: a moving counter means alive. */
  Progress = 4,
  /** Tests only: the worker exits half-way through its next chunk. */
  DieMidJob = 5,
  /** Byte address of this worker's scratch area for the current job. */
  Work = 6,
  /** 1 while the worker sleeps in Atomics.wait: only then does posting a job need Atomics.notify. */
  Sleeping = 7,
}

/** Int32 fields of the job (slot 0). Addresses are bytes in the shared memory. */
export const enum Job {
  F32 = 0, TransA, TransB, M, N, K, A, B, C,
  /** op(B) packed once, shared by all threads. */
  Packed,
  /** Int32 flags: PackUnits flags (packed groups of op(B)), then Chunks flags (computed rectangles of C). */
  Flags,
  PackUnits, PackNext, Chunks, ChunkNext,
  /** How the chunks are cut (chunkRects): for this many threads, at least MinCells, rows in stripes, pieces MinPanels wide. */
  Threads, MinCells, Stripe, MinPanels,
  /** 1 while the calling thread sleeps waiting for workers: only then does finishing need Atomics.notify. */
  CallerSleeping,
  /** Rows of op(B) in one packed block (kernel.blockDepth(K)); pack units cover BlockGroups groups of blocks. */
  Depth, BlockGroups,
  /**
   * The calling thread copies the operands into the arena after posting the job, B in slabs then A by rows, and
   * counts here what is there: slabs of B (see slabRange) and rows of op(A). Packing a unit waits for its slabs,
   * a chunk for its rows; -1 when that call was cut short first (then nobody waits any longer).
   */
  BSlabs, ARows,
  /** Elements from one row of C in the arena to the next (cStride): N, or a little more. */
  Ldc,
}

export const enum State { Starting = 0, Ready = 1, Dead = 2 }

/** What a worker receives as workerData. */
export interface WorkerInit {
  protocol: number;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  slot: number;
}

/** The kernel's exports (see assembly/gemm.ts). Pointers are byte addresses in the shared memory. Exports are
 * plain functions (`this: void`), so a caller may pick one before calling it. */
export interface KernelExports {
  workBytes(): number;
  blockDepth(k: number): number;
  packB32(this: void, transB: number, n: number, k: number, b: number, q0: number, q1: number, j0: number, j1: number, dst: number): void;
  packB64(this: void, transB: number, n: number, k: number, b: number, q0: number, q1: number, j0: number, j1: number, dst: number): void;
  tile32(this: void, transA: number, m: number, n: number, k: number, a: number, packed: number, c: number, ldc: number,
    i0: number, i1: number, q0: number, q1: number, work: number): void;
  tile64(this: void, transA: number, m: number, n: number, k: number, a: number, packed: number, c: number, ldc: number,
    i0: number, i1: number, q0: number, q1: number, work: number): void;
  copyBlocks(this: void, dst: number, dstStride: number, src: number, srcStride: number, count: number, bytes: number): void;
  addBlocks32(this: void, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): void;
  addBlocks64(this: void, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): void;
  maxPool32(this: void, x: number, N: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number,
    pH: number, pW: number, oH: number, oW: number, out: number, indices: number): void;
  maxPool64(this: void, x: number, N: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number,
    pH: number, pW: number, oH: number, oW: number, out: number, indices: number): void;
  addConstant32(this: void, dst: number, length: number, v: number): void;
  addConstant64(this: void, dst: number, length: number, v: number): void;
}
