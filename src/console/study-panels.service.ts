import { Injectable } from '@nestjs/common';
import {
  AbandonReason,
  BRANDS,
  ConversationOrigin,
  ConversationStatus,
  type Brand,
  type Condition,
} from '../chat/chat.types';
import { armsOf } from '../chat/condition-allocator';
import { conversationFilterOf } from '../chat/conversation-filters.dto';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { invalidInput } from '../common/validation';
import { attritionTest } from './attrition';
import { LABELS, type Label } from '../ml/ml.types';
import type {
  ArmKey,
  ArmsPanel,
  ConversationPage,
  ConversationTranscript,
  DurationStats,
  DurationsPanel,
  FunnelPanel,
  FunnelStep,
  LabelCounts,
  LabelKey,
  LabelsPanel,
  ScoreBucket,
  TimelineBucket,
  TimelinePanel,
} from './console.types';
import { TIME_ZONE_MESSAGE, type ConversationBrowseQueryDto } from './study-panels-query.dto';
import {
  StudyStatsRepository,
  type ArmRowRaw,
  type BrowseCursor,
  type DurationRaw,
  type ScopeArm,
  type StepStatusRaw,
} from './study-stats.repository';
import { echoed } from '../common/echoed-value';

/** The 8 arms in a fixed order (brand, think, feel), as every panel lists them. */
const ARMS: readonly Condition[] = armsOf('random');
/** Allocation scopes: the random entry, then each fixed brand. */
const SCOPES: readonly (Brand | 'random')[] = ['random', ...BRANDS];
const SCOPE_ARMS: readonly ScopeArm[] = SCOPES.flatMap((scope) => armsOf(scope).map((arm) => ({ scope, arm })));
/** What the participant is asked at each step (the index the client is at). */
const STEP_NAMES = ['Complaint', 'Follow-up 1', 'Follow-up 2', 'Follow-up 3', 'Follow-up 4', 'Last answer', 'E-mail'];
const SCORE_BUCKETS = 20;
/** Most buckets a timeline holds: 1,000 hours is six weeks, 1,000 days nearly three years. */
const MAX_TIMELINE_POINTS = 1000;
const HOUR_MS = 3_600_000;

const armKey = (arm: Condition): ArmKey => ({ brand: arm.brand, thinkLevel: arm.thinkLevel, feelLevel: arm.feelLevel });
type ArmColumns = { [K in keyof ArmRowRaw]: ArmRowRaw[K] | null };
const sameArm = (arm: Condition, row: ArmColumns): boolean =>
  row.brand === arm.brand && row.think_level === arm.thinkLevel && row.feel_level === arm.feelLevel;
const spreadOf = (values: number[]): number => (values.length ? Math.max(...values) - Math.min(...values) : 0);
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const emptyLabels = (): LabelCounts => ({ A: 0, B: 0, C: 0, Other: 0, unclassified: 0 });
const isLabel = (label: string | null): label is Label => (LABELS as readonly (string | null)[]).includes(label);
const labelKeyOf = (label: string | null): LabelKey => (isLabel(label) ? label : 'unclassified');

/** Cursors are opaque to clients: the last row's microsecond timestamp and id, base64url-encoded. */
export function encodeCursor(cursor: BrowseCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `time` (CURSOR_TIME's shape) names a real instant PostgreSQL can read: no month 13, no 30 February. */
function isRealTime(time: string): boolean {
  const milliseconds = `${time.slice(0, 23)}Z`;
  const parsed = new Date(milliseconds);
  return !Number.isNaN(parsed.getTime()) && parsed.getUTCFullYear() >= 1 && parsed.toISOString() === milliseconds;
}

/** A cursor this endpoint made; anything else, however it is shaped, is refused before it reaches the database. */
export function decodeCursor(value: string): BrowseCursor {
  const [createdAt, id, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const valid =
    extra === undefined && CURSOR_TIME.test(createdAt ?? '') && isRealTime(createdAt) && UUID.test(id ?? '');
  if (!valid) throw invalidInput('cursor must be a nextCursor this endpoint gave');
  return { createdAt, id };
}

type FunnelRow = Pick<StepStatusRaw, 'step' | 'status' | 'abandon_reason' | 'n'>;

/** The funnel of one set of conversations from their (step, status, abandon reason, count) rows. */
export function funnelOf(rows: FunnelRow[]): {
  started: number;
  completed: number;
  steps: FunnelStep[];
} {
  const count = (keep: (row: FunnelRow) => boolean): number => sum(rows.filter(keep).map((row) => row.n));
  const droppedAt = (step: number, reason: AbandonReason | null): number =>
    count((row) => row.step === step && row.status === 'abandoned' && row.abandon_reason === reason);
  return {
    started: count(() => true),
    completed: count((row) => row.status === 'completed'),
    steps: STEP_NAMES.map((name, step) => ({
      step,
      name,
      reached: count((row) => row.step >= step),
      answered: count((row) => row.step > step),
      abandonedHere: count((row) => row.step === step && row.status === 'abandoned'),
      abandonedBy: {
        idle: droppedAt(step, AbandonReason.Idle),
        reset: droppedAt(step, AbandonReason.Reset),
        erased: droppedAt(step, AbandonReason.Erased),
        unrecorded: droppedAt(step, null),
      },
      waitingHere: count((row) => row.step === step && row.status === 'in_progress'),
    })),
  };
}

function durationStats(row: DurationRaw | undefined): DurationStats {
  const at = (index: number): number | null =>
    row?.quartiles[index] === undefined ? null : Math.round(row.quartiles[index]);
  return { completed: row?.n ?? 0, q1Ms: at(0), medianMs: at(1), q3Ms: at(2) };
}

/**
 * The study console's panels: each one aggregate query, shaped here for the page (fixed arm order, zeros for arms
 * without conversations, balance and funnel arithmetic).
 */
@Injectable()
export class StudyPanelsService {
  constructor(private readonly stats: StudyStatsRepository) {}

  async arms(origin: ConversationOrigin | null = null): Promise<ArmsPanel> {
    const raw = await this.stats.arms(ARMS, SCOPE_ARMS, SCOPES, origin);
    const rows = ARMS.map((arm) => {
      const byStatus = (status?: ConversationStatus): number =>
        sum(
          raw.conversations
            .filter((row) => sameArm(arm, row) && (status === undefined || row.status === status))
            .map((row) => row.n),
        );
      return {
        ...armKey(arm),
        started: byStatus(),
        inProgress: byStatus(ConversationStatus.InProgress),
        completed: byStatus(ConversationStatus.Completed),
        abandoned: byStatus(ConversationStatus.Abandoned),
        assigned: sum(raw.slots.filter((slot) => sameArm(arm, slot)).map((slot) => slot.assigned)),
      };
    });
    const mostCompleted = Math.max(...rows.map((row) => row.completed));
    const scopes = SCOPES.flatMap((scope) => {
      const opened = raw.scopes.find((row) => row.scope === scope);
      if (!opened || opened.blocks === 0) return [];
      const assigned = armsOf(scope).map(
        (arm) => raw.slots.find((slot) => slot.scope === scope && sameArm(arm, slot))?.assigned ?? 0,
      );
      const spread = spreadOf(assigned);
      return [
        {
          scope,
          blocks: opened.blocks,
          freeSlots: opened.free_slots,
          assignedMin: Math.min(...assigned),
          assignedMax: Math.max(...assigned),
          spread,
          balanced: spread <= 1,
        },
      ];
    });
    return {
      generatedAt: new Date().toISOString(),
      origin,
      arms: rows.map((row) => ({ ...row, completedBehind: mostCompleted - row.completed })),
      scopes,
      completedSpread: spreadOf(rows.map((row) => row.completed)),
      startedSpread: spreadOf(rows.map((row) => row.started)),
      startedWithoutGreeting: sum(
        raw.conversations.filter((row) => row.origin === ConversationOrigin.NoGreeting).map((row) => row.n),
      ),
      attrition: attritionTest(rows),
    };
  }

  async funnel(byArm: boolean, origin: ConversationOrigin | null = null): Promise<FunnelPanel> {
    const rows = await this.stats.stepsByArm(ARMS, origin);
    return {
      generatedAt: new Date().toISOString(),
      origin,
      ...funnelOf(rows),
      arms: byArm
        ? ARMS.map((arm) => ({ ...armKey(arm), ...funnelOf(rows.filter((row) => sameArm(arm, row))) }))
        : null,
    };
  }

  async labels(origin: ConversationOrigin | null = null): Promise<LabelsPanel> {
    const rows = await this.stats.labelsByArm(ARMS, origin);
    const totals = emptyLabels();
    const arms = ARMS.map((arm) => ({ arm, counts: emptyLabels() }));
    const topScore: ScoreBucket[] = Array.from({ length: SCORE_BUCKETS }, (_, index) => ({
      from: index / SCORE_BUCKETS,
      to: (index + 1) / SCORE_BUCKETS,
      counts: { A: 0, B: 0, C: 0, Other: 0 },
      total: 0,
    }));
    for (const row of rows) {
      const key = labelKeyOf(row.label);
      totals[key] += row.n;
      const entry = arms.find(({ arm }) => sameArm(arm, row));
      if (entry) entry.counts[key] += row.n;
      if (key !== 'unclassified' && row.bucket !== null) {
        const bucket = topScore[row.bucket - 1];
        bucket.counts[key] += row.n;
        bucket.total += row.n;
      }
    }
    return {
      generatedAt: new Date().toISOString(),
      origin,
      totals,
      arms: arms.map(({ arm, counts }) => ({ ...armKey(arm), counts })),
      topScore,
    };
  }

  /** `timeZone`: an IANA name PostgreSQL knows (refused otherwise); the buckets are its local hours or days. */
  async timeline(
    bucket: TimelineBucket,
    since: string | undefined,
    timeZone = 'UTC',
    origin: ConversationOrigin | null = null,
  ): Promise<TimelinePanel> {
    // The shape was checked with the query; only PostgreSQL knows which names it can convert with.
    if (!(await this.stats.timeZoneNames()).has(timeZone)) {
      throw invalidInput(TIME_ZONE_MESSAGE);
    }
    const from = since ? new Date(since) : bucket === 'hour' ? new Date(Date.now() - 47 * HOUR_MS) : null;
    const rows = await this.stats.timeline(bucket, from, MAX_TIMELINE_POINTS, timeZone, null, origin);
    return {
      generatedAt: new Date().toISOString(),
      origin,
      bucket,
      timeZone,
      since: (rows[0]?.at ?? new Date()).toISOString(),
      points: rows.map((row) => ({ at: row.at.toISOString(), started: row.started, completed: row.completed })),
    };
  }

  async durations(origin: ConversationOrigin | null = null): Promise<DurationsPanel> {
    const rows = await this.stats.durations(origin);
    return {
      generatedAt: new Date().toISOString(),
      origin,
      overall: durationStats(rows.find((row) => row.brand === null)),
      arms: ARMS.map((arm) => ({
        ...armKey(arm),
        ...durationStats(rows.find((row) => sameArm(arm, row))),
      })),
    };
  }

  async conversations(query: ConversationBrowseQueryDto): Promise<ConversationPage> {
    const rows = await this.stats.browse(
      conversationFilterOf(query),
      query.cursor ? decodeCursor(query.cursor) : null,
      query.limit,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        createdAt: row.created_at.toISOString(),
        brand: row.brand,
        thinkLevel: row.think_level,
        feelLevel: row.feel_level,
        status: row.status,
        abandonReason: row.abandon_reason,
        step: row.step,
        origin: row.origin,
        label: row.label,
        topScore: row.top_score,
        erased: row.erased,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
    };
  }

  async transcript(id: string): Promise<ConversationTranscript> {
    const row = await this.stats.transcript(id);
    if (!row) throw new AppError(ErrorCode.ChatConversationNotFound, `No conversation has the id ${echoed(id)}.`);
    const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);
    return {
      id: row.id,
      entryPoint: row.entry_point,
      origin: row.origin,
      brand: row.brand,
      thinkLevel: row.think_level,
      feelLevel: row.feel_level,
      status: row.status,
      step: row.step,
      label: row.label,
      scoreA: row.score_a,
      scoreB: row.score_b,
      scoreC: row.score_c,
      scoreOther: row.score_other,
      modelId: row.model_id,
      modelRevision: row.model_revision,
      contentVersion: row.content_version,
      completionCode: row.completion_code,
      email: row.email,
      createdAt: row.created_at.toISOString(),
      lastActivityAt: row.last_activity_at.toISOString(),
      completedAt: iso(row.completed_at),
      abandonReason: row.abandon_reason,
      abandonedAt: iso(row.abandoned_at),
      durationMs: row.duration_ms,
      erasedAt: iso(row.erased_at),
      turns: row.turns.map((turn) => ({
        sender: turn.sender,
        kind: turn.kind,
        step: turn.step,
        text: turn.text,
        messageType: turn.message_type,
        createdAt: new Date(turn.created_at).toISOString(),
      })),
    };
  }
}
