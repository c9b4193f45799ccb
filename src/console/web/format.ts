import type { ArmKey } from '../console.types';
import { h } from './dom';

export { count, percent, shareOf } from './numbers';

/** 754000 ms → 12:34 (minutes:seconds); hours when longer. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The time between two turns: `12.4 s` under a minute (a step's server time is milliseconds), else `m:ss`. */
export function gap(ms: number): string {
  return ms < 60_000 ? `${(Math.max(ms, 0) / 1000).toFixed(1)} s` : duration(ms);
}

/** Basic · think High · feel Low */
export const armName = (arm: ArmKey): string => `${arm.brand} · think ${arm.thinkLevel} · feel ${arm.feelLevel}`;

/** A stable key for an arm: Basic/High/Low (data-arm of rows, the arm filter's option values). */
export const armId = (arm: ArmKey): string => `${arm.brand}/${arm.thinkLevel}/${arm.feelLevel}`;

/** The reader's time zone (the browser's), e.g. Europe/Berlin: every time on the page is shown in it. */
export const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone and options, kept: the tables format hundreds of times per refresh. */
export function dateFormat(zone: string, options: Intl.DateTimeFormatOptions, locale = 'en-US'): Intl.DateTimeFormat {
  const key = `${locale} ${zone} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formats.set(key, format);
  }
  return format;
}

const part = (parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string =>
  parts.find((candidate) => candidate.type === type)?.value ?? '';

/**
 * The zone's short name at `at`: PST, EDT; CET, BST where American English has none but British English does
 * (it says GMT+1 for Berlin); else the offset, GMT+5:30.
 */
export function zoneName(at: Date, zone = LOCAL_ZONE): string {
  const american = part(dateFormat(zone, { timeZoneName: 'short' }).formatToParts(at), 'timeZoneName');
  if (!/^GMT[+-]/.test(american)) return american;
  const british = part(dateFormat(zone, { timeZoneName: 'short' }, 'en-GB').formatToParts(at), 'timeZoneName');
  return /^GMT[+-]/.test(british) || british === '' ? american : british;
}

const WALL = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
} as const;

/** The wall clock of `zone` at `at`, as digits. */
function wall(at: Date, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const parts = dateFormat(zone, WALL).formatToParts(at);
  return {
    year: part(parts, 'year'),
    month: part(parts, 'month'),
    day: part(parts, 'day'),
    hour: part(parts, 'hour'),
    minute: part(parts, 'minute'),
    second: part(parts, 'second'),
  };
}

/** 2025-01-31: the day in `zone`. */
export function localDate(iso: string, zone = LOCAL_ZONE): string {
  const { year, month, day } = wall(new Date(iso), zone);
  return `${year}-${month}-${day}`;
}

/** 2025-01-31 14:05 CET: the time in `zone` with its short name. */
export function localTime(iso: string | null, zone = LOCAL_ZONE): string {
  if (!iso) return '–';
  const at = new Date(iso);
  const { year, month, day, hour, minute } = wall(at, zone);
  return `${year}-${month}-${day} ${hour}:${minute} ${zoneName(at, zone)}`;
}

/** 14:05 CET, or 14:05:03 CET with seconds: a time of today in `zone`. */
export function localClock(iso: string, seconds = false, zone = LOCAL_ZONE): string {
  const at = new Date(iso);
  const { hour, minute, second } = wall(at, zone);
  return `${hour}:${minute}${seconds ? `:${second}` : ''} ${zoneName(at, zone)}`;
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
