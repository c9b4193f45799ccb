import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { armsOf } from '../../src/chat/condition-allocator';
import { AdminSessionRevocationEntity } from '../../src/console/admin-session-revocation.entity';
import { AdminSessionRepository } from '../../src/console/admin-session.repository';
import {
  StudyStatsRepository,
  type DurationRaw,
  type LabelBucketRaw,
  type ScopeArm,
  type StepStatusRaw,
  type TimelineRaw,
} from '../../src/console/study-stats.repository';
import {
  armId,
  buildStudySeed,
  insertStudySeed,
  MARKUP_COMPLAINT,
  percentileCont,
  SEED_ARMS,
  topScoreBucket,
  type SeedConversation,
  type StudySeed,
} from '../support/study-seed';
import { closeChatDatabase, openChatDatabase } from '../support/chat-database';
import { recreateTestDatabase } from '../support/test-database';

const ARMS = armsOf('random');
const SCOPES = ['random', 'Basic', 'Lulu'] as const;
const SCOPE_ARMS: ScopeArm[] = SCOPES.flatMap((scope) => armsOf(scope).map((arm) => ({ scope, arm })));
const rowArm = (row: { brand: string | null; think_level: string | null; feel_level: string | null }): string =>
  `${row.brand}/${row.think_level}/${row.feel_level}`;

/** The console's aggregates on a migrated database holding a known study, checked against plain counting. */
describe('StudyStatsRepository and AdminSessionRepository (real PostgreSQL)', () => {
  const DATABASE = 'combot_study_stats_int_test';
  let dataSource: DataSource;
  let stats: StudyStatsRepository;
  let seed: StudySeed;
  const where = (keep: (conversation: SeedConversation) => boolean): SeedConversation[] =>
    seed.conversations.filter(keep);

  /** The funnel's rows hold, per arm, step, status and reason, exactly the conversations `pool` holds. */
  function expectFunnelRows(rows: StepStatusRaw[], pool: SeedConversation[]): void {
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(pool.length);
    for (const row of rows) {
      const expected = pool.filter(
        (c) =>
          armId(c) === rowArm(row) &&
          c.step === row.step &&
          c.status === row.status &&
          c.abandonReason === row.abandon_reason,
      ).length;
      expect({ ...row, n: expected }).toEqual(row);
    }
  }

  const dayOf = (date: Date | null): string | null => date && date.toISOString().slice(0, 10);

  /** Per UTC day from the first of `pool`'s conversations: exactly the ones of `pool` started and completed. */
  function expectDays(days: TimelineRaw[], pool: SeedConversation[]): void {
    const first = dayOf(new Date(Math.min(...pool.map((c) => c.createdAt.getTime()))));
    expect(days[0].at.toISOString().slice(0, 10)).toBe(first);
    for (const point of days) {
      const day = dayOf(point.at);
      expect([day, point.started, point.completed]).toEqual([
        day,
        pool.filter((c) => dayOf(c.createdAt) === day).length,
        pool.filter((c) => dayOf(c.completedAt) === day).length,
      ]);
    }
    expect(days.reduce((sum, point) => sum + point.started, 0)).toBe(pool.length);
  }

  /** Quartiles of the durations of `pool`'s completed conversations, per arm and over all, as percentile_cont. */
  function expectDurations(rows: DurationRaw[], pool: SeedConversation[]): void {
    const completed = pool.filter((c) => c.status === 'completed');
    const quartiles = (list: SeedConversation[]) =>
      [0.25, 0.5, 0.75].map((q) =>
        percentileCont(
          list.map((c) => c.durationMs ?? 0),
          q,
        ),
      );
    const overall = rows.find((row) => row.brand === null);
    expect(overall?.n).toBe(completed.length);
    overall?.quartiles.forEach((value, index) => expect(value).toBeCloseTo(quartiles(completed)[index] ?? NaN, 6));
    for (const arm of SEED_ARMS) {
      const list = completed.filter((c) => armId(c) === armId(arm));
      const row = rows.find((r) => r.brand !== null && rowArm(r) === armId(arm));
      expect([armId(arm), row?.n ?? 0]).toEqual([armId(arm), list.length]);
      row?.quartiles.forEach((value, index) => expect(value).toBeCloseTo(quartiles(list)[index] ?? NaN, 6));
    }
  }

  /** The labels' rows hold, per arm, label and top-score bucket, exactly the conversations `pool` holds. */
  function expectLabelRows(rows: LabelBucketRaw[], pool: SeedConversation[]): void {
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(pool.length);
    for (const row of rows) {
      const expected = pool.filter(
        (c) => armId(c) === rowArm(row) && c.label === row.label && topScoreBucket(c) === row.bucket,
      ).length;
      expect({ ...row, n: expected }).toEqual(row);
    }
  }

  beforeAll(async () => {
    const url = await recreateTestDatabase(DATABASE);
    dataSource = await openChatDatabase(url, [AdminSessionRevocationEntity]);
    seed = buildStudySeed();
    await insertStudySeed(url, seed);
    stats = new StudyStatsRepository(dataSource);
  });

  afterAll(async () => {
    await closeChatDatabase(dataSource, DATABASE);
  });

  it('counts conversations per arm, status and origin, taken slots per scope and arm, and blocks per scope', async () => {
    const raw = await stats.arms(ARMS, SCOPE_ARMS, SCOPES);
    for (const arm of SEED_ARMS) {
      for (const status of ['in_progress', 'completed', 'abandoned'] as const) {
        for (const origin of ['greeting', 'no_greeting'] as const) {
          const expected = where((c) => armId(c) === armId(arm) && c.status === status && c.origin === origin).length;
          const row = raw.conversations.find(
            (r) => rowArm(r) === armId(arm) && r.status === status && r.origin === origin,
          );
          expect([armId(arm), status, origin, row?.n ?? 0]).toEqual([armId(arm), status, origin, expected]);
        }
      }
    }
    expect(raw.conversations.some((r) => r.origin === 'no_greeting')).toBe(true);
    for (const { scope, arm } of SCOPE_ARMS) {
      const expected = seed.slots.filter(
        (slot) => slot.scope === scope && armId(slot) === armId(arm) && slot.conversationId !== null,
      ).length;
      const row = raw.slots.find((r) => r.scope === scope && rowArm(r) === armId(arm));
      expect([scope, armId(arm), row?.assigned]).toEqual([scope, armId(arm), expected]);
    }
    expect(raw.scopes).toEqual([
      { scope: 'random', blocks: 5, free_slots: 0 },
      { scope: 'Basic', blocks: 3, free_slots: 8 },
      { scope: 'Lulu', blocks: 0, free_slots: 0 },
    ]);
  });

  it('counts conversations per arm, step, status and abandon reason for the funnel', async () => {
    const rows = await stats.stepsByArm(ARMS);
    expectFunnelRows(rows, seed.conversations);
    const reasons = new Set(rows.map((row) => row.abandon_reason));
    expect(reasons).toEqual(new Set([null, 'idle', 'reset']));
  });

  it('counts labels and top-score buckets per arm', async () => {
    expectLabelRows(await stats.labelsByArm(ARMS), seed.conversations);
  });

  it('counts started and completed per day from the first conversation, and per hour over 48 hours', async () => {
    expectDays(await stats.timeline('day', null, 1000), seed.conversations);

    const since = new Date(Date.now() - 47 * 3_600_000);
    const hours = await stats.timeline('hour', since, 1000);
    expect(hours.length).toBeGreaterThanOrEqual(48);
    const hourOf = (date: Date | null): string | null => date && date.toISOString().slice(0, 13);
    for (const point of hours) {
      expect(point.started).toBe(where((c) => hourOf(c.createdAt) === hourOf(point.at)).length);
    }
    // Capped: never more buckets than asked for, however far back `since` lies.
    expect(await stats.timeline('hour', new Date('2000-01-01'), 24)).toHaveLength(24);
  });

  it('computes duration quartiles per arm and over all as percentile_cont does', async () => {
    expectDurations(await stats.durations(), seed.conversations);
  });

  it.each(['greeting', 'no_greeting'] as const)(
    'limits every panel’s counts to the conversations of origin %s; the slots stay the allocator’s',
    async (origin) => {
      const ofOrigin = (keep: (c: SeedConversation) => boolean): SeedConversation[] =>
        where((c) => c.origin === origin && keep(c));
      const pool = ofOrigin(() => true);
      expect(pool.length).toBeGreaterThan(0);

      const raw = await stats.arms(ARMS, SCOPE_ARMS, SCOPES, origin);
      for (const arm of SEED_ARMS) {
        for (const status of ['in_progress', 'completed', 'abandoned'] as const) {
          const expected = ofOrigin((c) => armId(c) === armId(arm) && c.status === status).length;
          const rows = raw.conversations.filter((r) => rowArm(r) === armId(arm) && r.status === status);
          expect([armId(arm), status, rows.reduce((n, r) => n + r.n, 0)]).toEqual([armId(arm), status, expected]);
          expect(rows.filter((r) => r.origin !== origin)).toEqual([]);
        }
      }
      expect(raw.slots).toEqual((await stats.arms(ARMS, SCOPE_ARMS, SCOPES)).slots);

      expectFunnelRows(await stats.stepsByArm(ARMS, origin), pool);
      expectLabelRows(await stats.labelsByArm(ARMS, origin), pool);

      expectDays(await stats.timeline('day', null, 1000, 'UTC', null, origin), pool);
      expectDurations(await stats.durations(origin), pool);
    },
  );

  it('pages through conversations newest first with a keyset cursor, under every filter', async () => {
    const seen: string[] = [];
    let cursor: { createdAt: string; id: string } | null = null;
    for (;;) {
      const page = await stats.browse({}, cursor, 7);
      seen.push(...page.slice(0, 7).map((row) => row.id));
      if (page.length <= 7) break;
      cursor = { createdAt: page[6].cursor_at, id: page[6].id };
    }
    const newestFirst = [...seed.conversations].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    expect(seen).toEqual(newestFirst.map((c) => c.id));

    const lulu = await stats.browse(
      { brand: 'Lulu', thinkLevel: 'Low', status: 'completed', origin: 'greeting', label: 'B' },
      null,
      100,
    );
    expect(lulu.map((row) => row.id).sort()).toEqual(
      where(
        (c) =>
          c.brand === 'Lulu' &&
          c.thinkLevel === 'Low' &&
          c.status === 'completed' &&
          c.origin === 'greeting' &&
          c.label === 'B',
      )
        .map((c) => c.id)
        .sort(),
    );
    for (const abandonReason of ['idle', 'reset'] as const) {
      const dropped = await stats.browse({ abandonReason }, null, 100);
      expect([abandonReason, dropped.map((row) => row.id).sort()]).toEqual([
        abandonReason,
        where((c) => c.abandonReason === abandonReason)
          .map((c) => c.id)
          .sort(),
      ]);
      expect(dropped.length).toBeGreaterThan(0);
    }
    const unclassified = await stats.browse({ label: 'unclassified' }, null, 100);
    expect(unclassified).toHaveLength(where((c) => c.label === null).length);
    const since = seed.conversations[5].createdAt;
    const until = seed.conversations[2].createdAt;
    const window = await stats.browse({ since, until }, null, 100);
    expect(window.map((row) => row.id).sort()).toEqual(
      where((c) => c.createdAt >= since && c.createdAt < until)
        .map((c) => c.id)
        .sort(),
    );
    const erased = await stats.browse({}, null, 100);
    expect(erased.filter((row) => row.erased).map((row) => row.id)).toEqual([seed.erasedId]);
  });

  it('reads one conversation with its transcript in step order, and nothing for an unknown or malformed id', async () => {
    const transcript = await stats.transcript(seed.transcriptId);
    const expected = seed.conversations.find((c) => c.id === seed.transcriptId);
    expect(transcript?.turns.map((turn) => [turn.step, turn.kind, turn.text])).toEqual(
      expected?.turns.map((turn) => [turn.step, turn.kind, turn.text]),
    );
    expect(transcript?.turns[1].text).toBe(MARKUP_COMPLAINT);
    expect(transcript).toMatchObject({ model_id: 'combot-complaint-classifier', content_version: 'example-1+seed' });
    expect(await stats.transcript(randomUUID())).toBeUndefined();
    expect(await stats.transcript('not-a-uuid')).toBeUndefined();
  });

  it('revokes a session once, and drops revocations of sessions that have expired anyway', async () => {
    const sessions = new AdminSessionRepository(dataSource);
    const live = randomUUID();
    const old = randomUUID();
    expect(await sessions.isRevoked(live)).toBe(false);
    await sessions.revoke(old, new Date(Date.now() - 1000));
    await sessions.revoke(live, new Date(Date.now() + 60_000));
    await sessions.revoke(live, new Date(Date.now() + 60_000));
    expect(await sessions.isRevoked(live)).toBe(true);
    await sessions.revoke(randomUUID(), new Date(Date.now() + 60_000));
    expect(await sessions.isRevoked(old)).toBe(false);
  });
});
