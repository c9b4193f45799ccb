/**
 * Seeded pseudo-random numbers for the benchmark model's weights: the same seed gives byte-identical files, so a
 * regenerated model is the same model (Math.random cannot be seeded).
 */
export type Rng = () => number;

/** mulberry32: 32-bit state, fast; statistical quality is irrelevant for random benchmark weights. */
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

/** An independent stream per tensor name, so adding or resizing one tensor does not shift the others. */
export function deriveRng(seed: number, purpose: string): Rng {
  let hash = 2166136261 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) hash = Math.imul(hash ^ purpose.charCodeAt(i), 16777619);
  return createRng(hash >>> 0);
}

/** `length` draws from N(0, std²); Box–Muller using both outputs of each pair (66M draws take ~1 s). */
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
