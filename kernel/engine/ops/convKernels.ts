// The arithmetic of convolutions on raw storage: the windows of a chunk of the batch are laid out as columns, so
// the forward and both gradients are each one large `gemm` per group and chunk (worker-threaded WebAssembly), and
// the code here only moves data. Layout of a column block: [K = C/G·kH·kW, nb·L], column n·L + l holding the
// window of output position l of image n.
//
// Stride 1 (any padding and dilation), the common case, takes the "wide grid": outputs are computed for every
// column of the padded input (oH × Wp positions per image, the last kW − 1 of each row discarded), so each row of
// the column block is ONE contiguous range of the padded input: im2col is block copies (memcpy), never a loop per
// element; the weight gradient is one gemm against g laid on the same wide grid. Other strides use the element
// loop of im2col below. The input gradient is a gemm whose operands are small, then col2im (measured twice as fast
// as a flipped wide-grid convolution whose column block is K·(Hp·Wp)/(H·W) times larger): block additions, one per
// (tap, image), where the stride in width is 1.
//
// Every work buffer is the matmul's staging array (in the workers' shared memory): gemm reads operands there in
// place, and the block moves and additions run in WebAssembly (copyWithin on shared memory is 3–4× slower).
import type { FloatArray } from '../dtype';
import { addBlocks, addConstant, arenaKernel, copyBlocks, gemm, stagingArray } from '../matmul/index';
import type { Geometry } from './convGeometry';

/** At most this many elements in one column block (16 MB of float32): the batch is cut into chunks that fit. */
const COLS_BUDGET = 1 << 22;

type View = Float32Array | Float64Array;
const like = (a: FloatArray, n: number): View => (a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));

/** The batch chunks [n0, n0 + nb) whose column blocks fit the budget. */
function chunks(g: Geometry): [number, number][] {
  const K = (g.C / g.G) * g.kH * g.kW, L = g.oH * g.oW;
  const per = Math.max(1, Math.floor(COLS_BUDGET / Math.max(1, K * L)));
  const out: [number, number][] = [];
  for (let n0 = 0; n0 < g.N; n0 += per) out.push([n0, Math.min(per, g.N - n0)]);
  return out;
}

/** The output columns ow whose input column iw = ow·sW − pW + kj·dW lies in [0, W): [lo, hi). */
function validRange(g: Geometry, kj: number): [number, number] {
  const off = kj * g.dW - g.pW;
  const lo = Math.min(g.oW, Math.max(0, Math.ceil(-off / g.sW)));
  const hi = Math.max(lo, Math.min(g.oW, Math.floor((g.W - 1 - off) / g.sW) + 1));
  return [lo, hi];
}

/** cols[K, nb·L] ← the windows of images n0..n0+nb, channels of group `grp` (zeros where the window is padding). */
export function im2col(x: FloatArray, g: Geometry, n0: number, nb: number, grp: number, cols: FloatArray): void {
  const Cg = g.C / g.G, L = g.oH * g.oW, nbL = nb * L, HW = g.H * g.W;
  for (let c = 0; c < Cg; c++) {
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        const row = ((c * g.kH + ki) * g.kW + kj) * nbL;
        const [lo, hi] = validRange(g, kj), iw0 = kj * g.dW - g.pW;
        for (let n = 0; n < nb; n++) {
          const xBase = ((n0 + n) * g.C + grp * Cg + c) * HW;
          for (let oh = 0; oh < g.oH; oh++) {
            const dst = row + n * L + oh * g.oW, ih = oh * g.sH - g.pH + ki * g.dH;
            if (ih < 0 || ih >= g.H) { cols.fill(0, dst, dst + g.oW); continue; }
            const src = xBase + ih * g.W + iw0;
            for (let ow = 0; ow < lo; ow++) cols[dst + ow] = 0;
            if (g.sW === 1) for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow];
            else for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow * g.sW];
            for (let ow = hi; ow < g.oW; ow++) cols[dst + ow] = 0;
          }
        }
      }
    }
  }
}

/**
 * dx[nb, C, H, W] += the columns cols[K, nb·L] added back where they were read from (the adjoint of im2col); dx and
 * the columns are regions of one array `buf`, at dxAt and colsAt. Stride 1 in width: one addBlocks per (tap,
 * image), in WebAssembly SIMD when buf is staged.
 */
function col2im(buf: FloatArray, colsAt: number, g: Geometry, nb: number, grp: number, dxAt: number): void {
  const Cg = g.C / g.G, L = g.oH * g.oW, nbL = nb * L, HW = g.H * g.W;
  for (let c = 0; c < Cg; c++) {
    for (let ki = 0; ki < g.kH; ki++) {
      const ih0 = ki * g.dH - g.pH; // ih = oh·sH + ih0 must lie in [0, H)
      const ohLo = Math.min(g.oH, Math.max(0, Math.ceil(-ih0 / g.sH)));
      const ohHi = Math.max(ohLo, Math.min(g.oH, Math.floor((g.H - 1 - ih0) / g.sH) + 1));
      for (let kj = 0; kj < g.kW; kj++) {
        const row = colsAt + ((c * g.kH + ki) * g.kW + kj) * nbL;
        const [lo, hi] = validRange(g, kj), iw0 = kj * g.dW - g.pW;
        for (let n = 0; n < nb; n++) {
          const xBase = dxAt + (n * g.C + grp * Cg + c) * HW;
          const src = row + n * L + ohLo * g.oW, dst = xBase + (ohLo * g.sH + ih0) * g.W + iw0;
          if (g.sW === 1) { addBlocks(buf, dst + lo, g.sH * g.W, src + lo, g.oW, ohHi - ohLo, hi - lo); continue; }
          for (let oh = ohLo; oh < ohHi; oh++) {
            const s = src + (oh - ohLo) * g.oW, d = dst + (oh - ohLo) * g.sH * g.W;
            for (let ow = lo; ow < hi; ow++) buf[d + ow * g.sW] += buf[s + ow];
          }
        }
      }
    }
  }
}

let scratch32: Float32Array | null = null, scratch64: Float64Array | null = null;

/**
 * The work buffer, of a's element type and at least n elements, not zeroed: the matmul's staging array, so that
 * gemm reads the column block where im2col wrote it (copying megabytes into the workers' memory per product was a
 * quarter of a LeNet step); else kept between calls (the padded images, the column block and the gemm rows of a
 * LeNet step are megabytes; allocating them afresh each call cost more in zeroing and garbage collection than the
 * copies themselves). One buffer holds all regions so that im2col is copyWithin, a block move with no view object
 * per block.
 */
function scratch(a: FloatArray, n: number): View {
  const staged = stagingArray(n, a);
  if (staged) return staged;
  if (a instanceof Float32Array) return scratch32 && scratch32.length >= n ? scratch32 : (scratch32 = new Float32Array(n));
  return scratch64 && scratch64.length >= n ? scratch64 : (scratch64 = new Float64Array(n));
}

/** Whether the wide-grid path applies: stride 1 (padding and dilation are free). */
const wideGrid = (g: Geometry): boolean => g.sH === 1 && g.sW === 1;

/** The padded input's row length, and the wide grid's positions per image (oH rows of Wp). */
const widths = (g: Geometry): { Wp: number; Lw: number; HWp: number } => {
  const Wp = g.W + 2 * g.pW;
  return { Wp, Lw: g.oH * Wp, HWp: (g.H + 2 * g.pH) * Wp };
};

/**
 * xp ← images n0..n0+nb of x, all channels, zero-padded to [nb, C, Hp, Wp], plus a tail of slack: the last window's
 * range runs up to kW − 1 elements past its image (into the discarded columns). Block copies, one per input row.
 */
function padImages(x: FloatArray, g: Geometry, n0: number, nb: number, buf: FloatArray, xpLen: number): void {
  const { Wp, HWp } = widths(g), HW = g.H * g.W;
  if (g.pH === 0 && g.pW === 0) {
    buf.set(x.subarray(n0 * g.C * HW, (n0 + nb) * g.C * HW));
    buf.fill(0, nb * g.C * HW, xpLen);
    return;
  }
  buf.fill(0, 0, xpLen);
  for (let i = 0; i < nb * g.C; i++) {
    const src = (n0 * g.C + i) * HW, dst = i * HWp + g.pH * Wp + g.pW;
    for (let h = 0; h < g.H; h++) buf.set(x.subarray(src + h * g.W, src + (h + 1) * g.W), dst + h * Wp);
  }
}

/** cols[K, nb·Lw] ← the wide-grid windows of group `grp` from the padded images xp: one block copy per (tap, image), in WebAssembly where buf is staged. */
function im2colWide(buf: FloatArray, g: Geometry, nb: number, grp: number, colsAt: number): void {
  const Cg = g.C / g.G, { Wp, Lw, HWp } = widths(g), nbLw = nb * Lw;
  for (let c = 0; c < Cg; c++) {
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        const row = colsAt + ((c * g.kH + ki) * g.kW + kj) * nbLw, shift = ki * g.dH * Wp + kj * g.dW;
        copyBlocks(buf, row, Lw, (grp * Cg + c) * HWp + shift, g.C * HWp, nb, Lw);
      }
    }
  }
}

/**
 * y [N, O, oH, oW] ← the valid columns of the wide rows[Og, nb·Lw] (+ bias per channel): compacted inside buf to
 * [Og, nb, L] at packAt (one copyBlocks: WebAssembly where buf is staged), the bias added there, then one block
 * copy per (channel, image).
 */
function scatterWide(buf: FloatArray, rowsAt: number, g: Geometry, n0: number, nb: number, grp: number, y: FloatArray, packAt: number,
  bias: FloatArray | null): void {
  const Og = g.O / g.G, { Wp } = widths(g), L = g.oH * g.oW;
  copyBlocks(buf, packAt, g.oW, rowsAt, Wp, Og * nb * g.oH, g.oW);
  if (bias) for (let o = 0; o < Og; o++) addConstant(buf, packAt + o * nb * L, nb * L, bias[grp * Og + o]); // fused: one add, as after
  for (let o = 0; o < Og; o++) {
    for (let n = 0; n < nb; n++) {
      const src = packAt + (o * nb + n) * L;
      y.set(buf.subarray(src, src + L), ((n0 + n) * g.O + grp * Og + o) * L);
    }
  }
}

/** rows[Og, nb·Lw] ← y's channels of group `grp` on the wide grid, zeros in the discarded columns (scatterWide backwards). */
function gatherWide(y: FloatArray, g: Geometry, n0: number, nb: number, grp: number, buf: FloatArray, rowsAt: number, packAt: number): void {
  const Og = g.O / g.G, { Wp, Lw } = widths(g), L = g.oH * g.oW;
  for (let o = 0; o < Og; o++) {
    for (let n = 0; n < nb; n++) {
      const src = ((n0 + n) * g.O + grp * Og + o) * L;
      buf.set(y.subarray(src, src + L), packAt + (o * nb + n) * L);
    }
  }
  buf.fill(0, rowsAt, rowsAt + Og * nb * Lw);
  copyBlocks(buf, rowsAt, Wp, packAt, g.oW, Og * nb * g.oH, g.oW);
}

/** The batch chunks of the wide grid, whose column blocks fit the budget. */
function wideChunks(g: Geometry): [number, number][] {
  const K = (g.C / g.G) * g.kH * g.kW, { Lw } = widths(g);
  const per = Math.max(1, Math.floor(COLS_BUDGET / Math.max(1, K * Lw)));
  const out: [number, number][] = [];
  for (let n0 = 0; n0 < g.N; n0 += per) out.push([n0, Math.min(per, g.N - n0)]);
  return out;
}

/** rows[Og, nb·L] ← the channels of group `grp` of y [N, O, L], images n0..n0+nb (channel-major, as gemm wants). */
function gatherRows(y: FloatArray, g: Geometry, n0: number, nb: number, grp: number, rows: FloatArray): void {
  const Og = g.O / g.G, L = g.oH * g.oW;
  for (let o = 0; o < Og; o++) {
    for (let n = 0; n < nb; n++) {
      const src = ((n0 + n) * g.O + grp * Og + o) * L;
      rows.set(y.subarray(src, src + L), (o * nb + n) * L);
    }
  }
}

/** The inverse of gatherRows: y [N, O, L] ← rows[Og, nb·L]. */
function scatterRows(rows: FloatArray, g: Geometry, n0: number, nb: number, grp: number, y: FloatArray): void {
  const Og = g.O / g.G, L = g.oH * g.oW;
  for (let o = 0; o < Og; o++) {
    for (let n = 0; n < nb; n++) {
      const src = (o * nb + n) * L;
      y.set(rows.subarray(src, src + L), ((n0 + n) * g.O + grp * Og + o) * L);
    }
  }
}

/** out [N, O, oH, oW] ← x ⋆ w (+ b per output channel); all three arrays of one element type. */
export function convForward(x: FloatArray, w: FloatArray, b: FloatArray | null, g: Geometry, out: FloatArray): void {
  const Og = g.O / g.G, K = (g.C / g.G) * g.kH * g.kW, L = g.oH * g.oW;
  if (wideGrid(g)) {
    const { Lw, HWp } = widths(g);
    for (const [n0, nb] of wideChunks(g)) {
      const xpLen = nb * g.C * HWp + g.kW * g.dW, colsAt = xpLen, rowsAt = colsAt + K * nb * Lw, packAt = rowsAt + Og * nb * Lw;
      const buf = scratch(x, packAt + Og * nb * L);
      padImages(x, g, n0, nb, buf, xpLen);
      for (let grp = 0; grp < g.G; grp++) {
        im2colWide(buf, g, nb, grp, colsAt);
        gemm(false, false, Og, nb * Lw, K, w, grp * Og * K, buf, colsAt, buf, rowsAt);
        scatterWide(buf, rowsAt, g, n0, nb, grp, out, packAt, b);
      }
    }
  } else for (const [n0, nb] of chunks(g)) {
    const buf = scratch(x, (K + Og) * nb * L), cols = buf.subarray(0, K * nb * L), rows = buf.subarray(K * nb * L, (K + Og) * nb * L);
    for (let grp = 0; grp < g.G; grp++) {
      im2col(x, g, n0, nb, grp, cols);
      gemm(false, false, Og, nb * L, K, w, grp * Og * K, cols, 0, rows, 0);
      scatterRows(rows, g, n0, nb, grp, out);
    }
  }
  if (b && !wideGrid(g)) { // the wide grid added it in scatterWide
    for (let n = 0; n < g.N; n++) {
      for (let o = 0; o < g.O; o++) {
        const base = (n * g.O + o) * L, v = b[o];
        for (let l = 0; l < L; l++) out[base + l] += v;
      }
    }
  }
}

/** dx [N, C, H, W] ← the gradient of ⟨y, x ⋆ w⟩ in x, for y [N, O, oH, oW] (a transposed convolution of y by w). */
export function convInputGradient(y: FloatArray, w: FloatArray, g: Geometry, dx: FloatArray): void {
  const Og = g.O / g.G, K = (g.C / g.G) * g.kH * g.kW, L = g.oH * g.oW;
  const CHW = g.C * g.H * g.W;
  for (const [n0, nb] of chunks(g)) {
    const rowsAt = K * nb * L, dxAt = (K + Og) * nb * L, buf = scratch(y, dxAt + nb * CHW);
    const cols = buf.subarray(0, rowsAt), rows = buf.subarray(rowsAt, dxAt);
    buf.fill(0, dxAt, dxAt + nb * CHW);
    for (let grp = 0; grp < g.G; grp++) {
      gatherRows(y, g, n0, nb, grp, rows);
      gemm(true, false, K, nb * L, Og, w, grp * Og * K, rows, 0, cols, 0);
      col2im(buf, 0, g, nb, grp, dxAt);
    }
    dx.set(buf.subarray(dxAt, dxAt + nb * CHW), n0 * CHW);
  }
}

/** dw [O, C/G, kH, kW] ← the gradient of ⟨y, x ⋆ w⟩ in w: y's rows times x's windows, summed over the batch. */
export function convWeightGradient(x: FloatArray, y: FloatArray, g: Geometry, dw: FloatArray): void {
  const Og = g.O / g.G, K = (g.C / g.G) * g.kH * g.kW, L = g.oH * g.oW;
  const wide = wideGrid(g), parts = wide ? wideChunks(g) : chunks(g), part = parts.length > 1 ? like(x, Og * K) : null;
  dw.fill(0);
  if (wide) {
    const { Lw, HWp } = widths(g);
    for (const [n0, nb] of parts) {
      const xpLen = nb * g.C * HWp + g.kW * g.dW, colsAt = xpLen, rowsAt = colsAt + K * nb * Lw, packAt = rowsAt + Og * nb * Lw;
      const buf = scratch(x, packAt + Og * nb * L);
      padImages(x, g, n0, nb, buf, xpLen);
      for (let grp = 0; grp < g.G; grp++) {
        im2colWide(buf, g, nb, grp, colsAt);
        gatherWide(y, g, n0, nb, grp, buf, rowsAt, packAt);
        if (!part) { gemm(false, true, Og, K, nb * Lw, buf, rowsAt, buf, colsAt, dw, grp * Og * K); continue; }
        gemm(false, true, Og, K, nb * Lw, buf, rowsAt, buf, colsAt, part, 0);
        for (let i = 0, off = grp * Og * K; i < Og * K; i++) dw[off + i] += part[i];
      }
    }
    return;
  }
  for (const [n0, nb] of parts) {
    const buf = scratch(x, (K + Og) * nb * L), cols = buf.subarray(0, K * nb * L), rows = buf.subarray(K * nb * L, (K + Og) * nb * L);
    for (let grp = 0; grp < g.G; grp++) {
      im2col(x, g, n0, nb, grp, cols);
      gatherRows(y, g, n0, nb, grp, rows);
      if (!part) { gemm(false, true, Og, K, nb * L, rows, 0, cols, 0, dw, grp * Og * K); continue; }
      gemm(false, true, Og, K, nb * L, rows, 0, cols, 0, part, 0);
      for (let i = 0, off = grp * Og * K; i < Og * K; i++) dw[off + i] += part[i];
    }
  }
}

/**
 * maxPool2d's windows (g: every channel an image) in WebAssembly on a staged copy of x: out ← each window's maximum,
 * indices ← where in x it is. False where there is no staging: the caller's loop runs (the same values).
 */
export function maxWindowsStaged(x: FloatArray, g: Geometry, out: FloatArray, indices: Int32Array): boolean {
  const kernel = arenaKernel(), S = x.BYTES_PER_ELEMENT, n = out.length;
  const buf = kernel ? stagingArray(x.length + n + Math.ceil((4 * n) / S), x) : null;
  if (!kernel || !buf) return false;
  buf.set(x, 0);
  const xAt = buf.byteOffset, outAt = xAt + x.length * S, indicesAt = outAt + n * S;
  (S === 4 ? kernel.maxPool32 : kernel.maxPool64)(xAt, g.N, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.oH, g.oW, outAt, indicesAt);
  out.set(buf.subarray(x.length, x.length + n));
  indices.set(new Int32Array(buf.buffer, indicesAt, n));
  return true;
}
