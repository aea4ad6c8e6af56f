// The layout of the control block the main thread and the matmul workers share. It lives in the first page of
// the shared WebAssembly memory (the kernel has no data of its own), one slot of SLOT_INTS int32 per worker, so
// the kernel can bump a slot's progress counter itself.

/** Bumped whenever the layout or meaning below changes: a worker built from other sources refuses to start. */
export const PROTOCOL_VERSION = 1;

export const CONTROL_BYTES = 4096;
export const SLOT_INTS = 32;
export const SLOTS = CONTROL_BYTES / 4 / SLOT_INTS;
/** Where the per-thread scratch areas and the operands start (bytes); below is control. */
export const ARENA_START = 65536;

/** Int32 fields of a slot. */
export const enum Field {
  /** Job number posted by the main thread; the worker sleeps on it. */
  Seq = 0,
  /** Job number the worker finished (or gave up on: see Failed). The main thread sleeps on it. */
  Done = 1,
  State = 2,
  /** Job number that threw in the worker; its share must be recomputed. */
  Failed = 3,
  /** Bumped by the kernel after each packed block: a moving counter means alive. */
  Progress = 4,
  /** Tests only: the worker exits half-way through its next job. */
  DieMidJob = 5,
  Dtype = 8, TransA, TransB, M, N, K, A, B, C, I0, I1, J0, J1, Work,
}

export const enum State { Starting = 0, Ready = 1, Dead = 2 }
export const enum Dtype { F32 = 0, F64 = 1 }

/** What a worker receives as workerData. */
export interface WorkerInit {
  protocol: number;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  slot: number;
}

/** The kernel's exports (see assembly/gemm.ts). Pointers are byte addresses in the shared memory. */
export interface KernelExports {
  workBytes(): number;
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, c: number,
    i0: number, i1: number, j0: number, j1: number, work: number, progress: number): void;
  gemmF64(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, c: number,
    i0: number, i1: number, j0: number, j1: number, work: number, progress: number): void;
}

/** Runs the job described in a slot on this thread's kernel instance, rows [i0, i1) and columns [j0, j1). */
export function runSlotJob(kernel: KernelExports, ctrl: Int32Array, base: number, i0: number, i1: number): void {
  const f = ctrl[base + Field.Dtype] === Dtype.F32 ? kernel.gemmF32 : kernel.gemmF64;
  f(ctrl[base + Field.TransA], ctrl[base + Field.TransB], ctrl[base + Field.M], ctrl[base + Field.N],
    ctrl[base + Field.K], ctrl[base + Field.A] >>> 0, ctrl[base + Field.B] >>> 0, ctrl[base + Field.C] >>> 0,
    i0, i1, ctrl[base + Field.J0], ctrl[base + Field.J1], ctrl[base + Field.Work] >>> 0, (base + Field.Progress) * 4);
}
