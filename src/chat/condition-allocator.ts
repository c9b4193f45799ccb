import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Brand, BRANDS, Condition, LEVELS } from './chat.types';

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

/**
 * Blocks opened at once when a scope runs out: draws that lost the race for the last free slots find the
 * next ones waiting instead of queueing for the lock again. Balance is unchanged: slots are still taken
 * in block order, and each block holds every arm once.
 */
const BLOCKS_PER_OPENING = 4;
/** A draw found every slot taken (or held by draws in flight) this many times in a row: answer 503. */
const MAX_DRAW_ATTEMPTS = 10;

/**
 * A CTE named `taken` that claims the first free slot of scope `scopeParam` for conversation `idParam` and
 * returns its arm. `SKIP LOCKED` lets concurrent draws claim different slots without waiting on each other
 * (a slot another draw committed after this statement's snapshot fails the re-check and is skipped too), so
 * the hot path needs no global lock and can share one statement with the conversation's insert.
 */
export function takeSlotCte(scopeParam: string, idParam: string): string {
  return `taken AS (
    UPDATE condition_slot SET conversation_id = ${idParam}, assigned_at = now()
     WHERE id = (SELECT id FROM condition_slot WHERE scope = ${scopeParam} AND conversation_id IS NULL
                  ORDER BY block_no, position LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING brand, think_level, feel_level)`;
}

export interface SlotRow {
  brand: Brand;
  think_level: Condition['thinkLevel'];
  feel_level: Condition['feelLevel'];
}

export const conditionOf = (row: SlotRow): Condition => ({
  brand: row.brand,
  thinkLevel: row.think_level,
  feelLevel: row.feel_level,
});

/**
 * Block randomisation shared by every API process through PostgreSQL: a block holds each arm of the
 * scope once, shuffled; a draw takes the first free slot in block order, and new blocks are opened only
 * when no free slot is left. No arm can get ahead of another by more than one block.
 */
@Injectable()
export class ConditionAllocator {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `claim` (a statement built on `takeSlotCte` that returns no row when no slot was free) and opens
   * blocks whenever it comes back empty.
   */
  async claim<T>(scope: Brand | 'random', claim: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 1; attempt <= MAX_DRAW_ATTEMPTS; attempt++) {
      const claimed = await claim();
      if (claimed !== undefined) return claimed;
      await this.ensureFreeSlot(scope);
    }
    throw new AppError(
      ErrorCode.ServiceUnavailable,
      `No free experimental condition could be drawn after ${MAX_DRAW_ATTEMPTS} attempts; retry shortly.`,
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }

  /**
   * Opens the next blocks unless an unclaimed free slot exists, in one statement and without a lock: two
   * openers that compute the same block numbers collide on the unique position index and one inserts
   * nothing; two that see each other's blocks open a few extra, which costs rows, not balance.
   */
  private async ensureFreeSlot(scope: Brand | 'random'): Promise<void> {
    const rows = Array.from({ length: BLOCKS_PER_OPENING }, (_, offset) =>
      shuffled(armsOf(scope)).map((arm, position) => ({
        block_offset: offset + 1,
        position,
        brand: arm.brand,
        think_level: arm.thinkLevel,
        feel_level: arm.feelLevel,
      })),
    ).flat();
    await this.dataSource.query(
      `INSERT INTO condition_slot (scope, block_no, position, brand, think_level, feel_level)
       SELECT $1::varchar, coalesce((SELECT max(block_no) FROM condition_slot WHERE scope = $1::varchar), 0) + r.block_offset,
              r.position, r.brand, r.think_level, r.feel_level
         FROM jsonb_to_recordset($2::jsonb) AS r(block_offset int, position int, brand text, think_level text, feel_level text)
        WHERE NOT EXISTS (SELECT 1 FROM condition_slot WHERE scope = $1::varchar AND conversation_id IS NULL
                           FOR UPDATE SKIP LOCKED)
       ON CONFLICT (scope, block_no, position) DO NOTHING`,
      [scope, JSON.stringify(rows)],
    );
  }
}
