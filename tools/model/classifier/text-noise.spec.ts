import { createRng } from '../seeded-random';
import { addTypo } from './text-noise';

describe('addTypo', () => {
  it('changes one word of four or more letters and keeps the rest of the text', () => {
    const rng = createRng(11);
    for (let i = 0; i < 50; i++) {
      const text = 'my parcel is late';
      const typo = addTypo(text, rng);
      expect(typo).not.toBeNull();
      const before = text.split(' ');
      const after = (typo ?? '').split(' ');
      expect(after).toHaveLength(4);
      const changed = before.filter((word, k) => word !== after[k]);
      expect(changed.length).toBeLessThanOrEqual(1);
      if (changed.length === 1) expect(['parcel', 'late']).toContain(changed[0]);
      expect(after[1][0] === 'p' && after[3][0] === 'l').toBe(true); // first letter kept
    }
  });

  it('returns null when there is no word to misspell, and is deterministic', () => {
    expect(addTypo('ok 123 !!', createRng(1))).toBeNull();
    expect(addTypo('the package never arrived', createRng(5))).toBe(addTypo('the package never arrived', createRng(5)));
  });
});
