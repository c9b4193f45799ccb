import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { typeormOptions } from '../../src/database/typeorm-options';
import { Step } from '../../src/chat/chat.types';
import { ConditionAllocator } from '../../src/chat/condition-allocator';
import { ConditionSlotEntity } from '../../src/chat/condition-slot.entity';
import { ConditionSlotRepository } from '../../src/chat/condition-slot.repository';
import { ConversationTurnEntity } from '../../src/chat/conversation-turn.entity';
import { ConversationEntity } from '../../src/chat/conversation.entity';
import { ConversationRepository } from '../../src/chat/conversation.repository';
import { GREETINGS, newConversationValues, stepWrite } from '../support/conversation-writes';
import { dropTestDatabase, recreateTestDatabase, testDatabaseUrl } from '../support/test-database';

const DATABASE = 'combot_conversation_row_updates_int_test';
/** The columns a step between the complaint and the e-mail writes (see `saveStep`). */
const MID_CONVERSATION_COLUMNS = ['step', 'last_activity_at', 'updated_at', 'client_timer_seconds'];

interface UpdateCounts {
  updates: number;
  heapOnly: number;
}

/** The server's counters of the conversation table, as flushed by the backends that have exited. */
async function conversationUpdateCounts(): Promise<UpdateCounts> {
  const client = new Client({ connectionString: testDatabaseUrl(DATABASE) });
  await client.connect();
  try {
    const { rows } = await client.query<{ updates: string; heap_only: string }>(
      `SELECT n_tup_upd AS updates, n_tup_hot_upd AS heap_only FROM pg_stat_user_tables WHERE relname = 'conversation'`,
    );
    return { updates: Number(rows[0].updates), heapOnly: Number(rows[0].heap_only) };
  } finally {
    await client.end();
  }
}

/** Polls until the table shows at least `updates` updates: a backend reports its counters as it exits. */
async function countsOnceReported(updates: number): Promise<UpdateCounts> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const counts = await conversationUpdateCounts();
    if (counts.updates >= updates || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The repository on the app's TypeORM options; closing it makes its backends report their counters. */
async function openRepository(url: string): Promise<{ dataSource: DataSource; conversations: ConversationRepository }> {
  const dataSource = new DataSource({
    ...typeormOptions(new AppConfig({}), url),
    entities: [ConversationEntity, ConversationTurnEntity, ConditionSlotEntity],
  });
  await dataSource.initialize();
  return { dataSource, conversations: new ConversationRepository(dataSource) };
}

/**
 * A participant's answers between the complaint and the e-mail change only columns no index of the conversation
 * holds, so PostgreSQL stores each as a heap-only (HOT) update: no index entry per index per turn, and the old
 * versions are pruned from the page without a vacuum.
 */
describe('conversation row updates (real PostgreSQL)', () => {
  let url: string;

  beforeAll(async () => {
    url = await recreateTestDatabase(DATABASE);
    const { dataSource } = await openRepository(url);
    await dataSource.runMigrations();
    await dataSource.destroy();
  }, 60_000);

  afterAll(() => dropTestDatabase(DATABASE));

  /** A greeting as the service draws one: the allocator around the one-statement start. */
  const draw = (dataSource: DataSource, conversations: ConversationRepository): Promise<ConversationEntity> => {
    const allocator = new ConditionAllocator(new ConditionSlotRepository(dataSource));
    const values = newConversationValues();
    return allocator.claim('random', (query) => conversations.startOnFreeSlot(values, 'random', GREETINGS, query));
  };

  it('indexes none of the columns a mid-conversation step writes', async () => {
    const { dataSource } = await openRepository(url);
    try {
      const indexes = await dataSource.query<{ definition: string }[]>(
        `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = 'conversation'::regclass`,
      );
      const offending = indexes
        .map(({ definition }) => definition)
        .filter((definition) =>
          MID_CONVERSATION_COLUMNS.some((column) => new RegExp(`\\b${column}\\b`).test(definition)),
        );
      expect(offending).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuses a completed conversation that is not at the last step (the funnel counts completions there)', async () => {
    const { dataSource, conversations } = await openRepository(url);
    try {
      const { id } = await draw(dataSource, conversations);
      await expect(
        dataSource.query(`UPDATE conversation SET status = 'completed' WHERE id = $1`, [id]),
      ).rejects.toMatchObject({ code: '23514', constraint: 'chk_conversation_completed_at_last_step' });
      await dataSource.query(`UPDATE conversation SET status = 'completed', step = $2 WHERE id = $1`, [
        id,
        Step.Finished,
      ]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('stores the five answers after the complaint as heap-only updates', async () => {
    const first = await openRepository(url);
    const { id } = await draw(first.dataSource, first.conversations);
    const classified = { label: 'B', scoreA: 0.1, scoreB: 0.7, scoreC: 0.15, scoreOther: 0.05 } as const;
    await expect(first.conversations.saveStep(stepWrite(id, 0, classified))).resolves.toBe(true);
    await first.dataSource.destroy();
    const before = await countsOnceReported(1);

    const second = await openRepository(url);
    for (let step = 1; step <= 5; step++) {
      await expect(second.conversations.saveStep(stepWrite(id, step, { clientTimerSeconds: 10 + step }))).resolves.toBe(
        true,
      );
    }
    await second.dataSource.destroy();
    const after = await countsOnceReported(before.updates + 5);

    expect({ updates: after.updates - before.updates, heapOnly: after.heapOnly - before.heapOnly }).toEqual({
      updates: 5,
      heapOnly: 5,
    });
  });
});
