// Element types. One promotion rule for the whole engine (PyTorch's): an op's result is float64 if any tensor
// operand is float64, else float32; a plain number operand takes the dtype of the tensor it meets, and so does a
// 0-d tensor meeting a tensor with dims in an elementwise op (float32 [3] · float64 [] is float32, as PyTorch).
import { reserve, track } from './memory';
import { Shape, sizeOf } from './shape';

/** The element type of a tensor: 'float64' (the default; gradients are checked in it) or 'float32'. */
export type Dtype = 'float64' | 'float32';
/** A tensor's storage: a Float64Array for float64, a Float32Array for float32. */
export type FloatArray = Float64Array | Float32Array;

export function dtypeOf(data: FloatArray): Dtype {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * Zeroed storage for a tensor of `shape` made by `op`: every tensor's storage comes from here or allocForOverwrite,
 * which check the tensor memory limit (memory.ts) before allocating.
 */
export function alloc(op: string, dtype: Dtype, shape: Shape): FloatArray {
  const View = dtype === 'float32' ? Float32Array : Float64Array, n = sizeOf(shape), bytes = n * View.BYTES_PER_ELEMENT;
  reserve(op, dtype, shape, bytes);
  const out = new View(n);
  track(out, bytes);
  return out;
}

/** From this many bytes on, `allocForOverwrite` skips zeroing (below, zeroing is cheaper than a second allocation path). */
const UNZEROED_BYTES = 1 << 18;

/**
 * Storage the caller overwrites in full before anyone reads it (a matmul's output): large arrays are not zeroed
 * first, which for a fresh 1024×1024 float64 array saves ~0.35 ms, 1% of the product's time on two threads.
 */
export function allocForOverwrite(op: string, dtype: Dtype, shape: Shape): FloatArray {
  const View = dtype === 'float32' ? Float32Array : Float64Array, n = sizeOf(shape), bytes = n * View.BYTES_PER_ELEMENT;
  if (bytes < UNZEROED_BYTES || typeof Buffer === 'undefined') return alloc(op, dtype, shape);
  reserve(op, dtype, shape, bytes);
  const out = new View(Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, n);
  track(out, bytes);
  return out;
}

/** A copy of `data` as storage of `dtype` (converted when the dtypes differ), counted as alloc's is. */
export function copyAs(op: string, dtype: Dtype, shape: Shape, data: ArrayLike<number>): FloatArray {
  const out = alloc(op, dtype, shape);
  out.set(data);
  return out;
}

/** The result dtype of an op on tensors of these dtypes. */
export function promote(a: Dtype, b: Dtype): Dtype {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/** The result dtype of an elementwise op on these operands: a 0-d one defers to one with dims, as a number does. */
export function promoteOperands(a: { dtype: Dtype; shape: readonly number[] }, b: { dtype: Dtype; shape: readonly number[] }): Dtype {
  if (a.shape.length === 0 && b.shape.length > 0) return b.dtype;
  if (b.shape.length === 0 && a.shape.length > 0) return a.dtype;
  return promote(a.dtype, b.dtype);
}

export function checkDtype(op: string, dtype: unknown): Dtype {
  if (dtype === undefined) return 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`${op}: unknown dtype '${typeof dtype === 'string' ? dtype : JSON.stringify(dtype)}' (expected 'float64' or 'float32')`);
  return dtype;
}
