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
    // One statement takes the first free slot; only when the block is used up does a second open one.
    // (A WITH … SELECT, because TypeORM answers a bare UPDATE … RETURNING as [rows, count].)
    const take = () =>
      manager.query<{ brand: Brand; think_level: Condition['thinkLevel']; feel_level: Condition['feelLevel'] }[]>(
        `WITH taken AS (
           UPDATE condition_slot SET conversation_id = $2, assigned_at = now()
            WHERE id = (SELECT id FROM condition_slot WHERE scope = $1 AND conversation_id IS NULL
                         ORDER BY block_no, position LIMIT 1)
            RETURNING brand, think_level, feel_level)
         SELECT * FROM taken`,
        [scope, conversationId],
      );
    let [slot] = await take();
    if (!slot) {
      await this.openBlock(manager, scope);
      [slot] = await take();
    }
    return { brand: slot.brand, thinkLevel: slot.think_level, feelLevel: slot.feel_level };
  }

  private async openBlock(manager: EntityManager, scope: Brand | 'random'): Promise<void> {
    const slots = manager.getRepository(ConditionSlotEntity);
    const last = await slots
      .createQueryBuilder('slot')
      .select('MAX(slot.block_no)', 'max')
      .where('slot.scope = :scope', { scope })
      .getRawOne<{ max: number | null }>();
    const blockNo = (last?.max ?? 0) + 1;
    await slots.insert(
      shuffled(armsOf(scope)).map((arm, position) => ({
        scope,
        blockNo,
        position,
        ...arm,
        conversationId: null,
        assignedAt: null,
      })),
    );
  }
}
