import { plainToInstance } from 'class-transformer';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { parseExportFilter } from './conversation-export.service';
import { ConversationFiltersDto } from './conversation-filters.dto';

function failure(input: Record<string, string | undefined>): AppError {
  try {
    parseExportFilter(input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('the export query outside HTTP (the CLI path)', () => {
  it('defaults to CSV with no filter; empty or unset options filter nothing', () => {
    expect(parseExportFilter({})).toEqual({ format: 'csv' });
    expect(parseExportFilter({ format: undefined, status: '', since: '' })).toEqual({ format: 'csv' });
  });

  it('reads a full query, since as an instant', () => {
    expect(parseExportFilter({ format: 'jsonl', status: 'completed', since: '2025-01-31T10:00:00Z' })).toEqual({
      format: 'jsonl',
      status: 'completed',
      since: new Date('2025-01-31T10:00:00Z'),
    });
  });

  it("reads a time without an offset as UTC, not as the process's local time", () => {
    // jest's process.env is the test's own copy, so TZ cannot be changed here: the instant's text is checked instead.
    const read = (since: string) => plainToInstance(ConversationFiltersDto, { since }).since;
    expect(read('2026-12-03T14:41:00')).toBe('2026-12-03T14:41:00Z');
    expect(read('2026-12-03 14:41')).toBe('2026-12-03 14:41Z');
    expect(read('2026-12-03T14:41:00.250')).toBe('2026-12-03T14:41:00.250Z');
    // An offset given is kept; a date alone is already midnight UTC.
    for (const kept of [
      '2026-12-03T14:41:00+01:00',
      '2026-12-03T14:41:00-0500',
      '2026-12-03T14:41:00z',
      '2026-12-04',
    ]) {
      expect(read(kept)).toBe(kept);
    }
    expect(parseExportFilter({ since: '2026-12-03T14:41:00', until: '2026-12-03T14:42' })).toEqual({
      format: 'csv',
      since: new Date('2026-12-03T14:41:00Z'),
      until: new Date('2026-12-03T14:42:00Z'),
    });
  });

  it('reads why an abandoned conversation was abandoned', () => {
    for (const abandonReason of ['idle', 'reset', 'erased']) {
      expect(parseExportFilter({ abandonReason })).toEqual({ format: 'csv', abandonReason });
    }
  });

  it('pseudonymises only when asked with true', () => {
    expect(parseExportFilter({ pseudonymise: 'true' })).toEqual({ format: 'csv', pseudonymise: true });
    expect(parseExportFilter({ pseudonymise: 'false' })).toEqual({ format: 'csv' });
    expect(parseExportFilter({ pseudonymise: undefined })).toEqual({ format: 'csv' });
    // Empty (a script's unset variable) is refused rather than read as false: it must never hand out e-mails unasked.
    expect(failure({ pseudonymise: '' }).message).toBe('pseudonymise must be true or false');
    expect(failure({ pseudonymise: 'yes' }).message).toBe('pseudonymise must be true or false');
  });

  it('refuses with the DTO’s messages, every broken rule at once', () => {
    expect(failure({ format: 'xml' })).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: 'format must be csv or jsonl',
    });
    expect(failure({ status: 'done' }).message).toBe('status must be one of in_progress, completed, abandoned');
    expect(failure({ abandonReason: 'timeout' }).message).toBe('abandonReason must be one of idle, reset, erased');
    // An ordinal date (the year's 11th day) is ISO 8601 too, but a Date reads `2026-011` as the 1st of November.
    for (const since of ['yesterday', '2025-W05', '2025-02-30', '2026-011', '2026-338', '2026011']) {
      expect(failure({ since }).message).toBe('since must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most');
    }
    // Finer than a millisecond would be cut to one, and the filter would take a row from before its bound.
    for (const until of ['2026-12-03T18:01:12.6189999Z', '2026-12-03T18:01:12,0001+01:00']) {
      expect(failure({ until }).message).toBe('until must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most');
    }
    expect(parseExportFilter({ since: '2026-12-03T18:01:12.618Z' }).since).toEqual(
      new Date('2026-12-03T18:01:12.618Z'),
    );
    expect(failure({ format: 'xml', since: 'yesterday' }).details).toEqual([
      'format must be csv or jsonl',
      'since must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most',
    ]);
  });
});
