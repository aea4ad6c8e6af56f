// The arithmetic of convolutions on raw storage: im2col lays every window of a chunk of the batch out as a
// column, so the forward and both gradients are each one large `gemm` per group and chunk (worker-threaded
// WebAssembly), and the loops here only move data. Layout of a column block: [K = C/G·kH·kW, nb·L] with
// L = oH·oW, column n·L + l holding the window of output position l of image n.
import type { FloatArray } from '../dtype';
import { gemm } from '../matmul/index';
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

/** dx += the columns cols[K, nb·L] added back where they were read from (the adjoint of im2col). */
export function col2im(cols: FloatArray, g: Geometry, n0: number, nb: number, grp: number, dx: FloatArray): void {
  const Cg = g.C / g.G, L = g.oH * g.oW, nbL = nb * L, HW = g.H * g.W;
  for (let c = 0; c < Cg; c++) {
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        const row = ((c * g.kH + ki) * g.kW + kj) * nbL;
        const [lo, hi] = validRange(g, kj), iw0 = kj * g.dW - g.pW;
        for (let n = 0; n < nb; n++) {
          const xBase = ((n0 + n) * g.C + grp * Cg + c) * HW;
          for (let oh = 0; oh < g.oH; oh++) {
            const ih = oh * g.sH - g.pH + ki * g.dH;
            if (ih < 0 || ih >= g.H) continue;
            const src = row + n * L + oh * g.oW, dst = xBase + ih * g.W + iw0;
            if (g.sW === 1) for (let ow = lo; ow < hi; ow++) dx[dst + ow] += cols[src + ow];
            else for (let ow = lo; ow < hi; ow++) dx[dst + ow * g.sW] += cols[src + ow];
          }
        }
      }
    }
  }
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
  for (const [n0, nb] of chunks(g)) {
    const cols = like(x, K * nb * L), rows = like(x, Og * nb * L);
    for (let grp = 0; grp < g.G; grp++) {
      im2col(x, g, n0, nb, grp, cols);
      gemm(false, false, Og, nb * L, K, w, grp * Og * K, cols, 0, rows, 0);
      scatterRows(rows, g, n0, nb, grp, out);
    }
  }
  if (b) {
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
  dx.fill(0);
  for (const [n0, nb] of chunks(g)) {
    const cols = like(y, K * nb * L), rows = like(y, Og * nb * L);
    for (let grp = 0; grp < g.G; grp++) {
      gatherRows(y, g, n0, nb, grp, rows);
      gemm(true, false, K, nb * L, Og, w, grp * Og * K, rows, 0, cols, 0);
      col2im(cols, g, n0, nb, grp, dx);
    }
  }
}

/** dw [O, C/G, kH, kW] ← the gradient of ⟨y, x ⋆ w⟩ in w: y's rows times x's windows, summed over the batch. */
export function convWeightGradient(x: FloatArray, y: FloatArray, g: Geometry, dw: FloatArray): void {
  const Og = g.O / g.G, K = (g.C / g.G) * g.kH * g.kW, L = g.oH * g.oW;
  const parts = chunks(g), part = parts.length > 1 ? like(x, Og * K) : null;
  dw.fill(0);
  for (const [n0, nb] of parts) {
    const cols = like(x, K * nb * L), rows = like(x, Og * nb * L);
    for (let grp = 0; grp < g.G; grp++) {
      im2col(x, g, n0, nb, grp, cols);
      gatherRows(y, g, n0, nb, grp, rows);
      if (!part) { gemm(false, true, Og, K, nb * L, rows, 0, cols, 0, dw, grp * Og * K); continue; }
      gemm(false, true, Og, K, nb * L, rows, 0, cols, 0, part, 0);
      for (let i = 0, off = grp * Og * K; i < Og * K; i++) dw[off + i] += part[i];
    }
  }
}
