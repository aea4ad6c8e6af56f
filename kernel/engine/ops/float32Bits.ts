// Branch-free float32 kernels for relu and its VJP, computed on the bit patterns (Int32Array views of the same
// storage). With a compare-and-select per element, the signs of activations are as good as random to the branch
// predictor: the mispredictions made these loops 2–3× slower than a plain copy. The results are bit for bit
// those of the float loops they replace (+0 for x ≤ 0, NaN kept as PyTorch does, g·0 keeping −0 and giving NaN
// for NaN/±∞ g).

const SIGN = -0x80000000, EXP = 0x7f800000, ABS = 0x7fffffff, QNAN = 0x7fc00000;

const bits = (x: Float32Array): Int32Array => new Int32Array(x.buffer, x.byteOffset, x.length);

/** −1 (all bits) where the float32 with bits b is not ≤ 0 (> 0, or NaN: relu keeps NaN, as PyTorch), else 0. */
function positiveMask(b: number): number {
  // −b < 0 and b ≥ 0 as int32: b > 0 and not −0 (whose −b overflows back to itself); or NaN (|b| above +∞'s bits).
  return (((-b >> 31) & ~(b >> 31)) | ((EXP - (b & ABS)) >> 31)) | 0;
}

/** out[i] = x[i] <= 0 ? 0 : x[i], as the float loop gives it. */
export function reluFloat32(x: Float32Array, out: Float32Array): void {
  const xb = bits(x), ob = bits(out), n = x.length;
  for (let i = 0; i < n; i++) { const b = xb[i]; ob[i] = b & positiveMask(b); }
}

/** out[i] = x[i] <= 0 ? g[i]·0 : g[i], as the float loop gives it. */
export function passPositiveFloat32(g: Float32Array, x: Float32Array, out: Float32Array): void {
  const gb = bits(g), xb = bits(x), ob = bits(out), n = x.length;
  for (let i = 0; i < n; i++) {
    const keep = positiveMask(xb[i]), v = gb[i];
    // g·0: NaN where g is NaN or ±∞ (all exponent bits set), else a zero of g's sign.
    const special = (EXP - 1 - (v & ABS)) >> 31;
    const times0 = (v & SIGN & ~special) | (QNAN & special);
    ob[i] = (v & keep) | (times0 & ~keep);
  }
}
