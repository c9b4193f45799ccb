/** Numbers as the console writes them; no DOM, so the server's unit tests can import what builds on them. */

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** 12,345 */
export const count = (value: number): string => integer.format(value);

/** 0.1234 → 12.3 % */
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** part of whole as a percentage, or an en dash when there is no whole. */
export const shareOf = (part: number, whole: number): string => (whole > 0 ? percent(part / whole) : '–');
