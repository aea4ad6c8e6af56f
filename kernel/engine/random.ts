// The seeded generator: xoshiro128** on 32-bit integer arithmetic (Math.imul, shifts), seeded with splitmix32,
// so a seed gives the same numbers on every machine. Uniforms carry 53 random bits; normals use Box–Muller.

/**
 * A seeded random generator (xoshiro128**): the same seed gives the same numbers on every machine. randn and rand
 * use the global one (seeded by manualSeed) unless given `seed`; nn.MLP passes one through all its layers.
 * @example const gen = new Generator(0); gen.uniform(); gen.normal();
 */
export class Generator {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number) { this.seed(seed); }

  /** Restarts the sequence from `seed` (a finite number). @example gen.seed(42) */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
    // Fold the seed (up to 2^53) into 32 bits twice, then expand with splitmix32.
    let x = (Math.floor(Math.abs(seed)) % 4294967296) ^ Math.floor(Math.abs(seed) / 4294967296) ^ (seed < 0 ? 0x5bd1e995 : 0);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6; // 27 + 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export const globalGenerator = new Generator(0);

/**
 * Seeds the global generator used by `randn`/`rand` when no `seed` option is given.
 * @example manualSeed(42); const w = randn([2, 2]);
 */
export function manualSeed(seed: number): void {
  globalGenerator.seed(seed);
}
