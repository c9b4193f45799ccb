import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TIME_ZONE_MESSAGE, TimelineQueryDto } from './study-panels-query.dto';

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

  it.each(['Europe/', '/Berlin', 'Europe//Berlin', 'Europe/Berlin; DROP', '+01:00', 'UTC+1 ', 'é/x', 'A'.repeat(65)])(
    'refuses %j with a message that says what tz must be',
    (tz) => {
      expect(problems({ tz })).toContain(TIME_ZONE_MESSAGE);
    },
  );
});
