import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ARMS, Brand, Condition } from './chat.types';
import { ConditionSlotRepository, NewSlot, type SqlRunner } from './condition-slot.repository';

/** The arms a scope draws from: all 8 for the random entry, the 4 of one brand for a fixed one. */
export function armsOf(scope: Brand | 'random'): Condition[] {
  return ARMS.filter((arm) => scope === 'random' || arm.brand === scope);
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
 * next ones waiting instead of queueing for the opening lock. Balance is unchanged: slots are still taken
 * in block order, and each block holds every arm once.
 */
const BLOCKS_PER_OPENING = 4;

/** The next blocks of a scope, each holding every arm once in a fresh crypto-shuffled order. */
export function newBlocks(scope: Brand | 'random', count = BLOCKS_PER_OPENING): NewSlot[] {
  return Array.from({ length: count }, (_, offset) =>
    shuffled(armsOf(scope)).map((arm, position) => ({
      block_offset: offset + 1,
      position,
      brand: arm.brand,
      think_level: arm.thinkLevel,
      feel_level: arm.feelLevel,
    })),
  ).flat();
}

/**
 * Block randomisation shared by every API process through PostgreSQL: a block holds each arm of the
 * scope once, shuffled; a draw takes the first free slot in block order, and new blocks are opened only
 * when no free slot is left. No arm can get ahead of another by more than one block.
 */
@Injectable()
export class ConditionAllocator {
  constructor(private readonly slots: ConditionSlotRepository) {}

  /**
   * Runs `claim` (a statement built on `takeSlotCte` that returns no row when no slot was free, run through
   * `query` when one is given) on the pool first, without a lock. When it comes back empty the draw takes the
   * scope's opening lock, tries once more (the previous holder has usually just opened blocks), and else opens
   * blocks and claims in the same transaction: the new slots are invisible to other draws until this one has
   * its own, so under any contention a draw needs at most one wait for the lock, never a lucky retry.
   */
  async claim<T>(scope: Brand | 'random', claim: (query?: SqlRunner) => Promise<T | undefined>): Promise<T> {
    const unlocked = await claim();
    if (unlocked !== undefined) return unlocked;
    return this.slots.underOpeningLock(scope, async (query) => {
      const filled = await claim(query);
      if (filled !== undefined) return filled;
      await this.slots.openBlocks(scope, newBlocks(scope), query);
      const opened = await claim(query);
      if (opened !== undefined) return opened;
      // Only when the opening inserted nothing: another process opened the same block numbers without the lock.
      throw new AppError(
        ErrorCode.ChatConditionUnavailable,
        'No free experimental condition could be drawn; retry shortly.',
      );
    });
  }
}
