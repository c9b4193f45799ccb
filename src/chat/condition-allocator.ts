import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Brand, BRANDS, Condition, LEVELS } from './chat.types';
import { ConditionSlotEntity } from './condition-slot.entity';

/** The arms a scope draws from: all 8 for the random entry, the 4 of one brand for a fixed one. */
export function armsOf(scope: Brand | 'random'): Condition[] {
  const brands = scope === 'random' ? [...BRANDS] : [scope];
  return brands.flatMap((brand) =>
    LEVELS.flatMap((thinkLevel) => LEVELS.map((feelLevel) => ({ brand, thinkLevel, feelLevel }))),
  );
}

/** Fisher–Yates with a cryptographic RNG: the order of a block cannot be predicted from outside. */
export function shuffled<T>(items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** A stable 32-bit key per scope for the transaction-scoped advisory lock. */
function lockKey(scope: string): number {
  let hash = 0x3c0b0;
  for (const char of scope) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Block randomisation shared by every API process through PostgreSQL: a block holds each arm of the
 * scope once, shuffled; a draw takes the first free slot under an advisory lock, opening a new block
 * when the last is full. No arm can get ahead of another by more than one block.
 */
@Injectable()
export class ConditionAllocator {
  /** Draws inside the caller's transaction so the slot and the conversation are stored together. */
  async draw(manager: EntityManager, scope: Brand | 'random', conversationId: string): Promise<Condition> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`condition:${scope}`)]);
    const slots = manager.getRepository(ConditionSlotEntity);
    let slot = await slots
      .createQueryBuilder('slot')
      .where('slot.scope = :scope AND slot.conversation_id IS NULL', { scope })
      .orderBy('slot.block_no', 'ASC')
      .addOrderBy('slot.position', 'ASC')
      .getOne();
    if (!slot) slot = await this.openBlock(manager, scope);
    slot.conversationId = conversationId;
    slot.assignedAt = new Date();
    await slots.save(slot);
    return { brand: slot.brand, thinkLevel: slot.thinkLevel, feelLevel: slot.feelLevel };
  }

  private async openBlock(manager: EntityManager, scope: Brand | 'random'): Promise<ConditionSlotEntity> {
    const slots = manager.getRepository(ConditionSlotEntity);
    const last = await slots
      .createQueryBuilder('slot')
      .select('MAX(slot.block_no)', 'max')
      .where('slot.scope = :scope', { scope })
      .getRawOne<{ max: number | null }>();
    const blockNo = (last?.max ?? 0) + 1;
    const created = await slots.save(
      shuffled(armsOf(scope)).map((arm, position) =>
        slots.create({ scope, blockNo, position, ...arm, conversationId: null, assignedAt: null }),
      ),
    );
    return created[0];
  }
}
