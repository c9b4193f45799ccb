import { createRng, deriveRng, gaussianArray, shuffleInPlace } from './seeded-random';

describe('seeded random', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    seqA.forEach((x) => expect(x >= 0 && x < 1).toBe(true));
  });

  it('derives independent streams per purpose', () => {
    expect(deriveRng(1, 'split')()).toBe(deriveRng(1, 'split')());
    expect(deriveRng(1, 'split')()).not.toBe(deriveRng(1, 'init')());
  });

  it('shuffles to a permutation, deterministically', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const once = shuffleInPlace([...items], createRng(3));
    expect(shuffleInPlace([...items], createRng(3))).toEqual(once);
    expect([...once].sort((x, y) => x - y)).toEqual(items);
    expect(once).not.toEqual(items);
  });

  it('draws normal arrays of any length, deterministically, with the asked spread', () => {
    const draws = gaussianArray(createRng(9), 20001, 0.5);
    expect(draws).toHaveLength(20001);
    expect(Buffer.from(gaussianArray(createRng(9), 20001, 0.5).buffer)).toEqual(Buffer.from(draws.buffer));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const std = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeCloseTo(0.5, 1);
  });
});
