// The one internal entry point of matrix products. The engine calls only `gemm`; how it computes stays behind
// this signature: a WebAssembly SIMD kernel (fused multiply-add where the runtime has relaxed SIMD) on a pool of
// worker threads over shared memory, small products inline, plain JavaScript where WebAssembly SIMD is missing.
// Callers that build large operands (convolutions' column blocks) build them in `stagingArray`, inside that shared
// memory, where gemm reads them without a copy and the kernel's block loops move them.
import { gemmJs } from './jsKernel';
import { MatmulPool } from './pool';
import { getNumThreads } from './threads';
import { KernelKind, compiledKernel } from './wasmKernel';
import type { KernelExports } from './protocol';
import type { FloatArray } from '../dtype';

/** Below this many flops (2·m·n·k, ~150 µs on one thread) a product runs on the calling thread: waking a worker costs more. */
const PARALLEL_FLOPS = 1 << 23;

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
  const done = p.run({
    transA, transB, m, n, k, a: a.subarray(aOffset, aOffset + m * k), b: b.subarray(bOffset, bOffset + k * n),
  }, parallelism(p, m, n, k), out, outOffset);
  if (!done) gemmJs(transA, transB, m, n, k, a, aOffset, b, bOffset, out, outOffset); // too large for the arena
}

/**
 * A work array of `length` elements of `like`'s element type that `gemm` reads in place when an operand lies in it
 * (no copy into the workers' shared memory), not zeroed, valid until the next call; null without the WebAssembly
 * kernel or when its memory cannot grow. The output of a product must not overlap an
 * operand in it: chunks of the result are copied out while others are still computed.
 */
export function stagingArray(length: number, like: FloatArray): FloatArray | null {
  const { module } = compiledKernel();
  return module ? thePool(module).staging(length, like instanceof Float32Array) : null;
}

/**
 * Within one array, `count` blocks of `length` elements, the i-th from a[src + i·srcStride] to a[dst + i·dstStride]
 * (each as copyWithin). In a staging array by WebAssembly's memory.copy: copyWithin on shared memory is 3–4× slower.
 */
export function copyBlocks(a: FloatArray, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): void {
  if (pool?.copyBlocks(a, dst, dstStride, src, srcStride, count, length)) return;
  for (let i = 0; i < count; i++) a.copyWithin(dst + i * dstStride, src + i * srcStride, src + i * srcStride + length);
}

/**
 * Within one array, `count` blocks of `length` elements: a[dst + i·dstStride + j] += a[src + i·srcStride + j].
 * In a staging array by WebAssembly SIMD (the same sums: each is one rounded addition). Blocks must not overlap.
 */
export function addBlocks(a: FloatArray, dst: number, dstStride: number, src: number, srcStride: number, count: number, length: number): void {
  if (pool?.addBlocks(a, dst, dstStride, src, srcStride, count, length)) return;
  for (let i = 0; i < count; i++) {
    for (let j = 0, d = dst + i * dstStride, s = src + i * srcStride; j < length; j++) a[d + j] += a[s + j];
  }
}

/** a[start … start + length) += value (one rounded addition each): in a staging array by WebAssembly SIMD. */
export function addConstant(a: FloatArray, start: number, length: number, value: number): void {
  if (pool?.addConstant(a, start, length, value)) return;
  for (let i = start; i < start + length; i++) a[i] += value;
}

/** The WebAssembly kernel on the arena, whose loops (maxPool32/64) run on staging arrays; null without it. */
export function arenaKernel(): KernelExports | null {
  const { module } = compiledKernel();
  return module ? thePool(module).kernel : null;
}

/** How many threads a product gets: 1 when small, else up to getNumThreads() among the workers ready now. */
function parallelism(p: MatmulPool, m: number, n: number, k: number): number {
  const threads = getNumThreads();
  if (threads === 1 || 2 * m * n * k < PARALLEL_FLOPS) return 1;
  if (!p.grow(threads - 1)) return 1;
  return Math.min(threads, p.readyWorkers() + 1);
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
 * Which kernel computes products here, how many worker threads are ready, how many were replaced after failing.
 * @example matmulInfo() // { kernel: 'wasm-relaxed-simd', workersReady: 1, workersReplaced: 0 }
 */
export function matmulInfo(): { kernel: KernelKind; workersReady: number; workersReplaced: number } {
  const { kind } = compiledKernel();
  return { kernel: kind, workersReady: pool ? pool.readyWorkers() : 0, workersReplaced: pool ? pool.replaced : 0 };
}

/** Tests only: the next worker given a job exits half-way through it (the pool must recover). */
export function killNextWorkerMidJob(): void {
  if (pool) pool.killNextWorkerMidJob = true;
}
