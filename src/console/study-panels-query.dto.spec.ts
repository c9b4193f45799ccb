import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  ConversationBrowseQueryDto,
  FunnelQueryDto,
  PanelQueryDto,
  TIME_ZONE_MESSAGE,
  TimelineQueryDto,
} from './study-panels-query.dto';

/** The messages the query's checks give, as the validation pipe would list them. */
function problems(query: Record<string, string>): string[] {
  const dto = plainToInstance(TimelineQueryDto, query);
  return validateSync(dto, { forbidUnknownValues: true }).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('TimelineQueryDto', () => {
  it('takes no tz, an empty one (absent) or a zone-shaped name; which zones exist is PostgreSQL’s to say', () => {
    for (const tz of [
      undefined,
      '',
      'UTC',
      'Europe/Berlin',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
      'EST5EDT',
    ]) {
      expect([tz, problems(tz === undefined ? {} : { tz })]).toEqual([tz, []]);
    }
    expect(plainToInstance(TimelineQueryDto, { tz: '' }).tz).toBeUndefined();
  });

  it("reads a since without an offset as UTC, not as the process's local time", () => {
    expect(plainToInstance(TimelineQueryDto, { since: '2026-12-03T10:00:00' }).since).toBe('2026-12-03T10:00:00Z');
    expect(plainToInstance(TimelineQueryDto, { since: '2026-12-03T10:00:00-05:00' }).since).toBe(
      '2026-12-03T10:00:00-05:00',
    );
    expect(plainToInstance(TimelineQueryDto, { since: '2026-12-03' }).since).toBe('2026-12-03');
    expect(problems({ since: '2026-12-03T10:00:00' })).toEqual([]);
  });

  it.each(['Europe/', '/Berlin', 'Europe//Berlin', 'Europe/Berlin; DROP', '+01:00', 'UTC+1 ', 'é/x', 'A'.repeat(65)])(
    'refuses %j with a message that says what tz must be',
    (tz) => {
      expect(problems({ tz })).toContain(TIME_ZONE_MESSAGE);
    },
  );
});

describe('PanelQueryDto (every study panel) and the panels that extend it', () => {
  const problemsOf = (type: new () => object, query: Record<string, string>): string[] =>
    validateSync(plainToInstance(type, query), { forbidUnknownValues: true }).flatMap((error) =>
      Object.values(error.constraints ?? {}),
    );

  it.each([
    ['PanelQueryDto', PanelQueryDto],
    ['FunnelQueryDto', FunnelQueryDto],
    ['TimelineQueryDto', TimelineQueryDto],
  ])('%s takes no origin, an empty one or a known one', (_name, type: new () => object) => {
    for (const origin of [undefined, '', 'greeting', 'no_greeting']) {
      expect([origin, problemsOf(type, origin === undefined ? {} : { origin })]).toEqual([origin, []]);
    }
    expect(plainToInstance(type, { origin: '' })).not.toHaveProperty('origin', '');
    expect(plainToInstance(type, { origin: 'no_greeting' })).toHaveProperty('origin', 'no_greeting');
  });

  it.each(['Greeting', 'load_test', 'greeting,no_greeting'])('refuses origin %j and names the values', (origin) => {
    expect(problemsOf(PanelQueryDto, { origin })).toEqual(['origin must be one of greeting, no_greeting']);
  });
});

describe('ConversationBrowseQueryDto.limit', () => {
  const read = (limit?: string) => {
    const dto = plainToInstance(ConversationBrowseQueryDto, limit === undefined ? {} : { limit });
    const problems = validateSync(dto).flatMap((error) => Object.values(error.constraints ?? {}));
    return problems.length > 0 ? problems : dto.limit;
  };

  it('takes decimal digits from 1 to 100, and 25 when absent or empty', () => {
    expect([read(), read(''), read('1'), read('100'), read('07')]).toEqual([25, 25, 1, 100, 7]);
  });

  it.each(['0x10', '0b11', '0o7', '1e1', ' 5', '5 ', '+5', '5.0', '１', 'Infinity'])(
    'refuses %j as not an integer, with that message alone',
    (limit) => {
      expect(read(limit)).toEqual(['limit must be an integer from 1 to 100']);
    },
  );

  it.each(['0', '101', '-1'])('refuses %j as out of range', (limit) => {
    expect(read(limit)).toEqual(['limit must be an integer from 1 to 100']);
  });
});
