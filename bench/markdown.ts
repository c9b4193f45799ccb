/** Formatting shared by the scenarios' report sections. */
import type { Spread } from './stats';

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** Median (min–max) of a spread of rounds. */
export const range = (s: Spread, digits = 1): string =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export const settings = (env: Readonly<Record<string, string>>): string => pairs(env, '=', ' ');

/** A record's entries as `key<between>value`, joined by `separator`. */
export function pairs(record: Readonly<Record<string, string | number>>, between: string, separator: string): string {
  return Object.entries(record)
    .map(([key, value]) => `${key}${between}${value}`)
    .join(separator);
}

/** A column: its header and how a row fills its cell. */
export type Column<T> = readonly [header: string, cell: (row: T) => string];

/** A markdown table's lines, and the blank line that ends it. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string[] {
  return [
    `| ${columns.map(([header]) => header).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map(([, cell]) => cell(row)).join(' | ')} |`),
    '',
  ];
}
