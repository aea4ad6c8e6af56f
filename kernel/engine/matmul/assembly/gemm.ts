// The WebAssembly SIMD matmul kernel (AssemblyScript). Computes one rectangle of C = op(A)·op(B) in the
// GotoBLAS/BLIS way: pack a KC×NC block of op(B) into panels NR columns wide and an MC×KC block of op(A) into
// panels MR rows high, then run an MR×NR register-blocked micro-kernel over them. Packing is where transposes are
// absorbed, so the micro-kernel only ever sees one layout.
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
const NCB: i32 = 8 * 1024; // bytes of one row of a packed B block: 2048 f32 or 1024 f64 columns

/** Bytes of scratch one thread needs (`work` argument): packed A block, packed B block, one edge tile. */
export function workBytes(): i32 {
  return MC * KC * 8 + KC * NCB + MR * VB;
}

@inline function fma<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

@inline function splat<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(p);
  return v128.load64_splat(p);
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
    let a = splat<T>(pa);
    c00 = fma<T>(a, b0, c00); c01 = fma<T>(a, b1, c01);
    a = splat<T>(pa + S);
    c10 = fma<T>(a, b0, c10); c11 = fma<T>(a, b1, c11);
    a = splat<T>(pa + 2 * S);
    c20 = fma<T>(a, b0, c20); c21 = fma<T>(a, b1, c21);
    a = splat<T>(pa + 3 * S);
    c30 = fma<T>(a, b0, c30); c31 = fma<T>(a, b1, c31);
    a = splat<T>(pa + 4 * S);
    c40 = fma<T>(a, b0, c40); c41 = fma<T>(a, b1, c41);
    a = splat<T>(pa + 5 * S);
    c50 = fma<T>(a, b0, c50); c51 = fma<T>(a, b1, c51);
    pa += 6 * S; pb += VB;
  }
  v128.store(c, c00); v128.store(c, c01, 16); v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16); v128.store(c3, c30); v128.store(c3, c31, 16);
  v128.store(c4, c40); v128.store(c4, c41, 16); v128.store(c5, c50); v128.store(c5, c51, 16);
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] into panels of NR columns, each kc rows of VB bytes, zero-padded. */
function packB<T>(transB: bool, n: i32, k: i32, b: usize, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const S = <i32>sizeof<T>(), NR = VB / S;
  for (let q = 0; q < nc; q += NR) {
    const nr = min(NR, nc - q), panel = dst + <usize>(q / NR) * <usize>(kc * VB);
    if (!transB) {
      let src = b + (<usize>pc * <usize>n + <usize>(jc + q)) * <usize>S;
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
    } else {
      // B is stored [n×k]: op(B)[p, j] = B[j, p], contiguous along p.
      for (let j = 0; j < NR; j++) {
        const d = panel + <usize>(j * S);
        if (j < nr) {
          const src = b + (<usize>(jc + q + j) * <usize>k + <usize>pc) * <usize>S;
          for (let p = 0; p < kc; p++) store<T>(d + <usize>(p * VB), load<T>(src + <usize>(p * S)));
        } else {
          for (let p = 0; p < kc; p++) store<T>(d + <usize>(p * VB), <T>0);
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
      for (let p = 0; p < kc; p++) {
        const d = panel + <usize>(p * MR * S);
        for (let i = 0; i < MR; i++) store<T>(d + <usize>(i * S), i < mr ? load<T>(src + <usize>(i * S)) : <T>0);
        src += ld;
      }
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

/**
 * C[i0:i1, j0:j1] = op(A)·op(B) for row-major C [m×n]; A is [m×k] ([k×m] if transA), B is [k×n] ([n×k] if
 * transB). Pointers are byte addresses; `work` is this thread's scratch (workBytes()); the i32 at `progress`
 * is bumped after each packed A block so a watcher can tell a slow thread from a dead one.
 */
function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  i0: i32, i1: i32, j0: i32, j1: i32, work: usize, progress: usize,
): void {
  const S = <i32>sizeof<T>(), NR = VB / S, NC = NCB / S;
  const pA = work, pB = work + <usize>(MC * KC * 8), tile = pB + <usize>(KC * NCB);
  const ldc = <usize>n * <usize>S;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc), acc = pc > 0;
      packB<T>(transB, n, k, b, pc, kc, jc, nc, pB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA<T>(transA, m, k, a, ic, mc, pc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr), pb = pB + <usize>(jr / NR) * <usize>(kc * VB);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir), pa = pA + <usize>(ir / MR) * <usize>(kc * MR * S);
            const cp = c + <usize>(ic + ir) * ldc + <usize>((jc + jr) * S);
            if (mr == MR && nr == NR) {
              micro<T>(kc, pa, pb, cp, ldc, acc);
            } else {
              // Edge tile: same kernel on a zero-padded scratch tile, then copy back the valid part.
              if (acc) {
                for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) {
                  const t = tile + <usize>(i * VB + j * S);
                  store<T>(t, i < mr && j < nr ? load<T>(cp + <usize>i * ldc + <usize>(j * S)) : <T>0);
                }
              }
              micro<T>(kc, pa, pb, tile, <usize>VB, acc);
              for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) {
                store<T>(cp + <usize>i * ldc + <usize>(j * S), load<T>(tile + <usize>(i * VB + j * S)));
              }
            }
          }
        }
        atomic.add<i32>(progress, 1);
      }
    }
  }
}

export function gemmF32(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  i0: i32, i1: i32, j0: i32, j1: i32, work: usize, progress: usize,
): void {
  gemm<f32>(transA, transB, m, n, k, a, b, c, i0, i1, j0, j1, work, progress);
}

export function gemmF64(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  i0: i32, i1: i32, j0: i32, j1: i32, work: usize, progress: usize,
): void {
  gemm<f64>(transA, transB, m, n, k, a, b, c, i0, i1, j0, j1, work, progress);
}
