import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Label } from '../ml/ml.types';
import type { Brand, ConversationOrigin, ConversationStatus, EntryPoint, Level } from './chat.types';

/** One participant's conversation: condition, progress, classification and outcome. */
@Entity('conversation')
@Index('idx_conversation_status_activity', ['status', 'lastActivityAt'])
@Index('uq_conversation_completion_code', ['completionCode'], { unique: true, where: 'completion_code IS NOT NULL' })
// The study console's aggregates count per arm from narrow indexes (index-only scans) instead of the whole table:
// state and step per arm (arms, funnel); label and scores per arm (labels); keyset pages and started per
// hour/day; completed per hour/day; durations per arm, in arm order and sorted, so percentile_cont never spills.
@Index('idx_conversation_arm_progress', ['brand', 'thinkLevel', 'feelLevel', 'status', 'step'])
@Index('idx_conversation_arm_label', [
  'brand',
  'thinkLevel',
  'feelLevel',
  'label',
  'scoreA',
  'scoreB',
  'scoreC',
  'scoreOther',
])
@Index('idx_conversation_created', ['createdAt', 'id'])
@Index('idx_conversation_completed_at', ['completedAt'], { where: 'completed_at IS NOT NULL' })
@Index('idx_conversation_completed_arm_duration', ['brand', 'thinkLevel', 'feelLevel', 'durationMs'], {
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
}
