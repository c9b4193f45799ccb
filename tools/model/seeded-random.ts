/**
 * Seeded pseudo-random numbers for both toolkits: every split, shuffle and weight, trained or random, comes from
 * here so that the same inputs and seed give a byte-identical model (Math.random cannot be seeded).
 */
export type Rng = () => number;

/** mulberry32: 32-bit state, fast, good enough statistically for shuffling and weight init. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream per purpose, so adding a draw in one place does not shift the others. */
export function deriveRng(seed: number, purpose: string): Rng {
  let hash = 2166136261 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    hash = Math.imul(hash ^ purpose.charCodeAt(i), 16777619);
  }
  return createRng(hash >>> 0);
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates, in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * `length` draws from N(0, std²), Box–Muller using both outputs of each pair: the benchmark model's 66M weights
 * take ~1 s. A different stream from repeated `gaussian` calls, so the two are not interchangeable.
 */
export function gaussianArray(rng: Rng, length: number, std: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
