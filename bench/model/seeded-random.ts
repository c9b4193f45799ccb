/**
 * The training pipeline's seeded generator (one implementation for both), plus the bulk normal draws the
 * benchmark model's 66M weights need: the same seed gives byte-identical files.
 */
import type { Rng } from '../../src/ml/training/seeded-random';

export { createRng, deriveRng, type Rng } from '../../src/ml/training/seeded-random';

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
