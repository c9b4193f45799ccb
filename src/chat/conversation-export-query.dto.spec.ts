import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { parseExportFilter } from './conversation-export.service';

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

  it('reads why an abandoned conversation was abandoned', () => {
    for (const abandonReason of ['idle', 'reset', 'erased']) {
      expect(parseExportFilter({ abandonReason })).toEqual({ format: 'csv', abandonReason });
    }
  });

  it('pseudonymises only when asked with true', () => {
    expect(parseExportFilter({ pseudonymise: 'true' })).toEqual({ format: 'csv', pseudonymise: true });
    expect(parseExportFilter({ pseudonymise: 'false' })).toEqual({ format: 'csv' });
    expect(parseExportFilter({ pseudonymise: '' })).toEqual({ format: 'csv' });
    expect(failure({ pseudonymise: 'yes' }).message).toBe('pseudonymise must be true or false');
  });

  it('refuses with the DTO’s messages, every broken rule at once', () => {
    expect(failure({ format: 'xml' })).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: 'format must be csv or jsonl',
    });
    expect(failure({ status: 'done' }).message).toBe('status must be one of in_progress, completed, abandoned');
    expect(failure({ abandonReason: 'timeout' }).message).toBe('abandonReason must be one of idle, reset, erased');
    for (const since of ['yesterday', '2025-W05', '2025-02-30']) {
      expect(failure({ since }).message).toBe('since must be an ISO 8601 date or time');
    }
    expect(failure({ format: 'xml', since: 'yesterday' }).details).toEqual([
      'format must be csv or jsonl',
      'since must be an ISO 8601 date or time',
    ]);
  });
});
