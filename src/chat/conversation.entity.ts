import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Label } from '../ml/ml.types';
import {
  Step,
  type AbandonReason,
  type Brand,
  type ConversationOrigin,
  type ConversationStatus,
  type EntryPoint,
  type Level,
} from './chat.types';

/** One participant's conversation: condition, progress, classification and outcome. */
@Entity('conversation')
// Only the e-mail step completes a conversation, and it moves it to the last step: the funnel counts completed
// conversations at that step from an index without reading their rows.
@Check('chk_conversation_completed_at_last_step', `status <> 'completed' OR step = ${Step.Finished}`)
// Why and when a participant left belong to an abandoned conversation only: one who came back (to answer, or to give
// the e-mail) is in progress or completed, and an export filtered by reason never counts them among the drop-outs.
// A completion code is the one the thank-you showed: only a conversation that was completed has one.
@Check('chk_conversation_completion_code_when_completed', `completion_code IS NULL OR completed_at IS NOT NULL`)
@Check(
  'chk_conversation_abandon_reason_when_abandoned',
  `status = 'abandoned' OR (abandon_reason IS NULL AND abandoned_at IS NULL)`,
)
// A participant's answers between the complaint and the e-mail write only `step`, `last_activity_at`, `updated_at`
// and `client_timer_seconds`. No index holds any of them, so PostgreSQL stores those turns as heap-only (HOT)
// updates: no entry in each of the table's indexes per turn, and old row versions are pruned from their page
// without waiting for a vacuum. The stale-conversation sweep therefore finds in-progress rows through a partial
// index (few rows: the conversations under way) and reads their last activity from the row.
@Index('idx_conversation_in_progress', ['createdAt'], { where: "status = 'in_progress'" })
@Index('uq_conversation_completion_code', ['completionCode'], { unique: true, where: 'completion_code IS NOT NULL' })
// The study console's aggregates count per arm from narrow indexes instead of the whole table: state per arm
// (arms; the funnel reads each row's step from the table); label and scores per arm (labels); keyset pages and
// started per hour/day; completed per hour/day; durations per arm, in arm order and sorted, so percentile_cont never
// spills. Each ends with `origin`, so a panel limited to one origin is still read from its index alone; a
// conversation's origin never changes, so this costs the turns' heap-only updates nothing.
@Index('idx_conversation_arm_status', ['brand', 'thinkLevel', 'feelLevel', 'status', 'origin'])
@Index('idx_conversation_arm_label', [
  'brand',
  'thinkLevel',
  'feelLevel',
  'label',
  'scoreA',
  'scoreB',
  'scoreC',
  'scoreOther',
  'origin',
])
@Index('idx_conversation_created', ['createdAt', 'id', 'origin'])
@Index('idx_conversation_completed_at', ['completedAt', 'origin'], { where: 'completed_at IS NOT NULL' })
@Index('idx_conversation_completed_arm_duration', ['brand', 'thinkLevel', 'feelLevel', 'durationMs', 'origin'], {
  where: "status = 'completed'",
})
export class ConversationEntity {
  /** Random UUID: the unguessable id the client echoes back inside `scenario`. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'entry_point', type: 'varchar', length: 16 })
  entryPoint!: EntryPoint;

  @Column({ type: 'varchar', length: 16, default: 'greeting' })
  origin!: ConversationOrigin;

  @Column({ type: 'varchar', length: 16 })
  brand!: Brand;

  @Column({ name: 'think_level', type: 'varchar', length: 8 })
  thinkLevel!: Level;

  @Column({ name: 'feel_level', type: 'varchar', length: 8 })
  feelLevel!: Level;

  @Column({ type: 'varchar', length: 16, default: 'in_progress' })
  status!: ConversationStatus;

  /**
   * Why an abandoned conversation is (idle, reset, erased); null in any other status, and for one abandoned before
   * the service recorded why. No index holds it, so setting or clearing it keeps a turn's update heap-only.
   */
  @Column({ name: 'abandon_reason', type: 'varchar', length: 16, nullable: true })
  abandonReason!: AbandonReason | null;

  /** The next step the server expects (0 = the complaint, 6 = the email, 7 = finished). */
  @Column({ type: 'smallint', default: 0 })
  step!: number;

  @Column({ type: 'varchar', length: 8, nullable: true })
  label!: Label | null;

  @Column({ name: 'score_a', type: 'double precision', nullable: true })
  scoreA!: number | null;

  @Column({ name: 'score_b', type: 'double precision', nullable: true })
  scoreB!: number | null;

  @Column({ name: 'score_c', type: 'double precision', nullable: true })
  scoreC!: number | null;

  @Column({ name: 'score_other', type: 'double precision', nullable: true })
  scoreOther!: number | null;

  @Column({ name: 'model_id', type: 'varchar', length: 200, nullable: true })
  modelId!: string | null;

  @Column({ name: 'model_revision', type: 'varchar', length: 100, nullable: true })
  modelRevision!: string | null;

  @Column({ name: 'content_version', type: 'varchar', length: 40 })
  contentVersion!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /**
   * Short and unguessable: the survey link and the thank-you text may carry it, so survey answers join the
   * conversation without the e-mail. Erasing the participant removes it.
   */
  @Column({ name: 'completion_code', type: 'varchar', length: 16, nullable: true })
  completionCode!: string | null;

  /** When the participant's data was erased; the row stays as an anonymous tombstone so arm counts stay true. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;

  /** Seconds since the greeting as the client's timer reported it on its last turn (not trusted, kept). */
  @Column({ name: 'client_timer_seconds', type: 'double precision', nullable: true })
  clientTimerSeconds!: number | null;

  /** Server-measured time from the greeting to completion. */
  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' })
  lastActivityAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** When it was marked abandoned (see `abandonReason`), on the database's clock. */
  @Column({ name: 'abandoned_at', type: 'timestamptz', nullable: true })
  abandonedAt!: Date | null;
}
