import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdminSessionRevocationEntity } from '../../src/console/admin-session-revocation.entity';
import { StudyStatsRepository, type TimelineRaw } from '../../src/console/study-stats.repository';
import { insertStudySeed, SEED_ARMS, type SeedConversation } from '../support/study-seed';
import { closeChatDatabase, openChatDatabase } from '../support/chat-database';
import { recreateTestDatabase } from '../support/test-database';

const HOUR = 3_600_000;

/** A completed conversation started at `created` (an instant) and completed `minutes` later. */
function conversationAt(created: string, minutes = 10): SeedConversation {
  const createdAt = new Date(created);
  return {
    id: randomUUID(),
    ...SEED_ARMS[0],
    entryPoint: 'random',
    origin: 'greeting',
    status: 'completed',
    step: 7,
    label: 'A',
    scores: [0.9, 0.05, 0.03, 0.02],
    durationMs: minutes * 60_000,
    createdAt,
    completedAt: new Date(createdAt.getTime() + minutes * 60_000),
    email: null,
    completionCode: null,
    erasedAt: null,
    abandonReason: null,
    turns: [],
  };
}

const shape = (rows: TimelineRaw[]) =>
  rows.map((row) => [row.at.toISOString(), row.started, row.completed] as [string, number, number]);

/**
 * The timeline's buckets in a researcher's time zone, across Europe/Berlin's autumn change (2026-10-25, 03:00 CEST
 * becomes 02:00 CET), its spring change (2026-03-29, 02:00 CET becomes 03:00 CEST) and a zone with a :45 offset,
 * against conversations stored at known instants.
 */
describe('StudyStatsRepository.timeline in a time zone (real PostgreSQL)', () => {
  const DATABASE = 'combot_study_stats_tz_int_test';
  let dataSource: DataSource;
  let stats: StudyStatsRepository;

  beforeAll(async () => {
    const url = await recreateTestDatabase(DATABASE);
    dataSource = await openChatDatabase(url, [AdminSessionRevocationEntity]);
    await insertStudySeed(url, {
      conversations: [
        // 2026-10-24 23:30 UTC is 01:30 CEST on the 25th: the 25th's in Berlin, the 24th's in UTC.
        conversationAt('2026-10-24T23:30:00Z'),
        // 02:30 CEST and, an hour later, 02:30 CET: the two 02:00 hours of the autumn night.
        conversationAt('2026-10-25T00:30:00Z'),
        conversationAt('2026-10-25T01:30:00Z'),
        // 23:30 CET on the 25th (the 25th's last local hour), completed 00:10 CET on the 26th.
        conversationAt('2026-10-25T22:30:00Z', 40),
        // 01:30 CET on the 29th of March; 03:30 CEST, the first hour after the missing one.
        conversationAt('2026-03-29T00:30:00Z'),
        conversationAt('2026-03-29T01:30:00Z'),
      ],
      slots: [],
      transcriptId: '',
      erasedId: '',
    });
    stats = new StudyStatsRepository(dataSource);
  });

  afterAll(async () => {
    await closeChatDatabase(dataSource, DATABASE);
  });

  it('counts per local day: a 25-hour day of the autumn change starts at local midnight', async () => {
    const days = await stats.timeline(
      'day',
      new Date('2026-10-24T12:00:00Z'),
      1000,
      'Europe/Berlin',
      new Date('2026-10-26T12:00:00Z'),
    );
    expect(shape(days)).toEqual([
      ['2026-10-23T22:00:00.000Z', 0, 0], // the 24th, from 00:00 CEST
      ['2026-10-24T22:00:00.000Z', 4, 3], // the 25th, 25 hours to 00:00 CET
      ['2026-10-25T23:00:00.000Z', 0, 1], // the 26th
    ]);
    // The same instants in UTC days, as before: 23:30 UTC is still the 24th's.
    const utc = await stats.timeline(
      'day',
      new Date('2026-10-24T12:00:00Z'),
      1000,
      'UTC',
      new Date('2026-10-26T12:00:00Z'),
    );
    expect(shape(utc)).toEqual([
      ['2026-10-24T00:00:00.000Z', 1, 1],
      ['2026-10-25T00:00:00.000Z', 3, 3],
      ['2026-10-26T00:00:00.000Z', 0, 0],
    ]);
  });

  it('counts a 23-hour day of the spring change', async () => {
    const days = await stats.timeline(
      'day',
      new Date('2026-03-28T23:00:00Z'),
      1000,
      'Europe/Berlin',
      new Date('2026-03-30T12:00:00Z'),
    );
    expect(shape(days)).toEqual([
      ['2026-03-28T23:00:00.000Z', 2, 2], // the 29th, 23 hours to 00:00 CEST
      ['2026-03-29T22:00:00.000Z', 0, 0],
    ]);
  });

  it('counts per local hour: both 02:00 hours of the autumn night, and no bucket for spring’s missing hour', async () => {
    const autumn = await stats.timeline(
      'hour',
      new Date('2026-10-24T23:00:00Z'),
      1000,
      'Europe/Berlin',
      new Date('2026-10-25T02:10:00Z'),
    );
    expect(shape(autumn)).toEqual([
      ['2026-10-24T23:00:00.000Z', 1, 1], // 01:00 CEST
      ['2026-10-25T00:00:00.000Z', 1, 1], // 02:00 CEST
      ['2026-10-25T01:00:00.000Z', 1, 1], // 02:00 CET
      ['2026-10-25T02:00:00.000Z', 0, 0], // 03:00 CET
    ]);
    const spring = await stats.timeline(
      'hour',
      new Date('2026-03-29T00:00:00Z'),
      1000,
      'Europe/Berlin',
      new Date('2026-03-29T01:59:00Z'),
    );
    expect(shape(spring)).toEqual([
      ['2026-03-29T00:00:00.000Z', 1, 1], // 01:00 CET
      ['2026-03-29T01:00:00.000Z', 1, 1], // 03:00 CEST
    ]);
  });

  it('follows local hours of a zone with a :45 offset, and keeps the first bucket holding `since`', async () => {
    // Asia/Kathmandu is UTC+05:45: its hours start at :15 past a UTC hour.
    const hours = await stats.timeline(
      'hour',
      new Date('2026-10-24T23:20:00Z'),
      1000,
      'Asia/Kathmandu',
      new Date('2026-10-25T01:20:00Z'),
    );
    expect(shape(hours)).toEqual([
      ['2026-10-24T23:15:00.000Z', 1, 1], // 05:00 local holds since (05:05) and the 23:30 UTC conversation
      ['2026-10-25T00:15:00.000Z', 1, 1], // 06:00 local
      ['2026-10-25T01:15:00.000Z', 1, 1], // 07:00 local, now's
    ]);
  });

  it('holds at most the buckets asked for, however far back `since` lies', async () => {
    const now = new Date('2026-10-26T12:00:00Z');
    const days = await stats.timeline('day', new Date('2000-01-01'), 3, 'Europe/Berlin', now);
    expect(days.map((day) => day.at.toISOString())).toEqual([
      '2026-10-23T22:00:00.000Z',
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    ]);
    const hours = await stats.timeline('hour', new Date('2000-01-01'), 5, 'America/Los_Angeles', now);
    expect(hours).toHaveLength(5);
    expect(hours[4].at.getTime()).toBe(Date.parse('2026-10-26T12:00:00Z'));
    expect(hours[0].at.getTime()).toBe(Date.parse('2026-10-26T12:00:00Z') - 4 * HOUR);
  });

  it('lists the zone names PostgreSQL knows, once', async () => {
    const names = await stats.timeZoneNames();
    expect([names.has('Europe/Berlin'), names.has('UTC'), names.has('Mars/Olympus_Mons')]).toEqual([true, true, false]);
    await expect(stats.timeZoneNames()).resolves.toBe(names);
  });
});
