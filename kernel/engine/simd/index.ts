// The elementwise loops of assembly/vector.ts, called from the ops on the calling thread: operands are copied into
// the module's own memory, the loop runs, the result is copied out. Each function returns false, having done
// nothing, where it does not apply (no WebAssembly SIMD, mixed dtypes, too few elements to pay for the call) and
// the caller runs its JavaScript loop instead; both give the same numbers. BACKPROP_SIMD=0 turns the loops off.
import { vectorWasm } from './vectorBinary';

type FloatArray = Float32Array | Float64Array;

/** Below this many elements the JavaScript loop is as fast (measured: SIMD 2× faster at 1024 elements, even at ~300). */
export const SIMD_MIN = 512;
const PAGE = 65536, MAX_PAGES = 32768;

interface VectorExports {
  [name: string]: (...args: number[]) => void;
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
/** The layout of a binary op's operand (assembly/vector.ts): all elements, one row repeated, one number. */
export const enum Kind { Full = 0, Row = 1, Scalar = 2 }

let module: { memory: WebAssembly.Memory; fns: VectorExports } | null | undefined;

function instance(): { memory: WebAssembly.Memory; fns: VectorExports } | null {
  if (module !== undefined) return module;
  try {
    const bytes = new Uint8Array(Buffer.from(vectorWasm, 'base64'));
    if (process.env.BACKPROP_SIMD === '0' || !WebAssembly.validate(bytes)) return (module = null);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
    const fns = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as VectorExports;
    return (module = { memory, fns });
  } catch {
    return (module = null);
  }
}

/** Byte offsets of consecutive regions of these sizes, growing the memory; null when it cannot grow. */
function layout(memory: WebAssembly.Memory, ...bytes: number[]): number[] | null {
  const at: number[] = [];
  let end = 0;
  for (const b of bytes) { at.push(end); end += Math.ceil(b / 16) * 16; }
  const have = memory.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return null;
    try { memory.grow(pages); } catch { return null; }
  }
  return at;
}

function view(memory: WebAssembly.Memory, like: FloatArray, at: number, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(memory.buffer, at, n) : new Float64Array(memory.buffer, at, n);
}

const sameType = (a: FloatArray, b: FloatArray): boolean => (a instanceof Float32Array) === (b instanceof Float32Array);
const suffix = (a: FloatArray): string => (a instanceof Float32Array ? '32' : '64');

/** out = x > 0 ? x : 0 (relu). */
export function reluSimd(x: FloatArray, out: FloatArray): boolean {
  const m = instance(), n = out.length;
  if (!m || n < SIMD_MIN || !sameType(x, out)) return false;
  const at = layout(m.memory, x.byteLength, out.byteLength);
  if (!at) return false;
  view(m.memory, x, at[0], n).set(x);
  m.fns['relu' + suffix(x)](at[0], at[1], n);
  out.set(view(m.memory, out, at[1], n));
  return true;
}

/** out = x > 0 ? g : g·0 (relu's VJP). */
export function passPositiveSimd(g: FloatArray, x: FloatArray, out: FloatArray): boolean {
  const m = instance(), n = out.length;
  if (!m || n < SIMD_MIN || !sameType(g, x) || !sameType(g, out)) return false;
  const at = layout(m.memory, g.byteLength, x.byteLength, out.byteLength);
  if (!at) return false;
  view(m.memory, g, at[0], n).set(g);
  view(m.memory, x, at[1], n).set(x);
  m.fns['passPositive' + suffix(g)](at[0], at[1], at[2], n);
  out.set(view(m.memory, out, at[2], n));
  return true;
}

/**
 * out = x ∘ y over out.length elements, each operand laid out as its Kind says (a Row operand holds `row`
 * elements repeated every `row` outputs). A Row operand needs the other to be Full.
 */
export function binarySimd(op: BinaryOp, x: FloatArray, xKind: Kind, y: FloatArray, yKind: Kind, out: FloatArray, row: number): boolean {
  const m = instance(), n = out.length;
  if (!m || n < SIMD_MIN || !sameType(x, out) || !sameType(y, out)) return false;
  const at = layout(m.memory, x.byteLength, y.byteLength, out.byteLength);
  if (!at) return false;
  view(m.memory, x, at[0], x.length).set(x);
  view(m.memory, y, at[1], y.length).set(y);
  m.fns[op + suffix(out)](at[0], xKind, at[1], yKind, at[2], n, row);
  out.set(view(m.memory, out, at[2], n));
  return true;
}

/** acc[i] += Σ_c x[c·inner + i] over the rows c < count of x (float64 sums, in order of c). */
export function sumRowsSimd(x: FloatArray, count: number, inner: number, acc: Float64Array): boolean {
  const m = instance();
  if (!m || count * inner < SIMD_MIN || x.length !== count * inner || acc.length !== inner) return false;
  const at = layout(m.memory, x.byteLength, acc.byteLength);
  if (!at) return false;
  view(m.memory, x, at[0], x.length).set(x);
  const sums = new Float64Array(m.memory.buffer, at[1], inner);
  sums.set(acc);
  m.fns['sumRows' + suffix(x)](at[0], count, inner, at[1]);
  acc.set(sums);
  return true;
}

/** w ← w − lr·g in place (float64 arithmetic, rounded to w's type). */
export function sgdSimd(w: FloatArray, g: FloatArray, lr: number): boolean {
  const m = instance(), n = w.length;
  if (!m || n < SIMD_MIN || g.length !== n || !sameType(w, g)) return false;
  const at = layout(m.memory, w.byteLength, g.byteLength);
  if (!at) return false;
  const ws = view(m.memory, w, at[0], n);
  ws.set(w);
  view(m.memory, g, at[1], n).set(g);
  m.fns['sgd' + suffix(w)](at[0], at[1], n, lr);
  w.set(ws);
  return true;
}

/**
 * Whether the loops run here (tests).
 * @example simdAvailable() // true
 */
export function simdAvailable(): boolean {
  return instance() !== null;
}
