// WebAssembly SIMD loops for the elementwise work of a training step (relu, its VJP, bias add, bias-gradient
// sums, the SGD and Adam updates), in AssemblyScript. The JavaScript side copies operands into this module's memory and
// the result out: memcpy runs at ~28 GB/s where V8's typed-array loops manage ~1 ns an element, so even with
// the copies these are 3–5× faster.
//
// Every result is bit for bit the JavaScript loop's it replaces: +, −, ×, ÷ of two float32 computed in float64
// and rounded equal the float32 operation (53 ≥ 2·24 + 2 bits); sums and the update run in float64 in the same
// order as there. Pointers are byte addresses; `n` counts elements. No data, no allocator: JavaScript owns memory.

const ADD: i32 = 0, SUB: i32 = 1, MUL: i32 = 2, DIV: i32 = 3;
/** How an operand of a binary op is laid out: every element, one row repeated over rows, one number. */
const FULL: i32 = 0, ROW: i32 = 1, SCALAR: i32 = 2;

@inline function apply<T>(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return v128.add<T>(a, b);
  if (op == SUB) return v128.sub<T>(a, b);
  if (op == MUL) return v128.mul<T>(a, b);
  return v128.div<T>(a, b);
}

@inline function applyScalar<T>(op: i32, a: T, b: T): T {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  return a / b;
}

/** o[i] = x[i] ∘ y[i] for i < n, where a stride of 0 (in elements) repeats the operand's first element. */
@inline function run<T>(op: i32, x: usize, xs: i32, y: usize, ys: i32, o: usize, n: i32): void {
  const S = <usize>sizeof<T>(), L = 16 / <i32>S;
  const xv = v128.splat<T>(load<T>(x)), yv = v128.splat<T>(load<T>(y));
  let i = 0;
  if (xs != 0 && ys != 0) for (; i + L <= n; i += L) v128.store(o + <usize>i * S, apply<T>(op, v128.load(x + <usize>i * S), v128.load(y + <usize>i * S)));
  else if (xs != 0) for (; i + L <= n; i += L) v128.store(o + <usize>i * S, apply<T>(op, v128.load(x + <usize>i * S), yv));
  else for (; i + L <= n; i += L) v128.store(o + <usize>i * S, apply<T>(op, xv, v128.load(y + <usize>i * S)));
  for (; i < n; i++) store<T>(o + <usize>i * S, applyScalar<T>(op, load<T>(x + <usize>(i * xs) * S), load<T>(y + <usize>(i * ys) * S)));
}

/** o = x ∘ y over n elements, each operand FULL, ROW (r elements, repeated every r outputs) or SCALAR. */
@inline function binary<T>(op: i32, x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void {
  const S = <usize>sizeof<T>();
  if (xKind == ROW || yKind == ROW) {
    for (let base = 0; base < n; base += r) {
      const at = <usize>base * S;
      run<T>(op, xKind == ROW ? x : x + at, 1, yKind == ROW ? y : y + at, 1, o + at, r);
    }
    return;
  }
  run<T>(op, x, xKind == SCALAR ? 0 : 1, y, yKind == SCALAR ? 0 : 1, o, n);
}

export function add32(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f32>(ADD, x, xKind, y, yKind, o, n, r); }
export function sub32(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f32>(SUB, x, xKind, y, yKind, o, n, r); }
export function mul32(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f32>(MUL, x, xKind, y, yKind, o, n, r); }
export function div32(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f32>(DIV, x, xKind, y, yKind, o, n, r); }
export function add64(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f64>(ADD, x, xKind, y, yKind, o, n, r); }
export function sub64(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f64>(SUB, x, xKind, y, yKind, o, n, r); }
export function mul64(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f64>(MUL, x, xKind, y, yKind, o, n, r); }
export function div64(x: usize, xKind: i32, y: usize, yKind: i32, o: usize, n: i32, r: i32): void { binary<f64>(DIV, x, xKind, y, yKind, o, n, r); }

/** o[i] = x[i] ≤ 0 ? 0 : x[i] (−0 gives +0, NaN stays NaN as in PyTorch), as relu's JavaScript loop. */
@inline function relu<T>(x: usize, o: usize, n: i32): void {
  const S = <usize>sizeof<T>(), L = 16 / <i32>S, zero = v128.splat<T>(0);
  let i = 0;
  for (; i + L <= n; i += L) {
    const v = v128.load(x + <usize>i * S);
    v128.store(o + <usize>i * S, v128.andnot(v, v128.le<T>(v, zero)));
  }
  for (; i < n; i++) { const v = load<T>(x + <usize>i * S); store<T>(o + <usize>i * S, v <= 0 ? 0 : v); }
}

export function relu32(x: usize, o: usize, n: i32): void { relu<f32>(x, o, n); }
export function relu64(x: usize, o: usize, n: i32): void { relu<f64>(x, o, n); }

/** o[i] = x[i] ≤ 0 ? g[i]·0 : g[i] (relu's VJP, passing at NaN x as PyTorch: a zero of g's sign, NaN for NaN or ±∞ g). */
@inline function passPositive<T>(g: usize, x: usize, o: usize, n: i32): void {
  const S = <usize>sizeof<T>(), L = 16 / <i32>S, zero = v128.splat<T>(0);
  let i = 0;
  for (; i + L <= n; i += L) {
    const at = <usize>i * S, gv = v128.load(g + at);
    v128.store(o + at, v128.bitselect(v128.mul<T>(gv, zero), gv, v128.le<T>(v128.load(x + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i * S, gi = load<T>(g + at);
    store<T>(o + at, load<T>(x + at) <= 0 ? gi * 0 : gi);
  }
}

export function passPositive32(g: usize, x: usize, o: usize, n: i32): void { passPositive<f32>(g, x, o, n); }
export function passPositive64(g: usize, x: usize, o: usize, n: i32): void { passPositive<f64>(g, x, o, n); }

/** Two elements of T at p as float64 lanes (float32 promoted exactly). */
@inline function loadPair<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

/** Two float64 lanes stored at p as T (rounded to float32 as a JavaScript store into a Float32Array rounds). */
@inline function storePair<T>(p: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(p, v);
}

/**
 * acc[i] += Σ_c x[c·inner + i] for c < count, in order of c, in float64 (acc: `inner` float64; x: T).
 * A bias gradient: the rows of g summed.
 */
@inline function sumRows<T>(x: usize, count: i32, inner: i32, acc: usize): void {
  const S = <usize>sizeof<T>();
  for (let c = 0; c < count; c++) {
    const row = x + <usize>c * <usize>inner * S;
    let i = 0;
    for (; i + 2 <= inner; i += 2) {
      const a = acc + <usize>i * 8;
      v128.store(a, f64x2.add(v128.load(a), loadPair<T>(row + <usize>i * S)));
    }
    for (; i < inner; i++) {
      const a = acc + <usize>i * 8;
      store<f64>(a, load<f64>(a) + <f64>load<T>(row + <usize>i * S));
    }
  }
}

export function sumRows32(x: usize, count: i32, inner: i32, acc: usize): void { sumRows<f32>(x, count, inner, acc); }
export function sumRows64(x: usize, count: i32, inner: i32, acc: usize): void { sumRows<f64>(x, count, inner, acc); }

/** w[i] ← w[i] − lr·g[i], computed in float64 and rounded to float32, as SGD's JavaScript loop. */
export function sgd32(w: usize, g: usize, n: i32, lr: f64): void {
  const rate = f64x2.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i * 4, wv = v128.load(w + at), gv = v128.load(g + at);
    const wHigh = v128.shuffle<i32>(wv, wv, 2, 3, 0, 1), gHigh = v128.shuffle<i32>(gv, gv, 2, 3, 0, 1);
    const low = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(wv), f64x2.mul(rate, f64x2.promote_low_f32x4(gv))));
    const high = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(wHigh), f64x2.mul(rate, f64x2.promote_low_f32x4(gHigh))));
    v128.store(w + at, v128.shuffle<i64>(low, high, 0, 2));
  }
  for (; i < n; i++) {
    const at = <usize>i * 4;
    store<f32>(w + at, <f32>(<f64>load<f32>(w + at) - lr * <f64>load<f32>(g + at)));
  }
}

/** sgd32 for float64 w and g. */
export function sgd64(w: usize, g: usize, n: i32, lr: f64): void {
  const rate = f64x2.splat(lr);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i * 8;
    v128.store(w + at, f64x2.sub(v128.load(w + at), f64x2.mul(rate, v128.load(g + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i * 8;
    store<f64>(w + at, load<f64>(w + at) - lr * load<f64>(g + at));
  }
}

/**
 * SGD with momentum or weight decay over two elements (float64 lanes), as optim.ts's loops: d ← g + λ·w with decay
 * (else g); without momentum (mode 0) w ← w − lr·d; with it buf ← d on the first step (mode 1), else buf·μ + d
 * (mode 2), and w ← w − lr·buf. Returns the new w; stores buf.
 */
@inline function sgdPair(wv: v128, gv: v128, buf: usize, lr: f64, momentum: f64, wd: f64, decay: bool, mode: i32): v128 {
  const d = decay ? f64x2.add(gv, f64x2.mul(f64x2.splat(wd), wv)) : gv;
  if (mode == 0) return f64x2.sub(wv, f64x2.mul(f64x2.splat(lr), d));
  const b = mode == 1 ? d : f64x2.add(f64x2.mul(v128.load(buf), f64x2.splat(momentum)), d);
  v128.store(buf, b);
  return f64x2.sub(wv, f64x2.mul(f64x2.splat(lr), b));
}

/** sgdPair for one element. */
@inline function sgdOne(w: f64, g: f64, buf: usize, lr: f64, momentum: f64, wd: f64, decay: bool, mode: i32): f64 {
  const d = decay ? g + wd * w : g;
  if (mode == 0) return w - lr * d;
  const b = mode == 1 ? d : load<f64>(buf) * momentum + d;
  store<f64>(buf, b);
  return w - lr * b;
}

/** SGD with momentum or weight decay (see sgdPair) of w and g of type T; buf is float64, as the optimiser keeps it. */
@inline function sgdMomentum<T>(w: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, wd: f64, decay: bool, mode: i32): void {
  const S = <usize>sizeof<T>();
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i * S;
    storePair<T>(w + at, sgdPair(loadPair<T>(w + at), loadPair<T>(g + at), buf + <usize>i * 8, lr, momentum, wd, decay, mode));
  }
  for (; i < n; i++) {
    const at = <usize>i * S;
    store<T>(w + at, <T>sgdOne(<f64>load<T>(w + at), <f64>load<T>(g + at), buf + <usize>i * 8, lr, momentum, wd, decay, mode));
  }
}

export function sgdMomentum32(w: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, wd: f64, decay: bool, mode: i32): void {
  sgdMomentum<f32>(w, g, buf, n, lr, momentum, wd, decay, mode);
}
export function sgdMomentum64(w: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, wd: f64, decay: bool, mode: i32): void {
  sgdMomentum<f64>(w, g, buf, n, lr, momentum, wd, decay, mode);
}

/**
 * One Adam step over two elements (float64 lanes), as Adam's JavaScript loop: m ← m·β₁ + (1−β₁)·g;
 * v ← v·β₂ + (1−β₂)·g·g; w ← w − stepSize·(m / (√v / bc2 + eps)). Returns the new w; stores m and v.
 */
@inline function adamPair(wv: v128, gv: v128, m: usize, v: usize, b1: f64, b2: f64, stepSize: f64, bc2: f64, eps: f64): v128 {
  const mv = f64x2.add(f64x2.mul(v128.load(m), f64x2.splat(b1)), f64x2.mul(f64x2.splat(1 - b1), gv));
  const vv = f64x2.add(f64x2.mul(v128.load(v), f64x2.splat(b2)), f64x2.mul(f64x2.mul(f64x2.splat(1 - b2), gv), gv));
  v128.store(m, mv);
  v128.store(v, vv);
  const denom = f64x2.add(f64x2.div(f64x2.sqrt(vv), f64x2.splat(bc2)), f64x2.splat(eps));
  return f64x2.sub(wv, f64x2.mul(f64x2.splat(stepSize), f64x2.div(mv, denom)));
}

/**
 * Adam's update of w with g of type T (m and v float64, as the optimiser keeps them); with `decay`, the gradient
 * is g + wd·w first (L2 decay, as PyTorch).
 */
@inline function adam<T>(w: usize, g: usize, m: usize, v: usize, n: i32, b1: f64, b2: f64, stepSize: f64, bc2: f64, eps: f64, wd: f64, decay: bool): void {
  const S = <usize>sizeof<T>();
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i * S, at8 = <usize>i * 8, wv = loadPair<T>(w + at), g0 = loadPair<T>(g + at);
    const gv = decay ? f64x2.add(g0, f64x2.mul(f64x2.splat(wd), wv)) : g0;
    storePair<T>(w + at, adamPair(wv, gv, m + at8, v + at8, b1, b2, stepSize, bc2, eps));
  }
  for (; i < n; i++) {
    const at = <usize>i * S, at8 = <usize>i * 8, g0 = <f64>load<T>(g + at), gi = decay ? g0 + wd * <f64>load<T>(w + at) : g0;
    const mi = load<f64>(m + at8) * b1 + (1 - b1) * gi, vi = load<f64>(v + at8) * b2 + (1 - b2) * gi * gi;
    store<f64>(m + at8, mi);
    store<f64>(v + at8, vi);
    store<T>(w + at, <T>(<f64>load<T>(w + at) - stepSize * (mi / (Math.sqrt(vi) / bc2 + eps))));
  }
}

export function adam32(w: usize, g: usize, m: usize, v: usize, n: i32, b1: f64, b2: f64, stepSize: f64, bc2: f64, eps: f64, wd: f64, decay: bool): void {
  adam<f32>(w, g, m, v, n, b1, b2, stepSize, bc2, eps, wd, decay);
}
export function adam64(w: usize, g: usize, m: usize, v: usize, n: i32, b1: f64, b2: f64, stepSize: f64, bc2: f64, eps: f64, wd: f64, decay: bool): void {
  adam<f64>(w, g, m, v, n, b1, b2, stepSize, bc2, eps, wd, decay);
}
