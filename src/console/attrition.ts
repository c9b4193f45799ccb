/**
 * Differential attrition: do participants drop out more in some arms than in others? A researcher must know before
 * comparing arms, because an arm that loses its least patient participants no longer holds the population it was
 * assigned. Pearson's χ² test of independence between arm and outcome (completed or abandoned) over the conversations
 * that ended; in-progress ones have no outcome yet and are left out.
 */

import type { AttritionTest, AttritionVerdict } from './console.types';

/** Cochran's rule for the χ² approximation: every expected count ≥ 1 and at most a fifth of them below 5. */
const MIN_EXPECTED = 1;
const SMALL_EXPECTED = 5;
const MAX_SMALL_SHARE = 0.2;

export interface ArmOutcome {
  completed: number;
  abandoned: number;
}

/** The test over per-arm outcomes (arms without an ended conversation are left out). */
export function attritionTest(outcomes: readonly ArmOutcome[]): AttritionTest {
  const rows = outcomes.filter((row) => row.completed + row.abandoned > 0);
  const completed = rows.reduce((total, row) => total + row.completed, 0);
  const abandoned = rows.reduce((total, row) => total + row.abandoned, 0);
  const ended = completed + abandoned;
  const untested = (verdict: AttritionVerdict): AttritionTest => ({
    verdict,
    ended,
    abandoned,
    arms: rows.length,
    chiSquare: null,
    degreesOfFreedom: null,
    pValue: null,
  });
  if (rows.length < 2) return untested('too_few_arms');
  if (completed === 0 || abandoned === 0) return untested('no_variation');
  const cells = rows.flatMap((row) => {
    const total = row.completed + row.abandoned;
    return [
      { observed: row.completed, expected: (total * completed) / ended },
      { observed: row.abandoned, expected: (total * abandoned) / ended },
    ];
  });
  const small = cells.filter((cell) => cell.expected < SMALL_EXPECTED).length;
  if (cells.some((cell) => cell.expected < MIN_EXPECTED) || small > MAX_SMALL_SHARE * cells.length) {
    return untested('too_few_conversations');
  }
  const chiSquare = cells.reduce((total, cell) => total + (cell.observed - cell.expected) ** 2 / cell.expected, 0);
  const degreesOfFreedom = rows.length - 1;
  return {
    ...untested('tested'),
    chiSquare,
    degreesOfFreedom,
    pValue: chiSquareSurvival(chiSquare, degreesOfFreedom),
  };
}

/** P(X ≥ x) for X ~ χ²(k): the regularised upper incomplete gamma function Q(k/2, x/2). */
export function chiSquareSurvival(x: number, k: number): number {
  if (x <= 0) return 1;
  return upperRegularisedGamma(k / 2, x / 2);
}

const EPSILON = 1e-14;
const MAX_ITERATIONS = 500;
const TINY = 1e-300;

/** Q(a, x), by the series of P for x < a + 1 and by Lentz's continued fraction beyond (both converge fast there). */
function upperRegularisedGamma(a: number, x: number): number {
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let total = term;
    for (let n = 1; n < MAX_ITERATIONS && Math.abs(term) > Math.abs(total) * EPSILON; n++) {
      term *= x / (a + n);
      total += term;
    }
    return Math.min(1, Math.max(0, 1 - total * Math.exp(logPrefix)));
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * fraction));
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const shifted = z - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
