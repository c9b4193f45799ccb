// Runs in the browser (the console's bundle) and in Node (its tests): no imports, no DOM.
/**
 * The reader's calendar days as instants for the API. `new Date(year, month, day)` reads years 0–99 as 1900–1999,
 * so the year is set on its own; a day past 9999-12-31 has no ISO 8601 form the API reads (`+010000-…`).
 */

/**
 * The instant the reader's local day `date` (`YYYY-MM-DD`) starts (local midnight, or the first minute after a change
 * that skips it), as ISO 8601; `days` later for the day after; undefined past the year 9999.
 */
export function localDayStart(date: string, days = 0): string | undefined {
  const [year, month, day] = date.split('-').map(Number);
  const start = new Date(2000, month - 1, day + days);
  start.setFullYear(year, month - 1, day + days);
  return start.getFullYear() > 9999 ? undefined : start.toISOString();
}
