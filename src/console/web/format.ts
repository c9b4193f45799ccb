import type { ArmKey } from '../console.types';
import { h } from './dom';

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** 12,345 */
export const count = (value: number): string => integer.format(value);

/** 0.1234 → 12.3 % */
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** part of whole as a percentage, or an en dash when there is no whole. */
export const shareOf = (part: number, whole: number): string => (whole > 0 ? percent(part / whole) : '–');

/** 754000 ms → 12:34 (minutes:seconds); hours when longer. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Basic · think High · feel Low */
export const armName = (arm: ArmKey): string => `${arm.brand} · think ${arm.thinkLevel} · feel ${arm.feelLevel}`;

/** A stable key for an arm: Basic/High/Low (data-arm of rows, the arm filter's option values). */
export const armId = (arm: ArmKey): string => `${arm.brand}/${arm.thinkLevel}/${arm.feelLevel}`;

/** 2025-01-31 14:05 UTC */
export function utcTime(iso: string | null): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** An arm in a table cell: the brand, and the two levels below it in small print (keeps tables narrow). */
export const armCell = (arm: ArmKey, ...extra: (Node | string)[]): HTMLElement =>
  h(
    'span',
    { class: 'arm' },
    h('span', { class: 'arm-brand' }, arm.brand),
    ' ',
    h('span', { class: 'arm-levels' }, `think ${arm.thinkLevel} · feel ${arm.feelLevel}`),
    ...extra,
  );
