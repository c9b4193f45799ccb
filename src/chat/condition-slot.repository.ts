import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Brand, Condition } from './chat.types';

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

/** One slot of a new block: its offset past the scope's last block, its position and its arm. */
export interface NewSlot {
  block_offset: number;
  position: number;
  brand: Brand;
  think_level: Condition['thinkLevel'];
  feel_level: Condition['feelLevel'];
}

/**
 * A CTE named `taken` that claims the first free slot of scope `scopeParam` for conversation `idParam` and
 * returns its arm. `SKIP LOCKED` lets concurrent draws claim different slots without waiting on each other
 * (a slot another draw committed after this statement's snapshot fails the re-check and is skipped too), so
 * the hot path needs no global lock and can share one statement with the conversation's insert.
 */
export function takeSlotCte(scopeParam: string, idParam: string): string {
  return `taken AS (
    UPDATE condition_slot SET conversation_id = ${idParam}, assigned_at = now()
     WHERE id = (SELECT id FROM condition_slot WHERE ${freeSlotCondition(scopeParam)}
                  ORDER BY block_no, position LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING brand, think_level, feel_level)`;
}

/** The most blocks one opening adds: the allocator sizes its openings up to this. */
export const MAX_BLOCKS_PER_OPENING = 128;

/**
 * How far below the scope's newest block a free slot can lie. Blocks open only when no slot is free, at most
 * `MAX_BLOCKS_PER_OPENING` at once, and draws take slots in block order; so a free slot lies in the newest opening,
 * or in the one before when a claim that was in flight during the opening rolled back after it.
 */
const FREE_SLOT_WINDOW_BLOCKS = 2 * MAX_BLOCKS_PER_OPENING;

/**
 * The condition of a free slot of scope `scopeParam`, looked for among its newest blocks only. A claimed slot leaves
 * a dead entry in the free-slot index until VACUUM removes it, and a look from the scope's first block walks over
 * every one of them: a cost that grows with the study (742 buffers, 3.7 ms per draw after 278,000 draws with
 * autovacuum off; up to a fifth of the table between two autovacuum runs with it on).
 */
export function freeSlotCondition(scopeParam: string): string {
  return `scope = ${scopeParam} AND conversation_id IS NULL
      AND block_no > (SELECT coalesce(max(block_no), 0) FROM condition_slot WHERE scope = ${scopeParam}) - ${FREE_SLOT_WINDOW_BLOCKS}`;
}

/** Runs one SQL statement and returns its rows: on the pool, or inside a transaction of `underOpeningLock`. */
export type SqlRunner = <T>(text: string, values: unknown[]) => Promise<T[]>;

/** PostgreSQL access for the block-randomisation slots; the allocator holds the rules. */
@Injectable()
export class ConditionSlotRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction that holds the scope's opening lock (a transaction-level advisory lock, so every
   * API process shares it and it ends with the transaction): one opener per scope at a time, and the slots it opens
   * stay invisible to other draws until it has claimed one of them itself.
   */
  underOpeningLock<T>(scope: Brand | 'random', work: (query: SqlRunner) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`condition_slot:${scope}`]);
      return work(<R>(text: string, values: unknown[]) => manager.query<R[]>(text, values));
    });
  }

  /**
   * Whether the scope has an unclaimed slot, claims in flight included: read-only, so a transaction that asks only
   * this commits without waiting for a WAL flush.
   */
  async hasFreeSlot(scope: Brand | 'random', query: SqlRunner): Promise<boolean> {
    const [row] = await query<{ free: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM condition_slot WHERE ${freeSlotCondition('$1')}) AS free`,
      [scope],
    );
    return row?.free === true;
  }

  /**
   * How many of the scope's newest `amongLast` blocks were opened in the last `withinMs`: read on the position
   * index, never a scan of the scope's history.
   */
  async blocksOpenedWithin(
    scope: Brand | 'random',
    { withinMs, amongLast }: { withinMs: number; amongLast: number },
    query: SqlRunner,
  ): Promise<number> {
    const [row] = await query<{ n: number }>(
      `SELECT count(DISTINCT block_no)::int AS n FROM condition_slot
        WHERE scope = $1
          AND block_no > (SELECT coalesce(max(block_no), 0) FROM condition_slot WHERE scope = $1) - $3
          AND created_at > now() - make_interval(secs => $2::double precision / 1000)`,
      [scope, withinMs, amongLast],
    );
    return row?.n ?? 0;
  }

  /**
   * Appends `slots` after the scope's last block unless an unclaimed free slot exists, in one statement and
   * without a lock: two openers that compute the same block numbers collide on the unique position index and
   * one inserts nothing; two that see each other's blocks open a few extra, which costs rows, not balance.
   * At most `MAX_BLOCKS_PER_OPENING` blocks: draws look for free slots no further back than two such openings.
   */
  async openBlocks(scope: Brand | 'random', slots: NewSlot[], query?: SqlRunner): Promise<void> {
    const run: SqlRunner = query ?? (<R>(text: string, values: unknown[]) => this.dataSource.query<R[]>(text, values));
    await run(
      `INSERT INTO condition_slot (scope, block_no, position, brand, think_level, feel_level)
       SELECT $1::varchar, coalesce((SELECT max(block_no) FROM condition_slot WHERE scope = $1::varchar), 0) + r.block_offset,
              r.position, r.brand, r.think_level, r.feel_level
         FROM jsonb_to_recordset($2::jsonb) AS r(block_offset int, position int, brand text, think_level text, feel_level text)
        WHERE NOT EXISTS (SELECT 1 FROM condition_slot WHERE ${freeSlotCondition('$1::varchar')} FOR UPDATE SKIP LOCKED)
       ON CONFLICT (scope, block_no, position) DO NOTHING`,
      [scope, JSON.stringify(slots)],
    );
  }
}
