import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ARMS, Brand, Condition } from './chat.types';
import { ConditionSlotRepository, MAX_BLOCKS_PER_OPENING, NewSlot, type SqlRunner } from './condition-slot.repository';

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
 * Blocks one opening adds: a quiet scope gets a few, a busy one twice what it opened in the last
 * `RECENT_OPENING_MS`, up to the maximum. Under a burst the openings grow until one lasts a while, so draws
 * rarely find the scope empty and wait for the opening lock. Balance is unchanged: slots are still taken in
 * block order, and each block holds every arm once; a bigger opening costs unclaimed rows, nothing else.
 */
const OPENING_BLOCKS = { min: 4, max: MAX_BLOCKS_PER_OPENING } as const;
const RECENT_OPENING_MS = 2_000;

const blocksToOpen = (recentlyOpened: number): number =>
  Math.min(OPENING_BLOCKS.max, Math.max(OPENING_BLOCKS.min, 2 * recentlyOpened));

/**
 * Rounds of "claim on the pool, else wait for the opening lock" before a draw gives up (503, retryable). A round
 * is lost only when other draws took every slot this one saw free, so each lost round is progress for the others.
 */
const MAX_DRAW_ROUNDS = 20;

const unavailable = (): AppError =>
  new AppError(ErrorCode.ChatConditionUnavailable, 'No free experimental condition could be drawn; retry shortly.');

/** The next blocks of a scope, each holding every arm once in a fresh crypto-shuffled order. */
export function newBlocks(scope: Brand | 'random', count: number = OPENING_BLOCKS.min): NewSlot[] {
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
   * Runs `claim` (a statement built on `takeSlotCte` that returns no row when no slot was free, run through `query`
   * when one is given) on the pool, without a lock. When it comes back empty the draw waits for the scope's opening
   * lock. Holding it, a draw that finds slots again (the previous holder opened them) lets go at once and claims on
   * the pool with every other waiter: the lock is held for one read, not for a claim and its commit each, so a burst
   * of draws never queues one WAL flush at a time. A draw that finds none opens blocks and claims in the same
   * transaction: the new slots are invisible to other draws until it has its own.
   */
  async claim<T>(scope: Brand | 'random', claim: (query?: SqlRunner) => Promise<T | undefined>): Promise<T> {
    for (let round = 0; round < MAX_DRAW_ROUNDS; round++) {
      const unlocked = await claim();
      if (unlocked !== undefined) return unlocked;
      const opened = await this.slots.underOpeningLock(scope, async (query) => {
        if (await this.slots.hasFreeSlot(scope, query)) return undefined;
        const recentlyOpened = await this.slots.blocksOpenedWithin(
          scope,
          { withinMs: RECENT_OPENING_MS, amongLast: OPENING_BLOCKS.max },
          query,
        );
        await this.slots.openBlocks(scope, newBlocks(scope, blocksToOpen(recentlyOpened)), query);
        const own = await claim(query);
        // Only when the opening inserted nothing: another process opened the same block numbers without the lock.
        if (own === undefined) throw unavailable();
        return own;
      });
      if (opened !== undefined) return opened;
    }
    // Every round some other draw took the slots this one saw free: a burst larger than the openings can feed.
    throw unavailable();
  }
}
