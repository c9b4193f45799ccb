import type { AttritionTest } from './console.types';
import { attritionText } from './web/attrition-text';

const tested = (chiSquare: number, pValue: number): AttritionTest => ({
  verdict: 'tested',
  ended: 1200,
  abandoned: 300,
  arms: 8,
  chiSquare,
  degreesOfFreedom: 7,
  pValue,
});

describe('attritionText', () => {
  it('flags a difference between arms at p < 0.05 and writes the statistic as researchers do', () => {
    expect(attritionText(tested(22.5, 0.002082))).toEqual({
      text:
        'Drop-out differs between arms: χ²(7) = 22.50, p = 0.002 over 1,200 ended conversations, 300 of them ' +
        'abandoned (25.0 %). Compare arms with care.',
      warn: true,
    });
    expect(attritionText(tested(40.1, 0.0000012)).text).toContain('χ²(7) = 40.10, p < 0.001 over');
  });

  it('says so plainly when the arms do not differ detectably', () => {
    expect(attritionText(tested(4.31, 0.7434))).toEqual({
      text:
        'Drop-out does not differ detectably between arms: χ²(7) = 4.31, p = 0.743 over 1,200 ended ' +
        'conversations, 300 of them abandoned (25.0 %).',
      warn: false,
    });
  });

  it('says why it did not test', () => {
    const untested = { ended: 37, abandoned: 11, arms: 8, chiSquare: null, degreesOfFreedom: null, pValue: null };
    expect(attritionText({ ...untested, verdict: 'too_few_conversations' }).text).toBe(
      'Drop-out by arm: not tested yet, too few ended conversations for the χ² test; 37 ended conversations, 11 of ' +
        'them abandoned (29.7 %).',
    );
    expect(attritionText({ ...untested, verdict: 'too_few_arms', arms: 1 }).text).toMatch(/until two arms/);
    expect(attritionText({ ...untested, verdict: 'no_variation', abandoned: 0 })).toEqual({
      text: 'Drop-out by arm: nothing to test, 37 ended conversations, 0 of them abandoned (0.0 %).',
      warn: false,
    });
  });
});
