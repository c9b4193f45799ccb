import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Brand, Level } from './chat.types';

/**
 * Block randomisation shared by every API process: each block holds one slot per arm in a shuffled
 * order; a greeting takes the first free slot of its scope ('random', or a fixed brand).
 */
@Entity('condition_slot')
@Index('uq_condition_slot_position', ['scope', 'blockNo', 'position'], { unique: true })
@Index('idx_condition_slot_free', ['scope', 'blockNo', 'position'], { where: 'conversation_id IS NULL' })
// The study console's balance check counts taken slots per scope and arm from this index alone.
@Index('idx_condition_slot_taken_arm', ['scope', 'brand', 'thinkLevel', 'feelLevel'], {
  where: 'conversation_id IS NOT NULL',
})
export class ConditionSlotEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  scope!: string;

  @Column({ name: 'block_no', type: 'integer' })
  blockNo!: number;

  @Column({ type: 'smallint' })
  position!: number;

  @Column({ type: 'varchar', length: 16 })
  brand!: Brand;

  @Column({ name: 'think_level', type: 'varchar', length: 8 })
  thinkLevel!: Level;

  @Column({ name: 'feel_level', type: 'varchar', length: 8 })
  feelLevel!: Level;

  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'assigned_at', type: 'timestamptz', nullable: true })
  assignedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
