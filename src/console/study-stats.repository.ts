import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ConversationStatus,
  Step,
  type AbandonReason,
  type Brand,
  type Condition,
  type ConversationOrigin,
  type Level,
} from '../chat/chat.types';
import type { ConversationFilter } from '../chat/conversation-filters.dto';
import { conversationFilterConditions, isConversationId, type ExportRow } from '../chat/conversation.repository';

/** Raw rows: the service turns them into panels. Counts arrive as int (cast in SQL), never as bigint strings. */
export interface ArmRowRaw {
  brand: Brand;
  think_level: Level;
  feel_level: Level;
}

export interface ArmStatusRaw extends ArmRowRaw {
  status: ConversationStatus;
  origin: ConversationOrigin;
  n: number;
}

export interface SlotRaw extends ArmRowRaw {
  scope: string;
  assigned: number;
}

export interface ScopeRaw {
  scope: string;
  blocks: number;
  free_slots: number;
}

export interface ArmsRaw {
  conversations: ArmStatusRaw[];
  slots: SlotRaw[];
  scopes: ScopeRaw[];
}

export interface StepStatusRaw extends ArmRowRaw {
  step: number;
  status: ConversationStatus;
  /** Why an abandoned one is; null in any other status, and for one abandoned before reasons were stored. */
  abandon_reason: AbandonReason | null;
  n: number;
}

export interface LabelBucketRaw extends ArmRowRaw {
  label: string | null;
  /** 1–20: the top score's 0.05-wide bucket; null when not classified. */
  bucket: number | null;
  n: number;
}

export interface TimelineRaw {
  at: Date;
  started: number;
  completed: number;
}

export interface DurationRaw {
  /** null on the row over every arm. */
  brand: Brand | null;
  think_level: Level | null;
  feel_level: Level | null;
  n: number;
  /** Quartiles 1–3 in ms. */
  quartiles: number[];
}

/** Keyset position: the last row's creation time (microseconds, as text) and id. */
export interface BrowseCursor {
  createdAt: string;
  id: string;
}

export interface ConversationRowRaw extends ArmRowRaw {
  id: string;
  created_at: Date;
  /** created_at to the microsecond, for the next page's cursor (a Date keeps milliseconds only). */
  cursor_at: string;
  status: ConversationStatus;
  abandon_reason: AbandonReason | null;
  step: number;
  origin: ConversationOrigin;
  label: string | null;
  top_score: number | null;
  erased: boolean;
}

export interface TranscriptRaw extends ArmRowRaw {
  id: string;
  entry_point: string;
  origin: string;
  status: string;
  abandon_reason: string | null;
  step: number;
  label: string | null;
  score_a: number | null;
  score_b: number | null;
  score_c: number | null;
  score_other: number | null;
  model_id: string | null;
  model_revision: string | null;
  content_version: string;
  completion_code: string | null;
  email: string | null;
  created_at: Date;
  last_activity_at: Date;
  completed_at: Date | null;
  abandoned_at: Date | null;
  duration_ms: number | null;
  erased_at: Date | null;
  /** As the export reads a transcript (json_agg of the same columns). */
  turns: ExportRow['turns'];
}

/** A scope and one of its arms: the allocator's unit of balance. */
export interface ScopeArm {
  scope: string;
  arm: Condition;
}

/** The arms as a relation `a`: `unnest` of three array parameters (brands, think levels, feel levels) from `$first`. */
function armsRelation(first: number): string {
  return `unnest($${first}::varchar[], $${first + 1}::varchar[], $${first + 2}::varchar[]) AS a(brand, think_level, feel_level)`;
}

function armParams(arms: readonly Condition[]): string[][] {
  return [arms.map((arm) => arm.brand), arms.map((arm) => arm.thinkLevel), arms.map((arm) => arm.feelLevel)];
}

const SAME_ARM = 'c.brand = a.brand AND c.think_level = a.think_level AND c.feel_level = a.feel_level';

/**
 * ` AND <column> = $n` limiting a panel to one origin, with the origin pushed to `params`; nothing when the panel
 * counts every origin. Every index a panel reads ends with origin, so the condition is checked in the index.
 */
function originIs(origin: ConversationOrigin | null, params: unknown[], column = 'c.origin'): string {
  return origin === null ? '' : ` AND ${column} = $${params.push(origin)}`;
}

const TOP_SCORE = 'greatest(score_a, score_b, score_c, score_other)';
/** The top score's 0.05 bucket, 1–20 (a score of exactly 1 in the last); null when unscored (least() skips nulls). */
const SCORE_BUCKET = `CASE WHEN ${TOP_SCORE} IS NOT NULL THEN least(width_bucket(${TOP_SCORE}, 0, 1, 20), 20) END`;
/**
 * The timeline's bucket starts, as instants, for the statement in `timeline` ($1 the unit, $3 the most buckets, $4
 * the zone). Days: the local midnights, each converted with AT TIME ZONE, so a day of a DST change lasts 23 or 25
 * hours; the first is at most $3 - 1 local days before today. Hours: every quarter hour (zones' offsets are whole
 * quarters) whose local time is on the hour, found by the offset in force at that instant: converting local
 * hours instead would merge the two 02:00s of an autumn night into one bucket and give spring's missing hour one.
 * The candidates begin an hour before the first bucket's hour and end an hour after now, so the first bucket's
 * start and the last one's end are among them.
 */
const LOCAL_DAY_STARTS = `
  SELECT DISTINCT d AT TIME ZONE $4::text AS at
    FROM bounds,
         generate_series(greatest(date_trunc($1::text, bounds.first AT TIME ZONE $4::text),
                                  date_trunc($1::text, bounds.now AT TIME ZONE $4::text) - interval '1 day' * ($3::int - 1)),
                         date_trunc($1::text, bounds.now AT TIME ZONE $4::text) + interval '1 day',
                         interval '1 day') AS g(d)`;
const LOCAL_HOUR_STARTS = `
  SELECT t AS at
    FROM bounds,
         generate_series(date_trunc('hour', bounds.first_hour) - interval '1 hour', bounds.now + interval '1 hour',
                         interval '15 minutes') AS g(t)
   WHERE date_trunc($1::text, t AT TIME ZONE $4::text) = t AT TIME ZONE $4::text`;

/**
 * The study console's aggregates, one statement per panel, read-only, no rules. They count per arm over a narrow
 * index's range (index-only scans, LATERAL per arm) instead of grouping the whole table: measured at 100,000
 * conversations on 2 busy cores, about three times cheaper than hashing the table's text columns into groups, and
 * small enough that PostgreSQL plans no parallel workers, which on a machine whose cores the API and the inference
 * workers already share made the whole-table group-by four to five times slower. The indexes are the
 * ConsolePanels and ConversationHotUpdates migrations'.
 */
@Injectable()
export class StudyStatsRepository {
  private zoneNames: Promise<ReadonlySet<string>> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Conversations per arm, status and origin; condition slots taken per scope and arm; per scope how many blocks were opened
   * and how many slots wait. Every figure is an index range or lookup (arm progress, taken slots, free slots, block
   * numbers). `origin` limits the conversations counted, not the slots: those are the allocator's, which balances
   * every conversation whatever its origin.
   */
  async arms(
    arms: readonly Condition[],
    scopeArms: readonly ScopeArm[],
    scopes: readonly string[],
    origin: ConversationOrigin | null = null,
  ): Promise<ArmsRaw> {
    const params: unknown[] = [
      ...armParams(arms),
      scopeArms.map((entry) => entry.scope),
      ...armParams(scopeArms.map((entry) => entry.arm)),
      scopes,
    ];
    const [row] = await this.dataSource.query<ArmsRaw[]>(
      `WITH conversations AS (
         SELECT a.brand, a.think_level, a.feel_level, x.status, x.origin, x.n
           FROM ${armsRelation(1)}
           CROSS JOIN LATERAL (SELECT status, origin, count(*)::int AS n FROM conversation c
                                WHERE ${SAME_ARM}${originIs(origin, params)} GROUP BY status, origin) x),
       slots AS (
         SELECT a.scope, a.brand, a.think_level, a.feel_level,
                (SELECT count(*) FROM condition_slot c
                  WHERE c.scope = a.scope AND ${SAME_ARM} AND c.conversation_id IS NOT NULL)::int AS assigned
           FROM unnest($4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[])
                AS a(scope, brand, think_level, feel_level)),
       scopes AS (
         SELECT s.scope,
                coalesce((SELECT max(block_no) FROM condition_slot WHERE scope = s.scope), 0)::int AS blocks,
                (SELECT count(*) FROM condition_slot WHERE scope = s.scope AND conversation_id IS NULL)::int
                  AS free_slots
           FROM unnest($8::varchar[]) AS s(scope))
       SELECT coalesce((SELECT json_agg(conversations) FROM conversations), '[]') AS conversations,
              coalesce((SELECT json_agg(slots) FROM slots), '[]') AS slots,
              coalesce((SELECT json_agg(scopes) FROM scopes), '[]') AS scopes`,
      params,
    );
    return row;
  }

  /**
   * Conversations per arm, step, status and abandon reason: where each one stands or stopped, and why it stopped.
   * Completed ones are all at the last
   * step (a check constraint), so they are counted from the arm × status index; only the others' rows are read for
   * their step, which no index holds (it changes on every turn, and an indexed step would cost every turn an entry
   * in each index of the table).
   */
  stepsByArm(arms: readonly Condition[], origin: ConversationOrigin | null = null): Promise<StepStatusRaw[]> {
    const params: unknown[] = [
      ...armParams(arms),
      Step.Finished,
      ConversationStatus.Completed,
      Object.values(ConversationStatus).filter((status) => status !== ConversationStatus.Completed),
    ];
    const sameOrigin = originIs(origin, params);
    return this.dataSource.query<StepStatusRaw[]>(
      `SELECT a.brand, a.think_level, a.feel_level, x.step, x.status, x.abandon_reason, x.n
         FROM ${armsRelation(1)}
         CROSS JOIN LATERAL (
           SELECT $4::int AS step, $5::varchar AS status, NULL::varchar AS abandon_reason, count(*)::int AS n
             FROM conversation c
            WHERE ${SAME_ARM} AND c.status = $5${sameOrigin} HAVING count(*) > 0
           UNION ALL
           SELECT step::int AS step, status, abandon_reason, count(*)::int AS n FROM conversation c
            WHERE ${SAME_ARM} AND c.status = ANY($6::varchar[])${sameOrigin}
            GROUP BY step, status, abandon_reason) x`,
      params,
    );
  }

  /** Conversations per arm, label and 0.05-wide bucket of the top score (a score of exactly 1 in the last). */
  labelsByArm(arms: readonly Condition[], origin: ConversationOrigin | null = null): Promise<LabelBucketRaw[]> {
    const params: unknown[] = armParams(arms);
    return this.dataSource.query<LabelBucketRaw[]>(
      `SELECT a.brand, a.think_level, a.feel_level, x.label, x.bucket, x.n
         FROM ${armsRelation(1)}
         CROSS JOIN LATERAL (SELECT label, ${SCORE_BUCKET} AS bucket, count(*)::int AS n
                               FROM conversation c WHERE ${SAME_ARM}${originIs(origin, params)}
                              GROUP BY label, bucket) x`,
      params,
    );
  }

  /**
   * Conversations started and completed per bucket of `timeZone`'s local hours or days, from the bucket holding
   * `since` (default: the first conversation) to the one holding `now`, at most `maxPoints` buckets back; buckets
   * with neither are present with zeros. Each bucket counts its range of the created_at and completed_at indexes.
   */
  timeline(
    bucket: 'hour' | 'day',
    since: Date | null,
    maxPoints: number,
    timeZone = 'UTC',
    now: Date | null = null,
    origin: ConversationOrigin | null = null,
  ): Promise<TimelineRaw[]> {
    const params: unknown[] = [bucket, since, maxPoints, timeZone, now];
    const sameOrigin = originIs(origin, params, 'origin');
    return this.dataSource.query<TimelineRaw[]>(
      `WITH bounds AS (
         SELECT n.now, f.first, greatest(f.first, n.now - interval '1 hour' * ($3::int - 1)) AS first_hour
           FROM (SELECT coalesce($5::timestamptz, now()) AS now) n,
                LATERAL (SELECT coalesce($2::timestamptz,
                                         (SELECT min(created_at) FROM conversation WHERE true${sameOrigin}),
                                         n.now) AS first) f),
       starts AS (${bucket === 'hour' ? LOCAL_HOUR_STARTS : LOCAL_DAY_STARTS}),
       buckets AS (SELECT at, lead(at) OVER (ORDER BY at) AS next FROM starts)
       SELECT b.at,
              (SELECT count(*) FROM conversation
                WHERE created_at >= b.at AND created_at < b.next${sameOrigin})::int AS started,
              (SELECT count(*) FROM conversation
                WHERE completed_at >= b.at AND completed_at < b.next${sameOrigin})::int AS completed
         FROM buckets b, bounds
        WHERE b.next > ${bucket === 'hour' ? 'bounds.first_hour' : 'bounds.first'} AND b.at <= bounds.now
        ORDER BY b.at`,
      params,
    );
  }

  /** Every time zone name PostgreSQL knows (pg_timezone_names reads its zone files: asked once per process). */
  timeZoneNames(): Promise<ReadonlySet<string>> {
    this.zoneNames ??= this.dataSource
      .query<{ name: string }[]>('SELECT name FROM pg_timezone_names')
      .then((rows) => new Set(rows.map((row) => row.name)));
    // A failed read (database down) is asked again next time rather than remembered.
    void this.zoneNames.catch(() => (this.zoneNames = null));
    return this.zoneNames;
  }

  /**
   * Quartiles of the time from greeting to completion, per arm and over all (the row with null arm). The partial
   * index on (arm, duration) WHERE completed feeds the groups in order, so no sort spills to disk.
   */
  async durations(origin: ConversationOrigin | null = null): Promise<DurationRaw[]> {
    const params: unknown[] = [];
    const rows = await this.dataSource.query<(Omit<DurationRaw, 'quartiles'> & { quartiles: number[] | null })[]>(
      `SELECT brand, think_level, feel_level, count(*)::int AS n,
              percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY duration_ms) AS quartiles
         FROM conversation WHERE status = 'completed' AND duration_ms IS NOT NULL${originIs(origin, params, 'origin')}
        GROUP BY ROLLUP ((brand, think_level, feel_level))`,
      params,
    );
    return rows.map((row) => ({ ...row, quartiles: row.quartiles ?? [] }));
  }

  /** One page of conversations, newest first, after `cursor`; `limit + 1` rows say whether another page follows. */
  browse(filter: ConversationFilter, cursor: BrowseCursor | null, limit: number): Promise<ConversationRowRaw[]> {
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    const where = conversationFilterConditions(filter, param);
    if (cursor) where.push(`(created_at, id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)}::uuid)`);
    return this.dataSource.query<ConversationRowRaw[]>(
      `SELECT id, created_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
              brand, think_level, feel_level, status, abandon_reason, step::int AS step, origin, label,
              ${TOP_SCORE} AS top_score,
              erased_at IS NOT NULL AS erased
         FROM conversation
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC
        LIMIT ${param(limit + 1)}`,
      params,
    );
  }

  /** A conversation with its transcript in step order, or undefined. */
  async transcript(id: string): Promise<TranscriptRaw | undefined> {
    if (!isConversationId(id)) return undefined;
    const [row] = await this.dataSource.query<TranscriptRaw[]>(
      `SELECT c.id, c.entry_point, c.origin, c.brand, c.think_level, c.feel_level, c.status, c.abandon_reason, c.step::int AS step,
              c.label, c.score_a, c.score_b, c.score_c, c.score_other, c.model_id, c.model_revision,
              c.content_version, c.completion_code, c.email, c.created_at, c.last_activity_at, c.completed_at,
              c.abandoned_at, c.duration_ms, c.erased_at,
              coalesce((SELECT json_agg(json_build_object('sender', t.sender, 'kind', t.kind, 'step', t.step,
                          'text', t.text, 'message_type', t.message_type, 'created_at', t.created_at)
                          ORDER BY t.step, t.id)
                        FROM conversation_turn t WHERE t.conversation_id = c.id), '[]'::json) AS turns
         FROM conversation c WHERE c.id = $1`,
      [id],
    );
    return row;
  }
}
