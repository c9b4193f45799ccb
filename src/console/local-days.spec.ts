import { localDayStart } from './local-days';

describe('localDayStart (the console’s date filters)', () => {
  const local = (year: number, month: number, day: number): string => {
    const date = new Date(2000, month - 1, day);
    date.setFullYear(year, month - 1, day);
    return date.toISOString();
  };

  it('is the start of the reader’s local day, or of a day `days` later', () => {
    expect(localDayStart('2026-12-03')).toBe(new Date(2026, 11, 3).toISOString());
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
  });

  it('keeps years before 100 as they are, where Date would read 0001 as 1901', () => {
    expect(localDayStart('0001-01-01')).toBe(local(1, 1, 1));
    expect(localDayStart('0001-01-01')).toMatch(/^0001-01-01T|^0000-12-31T/);
  });

  it('is undefined past the last day the API reads: "to 9999-12-31" bounds nothing', () => {
    expect(localDayStart('9999-12-31', 1)).toBeUndefined();
    expect(localDayStart('9999-12-31')).toBe(local(9999, 12, 31));
  });
});
