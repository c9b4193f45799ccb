import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Condition, EntryPoint } from './chat.types';
import { ConversationStatus } from './chat.types';
import { ConversationTurnEntity } from './conversation-turn.entity';
import { ConversationEntity } from './conversation.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export interface StepWrite {
  conversationId: string;
  step: number;
  participantText: string;
  replyText: string;
  messageType: string | null;
  response: object;
  /** Columns of the conversation row that change with this step. */
  changes: Partial<ConversationEntity>;
}

/** PostgreSQL access for conversations and turns; no conversation rules live here. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async findById(id: unknown): Promise<ConversationEntity | null> {
    if (typeof id !== 'string' || !UUID.test(id)) return null;
    return this.dataSource.getRepository(ConversationEntity).findOneBy({ id });
  }

  async create(
    manager: EntityManager,
    values: { id: string; entryPoint: EntryPoint; condition: Condition; contentVersion: string },
    greeting: string | null,
  ): Promise<ConversationEntity> {
    const conversation = manager.getRepository(ConversationEntity).create({
      id: values.id,
      entryPoint: values.entryPoint,
      ...values.condition,
      status: ConversationStatus.InProgress,
      step: 0,
      contentVersion: values.contentVersion,
    });
    await manager.getRepository(ConversationEntity).insert(conversation);
    if (greeting !== null) {
      await manager.getRepository(ConversationTurnEntity).insert({
        conversationId: values.id,
        sender: 'bot',
        kind: 'greeting',
        step: -1,
        text: greeting,
        messageType: null,
        response: null,
      });
    }
    return conversation;
  }

  /** The answer already given for a step, to replay on a repeated POST. */
  async storedReply(conversationId: string, step: number): Promise<object | null> {
    const turn = await this.dataSource
      .getRepository(ConversationTurnEntity)
      .findOneBy({ conversationId, step, kind: 'reply' });
    return turn?.response ?? null;
  }

  /**
   * Stores one answered step atomically: both turns and the conversation's move to the next step.
   * Returns false when another request already answered this step (the step moved, or the unique
   * turn key refused the insert); the caller then replays the stored answer.
   */
  async saveStep(write: StepWrite): Promise<boolean> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const moved = await manager
          .createQueryBuilder()
          .update(ConversationEntity)
          .set({ ...write.changes, step: write.step + 1, lastActivityAt: () => 'now()' })
          .where('id = :id AND step = :step', { id: write.conversationId, step: write.step })
          .execute();
        if (moved.affected !== 1) return false;
        await manager.getRepository(ConversationTurnEntity).insert([
          {
            conversationId: write.conversationId,
            sender: 'participant',
            kind: 'message',
            step: write.step,
            text: write.participantText,
            messageType: null,
            response: null,
          },
          {
            conversationId: write.conversationId,
            sender: 'bot',
            kind: 'reply',
            step: write.step,
            text: write.replyText,
            messageType: write.messageType,
            response: write.response,
          },
        ]);
        return true;
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return false; // unique_violation: a concurrent twin won
      throw error;
    }
  }

  async recordClosingPrompt(conversationId: string, text: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(ConversationTurnEntity)
      .values({
        conversationId,
        sender: 'bot',
        kind: 'closing_prompt',
        step: 6,
        text,
        messageType: null,
        response: null,
      })
      .orIgnore()
      .execute();
  }

  async touch(conversationId: string, changes: Partial<ConversationEntity>): Promise<void> {
    await this.dataSource
      .getRepository(ConversationEntity)
      .update({ id: conversationId }, { ...changes, lastActivityAt: () => 'now()' });
  }

  /** Marks in-progress conversations idle for longer than `ttlSeconds` as abandoned; idempotent. */
  async abandonStale(ttlSeconds: number): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ConversationEntity)
      .set({ status: ConversationStatus.Abandoned })
      .where('status = :status', { status: ConversationStatus.InProgress })
      .andWhere(`last_activity_at < now() - make_interval(secs => :ttl)`, { ttl: ttlSeconds })
      .execute();
    return result.affected ?? 0;
  }

  async abandon(conversationId: string): Promise<void> {
    await this.dataSource
      .getRepository(ConversationEntity)
      .update({ id: conversationId, status: ConversationStatus.InProgress }, { status: ConversationStatus.Abandoned });
  }
}
