import { attritionTest, chiSquareSurvival } from './attrition';

describe('chiSquareSurvival', () => {
  // Reference values from the closed forms: k = 1 → erfc(√(x/2)); k even → e^(−x/2) Σ (x/2)^j / j!; k odd → erfc
  // plus √(2x/π) e^(−x/2) Σ x^(j−1) / (1·3·…·(2j−1)).
  it.each([
    [5 + 1 / 3, 1, 0.020921335337794028],
    [2, 2, 0.36787944117144233],
    [10, 4, 0.0404276819945128],
    [0.5, 7, 0.999446481390425],
    [7, 7, 0.42887985755305474],
    [14.067140449340169, 7, 0.05],
    [100, 7, 1.0787979671702885e-18],
  ])('P(χ² ≥ %p) with k = %p', (x, k, expected) => {
    const p = chiSquareSurvival(x, k);
    expect(Math.abs(p - expected) / expected).toBeLessThan(1e-9);
  });

  it('is 1 at and below zero', () => {
    expect(chiSquareSurvival(0, 7)).toBe(1);
    expect(chiSquareSurvival(-1, 3)).toBe(1);
  });
});

describe('attritionTest', () => {
  it('tests arm against outcome over the ended conversations', () => {
    // Expected 25 / 15 in both rows: χ² = 2 × (25/25 + 25/15) = 16/3.
    const test = attritionTest([
      { completed: 30, abandoned: 10 },
      { completed: 20, abandoned: 20 },
    ]);
    expect(test).toMatchObject({ verdict: 'tested', ended: 80, abandoned: 30, arms: 2, degreesOfFreedom: 1 });
    expect(test.chiSquare).toBeCloseTo(16 / 3, 12);
    expect(test.pValue).toBeCloseTo(0.020921335337794028, 12);
  });

  it('gives p = 1 when every arm loses the same share', () => {
    const test = attritionTest(Array.from({ length: 8 }, () => ({ completed: 30, abandoned: 10 })));
    expect(test).toMatchObject({ verdict: 'tested', chiSquare: 0, degreesOfFreedom: 7, pValue: 1 });
  });

  it('leaves out arms with no ended conversation', () => {
    const test = attritionTest([
      { completed: 30, abandoned: 10 },
      { completed: 0, abandoned: 0 },
      { completed: 20, abandoned: 20 },
    ]);
    expect(test).toMatchObject({ arms: 2, degreesOfFreedom: 1 });
  });

  it('says why it did not test: one arm, no drop-out at all, too few conversations for χ²', () => {
    expect(attritionTest([{ completed: 50, abandoned: 9 }])).toMatchObject({
      verdict: 'too_few_arms',
      pValue: null,
    });
    expect(
      attritionTest([
        { completed: 50, abandoned: 0 },
        { completed: 40, abandoned: 0 },
      ]),
    ).toMatchObject({
      verdict: 'no_variation',
      ended: 90,
      abandoned: 0,
      chiSquare: null,
    });
    // 8 arms × 5 conversations, 12 of 40 abandoned: every expected count 1.5 or 3.5, all below 5.
    const small = Array.from({ length: 8 }, (_, arm) => ({ completed: arm % 2 ? 4 : 3, abandoned: arm % 2 ? 1 : 2 }));
    expect(attritionTest(small)).toMatchObject({ verdict: 'too_few_conversations', ended: 40, pValue: null });
  });

  it('accepts a few small expected counts (Cochran: at most a fifth below 5, none below 1)', () => {
    // 5 arms; one small arm (expected ≈ 2.7 and 1.3): 2 of 10 cells below 5 → tested; two small arms: 4 of 10 → not.
    const big = { completed: 40, abandoned: 20 };
    const small = { completed: 3, abandoned: 1 };
    expect(attritionTest([big, big, big, big, small]).verdict).toBe('tested');
    expect(attritionTest([big, big, big, small, small]).verdict).toBe('too_few_conversations');
  });
});
