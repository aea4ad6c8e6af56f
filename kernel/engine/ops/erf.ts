// The error function, to about 1e-16 relative: gelu's exact form is x·½(1 + erf(x/√2)), and its values are
// checked against PyTorch's (libm's erf) to 1e-9 relative.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/**
 * erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. Below |x| = 3 the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)), whose terms are
 * all positive (no cancellation); above it 1 − erfc(x) with erfc from its continued fraction; ±1 from |x| = 6
 * (erfc(6) ≈ 2e−17 is below half an ulp of 1).
 * @example erf(0.5) // 0.5204998778130465
 */
export function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a >= 6) return x > 0 ? 1 : -1;
  if (a < 3) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const r = 1 - erfcLarge(a);
  return x > 0 ? r : -r;
}

/** erfc(a) for a ≥ 3: e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), by the modified Lentz method. */
function erfcLarge(a: number): number {
  const tiny = 1e-300;
  let f = a, c = a, d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = a + an * d; d = d === 0 ? tiny : 1 / d;
    c = a + an / c; if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-a * a)) / f;
}
