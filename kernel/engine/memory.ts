// The tensor memory limit. Every tensor's storage is allocated by `alloc`/`allocForOverwrite` (dtype.ts), which
// ask `reserve` first, so a request over the limit fails before any memory is touched, naming the op.
//
// Live bytes are counted up at allocation and back down by a FinalizationRegistry when the storage is collected.
// Its callbacks run only when the event loop turns, never inside a synchronous training loop, so at the limit the
// count is made exact first: `cleanupSome()` (FinalizationRegistry.prototype.cleanupSome, behind V8's
// --harmony-weak-refs-with-cleanup-some; the kernel provides it) runs the callbacks of what is already collected,
// and if that is not enough a full collection (`gc`, Node's --expose-gc) and cleanupSome again. Without both the
// count is stale inside a synchronous run (2,000 short-lived 1 MB tensors add up to 2 GB), so there only a request
// that alone exceeds the limit is refused.
import { fmt } from './shape';
import type { Dtype } from './dtype';

interface Registry extends FinalizationRegistry<number> { cleanupSome?: () => void }

let limit = Infinity;
let live = 0;
let hint = '';
const registry: Registry = new FinalizationRegistry<number>((bytes) => { live -= bytes; });

/**
 * The error of an allocation over the tensor memory limit (its `name` is 'TensorMemoryError'): the process and its
 * other tensors are unharmed.
 */
export class TensorMemoryError extends Error {
  constructor(
    /** The op (or creation function) that asked for the storage. */
    readonly op: string,
    /** The shape of the tensor asked for. */
    readonly shape: readonly number[],
    /** Its element type. */
    readonly dtype: Dtype,
    /** The bytes it asked for. */
    readonly bytes: number,
    /** The limit, in bytes. */
    readonly limit: number,
    /** The bytes of tensor storage alive when it asked. */
    readonly inUse: number,
  ) {
    super(`${op}: a ${dtype} tensor of shape ${fmt(shape)} needs ${formatBytes(bytes)}, over the tensor memory limit of ` +
      `${formatBytes(limit)} (${formatBytes(inUse)} in use by other tensors). ${hint || 'Raise it with setTensorMemoryLimit(bytes).'}`);
    this.name = 'TensorMemoryError';
  }
}

/** Options of setTensorMemoryLimit. */
export interface TensorMemoryLimitOptions {
  /** How to raise the limit where this engine runs; ends the error's message (default: call setTensorMemoryLimit). */
  hint?: string;
}

/**
 * Caps the bytes of tensor storage alive at once (null: no cap, the default). An op or creation whose result would
 * go over throws a TensorMemoryError naming the op, the shape, the dtype and the bytes; nothing else is lost.
 * Storage allocated while no cap was set, and tensors under 64 KB (8,192 float64 elements), are not counted.
 * @example setTensorMemoryLimit(512 * 2 ** 20); zeros([1e5, 1e5]) // throws: needs 74.5 GB, over the 512 MB limit
 */
export function setTensorMemoryLimit(bytes: number | null, options?: TensorMemoryLimitOptions): void {
  if (bytes !== null && !(typeof bytes === 'number' && bytes > 0)) {
    throw new Error(`setTensorMemoryLimit: expected a positive number of bytes or null, got ${String(bytes)}`);
  }
  limit = bytes ?? Infinity;
  if (options?.hint !== undefined) hint = options.hint;
}

/**
 * The tensor memory limit in bytes, or null when there is none.
 * @example getTensorMemoryLimit() // 4294967296
 */
export function getTensorMemoryLimit(): number | null {
  return limit === Infinity ? null : limit;
}

/**
 * Bytes of tensor storage counted as alive (allocated under a limit and not yet known to be collected).
 * @example tensorMemoryInUse() // 8000
 */
export function tensorMemoryInUse(): number {
  return live;
}

/** Throws a TensorMemoryError unless `bytes` more fit under the limit (see the top of this file). */
export function reserve(op: string, dtype: Dtype, shape: readonly number[], bytes: number): void {
  if (live + bytes <= limit) return;
  const { cleanupSome } = registry, gc = (globalThis as { gc?: unknown }).gc as ((options?: { type: 'minor' | 'major' }) => void) | undefined;
  if (!cleanupSome || typeof gc !== 'function') {
    if (bytes > limit) throw new TensorMemoryError(op, shape, dtype, bytes, limit, live);
    return;
  }
  cleanupSome.call(registry);
  // a minor collection first: short-lived tensors die young, and it costs far less than a full one
  if (live + bytes > limit) { gc({ type: 'minor' }); cleanupSome.call(registry); }
  if (live + bytes > limit) { gc(); cleanupSome.call(registry); }
  if (live + bytes > limit) throw new TensorMemoryError(op, shape, dtype, bytes, limit, live);
}

/**
 * Storage smaller than this is not counted: registering with a FinalizationRegistry costs about 1 µs, which
 * more than doubled a loop of ops on scalars, while a 64 KB op's own work dwarfs it. The limit guards against
 * the large tensors that exhaust memory; 100,000 uncounted tensors of just under 64 KB would still be 6 GB.
 */
export const TRACK_MIN_BYTES = 64 * 1024;

/** Registrations between two cleanups (see track). */
const CLEANUP_EVERY = 4096;
let sinceCleanup = 0;

/**
 * Counts `storage` of at least TRACK_MIN_BYTES as alive until it is collected (only under a limit: without one,
 * allocation costs nothing more).
 * The registry keeps a record of each collected storage until its callback runs, so a long synchronous loop would
 * pile them up (10,000 training steps: 14 MB); they are cleaned up every CLEANUP_EVERY registrations.
 */
export function track(storage: object, bytes: number): void {
  if (limit === Infinity || bytes < TRACK_MIN_BYTES) return;
  live += bytes;
  registry.register(storage, bytes);
  if (++sinceCleanup >= CLEANUP_EVERY) {
    sinceCleanup = 0;
    registry.cleanupSome?.();
  }
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = bytes;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} bytes` : `${Number(v.toFixed(1))} ${units[i]}`;
}
