// The WebAssembly SIMD matmul kernel (AssemblyScript), in the GotoBLAS/BLIS way, as two primitives the
// JavaScript side schedules over threads: `packB` writes op(B) as panels NR columns wide (KC rows per block), shared
// by all threads; `tile` computes one rectangle of C from them, packing its rows of op(A) into panels MR rows high
// and running an MR×NR register-blocked micro-kernel. Packing is where transposes are absorbed.
//
// Every element of C gets exactly the same arithmetic whatever rectangle a thread owns: acc = fma(a, b, acc)
// for p = 0, 1, … k-1, partial sums parked in C between KC blocks (exact). Edge tiles go through a scratch tile
// with zero padding, never a different kernel. That is why results are bit-identical for any thread split.
//
// Built twice by scripts/buildWasm.mjs: with relaxed SIMD (fused multiply-add) and with plain SIMD.
// All memory is owned by the JavaScript side; this module has no data and no allocator.

const MR: i32 = 6; // rows of the register block: 12 accumulators + 2 B vectors + 1 A splat = 15 of V8's 16 xmm
const VB: i32 = 32; // bytes in one row of the register block: two v128 (8 f32 or 4 f64)
const KC: i32 = 256; // depth of a packed block
const MC: i32 = 72; // rows of a packed A block (a multiple of MR)
const NCB: i32 = 64; // panels of op(B) (512 KiB at KC, either type) that one panel of A sweeps before the next

/** Bytes of scratch one thread needs (`work` argument of `tile`): a packed A block and one edge tile. */
export function workBytes(): i32 {
  return MC * KC * 8 + MR * VB;
}

/** Depth of the packed blocks for k: at most KC, and equal, so no block is a short remainder (784 → 4 × 196). */
@inline function depthBlock(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

@inline function fma<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/** Element `i` of an A panel row, in every lane. Constant offsets fold into the load: no address arithmetic. */
@inline function splat<T>(p: usize, i: i32): v128 {
  if (sizeof<T>() == 4) {
    if (i == 0) return v128.load32_splat(p);
    if (i == 1) return v128.load32_splat(p, 4);
    if (i == 2) return v128.load32_splat(p, 8);
    if (i == 3) return v128.load32_splat(p, 12);
    if (i == 4) return v128.load32_splat(p, 16);
    return v128.load32_splat(p, 20);
  }
  if (i == 0) return v128.load64_splat(p);
  if (i == 1) return v128.load64_splat(p, 8);
  if (i == 2) return v128.load64_splat(p, 16);
  if (i == 3) return v128.load64_splat(p, 24);
  if (i == 4) return v128.load64_splat(p, 32);
  return v128.load64_splat(p, 40);
}

/** C[MR×NR] (row stride ldc bytes) = (accumulate ? C : 0) + Apanel[MR×kc]·Bpanel[kc×NR]. */
function micro<T>(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool): void {
  const S = <usize>sizeof<T>();
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16); c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16); c30 = v128.load(c3); c31 = v128.load(c3, 16);
    c40 = v128.load(c4); c41 = v128.load(c4, 16); c50 = v128.load(c5); c51 = v128.load(c5, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a: v128;
    a = splat<T>(pa, 0);
    c00 = fma<T>(a, b0, c00); c01 = fma<T>(a, b1, c01);
    a = splat<T>(pa, 1);
    c10 = fma<T>(a, b0, c10); c11 = fma<T>(a, b1, c11);
    a = splat<T>(pa, 2);
    c20 = fma<T>(a, b0, c20); c21 = fma<T>(a, b1, c21);
    a = splat<T>(pa, 3);
    c30 = fma<T>(a, b0, c30); c31 = fma<T>(a, b1, c31);
    a = splat<T>(pa, 4);
    c40 = fma<T>(a, b0, c40); c41 = fma<T>(a, b1, c41);
    a = splat<T>(pa, 5);
    c50 = fma<T>(a, b0, c50); c51 = fma<T>(a, b1, c51);
    pa += 6 * S; pb += VB;
  }
  v128.store(c, c00); v128.store(c, c01, 16); v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16); v128.store(c3, c30); v128.store(c3, c31, 16);
  v128.store(c4, c40); v128.store(c4, c41, 16); v128.store(c5, c50); v128.store(c5, c51, 16);
}

/**
 * One full panel of op(B) from B stored [n×k] (row stride ld bytes, from `src`): NR rows of B become NR columns,
 * transposed in registers — 4×4 blocks of f32, 2×2 of f64 — then a scalar tail for kc not a multiple of the block.
 */
function packTransposed<T>(src: usize, ld: usize, kc: i32, panel: usize): void {
  const S = <i32>sizeof<T>(), L = 16 / S; // lanes per vector = rows per transposed block
  let p = 0;
  for (; p + L <= kc; p += L) {
    const d = panel + <usize>(p * VB), s0 = src + <usize>(p * S);
    for (let g = 0; g < VB / 16; g++) { // column groups of L within the panel
      const r = s0 + <usize>(g * L) * ld;
      if (S == 4) {
        const r0 = v128.load(r), r1 = v128.load(r + ld), r2 = v128.load(r + 2 * ld), r3 = v128.load(r + 3 * ld);
        const lo01 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
        const hi01 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
        const o = d + <usize>(g * 16);
        v128.store(o, v128.shuffle<i64>(lo01, lo23, 0, 2));
        v128.store(o + VB, v128.shuffle<i64>(lo01, lo23, 1, 3));
        v128.store(o + 2 * VB, v128.shuffle<i64>(hi01, hi23, 0, 2));
        v128.store(o + 3 * VB, v128.shuffle<i64>(hi01, hi23, 1, 3));
      } else {
        const r0 = v128.load(r), r1 = v128.load(r + ld), o = d + <usize>(g * 16);
        v128.store(o, v128.shuffle<i64>(r0, r1, 0, 2));
        v128.store(o + VB, v128.shuffle<i64>(r0, r1, 1, 3));
      }
    }
  }
  for (; p < kc; p++) {
    for (let j = 0; j < VB / S; j++) store<T>(panel + <usize>(p * VB + j * S), load<T>(src + <usize>j * ld + <usize>(p * S)));
  }
}

/** Depth of the packed blocks for k (see depthBlock): block j covers rows [j·d, min(k, (j+1)·d)) of op(B). */
export function blockDepth(k: i32): i32 {
  return depthBlock(k);
}

/**
 * Packs panels [q0, q1) of op(B) (NR columns each, zero-padded) for the depth blocks [j0, j1). The block of rows
 * from pc starts at dst + pc·np·VB and holds its panels one after another, kc rows of VB bytes each (np = panels
 * in all).
 */
function packB<T>(transB: bool, n: i32, k: i32, b: usize, q0: i32, q1: i32, j0: i32, j1: i32, dst: usize): void {
  const S = <i32>sizeof<T>(), NR = VB / S, np = (n + NR - 1) / NR, kcMax = depthBlock(k);
  for (let pc = j0 * kcMax; pc < min(k, j1 * kcMax); pc += kcMax) {
    const kc = min(kcMax, k - pc), block = dst + <usize>pc * <usize>(np * VB);
    for (let q = q0; q < q1; q++) {
      const jc = q * NR, nr = min(NR, n - jc), panel = block + <usize>q * <usize>(kc * VB);
      if (!transB) {
        let src = b + (<usize>pc * <usize>n + <usize>jc) * <usize>S;
        const ld = <usize>n * <usize>S;
        if (nr == NR) {
          for (let p = 0; p < kc; p++) {
            const d = panel + <usize>(p * VB);
            v128.store(d, v128.load(src)); v128.store(d, v128.load(src, 16), 16);
            src += ld;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            const d = panel + <usize>(p * VB);
            v128.store(d, v128.splat<T>(0)); v128.store(d, v128.splat<T>(0), 16);
            for (let j = 0; j < nr; j++) store<T>(d + <usize>(j * S), load<T>(src + <usize>(j * S)));
            src += ld;
          }
        }
      } else if (nr == NR) {
        packTransposed<T>(b + (<usize>jc * <usize>k + <usize>pc) * <usize>S, <usize>k * <usize>S, kc, panel);
      } else {
        // B is stored [n×k]: op(B)[p, j] = B[j, p], contiguous along p.
        for (let j = 0; j < NR; j++) {
          const d = panel + <usize>(j * S);
          if (j < nr) {
            const src = b + (<usize>(jc + j) * <usize>k + <usize>pc) * <usize>S;
            for (let p = 0; p < kc; p++) store<T>(d + <usize>(p * VB), load<T>(src + <usize>(p * S)));
          } else {
            for (let p = 0; p < kc; p++) store<T>(d + <usize>(p * VB), <T>0);
          }
        }
      }
    }
  }
}

/** Packs op(A)[ic:ic+mc, pc:pc+kc] into panels of MR rows, each kc columns of MR elements, zero-padded. */
function packA<T>(transA: bool, m: i32, k: i32, a: usize, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const S = <i32>sizeof<T>();
  const rowBytes = <usize>(MR * S);
  for (let r = 0; r < mc; r += MR) {
    const mr = min(MR, mc - r), panel = dst + <usize>(r / MR) * <usize>kc * rowBytes;
    if (transA) {
      // A is stored [k×m]: op(A)[i, p] = A[p, i], contiguous along i.
      let src = a + (<usize>pc * <usize>m + <usize>(ic + r)) * <usize>S;
      const ld = <usize>m * <usize>S;
      if (mr == MR) {
        for (let p = 0; p < kc; p++) {
          copyPanelRow<T>(src, panel + <usize>p * rowBytes);
          src += ld;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + <usize>(p * MR * S);
          for (let i = 0; i < MR; i++) store<T>(d + <usize>(i * S), i < mr ? load<T>(src + <usize>(i * S)) : <T>0);
          src += ld;
        }
      }
    } else if (mr == MR) {
      packRows<T>(a + (<usize>(ic + r) * <usize>k + <usize>pc) * <usize>S, <usize>k * <usize>S, kc, panel);
    } else {
      for (let i = 0; i < MR; i++) {
        const d = panel + <usize>(i * S);
        if (i < mr) {
          const src = a + (<usize>(ic + r + i) * <usize>k + <usize>pc) * <usize>S;
          for (let p = 0; p < kc; p++) store<T>(d + <usize>p * rowBytes, load<T>(src + <usize>(p * S)));
        } else {
          for (let p = 0; p < kc; p++) store<T>(d + <usize>p * rowBytes, <T>0);
        }
      }
    }
  }
}

/** One column of an A panel: MR consecutive elements (48 bytes of f64, 24 of f32) from src to d. */
@inline function copyPanelRow<T>(src: usize, d: usize): void {
  v128.store(d, v128.load(src));
  if (sizeof<T>() == 8) {
    v128.store(d, v128.load(src, 16), 16); v128.store(d, v128.load(src, 32), 32);
  } else {
    v128.store64_lane(d, v128.load64_zero(src, 16), 0, 16);
  }
}

/**
 * A full panel of op(A) from MR rows of A stored [m×k] (row stride ld bytes, from `src`), transposed in
 * registers: per step, a vector from each row (2 f64 / 4 f32 columns), 2×2 (f64) or 4×4 + 2×4 (f32) transposes,
 * then a scalar tail for kc not a multiple of the vector. (Packing element by element cost products 2–4%: one
 * thread, n = 512…2048, float64 26.8/27.0/25.7 → 27.9/27.8/26.4 GFLOP/s.)
 */
function packRows<T>(src: usize, ld: usize, kc: i32, panel: usize): void {
  const S = <i32>sizeof<T>(), L = 16 / S, rowBytes = MR * S;
  const s1 = src + ld, s2 = s1 + ld, s3 = s2 + ld, s4 = s3 + ld, s5 = s4 + ld;
  let p = 0;
  for (; p + L <= kc; p += L) {
    const o = <usize>(p * S), d = panel + <usize>(p * rowBytes);
    const r0 = v128.load(src + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o);
    const r3 = v128.load(s3 + o), r4 = v128.load(s4 + o), r5 = v128.load(s5 + o);
    if (S == 8) {
      v128.store(d, v128.shuffle<i64>(r0, r1, 0, 2)); v128.store(d, v128.shuffle<i64>(r2, r3, 0, 2), 16);
      v128.store(d, v128.shuffle<i64>(r4, r5, 0, 2), 32); v128.store(d, v128.shuffle<i64>(r0, r1, 1, 3), 48);
      v128.store(d, v128.shuffle<i64>(r2, r3, 1, 3), 64); v128.store(d, v128.shuffle<i64>(r4, r5, 1, 3), 80);
    } else {
      const lo01 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
      const hi01 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
      const lo45 = v128.shuffle<i32>(r4, r5, 0, 4, 1, 5), hi45 = v128.shuffle<i32>(r4, r5, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<i64>(lo01, lo23, 0, 2)); v128.store64_lane(d, lo45, 0, 16);
      v128.store(d, v128.shuffle<i64>(lo01, lo23, 1, 3), 24); v128.store64_lane(d, lo45, 1, 40);
      v128.store(d, v128.shuffle<i64>(hi01, hi23, 0, 2), 48); v128.store64_lane(d, hi45, 0, 64);
      v128.store(d, v128.shuffle<i64>(hi01, hi23, 1, 3), 72); v128.store64_lane(d, hi45, 1, 88);
    }
  }
  for (; p < kc; p++) {
    const o = <usize>(p * S), d = panel + <usize>(p * rowBytes);
    store<T>(d, load<T>(src + o)); store<T>(d + <usize>S, load<T>(s1 + o)); store<T>(d + <usize>(2 * S), load<T>(s2 + o));
    store<T>(d + <usize>(3 * S), load<T>(s3 + o)); store<T>(d + <usize>(4 * S), load<T>(s4 + o));
    store<T>(d + <usize>(5 * S), load<T>(s5 + o));
  }
}

/**
 * C[i0:i1, panels q0:q1] = op(A)·op(B) for row-major C [m×n] with rows ldc elements apart (≥ n); A is [m×k]
 * ([k×m] if transA); `packed` is op(B) as `packB` wrote it. Pointers are byte addresses; `work` is this thread's
 * scratch (workBytes()).
 *
 * Loops: depth blocks, then blocks of MC rows (op(A) packed, kept in L2), then NCB panels of op(B) (kept in L2),
 * then one panel of A (kept in L1) against each of those panels in turn: C is then visited six rows at a time along
 * the row, a pattern the prefetcher follows, where one panel of B against every panel of A touched 72 rows of C at
 * once. (Measured: n = 2048 float64, one thread 26.6 → 27.8 GFLOP/s; two threads computing halves 54 → 56.)
 */
function tile<T>(
  transA: bool, m: i32, n: i32, k: i32, a: usize, packed: usize, c: usize, ldcElems: i32,
  i0: i32, i1: i32, q0: i32, q1: i32, work: usize,
): void {
  const S = <i32>sizeof<T>(), NR = VB / S, np = (n + NR - 1) / NR;
  const pA = work, scratch = work + <usize>(MC * KC * 8);
  const ldc = <usize>ldcElems * <usize>S;
  const kcMax = depthBlock(k);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc), acc = pc > 0, block = packed + <usize>pc * <usize>(np * VB);
    for (let ic = i0; ic < i1; ic += MC) {
      const mc = min(MC, i1 - ic);
      packA<T>(transA, m, k, a, ic, mc, pc, kc, pA);
      for (let qc = q0; qc < q1; qc += NCB) {
        const qe = min(q1, qc + NCB);
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir), pa = pA + <usize>(ir / MR) * <usize>(kc * MR * S);
          for (let q = qc; q < qe; q++) {
            const jc = q * NR, nr = min(NR, n - jc), pb = block + <usize>q * <usize>(kc * VB);
            const cp = c + <usize>(ic + ir) * ldc + <usize>(jc * S);
            if (mr == MR && nr == NR) {
              micro<T>(kc, pa, pb, cp, ldc, acc);
            } else {
              // Edge tile: same kernel on a zero-padded scratch tile, then copy back the valid part.
              if (acc) {
                for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) {
                  const t = scratch + <usize>(i * VB + j * S);
                  store<T>(t, i < mr && j < nr ? load<T>(cp + <usize>i * ldc + <usize>(j * S)) : <T>0);
                }
              }
              micro<T>(kc, pa, pb, scratch, <usize>VB, acc);
              for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) {
                store<T>(cp + <usize>i * ldc + <usize>(j * S), load<T>(scratch + <usize>(i * VB + j * S)));
              }
            }
          }
        }
      }
    }
  }
}

export function packB32(transB: bool, n: i32, k: i32, b: usize, q0: i32, q1: i32, j0: i32, j1: i32, dst: usize): void {
  packB<f32>(transB, n, k, b, q0, q1, j0, j1, dst);
}

export function packB64(transB: bool, n: i32, k: i32, b: usize, q0: i32, q1: i32, j0: i32, j1: i32, dst: usize): void {
  packB<f64>(transB, n, k, b, q0, q1, j0, j1, dst);
}

export function tile32(
  transA: bool, m: i32, n: i32, k: i32, a: usize, packed: usize, c: usize, ldc: i32,
  i0: i32, i1: i32, q0: i32, q1: i32, work: usize,
): void {
  tile<f32>(transA, m, n, k, a, packed, c, ldc, i0, i1, q0, q1, work);
}

export function tile64(
  transA: bool, m: i32, n: i32, k: i32, a: usize, packed: usize, c: usize, ldc: i32,
  i0: i32, i1: i32, q0: i32, q1: i32, work: usize,
): void {
  tile<f64>(transA, m, n, k, a, packed, c, ldc, i0, i1, q0, q1, work);
}

/**
 * `count` blocks of `bytes`, the i-th from src + i·srcStride to dst + i·dstStride (byte addresses and strides):
 * im2col's block moves inside the arena, where JavaScript's copyWithin on shared memory is 3–4× slower than
 * memory.copy.
 */
export function copyBlocks(dst: usize, dstStride: usize, src: usize, srcStride: usize, count: i32, bytes: usize): void {
  for (let i = 0; i < count; i++) {
    memory.copy(dst, src, bytes);
    dst += dstStride; src += srcStride;
  }
}

/** `count` blocks of `length` elements: the i-th at dst + i·dstStride += the i-th at src + i·srcStride (bytes). */
function addBlocks<T>(dst: usize, dstStride: usize, src: usize, srcStride: usize, count: i32, length: i32): void {
  const S = <usize>sizeof<T>(), L = 16 / <i32>S;
  for (let i = 0; i < count; i++) {
    let j = 0;
    for (; j + L <= length; j += L) {
      const o = <usize>j * S;
      v128.store(dst + o, v128.add<T>(v128.load(dst + o), v128.load(src + o)));
    }
    for (; j < length; j++) {
      const o = <usize>j * S;
      store<T>(dst + o, load<T>(dst + o) + load<T>(src + o));
    }
    dst += dstStride; src += srcStride;
  }
}

/** col2im's accumulation inside the arena (addBlocks, float32). */
export function addBlocks32(dst: usize, dstStride: usize, src: usize, srcStride: usize, count: i32, length: i32): void {
  addBlocks<f32>(dst, dstStride, src, srcStride, count, length);
}

/** col2im's accumulation inside the arena (addBlocks, float64). */
export function addBlocks64(dst: usize, dstStride: usize, src: usize, srcStride: usize, count: i32, length: i32): void {
  addBlocks<f64>(dst, dstStride, src, srcStride, count, length);
}

/**
 * Max pooling of x [N, H, W] (byte address) by kH×kW windows moved by sH, sW over x padded by pH, pW (never read):
 * out [N, oH, oW] ← each window's maximum, indices (int32) ← its flat index in x, the first maximum in row-major
 * scan, a NaN winning (as PyTorch); -∞ and the window's first valid element where it has nothing larger.
 */
function maxPool<T>(x: usize, N: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  oH: i32, oW: i32, out: usize, indices: usize): void {
  const S = <usize>sizeof<T>();
  let o: usize = 0;
  for (let img = 0; img < N; img++) {
    const base = img * H * W;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pH, hLo = max(0, h0), hHi = min(H, h0 + kH);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pW, wLo = max(0, w0), wHi = min(W, w0 + kW);
        let best = <T>-Infinity, at = base + hLo * W + wLo;
        for (let h = hLo; h < hHi; h++) {
          for (let i = base + h * W + wLo, end = base + h * W + wHi; i < end; i++) {
            const v = load<T>(x + <usize>i * S);
            if (v > best || v != v) { best = v; at = i; }
          }
        }
        store<T>(out + o * S, best);
        store<i32>(indices + o * 4, at);
        o++;
      }
    }
  }
}

export function maxPool32(x: usize, N: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  oH: i32, oW: i32, out: usize, indices: usize): void {
  maxPool<f32>(x, N, H, W, kH, kW, sH, sW, pH, pW, oH, oW, out, indices);
}

export function maxPool64(x: usize, N: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  oH: i32, oW: i32, out: usize, indices: usize): void {
  maxPool<f64>(x, N, H, W, kH, kW, sH, sW, pH, pW, oH, oW, out, indices);
}

/** `length` elements from dst (byte address) += v: a convolution's bias, one output channel at a time. */
function addConstant<T>(dst: usize, length: i32, v: T): void {
  const S = <usize>sizeof<T>(), L = 16 / <i32>S, splat = v128.splat<T>(v);
  let j = 0;
  for (; j + L <= length; j += L) {
    const o = dst + <usize>j * S;
    v128.store(o, v128.add<T>(v128.load(o), splat));
  }
  for (; j < length; j++) store<T>(dst + <usize>j * S, load<T>(dst + <usize>j * S) + v);
}

export function addConstant32(dst: usize, length: i32, v: f32): void {
  addConstant<f32>(dst, length, v);
}

export function addConstant64(dst: usize, length: i32, v: f64): void {
  addConstant<f64>(dst, length, v);
}
