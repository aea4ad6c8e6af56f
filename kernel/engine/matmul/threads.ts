// How many threads matrix products may use. The pool reads this; results do not depend on it.
import { availableParallelism } from 'node:os';

/** BACKPROP_THREADS (a positive integer) overrides the default of one thread per core. */
function defaultThreads(): number {
  const env = Number(process.env.BACKPROP_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.max(1, availableParallelism());
}

let numThreads = defaultThreads();

/**
 * Sets how many threads `matmul` uses (default: the number of cores, or the BACKPROP_THREADS environment variable). Results are identical for any count.
 * @example setNumThreads(1)
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  numThreads = n;
}

/**
 * The number of threads `matmul` uses.
 * @example getNumThreads() // 2
 */
export function getNumThreads(): number {
  return numThreads;
}
