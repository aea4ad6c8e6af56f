// The elementwise loops of assembly/vector.ts, called from the ops on the calling thread: operands are copied into
// the module's own memory, the loop runs, the result is copied out. Each function returns false, having done
// nothing, where it does not apply (no WebAssembly SIMD, mixed dtypes, too few elements to pay for the call) and
// the caller runs its JavaScript loop instead; both give the same numbers. BACKPROP_SIMD=0 turns the loops off.
import { vectorWasm } from './vectorBinary';
import type { FloatArray } from '../dtype';

/** Below this many elements the JavaScript loop is as fast (measured: SIMD 2× faster at 1024 elements, even at ~300). */
export const SIMD_MIN = 512;
/**
 * Elements per pass: long operands go through the module's memory this many at a time, so that memory stays at
 * four slots of 2 MiB (operands, result) whatever the tensors' sizes, and each pass's data stays in cache.
 */
export const CHUNK = 1 << 18;
const SLOT = CHUNK * 8, SLOTS = 4, PAGE = 65536;

interface VectorExports {
  [name: string]: (...args: number[]) => void;
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
/** The layout of a binary op's operand (assembly/vector.ts): all elements, one row repeated, one number. */
export const enum Kind { Full = 0, Row = 1, Scalar = 2 }

interface Vector { memory: WebAssembly.Memory; fns: VectorExports }
let loaded: Vector | null | undefined;

function instance(): Vector | null {
  if (loaded !== undefined) return loaded;
  try {
    const bytes = new Uint8Array(Buffer.from(vectorWasm, 'base64'));
    if (process.env.BACKPROP_SIMD === '0' || !WebAssembly.validate(bytes)) return (loaded = null);
    const pages = (SLOTS * SLOT) / PAGE, memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const fns = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as VectorExports;
    return (loaded = { memory, fns });
  } catch {
    return (loaded = null);
  }
}

/** Byte address of a slot. */
const slot = (i: number): number => i * SLOT;

/** Copies src[from, to) into slot `i`. */
function put(m: Vector, src: FloatArray, from: number, to: number, i: number): void {
  const n = to - from, at = slot(i);
  (src instanceof Float32Array ? new Float32Array(m.memory.buffer, at, n) : new Float64Array(m.memory.buffer, at, n)).set(src.subarray(from, to));
}

/** Copies slot `i` out into dst[from, to). */
function take(m: Vector, dst: FloatArray, from: number, to: number, i: number): void {
  const n = to - from, at = slot(i);
  dst.set(dst instanceof Float32Array ? new Float32Array(m.memory.buffer, at, n) : new Float64Array(m.memory.buffer, at, n), from);
}

/** Calls pass(from, to) over [0, n) in ranges of at most `step` elements. */
function inPasses(n: number, step: number, pass: (from: number, to: number) => void): void {
  for (let s = 0; s < n; s += step) pass(s, Math.min(n, s + step));
}

const sameType = (a: FloatArray, b: FloatArray): boolean => (a instanceof Float32Array) === (b instanceof Float32Array);
const suffix = (a: FloatArray): string => (a instanceof Float32Array ? '32' : '64');

/** out = x ≤ 0 ? 0 : x (relu; NaN stays NaN). */
export function reluSimd(x: FloatArray, out: FloatArray): boolean {
  const m = instance(), n = out.length;
  if (!m || n < SIMD_MIN || x.length !== n || !sameType(x, out)) return false;
  const relu = m.fns['relu' + suffix(x)];
  inPasses(n, CHUNK, (s, e) => {
    put(m, x, s, e, 0);
    relu(slot(0), slot(1), e - s);
    take(m, out, s, e, 1);
  });
  return true;
}

/** out = x ≤ 0 ? g·0 : g (relu's VJP; passes at NaN x). */
export function passPositiveSimd(g: FloatArray, x: FloatArray, out: FloatArray): boolean {
  const m = instance(), n = out.length;
  if (!m || n < SIMD_MIN || g.length !== n || x.length !== n || !sameType(g, x) || !sameType(g, out)) return false;
  const pass = m.fns['passPositive' + suffix(g)];
  inPasses(n, CHUNK, (s, e) => {
    put(m, g, s, e, 0);
    put(m, x, s, e, 1);
    pass(slot(0), slot(1), slot(2), e - s);
    take(m, out, s, e, 2);
  });
  return true;
}

/**
 * out = x ∘ y over out.length elements, each operand laid out as its Kind says (a Row operand holds `row`
 * elements repeated every `row` outputs; the other is then Full). Passes hold whole rows.
 */
export function binarySimd(op: BinaryOp, x: FloatArray, xKind: Kind, y: FloatArray, yKind: Kind, out: FloatArray, row: number): boolean {
  const m = instance(), n = out.length, byRows = xKind === Kind.Row || yKind === Kind.Row;
  if (!m || n < SIMD_MIN || !sameType(x, out) || !sameType(y, out) || (byRows && (row > CHUNK || n % row !== 0))) return false;
  const fn = m.fns[op + suffix(out)], step = byRows ? Math.floor(CHUNK / row) * row : CHUNK;
  // Operands that repeat (a row, a number) go in once; whole ones pass by pass.
  if (xKind !== Kind.Full) put(m, x, 0, x.length, 0);
  if (yKind !== Kind.Full) put(m, y, 0, y.length, 1);
  inPasses(n, step, (s, e) => {
    if (xKind === Kind.Full) put(m, x, s, e, 0);
    if (yKind === Kind.Full) put(m, y, s, e, 1);
    fn(slot(0), xKind, slot(1), yKind, slot(2), e - s, row);
    take(m, out, s, e, 2);
  });
  return true;
}

/** acc[i] += Σ_c x[c·inner + i] over the rows c < count of x (float64 sums, in order of c). */
export function sumRowsSimd(x: FloatArray, count: number, inner: number, acc: Float64Array): boolean {
  const m = instance();
  if (!m || count * inner < SIMD_MIN || x.length !== count * inner || acc.length !== inner || inner > CHUNK) return false;
  const sumRows = m.fns['sumRows' + suffix(x)], rows = Math.floor(CHUNK / inner);
  put(m, acc, 0, inner, 1);
  inPasses(count, rows, (c, e) => {
    put(m, x, c * inner, e * inner, 0);
    sumRows(slot(0), e - c, inner, slot(1));
  });
  take(m, acc, 0, inner, 1);
  return true;
}

/** w ← w − lr·g in place (float64 arithmetic, rounded to w's type). */
export function sgdSimd(w: FloatArray, g: FloatArray, lr: number): boolean {
  const m = instance(), n = w.length;
  if (!m || n < SIMD_MIN || g.length !== n || !sameType(w, g)) return false;
  const sgd = m.fns['sgd' + suffix(w)];
  inPasses(n, CHUNK, (s, e) => {
    put(m, w, s, e, 0);
    put(m, g, s, e, 1);
    sgd(slot(0), slot(1), e - s, lr);
    take(m, w, s, e, 0);
  });
  return true;
}

/**
 * SGD with momentum or weight decay in place, in float64, w rounded to its type: d ← g + weightDecay·w (g when
 * weightDecay is 0); without momentum (buf null) w ← w − lr·d; with it buf ← d on the `first` step, else
 * momentum·buf + d, and w ← w − lr·buf (buf is the optimiser's float64 state).
 */
export function sgdMomentumSimd(w: FloatArray, g: FloatArray, buf: Float64Array | null, lr: number, momentum: number,
  weightDecay: number, first: boolean): boolean {
  const m = instance(), n = w.length;
  if (!m || n < SIMD_MIN || g.length !== n || (buf && buf.length !== n) || !sameType(w, g)) return false;
  const sgd = m.fns['sgdMomentum' + suffix(w)], mode = buf === null ? 0 : first ? 1 : 2;
  inPasses(n, CHUNK, (s, e) => {
    put(m, w, s, e, 0);
    put(m, g, s, e, 1);
    if (mode === 2) put(m, buf!, s, e, 2);
    sgd(slot(0), slot(1), slot(2), e - s, lr, momentum, weightDecay, +(weightDecay !== 0), mode);
    take(m, w, s, e, 0);
    if (mode !== 0) take(m, buf!, s, e, 2);
  });
  return true;
}

/**
 * One Adam step in place: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − stepSize·m / (√v / bc2 + eps), in
 * float64 (m and v are the optimiser's float64 state), w rounded to its type; with weightDecay, g + weightDecay·w
 * stands for g (L2 decay, as PyTorch).
 */
export function adamSimd(w: FloatArray, g: FloatArray, m: Float64Array, v: Float64Array, beta1: number, beta2: number,
  stepSize: number, bc2: number, eps: number, weightDecay = 0): boolean {
  const mod = instance(), n = w.length;
  if (!mod || n < SIMD_MIN || g.length !== n || m.length !== n || v.length !== n || !sameType(w, g)) return false;
  const adam = mod.fns['adam' + suffix(w)];
  inPasses(n, CHUNK, (s, e) => {
    put(mod, w, s, e, 0);
    put(mod, g, s, e, 1);
    put(mod, m, s, e, 2);
    put(mod, v, s, e, 3);
    adam(slot(0), slot(1), slot(2), slot(3), e - s, beta1, beta2, stepSize, bc2, eps, weightDecay, +(weightDecay !== 0));
    take(mod, w, s, e, 0);
    take(mod, m, s, e, 2);
    take(mod, v, s, e, 3);
  });
  return true;
}

/**
 * Whether the loops run here (tests).
 * @example simdAvailable() // true
 */
export function simdAvailable(): boolean {
  return instance() !== null;
}
