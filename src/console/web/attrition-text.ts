import type { AttritionTest } from '../console.types';
import { count, shareOf } from './numbers';

/** Below this p the arms' drop-out shares differ beyond chance, by the usual convention. */
const SIGNIFICANCE = 0.05;

/** The χ² test's p as researchers write it: three decimals, and "< 0.001" below. */
const pText = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** What the differential-attrition test says, in words, and whether it should catch the eye. */
export function attritionText(test: AttritionTest): { text: string; warn: boolean } {
  const over = `${count(test.ended)} ended conversations, ${count(test.abandoned)} of them abandoned (${shareOf(test.abandoned, test.ended)})`;
  switch (test.verdict) {
    case 'tested': {
      const p = test.pValue ?? 1;
      const statistic = `χ²(${test.degreesOfFreedom ?? 0}) = ${(test.chiSquare ?? 0).toFixed(2)}, ${pText(p)}`;
      return p < SIGNIFICANCE
        ? { text: `Drop-out differs between arms: ${statistic} over ${over}. Compare arms with care.`, warn: true }
        : { text: `Drop-out does not differ detectably between arms: ${statistic} over ${over}.`, warn: false };
    }
    case 'no_variation':
      return { text: `Drop-out by arm: nothing to test, ${over}.`, warn: false };
    case 'too_few_arms':
      return { text: `Drop-out by arm: not tested until two arms have ended conversations; ${over}.`, warn: false };
    case 'too_few_conversations':
      return {
        text: `Drop-out by arm: not tested yet, too few ended conversations for the χ² test; ${over}.`,
        warn: false,
      };
  }
}
