import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { TurnKind, TurnSender } from './chat.types';
import { ConversationEntity } from './conversation.entity';

/**
 * One message of the transcript. The unique (conversation, step, kind) key makes a repeated POST
 * unable to store a step twice; `response` keeps the exact answer so a repeat can be replayed.
 */
@Entity('conversation_turn')
@Index('uq_turn_conversation_step_kind', ['conversationId', 'step', 'kind'], { unique: true })
export class ConversationTurnEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId!: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id' })
  conversation?: ConversationEntity;

  @Column({ type: 'varchar', length: 16 })
  sender!: TurnSender;

  @Column({ type: 'varchar', length: 16 })
  kind!: TurnKind;

  /** The step this turn belongs to (-1 for the greeting). */
  @Column({ type: 'smallint' })
  step!: number;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'message_type', type: 'varchar', length: 32, nullable: true })
  messageType!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  response!: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
