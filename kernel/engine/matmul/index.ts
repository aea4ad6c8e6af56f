// The one internal entry point of matrix products. The engine calls only `gemm`; how it computes stays behind
// this signature: a WebAssembly SIMD kernel (fused multiply-add where the runtime has relaxed SIMD) on a pool of
// worker threads over shared memory, small products inline, plain JavaScript where WebAssembly SIMD is missing.
import { gemmJs } from './jsKernel';
import { ArenaJob, MatmulPool, Share } from './pool';
import { getNumThreads } from './threads';
import { KernelKind, compiledKernel } from './wasmKernel';

export type FloatArray = Float32Array | Float64Array;

/** Below this many flops (2·m·n·k) a product runs on the calling thread: waking a worker costs more. */
const PARALLEL_FLOPS = 1 << 21;
/** Register block of the wasm kernel (assembly/gemm.ts): shares are cut on these boundaries. */
const MR = 6, VB = 32;

let pool: MatmulPool | undefined;

function thePool(module: WebAssembly.Module): MatmulPool {
  return (pool ??= new MatmulPool(module));
}

/**
 * out[m×n] = op(A)·op(B), where op(X) is X, or Xᵀ when its flag is set. Row-major storage:
 * A is [m×k] (or [k×m] when transA), B is [k×n] (or [n×k] when transB), out is [m×n] and is overwritten.
 * Offsets let batched products pass views into one buffer. All three arrays have the same element type.
 * Results are bit-identical whatever the thread count.
 */
export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOffset: number, b: FloatArray, bOffset: number, out: FloatArray, outOffset: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) { out.fill(0, outOffset, outOffset + m * n); return; }
  const { module } = compiledKernel();
  if (!module) return gemmJs(transA, transB, m, n, k, a, aOffset, b, bOffset, out, outOffset);
  const p = thePool(module);
  const f32 = a instanceof Float32Array, S = f32 ? 4 : 8;
  const shares = split(m, n, VB / S, parallelism(p, m, n, k));
  const at = p.layout(shares.length, m * k * S, k * n * S, m * n * S);
  const View = f32 ? Float32Array : Float64Array, buf = p.memory.buffer;
  new View(buf, at.a, m * k).set(a.subarray(aOffset, aOffset + m * k));
  new View(buf, at.b, k * n).set(b.subarray(bOffset, bOffset + k * n));
  const job: ArenaJob = { f32, transA, transB, m, n, k, a: at.a, b: at.b, c: at.c };
  p.run(job, shares, at.work);
  out.set(new View(buf, at.c, m * n), outOffset);
}

/** How many threads a product gets: 1 when small, else up to getNumThreads() among the workers ready now. */
function parallelism(p: MatmulPool, m: number, n: number, k: number): number {
  const threads = getNumThreads();
  if (threads === 1 || 2 * m * n * k < PARALLEL_FLOPS) return 1;
  if (!p.grow(threads - 1)) return 1;
  return Math.min(threads, p.readyWorkers() + 1);
}

/**
 * Cuts the output into `parts` rectangles along its longer side (rows when m ≥ n), on register-block
 * boundaries, so each thread packs the smaller operand whole and the larger only in part.
 */
function split(m: number, n: number, nr: number, parts: number): Share[] {
  const byRows = m >= n, len = byRows ? m : n, unit = byRows ? MR : nr;
  const blocks = Math.ceil(len / unit);
  parts = Math.max(1, Math.min(parts, blocks));
  const shares: Share[] = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.min(len, Math.floor((blocks * t) / parts) * unit);
    const hi = Math.min(len, Math.floor((blocks * (t + 1)) / parts) * unit);
    shares.push(byRows ? { i0: lo, i1: hi, j0: 0, j1: n } : { i0: 0, i1: m, j0: lo, j1: hi });
  }
  return shares;
}

/**
 * Starts the matmul workers for getNumThreads() now (they otherwise start on the first large product, which then
 * runs on one thread) and waits up to `waitMs` for them. Returns how many threads a large product would use.
 * @example prepareThreads(2000) // 2
 */
export function prepareThreads(waitMs = 0): number {
  const { module } = compiledKernel();
  if (!module) return 1;
  const p = thePool(module), threads = getNumThreads();
  if (threads > 1 && p.grow(threads - 1) && waitMs > 0) p.waitReady(waitMs);
  return Math.min(threads, p.readyWorkers() + 1);
}

/**
 * Which kernel computes products here and how many worker threads are ready.
 * @example matmulInfo() // { kernel: 'wasm-relaxed-simd', workersReady: 1 }
 */
export function matmulInfo(): { kernel: KernelKind; workersReady: number } {
  const { kind } = compiledKernel();
  return { kernel: kind, workersReady: pool ? pool.readyWorkers() : 0 };
}

/** Tests only: the next worker given a job exits half-way through it (the pool must recover). */
export function killNextWorkerMidJob(): void {
  if (pool) pool.killNextWorkerMidJob = true;
}
