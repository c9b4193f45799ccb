import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError } from '../../src/common/app.error';
import { ErrorCode } from '../../src/common/error-codes';
import { AppConfig } from '../../src/config/app-config';
import {
  AbandonReason,
  BRANDS,
  ConversationStatus,
  LEVELS,
  Step,
  type Brand,
  type Condition,
  type EntryPoint,
  type Level,
} from '../../src/chat/chat.types';
import { ConditionAllocator, newBlocks } from '../../src/chat/condition-allocator';
import {
  ConditionSlotRepository,
  freeSlotCondition,
  MAX_BLOCKS_PER_OPENING,
  takeSlotCte,
  type NewSlot,
} from '../../src/chat/condition-slot.repository';
import { ConversationExportService } from '../../src/chat/conversation-export.service';
import { ConversationEntity } from '../../src/chat/conversation.entity';
import { AdminAuditRepository } from '../../src/chat/admin-audit.repository';
import {
  ConversationRepository,
  type ArmStatusCount,
  EXPORT_COLUMNS,
  type ExportCursor,
  type ExportQuery,
  type ExportRow,
  type StepWrite,
} from '../../src/chat/conversation.repository';
import { closeChatDatabase, openChatDatabase, resetChatTables } from '../support/chat-database';
import { GREETINGS, newConversationValues, stepWrite } from '../support/conversation-writes';
import { recreateTestDatabase } from '../support/test-database';

type Scope = Brand | 'random';

const armKey = (condition: Condition): string => `${condition.brand}/${condition.thinkLevel}/${condition.feelLevel}`;
const countPerArm = (conditions: Condition[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const condition of conditions) counts[armKey(condition)] = (counts[armKey(condition)] ?? 0) + 1;
  return counts;
};

interface TurnRow {
  sender: string;
  kind: string;
  step: number;
  text: string;
  message_type: string | null;
  response: object | null;
}

/** The repositories and the allocator on the app's own TypeORM options, over a fresh migrated `*_test` database. */
describe('ConversationRepository, ConditionSlotRepository and ConditionAllocator (real PostgreSQL)', () => {
  const DATABASE = 'combot_conversation_repo_int_test';
  let dataSource: DataSource;
  let conversations: ConversationRepository;
  let slots: ConditionSlotRepository;
  let allocator: ConditionAllocator;
  let audit: AdminAuditRepository;

  beforeAll(async () => {
    dataSource = await openChatDatabase(await recreateTestDatabase(DATABASE));
    conversations = new ConversationRepository(dataSource);
    slots = new ConditionSlotRepository(dataSource);
    allocator = new ConditionAllocator(slots);
    audit = new AdminAuditRepository(dataSource);
  }, 60_000);

  afterAll(() => closeChatDatabase(dataSource, DATABASE));

  beforeEach(() => resetChatTables(dataSource));

  /** A greeting as the service draws one: the allocator around the one-statement start. */
  const draw = (scope: Scope = 'random', entryPoint: EntryPoint = 'random'): Promise<ConversationEntity> => {
    const values = newConversationValues(entryPoint);
    return allocator.claim(scope, (query) => conversations.startOnFreeSlot(values, scope, GREETINGS, query));
  };

  const turnsOf = (conversationId: string): Promise<TurnRow[]> =>
    dataSource.query<TurnRow[]>(
      `SELECT sender, kind, step, text, message_type, response FROM conversation_turn
        WHERE conversation_id = $1 ORDER BY step, id`,
      [conversationId],
    );

  const rowOf = async (id: string): Promise<ConversationEntity> =>
    dataSource.getRepository(ConversationEntity).findOneByOrFail({ id });

  const count = async (table: string, where = 'true', params: unknown[] = []): Promise<number> => {
    const [{ n }] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return n;
  };

  const auditRows = (): Promise<{ actor: string; action: string; rows: number; details: object }[]> =>
    dataSource.query('SELECT actor, action, rows, details FROM admin_audit ORDER BY id');

  /** A completed conversation is at the last step (the table's check constraint), as the flow leaves it. */
  const setStatus = (id: string, status: ConversationStatus): Promise<unknown> =>
    dataSource.query(
      `UPDATE conversation SET status = $2::varchar, step = CASE WHEN $2::varchar = 'completed' THEN $3 ELSE step END WHERE id = $1`,
      [id, status, Step.Finished],
    );

  describe('startOnFreeSlot', () => {
    it('returns undefined and stores nothing when the scope has no free slot', async () => {
      await expect(
        conversations.startOnFreeSlot(newConversationValues(), 'random', GREETINGS),
      ).resolves.toBeUndefined();
      expect(await count('conversation')).toBe(0);
      expect(await count('conversation_turn')).toBe(0);
    });

    it('claims the one free slot and stores the conversation with its greeting turn, once', async () => {
      await slots.openBlocks('Lulu', [
        { block_offset: 1, position: 0, brand: 'Lulu', think_level: 'Low', feel_level: 'High' },
      ]);
      const values = newConversationValues('lulu');
      const started = await conversations.startOnFreeSlot(values, 'Lulu', GREETINGS);
      expect(started).toMatchObject({
        id: values.id,
        entryPoint: 'lulu',
        brand: 'Lulu',
        thinkLevel: 'Low',
        feelLevel: 'High',
        status: ConversationStatus.InProgress,
        step: 0,
        label: null,
        contentVersion: 'test-content.1',
      });
      expect(started?.createdAt).toBeInstanceOf(Date);

      const row = await rowOf(values.id);
      expect(row).toMatchObject({ brand: 'Lulu', thinkLevel: 'Low', feelLevel: 'High', step: 0 });
      // The completion code comes with completion, not before.
      expect(row).toMatchObject({ origin: 'greeting', completionCode: null });
      expect(row.createdAt.getTime()).toBe(started?.createdAt.getTime());
      expect(await turnsOf(values.id)).toEqual([
        {
          sender: 'bot',
          kind: 'greeting',
          step: -1,
          text: 'Hello from Lulu, think Low',
          message_type: null,
          response: null,
        },
      ]);
      const [slot] = await dataSource.query<{ conversation_id: string; assigned_at: Date | null }[]>(
        'SELECT conversation_id, assigned_at FROM condition_slot',
      );
      expect(slot.conversation_id).toBe(values.id);
      expect(slot.assigned_at).toBeInstanceOf(Date);

      // The slot is gone now, and another scope's slots were never this one's.
      await expect(conversations.startOnFreeSlot(newConversationValues(), 'Lulu', GREETINGS)).resolves.toBeUndefined();
      await expect(
        conversations.startOnFreeSlot(newConversationValues(), 'random', GREETINGS),
      ).resolves.toBeUndefined();
      expect(await count('conversation')).toBe(1);
    });

    it('takes the free slots in block and position order, whatever order they were stored in', async () => {
      const block = (blockOffset: number, arms: [Level, Level][]): NewSlot[] =>
        arms.map(([think, feel], position) => ({
          block_offset: blockOffset,
          position,
          brand: 'Basic',
          think_level: think,
          feel_level: feel,
        }));
      const first = block(1, [
        ['High', 'High'],
        ['Low', 'Low'],
        ['High', 'Low'],
        ['Low', 'High'],
      ]);
      const second = block(2, [
        ['Low', 'High'],
        ['High', 'Low'],
        ['Low', 'Low'],
        ['High', 'High'],
      ]);
      await slots.openBlocks('Basic', [...second, ...first]);
      const taken: string[] = [];
      for (let i = 0; i < 8; i++) {
        const started = await conversations.startOnFreeSlot(newConversationValues('chatbot'), 'Basic', GREETINGS);
        taken.push(started ? armKey(started) : 'none');
      }
      const expected = [...first, ...second].map((slot) => `Basic/${slot.think_level}/${slot.feel_level}`);
      expect(taken).toEqual(expected);
      await expect(conversations.startOnFreeSlot(newConversationValues(), 'Basic', GREETINGS)).resolves.toBeUndefined();
    });

    it('stores no greeting turn when no greeting text matches the drawn arm', async () => {
      await slots.openBlocks('Basic', [
        { block_offset: 1, position: 0, brand: 'Basic', think_level: 'High', feel_level: 'Low' },
      ]);
      const values = newConversationValues('chatbot');
      const lowOnly = GREETINGS.filter((greeting) => greeting.think_level === 'Low');
      await expect(conversations.startOnFreeSlot(values, 'Basic', lowOnly)).resolves.toMatchObject({
        thinkLevel: 'High',
      });
      expect(await turnsOf(values.id)).toEqual([]);
    });
  });

  describe('ConditionAllocator', () => {
    it('opens blocks only when no free slot is left, and gives up with CHAT.CONDITION_UNAVAILABLE when even they cannot be claimed', async () => {
      const error: unknown = await allocator.claim('random', () => Promise.resolve(undefined)).catch((e) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(ErrorCode.ChatConditionUnavailable);
      expect((error as AppError).retryable).toBe(true);
      // The opening was rolled back with the failed claim: nothing half-done is left.
      expect(await count('condition_slot')).toBe(0);
      // A draw that succeeds leaves its one opening: 4 blocks of the 8 arms.
      await draw('random');
      expect(await count('condition_slot')).toBe(32);
      const blocks = await dataSource.query<{ block_no: number; arms: number; slots: number }[]>(
        `SELECT block_no, count(DISTINCT (brand, think_level, feel_level))::int AS arms, count(*)::int AS slots
           FROM condition_slot GROUP BY block_no ORDER BY block_no`,
      );
      expect(blocks).toEqual([1, 2, 3, 4].map((block_no) => ({ block_no, arms: 8, slots: 8 })));
    });

    it('gives a draw the slots it opened even when other draws take every free slot the moment they appear', async () => {
      // Another process, on another connection, claims every free slot right after each opening.
      class RacedSlots extends ConditionSlotRepository {
        override async openBlocks(...args: Parameters<ConditionSlotRepository['openBlocks']>): Promise<void> {
          await super.openBlocks(...args);
          await dataSource.query(
            'UPDATE condition_slot SET conversation_id = gen_random_uuid() WHERE conversation_id IS NULL',
          );
        }
      }
      const raced = new ConditionAllocator(new RacedSlots(dataSource));
      const values = newConversationValues();
      const drawn = await raced.claim('random', (query) =>
        conversations.startOnFreeSlot(values, 'random', GREETINGS, query),
      );
      expect(drawn.id).toBe(values.id);
      expect(await count('condition_slot', 'conversation_id = $1', [values.id])).toBe(1);
    });

    it('lets draws that wait for an opening claim without the lock: one commit at a time is not a queue', async () => {
      // Another process is opening the scope's blocks: it holds the opening lock on a connection of its own.
      const opener = dataSource.createQueryRunner();
      await opener.connect();
      await opener.startTransaction();
      await opener.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['condition_slot:random']);
      const claimsUnderLock: boolean[] = [];
      const drawn = Array.from({ length: 12 }, () => {
        const values = newConversationValues();
        return allocator.claim('random', (query) => {
          claimsUnderLock.push(query !== undefined);
          return conversations.startOnFreeSlot(values, 'random', GREETINGS, query);
        });
      });
      const advisoryWaits = async (): Promise<number> =>
        (
          await dataSource.query<{ n: number }[]>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database()",
          )
        )[0].n;
      for (let i = 0; i < 100 && (await advisoryWaits()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await slots.openBlocks('random', newBlocks('random'), (text, values) => opener.query(text, values));
      await opener.commitTransaction();
      await opener.release();
      expect(new Set((await Promise.all(drawn)).map((conversation) => conversation.id)).size).toBe(12);
      // The opener's 32 slots were enough: every waiter claimed on the pool, none inside the lock one by one.
      expect(claimsUnderLock.filter(Boolean)).toEqual([]);
      expect(await count('condition_slot')).toBe(32);
    });

    it('opens twice the blocks it opened within the last 2 s, so a burst is not fed 32 slots at a time', async () => {
      for (let i = 0; i < 33; i++) await draw('random');
      // The first opening: 4 blocks; its 32 slots gone within the second, the next opening takes 8.
      expect(await count('condition_slot')).toBe(32 + 64);
      await dataSource.query("UPDATE condition_slot SET created_at = created_at - interval '1 minute'");
      await dataSource.query(
        'UPDATE condition_slot SET conversation_id = gen_random_uuid() WHERE conversation_id IS NULL',
      );
      await draw('random');
      // Openings a minute old do not count: a quiet scope is back to 4 blocks.
      expect(await count('condition_slot')).toBe(32 + 64 + 32);
    });

    it('reads as many buffers per draw after 24,000 given-out slots as after 8,000 (no walk over claimed ones)', async () => {
      /** Shared buffers one statement touched, from its plan: a count, not a time, so the same on any machine. */
      const buffersOf = async (text: string, values: unknown[]): Promise<number> => {
        type Explained = { 'QUERY PLAN': [{ Plan: Record<string, number> }] };
        const [explained] = await dataSource.query<Explained[]>(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
          values,
        );
        const { Plan: plan } = explained['QUERY PLAN'][0];
        return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
      };
      /** Gives out `blocks` blocks' slots, opens 4 more and reads the buffers of a claim and a "has a free slot?". */
      const afterGivingOut = async (blocks: number) => {
        const giveOutEveryFreeSlot = () =>
          dataSource.query(
            'UPDATE condition_slot SET conversation_id = gen_random_uuid() WHERE conversation_id IS NULL',
          );
        // Openings as the allocator makes them: only when no slot is free, at most MAX_BLOCKS_PER_OPENING at once.
        for (let opened = 0; opened < blocks; opened += MAX_BLOCKS_PER_OPENING) {
          await giveOutEveryFreeSlot();
          await slots.openBlocks('random', newBlocks('random', Math.min(MAX_BLOCKS_PER_OPENING, blocks - opened)));
        }
        await giveOutEveryFreeSlot();
        await slots.openBlocks('random', newBlocks('random', 4));
        const claim = () => buffersOf(`WITH ${takeSlotCte('$1', '$2')} SELECT * FROM taken`, ['random', randomUUID()]);
        await claim(); // the first scan after the updates marks the dead entries it meets; later ones are what draws see
        const hasFree = `SELECT EXISTS (SELECT 1 FROM condition_slot WHERE ${freeSlotCondition('$1')})`;
        // A scan marks dead entries only once no snapshot can still see them: an ANALYZE (autovacuum's, of another
        // table of this database) running meanwhile holds that back for a moment, and the next scans read the dead
        // entries again. The fewest of a few tries is what draws see once it has passed; a walk over claimed slots
        // would read more on every try.
        let fewest = { claim: Infinity, hasFree: Infinity };
        for (let attempt = 0; attempt < 5; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
          fewest = {
            claim: Math.min(fewest.claim, await claim()),
            hasFree: Math.min(fewest.hasFree, await buffersOf(hasFree, ['random'])),
          };
        }
        return fewest;
      };
      // Without VACUUM (as between two autovacuum runs) every claimed slot leaves a dead entry in the free-slot index.
      await dataSource.query('ALTER TABLE condition_slot SET (autovacuum_enabled = false)');
      try {
        const early = await afterGivingOut(1_000);
        const late = await afterGivingOut(2_000);
        expect(late.claim).toBeLessThanOrEqual(early.claim + 2);
        expect(late.hasFree).toBeLessThanOrEqual(early.hasFree + 2);
      } finally {
        await dataSource.query('ALTER TABLE condition_slot RESET (autovacuum_enabled)');
      }
    });

    it('gives exactly 10 conversations to each of the 8 arms for 80 concurrent random draws', async () => {
      const drawn = await Promise.all(Array.from({ length: 80 }, () => draw('random')));
      expect(Object.values(countPerArm(drawn))).toEqual(Array.from({ length: 8 }, () => 10));
      expect(new Set(drawn.map((conversation) => conversation.id)).size).toBe(80);
      expect(await count('conversation', 'entry_point = $1', ['random'])).toBe(80);
      expect(await count('conversation_turn', "kind = 'greeting'")).toBe(80);
      // Slots were taken in block order: blocks 1–10 full, nothing taken beyond them.
      const taken = await dataSource.query<{ block_no: number; n: number }[]>(
        `SELECT block_no, count(*)::int AS n FROM condition_slot WHERE conversation_id IS NOT NULL
          GROUP BY block_no ORDER BY block_no`,
      );
      expect(taken).toEqual(Array.from({ length: 10 }, (_, i) => ({ block_no: i + 1, n: 8 })));
    });

    it.each(BRANDS)('gives each of the 4 %s arms 10 conversations for 40 concurrent draws', async (brand) => {
      const drawn = await Promise.all(Array.from({ length: 40 }, () => draw(brand, 'chatbot')));
      expect(new Set(drawn.map((conversation) => conversation.brand))).toEqual(new Set([brand]));
      expect(Object.values(countPerArm(drawn))).toEqual([10, 10, 10, 10]);
      // A fixed brand's blocks are its own: the random scope has no slot yet.
      expect(await count('condition_slot', "scope = 'random'")).toBe(0);
    });
  });

  describe('findById', () => {
    it('finds a stored conversation by its id, in either letter case', async () => {
      const { id } = await draw();
      await expect(conversations.findById(id)).resolves.toMatchObject({ id, step: 0 });
      await expect(conversations.findById(id.toUpperCase())).resolves.toMatchObject({ id });
    });

    it.each([
      { name: 'an unknown UUID', id: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { name: 'a word', id: 'conversation' },
      { name: 'SQL', id: "' OR 1=1 --" },
      { name: 'a UUID with extra text', id: '0f8fad5b-d9cb-469f-a165-70867728950e; DROP TABLE conversation' },
      { name: 'the nil UUID', id: '00000000-0000-0000-0000-000000000000' },
      { name: 'a number', id: 42 },
      { name: 'an object', id: { id: '0f8fad5b-d9cb-469f-a165-70867728950e' } },
      { name: 'undefined', id: undefined },
      { name: 'null', id: null },
    ])('answers null for $name', async ({ id }) => {
      await draw();
      await expect(conversations.findById(id)).resolves.toBeNull();
      expect(await count('conversation')).toBe(1);
    });
  });

  describe('saveStep', () => {
    /** Each turn of `step` with its stored time and the conversation's creation time, in microseconds. */
    const timesOf = (conversationId: string, step: number) =>
      dataSource.query<{ sender: string; at: string; created: string }[]>(
        `SELECT t.sender, (extract(epoch FROM t.created_at) * 1e6)::bigint::text AS at,
                (extract(epoch FROM c.created_at) * 1e6)::bigint::text AS created
           FROM conversation_turn t JOIN conversation c ON c.id = t.conversation_id
          WHERE t.conversation_id = $1 AND t.step = $2 ORDER BY t.id`,
        [conversationId, step],
      );

    it("stores the participant's turn when it arrived: the server's time on the step before the reply", async () => {
      const { id } = await draw();
      await dataSource.query(`UPDATE conversation SET created_at = now() - interval '1 hour' WHERE id = $1`, [id]);
      await expect(conversations.saveStep({ ...stepWrite(id, 0), handlingMs: 1_500.25 })).resolves.toBe(true);
      const [participant, bot] = await timesOf(id, 0);
      expect([participant.sender, bot.sender]).toEqual(['participant', 'bot']);
      expect(Number(bot.at) - Number(participant.at)).toBe(1_500_250);
      // The reply, the step's move and the completion are on the statement's clock, as before.
      const [{ same }] = await dataSource.query<{ same: boolean }[]>(
        `SELECT c.last_activity_at = t.created_at AS same FROM conversation c JOIN conversation_turn t
            ON t.conversation_id = c.id AND t.sender = 'bot' AND t.step = 0 WHERE c.id = $1`,
        [id],
      );
      expect(same).toBe(true);
    });

    it('never stores a turn before its conversation began, nor after its reply', async () => {
      const fresh = await draw();
      await conversations.saveStep({ ...stepWrite(fresh.id, 0), handlingMs: 3_600_000 });
      const [participant] = await timesOf(fresh.id, 0);
      expect(participant.at).toBe(participant.created);
      for (const handlingMs of [-5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const { id } = await draw();
        await conversations.saveStep({ ...stepWrite(id, 0), handlingMs });
        const [first, reply] = await timesOf(id, 0);
        expect({ handlingMs, gap: Number(reply.at) - Number(first.at) }).toEqual({ handlingMs, gap: 0 });
      }
    });

    it('moves the step, applies the changes and inserts exactly the two turns', async () => {
      const { id } = await draw();
      const changes: StepWrite['changes'] = {
        label: 'B',
        scoreA: 0.1,
        scoreB: 0.7,
        scoreC: 0.15,
        scoreOther: 0.05,
        modelId: 'combot-complaint-classifier',
        modelRevision: 'a1b2c3d4e5f6',
        clientTimerSeconds: 12.5,
      };
      await expect(conversations.saveStep(stepWrite(id, 0, changes))).resolves.toBe(true);
      const row = await rowOf(id);
      expect(row).toMatchObject({ step: 1, ...changes });
      expect(row.lastActivityAt.getTime()).toBeGreaterThanOrEqual(row.createdAt.getTime());
      expect((await turnsOf(id)).filter((turn) => turn.step === 0)).toEqual([
        {
          sender: 'participant',
          kind: 'message',
          step: 0,
          text: 'participant at 0',
          message_type: null,
          response: null,
        },
        {
          sender: 'bot',
          kind: 'reply',
          step: 0,
          text: 'bot at 0',
          message_type: 'HighB',
          response: { reply: 'bot at 0', index: 1 },
        },
      ]);
      expect(await count('conversation_turn', 'conversation_id = $1', [id])).toBe(3); // with the greeting
    });

    it('returns false for a stale step and changes nothing', async () => {
      const { id } = await draw();
      await expect(conversations.saveStep(stepWrite(id, 0, { label: 'A' }))).resolves.toBe(true);
      await expect(conversations.saveStep(stepWrite(id, 0, { label: 'C' }))).resolves.toBe(false);
      await expect(conversations.saveStep(stepWrite(id, 3, { label: 'C' }))).resolves.toBe(false);
      await expect(conversations.saveStep(stepWrite(randomUUID(), 0))).resolves.toBe(false);
      expect(await rowOf(id)).toMatchObject({ step: 1, label: 'A' });
      expect(await count('conversation_turn', 'conversation_id = $1', [id])).toBe(3);
    });

    it('lets exactly one of two concurrent twins store the step', async () => {
      const drawn = await Promise.all(Array.from({ length: 10 }, () => draw()));
      for (const { id } of drawn) {
        const results = await Promise.all([
          conversations.saveStep(stepWrite(id, 0, { label: 'A' })),
          conversations.saveStep(stepWrite(id, 0, { label: 'C' })),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const row = await rowOf(id);
        expect(row.step).toBe(1);
        expect(row.label).toBe(results[0] ? 'A' : 'C');
        expect(await count('conversation_turn', 'conversation_id = $1 AND step = 0', [id])).toBe(2);
      }
    });

    it('stores nothing when one of its writes fails', async () => {
      const { id } = await draw();
      // The turn insert fails (message_type is varchar(32)) after the update matched: the step must not move.
      await expect(
        conversations.saveStep({ ...stepWrite(id, 0, { label: 'A' }), messageType: 'x'.repeat(33) }),
      ).rejects.toThrow(/too long/);
      // The update fails (email is varchar(254)): no turn may be stored.
      await expect(
        conversations.saveStep(stepWrite(id, 0, { email: `${'a'.repeat(250)}@example.org` })),
      ).rejects.toThrow(/too long/);
      expect(await rowOf(id)).toMatchObject({ step: 0, label: null, email: null });
      expect(await count('conversation_turn', 'conversation_id = $1', [id])).toBe(1);
    });

    it('returns false without storing when the step’s turns already exist (unique key)', async () => {
      const { id } = await draw();
      await expect(conversations.saveStep(stepWrite(id, 0, { label: 'A' }))).resolves.toBe(true);
      await dataSource.query('UPDATE conversation SET step = 0 WHERE id = $1', [id]);
      await expect(conversations.saveStep(stepWrite(id, 0, { label: 'C' }))).resolves.toBe(false);
      expect(await rowOf(id)).toMatchObject({ step: 0, label: 'A' });
      expect(await count('conversation_turn', 'conversation_id = $1', [id])).toBe(3);
    });

    it('stores a null client timer over an earlier one: the last turn sent no usable timer', async () => {
      const { id } = await draw();
      await expect(conversations.saveStep(stepWrite(id, 0, { clientTimerSeconds: 12.5 }))).resolves.toBe(true);
      await expect(conversations.saveStep(stepWrite(id, 1, { clientTimerSeconds: null }))).resolves.toBe(true);
      expect(await rowOf(id)).toMatchObject({ step: 2, clientTimerSeconds: null });
    });

    it('times a completion on the database clock: completed_at is the e-mail turn’s time, duration_ms from creation', async () => {
      const { id } = await draw();
      await dataSource.query(
        `UPDATE conversation SET step = 6, created_at = now() - interval '451.25 seconds' WHERE id = $1`,
        [id],
      );
      await conversations.saveStep(
        stepWrite(id, 6, { email: 'jane@pilot.test', status: ConversationStatus.Completed }),
      );
      const [row] = await dataSource.query<{ exact: boolean; duration_ms: number; turn_time: boolean }[]>(
        `SELECT c.completed_at = t.created_at AS turn_time, c.duration_ms,
                c.duration_ms = floor(extract(epoch FROM c.completed_at - c.created_at) * 1000) AS exact
           FROM conversation c JOIN conversation_turn t ON t.conversation_id = c.id AND t.step = 6 AND t.kind = 'reply'
          WHERE c.id = $1`,
        [id],
      );
      expect(row).toEqual({ turn_time: true, exact: true, duration_ms: expect.any(Number) });
      expect(row.duration_ms).toBeGreaterThanOrEqual(451_250);
      expect(row.duration_ms).toBeLessThan(461_250);
    });

    it('leaves the duration of a conversation completed more than 24.8 days after its greeting out of the integer column', async () => {
      const old = await draw();
      await dataSource.query(
        `UPDATE conversation SET step = 6, created_at = now() - interval '30 days' WHERE id = $1`,
        [old.id],
      );
      await conversations.saveStep(stepWrite(old.id, 6, { status: ConversationStatus.Completed }));
      expect(await rowOf(old.id)).toMatchObject({
        status: 'completed',
        durationMs: null,
        completedAt: expect.any(Date),
      });
    });

    it('refuses a completion time or a duration from the caller: the move to completed sets them', async () => {
      const { id } = await draw();
      for (const changes of [{ completedAt: new Date() }, { durationMs: 5 }]) {
        const write = { ...stepWrite(id, 0), changes: changes as unknown as StepWrite['changes'] };
        await expect(conversations.saveStep(write)).rejects.toThrow(/set by the move to completed/);
      }
      expect((await rowOf(id)).step).toBe(0);
    });

    it('refuses a change that names no column, before touching the database', async () => {
      const { id } = await draw();
      const write = { ...stepWrite(id, 0), changes: { nickname: 'x' } as unknown as StepWrite['changes'] };
      await expect(conversations.saveStep(write)).rejects.toThrow(/no column for nickname/);
      expect((await rowOf(id)).step).toBe(0);
    });
  });

  describe('storedReply', () => {
    it('returns the stored response of an answered step, null otherwise', async () => {
      const { id } = await draw();
      await conversations.saveStep(stepWrite(id, 0));
      await conversations.saveStep({ ...stepWrite(id, 1), response: { reply: 'second', index: 2, isHtml: true } });
      await expect(conversations.storedReply(id, 0)).resolves.toEqual({ reply: 'bot at 0', index: 1 });
      await expect(conversations.storedReply(id, 1)).resolves.toEqual({ reply: 'second', index: 2, isHtml: true });
      await expect(conversations.storedReply(id, 2)).resolves.toBeNull();
      await expect(conversations.storedReply(randomUUID(), 0)).resolves.toBeNull();
    });
  });

  describe('recordClosingPrompt', () => {
    const atEmailStep = async (): Promise<string> => {
      const { id } = await draw();
      await dataSource.query('UPDATE conversation SET step = $2 WHERE id = $1', [id, Step.Email]);
      return id;
    };
    const promptsOf = async (id: string) => (await turnsOf(id)).filter((turn) => turn.kind === 'closing_prompt');

    it('stores nothing before the e-mail step: the transcript would say the prompt was shown', async () => {
      const { id } = await draw();
      await conversations.recordClosingPrompt(id, 'Your email, please.');
      expect(await promptsOf(id)).toEqual([]);
    });

    it('stores nothing on a conversation erased while the prompt waited for its row', async () => {
      const id = await atEmailStep();
      const eraser = dataSource.createQueryRunner();
      await eraser.connect();
      await eraser.startTransaction();
      try {
        await eraser.query('SELECT id FROM conversation WHERE id = $1 FOR UPDATE', [id]);
        await eraser.query('UPDATE conversation SET erased_at = now() WHERE id = $1', [id]);
        const prompt = conversations.recordClosingPrompt(id, 'Your email, please.');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await eraser.commitTransaction();
        await prompt;
      } finally {
        await eraser.release();
      }
      expect(await promptsOf(id)).toEqual([]);
    });

    it('stores the prompt once however often (and however concurrently) it is recorded', async () => {
      const id = await atEmailStep();
      await conversations.recordClosingPrompt(id, 'Your email, please.');
      await Promise.all([
        conversations.recordClosingPrompt(id, 'Your email, please.'),
        conversations.recordClosingPrompt(id, 'Your email, please.'),
      ]);
      await conversations.recordClosingPrompt(id, 'A different text');
      const prompts = (await turnsOf(id)).filter((turn) => turn.kind === 'closing_prompt');
      expect(prompts).toEqual([
        {
          sender: 'bot',
          kind: 'closing_prompt',
          step: 6,
          text: 'Your email, please.',
          message_type: null,
          response: null,
        },
      ]);
    });
  });

  describe('inProgressOfOtherVersions', () => {
    it('counts, per version, the conversations in progress and not erased that began under another version', async () => {
      const rows = await Promise.all(Array.from({ length: 6 }, () => draw()));
      const [current, old1, old2, older, oldCompleted, oldErased] = rows;
      const setVersion = (id: string, version: string) =>
        dataSource.query('UPDATE conversation SET content_version = $2 WHERE id = $1', [id, version]);
      await setVersion(current.id, 'v3+33333333');
      for (const { id } of [old1, old2, oldCompleted, oldErased]) await setVersion(id, 'v2+22222222');
      await setVersion(older.id, 'v1+11111111');
      await setStatus(oldCompleted.id, ConversationStatus.Completed);
      await conversations.erase({ id: oldErased.id });

      await expect(conversations.inProgressOfOtherVersions('v3+33333333')).resolves.toEqual([
        { version: 'v2+22222222', count: 2 },
        { version: 'v1+11111111', count: 1 },
      ]);
      await expect(conversations.inProgressOfOtherVersions('v2+22222222')).resolves.toEqual([
        { version: 'v1+11111111', count: 1 },
        { version: 'v3+33333333', count: 1 },
      ]);
    });
  });

  describe('abandonStale and abandon', () => {
    const idleFor = (id: string, seconds: number) =>
      dataSource.query(`UPDATE conversation SET last_activity_at = now() - make_interval(secs => $2) WHERE id = $1`, [
        id,
        seconds,
      ]);
    const statusOf = async (id: string) => (await rowOf(id)).status;

    it('abandons only in-progress conversations idle past the TTL, idempotently', async () => {
      const [active, stale, completed, abandoned] = await Promise.all(Array.from({ length: 4 }, () => draw()));
      await setStatus(completed.id, ConversationStatus.Completed);
      await setStatus(abandoned.id, ConversationStatus.Abandoned);
      await idleFor(active.id, 60);
      for (const { id } of [stale, completed, abandoned]) await idleFor(id, 7200);

      await expect(conversations.abandonStale(3600)).resolves.toBe(1);
      const staleRow = await rowOf(stale.id);
      await expect(conversations.abandonStale(3600)).resolves.toBe(0);
      expect(await statusOf(active.id)).toBe(ConversationStatus.InProgress);
      expect(await statusOf(stale.id)).toBe(ConversationStatus.Abandoned);
      expect(await statusOf(completed.id)).toBe(ConversationStatus.Completed);
      expect(await statusOf(abandoned.id)).toBe(ConversationStatus.Abandoned);
      // Why and when, on the database's clock; a second sweep leaves both as the first wrote them.
      expect(staleRow).toMatchObject({ abandonReason: AbandonReason.Idle, abandonedAt: expect.any(Date) });
      expect(Math.abs(staleRow.abandonedAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await rowOf(stale.id)).toMatchObject({ abandonedAt: staleRow.abandonedAt });
      for (const { id } of [active, completed]) {
        expect(await rowOf(id)).toMatchObject({ abandonReason: null, abandonedAt: null });
      }
    });

    it('abandon touches an in-progress conversation only', async () => {
      const [inProgress, completed] = await Promise.all([draw(), draw()]);
      await setStatus(completed.id, ConversationStatus.Completed);
      await conversations.abandon(inProgress.id);
      await conversations.abandon(completed.id);
      await conversations.abandon(randomUUID());
      expect(await statusOf(inProgress.id)).toBe(ConversationStatus.Abandoned);
      expect(await statusOf(completed.id)).toBe(ConversationStatus.Completed);
      expect(await rowOf(inProgress.id)).toMatchObject({
        abandonReason: AbandonReason.Reset,
        abandonedAt: expect.any(Date),
      });
      expect(await rowOf(completed.id)).toMatchObject({ abandonReason: null, abandonedAt: null });
    });

    it('a step answered on an abandoned conversation brings it back in progress: a participant came back', async () => {
      const conversation = await draw();
      await conversations.abandon(conversation.id);
      await expect(
        conversations.saveStep({
          conversationId: conversation.id,
          step: 0,
          participantText: 'I am back',
          replyText: 'a question',
          messageType: 'HighB',
          response: { reply: 'a question' },
          handlingMs: 0,
          changes: { label: 'B', scoreA: 0.1, scoreB: 0.7, scoreC: 0.1, scoreOther: 0.1 },
        }),
      ).resolves.toBe(true);
      expect(await statusOf(conversation.id)).toBe(ConversationStatus.InProgress);
      // Status, reason and time never disagree: back in progress, it is no longer abandoned for any reason.
      expect(await rowOf(conversation.id)).toMatchObject({ abandonReason: null, abandonedAt: null });
    });

    it('an e-mail given on an abandoned conversation completes it, no longer abandoned for any reason', async () => {
      const conversation = await draw();
      for (let step = 0; step <= 5; step++) {
        const changes: StepWrite['changes'] =
          step === 0 ? { label: 'B', scoreA: 0.1, scoreB: 0.7, scoreC: 0.1, scoreOther: 0.1 } : {};
        await expect(conversations.saveStep(stepWrite(conversation.id, step, changes))).resolves.toBe(true);
      }
      await conversations.abandon(conversation.id);
      const write = stepWrite(conversation.id, 6, { email: 'back@example.org', status: ConversationStatus.Completed });
      await expect(conversations.saveStep(write)).resolves.toBe(true);
      expect(await rowOf(conversation.id)).toMatchObject({
        status: ConversationStatus.Completed,
        abandonReason: null,
        abandonedAt: null,
      });
    });
  });

  /** A conversation answered through step 6, as a participant who gave `email` leaves it. */
  async function completed(email: string): Promise<ConversationEntity> {
    const conversation = await draw();
    for (let step = 0; step <= 6; step++) {
      const changes: StepWrite['changes'] =
        step === 0 ? { label: 'B', scoreA: 0.1, scoreB: 0.7, scoreC: 0.1, scoreOther: 0.1 } : {};
      if (step === 6) Object.assign(changes, { email, status: ConversationStatus.Completed });
      const write = stepWrite(conversation.id, step, changes);
      if (step === 6) write.participantText = email;
      // The client asks for the e-mail prompt while the conversation waits for the e-mail.
      if (step === 6) await conversations.recordClosingPrompt(conversation.id, 'Your email, please.');
      await expect(conversations.saveStep(write)).resolves.toBe(true);
    }
    return rowOf(conversation.id);
  }

  describe('erase', () => {
    it('deletes the transcript and the personal fields, keeps the tombstone and its slot, once', async () => {
      const [gone, kept] = [await completed('Jane@Example.org'), await completed('other@example.org')];
      const slotsBefore = await dataSource.query('SELECT * FROM condition_slot ORDER BY id');

      const [erased] = await conversations.erase({ id: gone.id });
      expect(erased).toEqual({ id: gone.id, erasedAt: expect.any(Date), changed: true, matchedBy: 'id' });
      expect(await turnsOf(gone.id)).toEqual([]);
      const row = await rowOf(gone.id);
      expect(row).toMatchObject({ email: null, completionCode: null, erasedAt: erased.erasedAt });
      // The tombstone: condition, progress, outcome and times as they were.
      const { email: _e, completionCode: _c, erasedAt: _a, updatedAt: _u, ...rest } = gone;
      expect(row).toMatchObject(rest);
      expect(await dataSource.query('SELECT * FROM condition_slot ORDER BY id')).toEqual(slotsBefore);
      // The other participant is untouched.
      expect(await rowOf(kept.id)).toEqual(kept);
      expect(await turnsOf(kept.id)).toHaveLength(1 + 7 * 2 + 1);

      // Again: found, nothing changes (not even updated_at).
      const before = await rowOf(gone.id);
      await expect(conversations.erase({ id: gone.id })).resolves.toEqual([
        { id: gone.id, erasedAt: erased.erasedAt, changed: false, matchedBy: 'id' },
      ]);
      expect(await rowOf(gone.id)).toEqual(before);
    });

    it('erases every conversation that carries an e-mail, in any letter case', async () => {
      const first = await completed('jane@example.org');
      const second = await completed('JANE@example.ORG');
      const other = await completed('john@example.org');
      const erased = await conversations.erase({ email: '  Jane@Example.org ' });
      expect(erased.map(({ id }) => id).sort()).toEqual([first.id, second.id].sort());
      expect(erased.every(({ changed, matchedBy }) => changed && matchedBy === 'email')).toBe(true);
      expect(await count('conversation', 'email IS NULL AND erased_at IS NOT NULL')).toBe(2);
      expect((await rowOf(other.id)).email).toBe('john@example.org');
      await expect(conversations.erase({ email: 'jane@example.org' })).resolves.toEqual([]);
    });

    it('finds nothing for an unknown or malformed id', async () => {
      await completed('jane@example.org');
      await expect(conversations.erase({ id: randomUUID() })).resolves.toEqual([]);
      await expect(conversations.erase({ id: 'not-a-uuid' })).resolves.toEqual([]);
      await expect(conversations.erase({ id: "x' OR true --" })).resolves.toEqual([]);
      expect(await count('conversation', 'erased_at IS NOT NULL')).toBe(0);
    });

    it('also deletes the turns of a step stored while the erasure waited for the row', async () => {
      const { id } = await draw();
      const storing = dataSource.createQueryRunner();
      await storing.connect();
      try {
        // A step being stored: the row locked, its turn written, not committed yet.
        await storing.startTransaction();
        await storing.query('UPDATE conversation SET step = 7 WHERE id = $1', [id]);
        await storing.query(
          `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text) VALUES ($1, 'participant', 'message', 6, 'late@example.org')`,
          [id],
        );
        const erasing = conversations.erase({ id });
        for (
          let i = 0;
          i < 100 &&
          (await count('pg_stat_activity', "datname = current_database() AND wait_event_type = 'Lock'")) === 0;
          i++
        )
          await new Promise((resolve) => setTimeout(resolve, 50));
        await storing.commitTransaction();
        await expect(erasing).resolves.toEqual([{ id, erasedAt: expect.any(Date), changed: true, matchedBy: 'id' }]);
      } finally {
        await storing.release();
      }
      expect(await turnsOf(id)).toEqual([]);
    });

    it('stores no later step of an erased conversation', async () => {
      const { id } = await draw();
      await expect(conversations.saveStep(stepWrite(id, 0, { label: 'A' }))).resolves.toBe(true);
      await conversations.erase({ id });
      await expect(conversations.saveStep(stepWrite(id, 1))).resolves.toBe(false);
      expect(await turnsOf(id)).toEqual([]);
      expect((await rowOf(id)).step).toBe(1);
    });
  });

  describe('ageOut', () => {
    const DAY = 24 * 3600 * 1000;
    const cutoff = new Date(Date.now() - 30 * DAY);
    const createdDaysAgo = (id: string, days: number) =>
      dataSource.query(`UPDATE conversation SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [
        id,
        days,
      ]);

    async function seed(): Promise<{ old: ConversationEntity[]; recent: ConversationEntity }> {
      const old = [await completed('old.one@example.org'), await completed('old.two@example.org')];
      const recent = await completed('recent@example.org');
      for (const { id } of old) await createdDaysAgo(id, 31);
      await createdDaysAgo(recent.id, 29);
      return { old, recent };
    }

    it('clears the e-mails of conversations created before the cut-off, in the row and the transcript, once', async () => {
      const { old, recent } = await seed();
      const recentTurns = await turnsOf(recent.id);
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      for (const { id, completionCode } of old) {
        expect(await rowOf(id)).toMatchObject({ email: null, completionCode, erasedAt: null });
        const turns = await turnsOf(id);
        expect(turns).toHaveLength(1 + 7 * 2 + 1);
        expect(turns.filter((turn) => turn.text === '[gone]')).toEqual([
          expect.objectContaining({ sender: 'participant', step: 6 }),
        ]);
        expect(JSON.stringify(turns)).not.toContain('@example.org');
      }
      expect((await rowOf(recent.id)).email).toBe('recent@example.org');
      expect(await turnsOf(recent.id)).toEqual(recentTurns);
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('also redacts a step-6 turn of an old conversation whose e-mail was cleared before it was stored', async () => {
      const { old } = await seed();
      await dataSource.query('UPDATE conversation SET email = NULL WHERE id = $1', [old[0].id]);
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      expect(JSON.stringify(await turnsOf(old[0].id))).not.toContain('@example.org');
    });

    it('deletes the transcripts too when asked, keeping the rest of the row', async () => {
      const { old, recent } = await seed();
      await expect(conversations.ageOut(cutoff, true, '[gone]')).resolves.toBe(2);
      for (const conversation of old) {
        expect(await turnsOf(conversation.id)).toEqual([]);
        expect(await rowOf(conversation.id)).toMatchObject({
          email: null,
          label: 'B',
          status: ConversationStatus.Completed,
          completionCode: conversation.completionCode,
        });
      }
      expect(await turnsOf(recent.id)).toHaveLength(1 + 7 * 2 + 1);
      await expect(conversations.ageOut(cutoff, true, '[gone]')).resolves.toBe(0);
    });

    /** Replaces what the participant typed at `step` of a conversation. */
    const typed = (id: string, step: number, text: string) =>
      dataSource.query(
        `UPDATE conversation_turn SET text = $3 WHERE conversation_id = $1 AND step = $2 AND sender = 'participant'`,
        [id, step, text],
      );
    const typedAt = async (id: string, step: number): Promise<string | undefined> =>
      (await turnsOf(id)).find((turn) => turn.sender === 'participant' && turn.step === step)?.text;

    it('replaces every address the participant typed in any turn, each where the export finds it, once', async () => {
      const { old, recent } = await seed();
      await typed(old[0].id, 2, 'write me at Old.One@Example.org please');
      await typed(old[0].id, 3, 'or <backup+1@mail.example.co.uk>, or old.one@example.org; at home @ 5pm, x@y');
      await typed(old[1].id, 1, 'ask jörg@Beispiel.de.');
      await typed(recent.id, 2, 'recent@example.org again');
      const recentTurns = await turnsOf(recent.id);

      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      expect(await typedAt(old[0].id, 2)).toBe('write me at [gone] please');
      expect(await typedAt(old[0].id, 3)).toBe('or <[gone]>, or [gone]; at home @ 5pm, x@y');
      expect(await typedAt(old[1].id, 1)).toBe('ask [gone].');
      expect(await typedAt(old[1].id, 2)).toBe('participant at 2');
      expect(await turnsOf(recent.id)).toEqual(recentTurns);
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('replaces addresses whose domain is in another script as the export finds them', async () => {
      const { old } = await seed();
      await typed(old[0].id, 1, 'a zoe@uni-köln.de b');
      await typed(old[0].id, 2, 'a carol@例え.jp b, a ZOE@UNI-KÖLN.DE b');
      await typed(old[0].id, 3, 'mail: Zoë.Test@Uni-Köln.de');
      await typed(old[1].id, 1, 'почта: иван@почта.рф, or ivan@xn--80a1acny.xn--p1ai');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      expect(await typedAt(old[0].id, 1)).toBe('a [gone] b');
      expect(await typedAt(old[0].id, 2)).toBe('a [gone] b, a [gone] b');
      expect(await typedAt(old[0].id, 3)).toBe('mail: [gone]');
      expect(await typedAt(old[1].id, 1)).toBe('почта: [gone], or [gone]');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('replaces an address the bot echoed too, in its text and in the reply stored for replays', async () => {
      const { old } = await seed();
      await dataSource.query(
        `UPDATE conversation_turn SET text = $2, response = jsonb_build_object('reply', $2::text, 'index', 3)
          WHERE conversation_id = $1 AND step = 2 AND sender = 'bot'`,
        [old[0].id, 'So we write to Old.One@Example.org, right?'],
      );
      // Right after a line break: in the stored JSON the address follows `\\n`.
      await dataSource.query(
        `UPDATE conversation_turn SET text = $2, response = jsonb_build_object('reply', $2::text, 'log', jsonb_build_array($2::text))
          WHERE conversation_id = $1 AND step = 3 AND sender = 'bot'`,
        [old[0].id, 'Noted:\nold.one@example.org'],
      );
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      const [echo] = await dataSource.query<{ text: string; response: object }[]>(
        `SELECT text, response FROM conversation_turn WHERE conversation_id = $1 AND step = 2 AND sender = 'bot'`,
        [old[0].id],
      );
      expect(echo).toEqual({
        text: 'So we write to [gone], right?',
        response: { reply: 'So we write to [gone], right?', index: 3 },
      });
      const [afterBreak] = await dataSource.query<{ text: string; response: object }[]>(
        `SELECT text, response FROM conversation_turn WHERE conversation_id = $1 AND step = 3 AND sender = 'bot'`,
        [old[0].id],
      );
      expect(afterBreak).toEqual({
        text: 'Noted:\n[gone]',
        response: { reply: 'Noted:\n[gone]', log: ['Noted:\n[gone]'] },
      });
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('keeps what the participant typed right before their own address, and replaces another address whole', async () => {
      const { old } = await seed();
      // The address pattern takes such text into the local part; the participant's own e-mail says where it starts.
      await typed(old[0].id, 2, '我的邮箱是old.one@example.org');
      await typed(old[0].id, 3, "it's 'Old.One@example.org' or email=old.one@example.org");
      await typed(old[0].id, 4, '是other@example.org, x.old.one@example.org');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      expect(await typedAt(old[0].id, 2)).toBe('我的邮箱是[gone]');
      expect(await typedAt(old[0].id, 3)).toBe("it's '[gone]' or email=[gone]");
      expect(await typedAt(old[0].id, 4)).toBe('[gone], [gone]');
      expect(JSON.stringify(await turnsOf(old[0].id))).not.toContain('example.org');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('counts a conversation whose only address left is one typed outside step 6', async () => {
      const { old } = await seed();
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      await typed(old[1].id, 4, 'p.s. Old.Two@example.org');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(1);
      expect(await typedAt(old[1].id, 4)).toBe('p.s. [gone]');
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });

    it('replaces the typed addresses of a study with more such turns than one read holds', async () => {
      const { old, recent } = await seed();
      await dataSource.query(
        `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text)
         SELECT c.id, 'participant', 'message', s, 'mail p' || s || '@example.org, home @ ' || s
           FROM unnest($1::uuid[]) AS c(id) CROSS JOIN generate_series(100, 1299) AS s`,
        [old.map(({ id }) => id)],
      );
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(2);
      expect(
        await count('conversation_turn', `text LIKE '%@example.org%' AND conversation_id <> $1`, [recent.id]),
      ).toBe(0);
      expect(await count('conversation_turn', `text LIKE 'mail [gone], home @ %'`)).toBe(2 * 1200);
      await expect(conversations.ageOut(cutoff, false, '[gone]')).resolves.toBe(0);
    });
  });

  describe('AdminAuditRepository', () => {
    it('adds one row per action, stamped with the time', async () => {
      const before = new Date();
      await audit.record({ actor: 'scheduler', action: 'retention', rows: 3, details: { days: 30 } });
      await audit.record({ actor: 'cli', action: 'erase', rows: 0, details: { by: 'email', conversations: [] } });
      expect(await auditRows()).toEqual([
        { actor: 'scheduler', action: 'retention', rows: 3, details: { days: 30 } },
        { actor: 'cli', action: 'erase', rows: 0, details: { by: 'email', conversations: [] } },
      ]);
      const [{ at }] = await dataSource.query<{ at: Date }[]>('SELECT at FROM admin_audit ORDER BY id LIMIT 1');
      expect(at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    });
  });

  describe('countByArmStatusAndOrigin', () => {
    it('counts the stored conversations per arm, status and origin', async () => {
      const drawn = await Promise.all(Array.from({ length: 16 }, () => draw('random')));
      // Two blocks of 8: each arm twice. Complete the first of every arm, abandon the second of Basic/High/High.
      const firstOfArm = new Map<string, ConversationEntity>();
      for (const conversation of drawn) {
        if (!firstOfArm.has(armKey(conversation))) firstOfArm.set(armKey(conversation), conversation);
      }
      for (const { id } of firstOfArm.values()) await setStatus(id, ConversationStatus.Completed);
      const second = drawn.find((c) => armKey(c) === 'Basic/High/High' && firstOfArm.get(armKey(c)) !== c);
      expect(second).toBeDefined();
      await conversations.abandon((second as ConversationEntity).id);
      // A first turn with no greeting before it (a load test) starts one more, counted apart.
      const loadTest = await allocator.claim('random', (query) =>
        conversations.startOnFreeSlot(newConversationValues('random', 'no_greeting'), 'random', GREETINGS, query),
      );

      const counts = await conversations.countByArmStatusAndOrigin();
      const expected: ArmStatusCount[] = BRANDS.flatMap((brand) =>
        LEVELS.flatMap((think) =>
          LEVELS.flatMap((feel) => {
            const isAbandoned = `${brand}/${think}/${feel}` === 'Basic/High/High';
            const origin = 'greeting';
            return [
              { brand, think_level: think, feel_level: feel, status: ConversationStatus.Completed, origin, count: 1 },
              {
                brand,
                think_level: think,
                feel_level: feel,
                status: isAbandoned ? ConversationStatus.Abandoned : ConversationStatus.InProgress,
                origin,
                count: 1,
              },
            ];
          }),
        ),
      );
      expected.push({
        brand: loadTest.brand,
        think_level: loadTest.thinkLevel,
        feel_level: loadTest.feelLevel,
        status: ConversationStatus.InProgress,
        origin: 'no_greeting',
        count: 1,
      });
      const order = (rows: typeof counts) =>
        [...rows].sort((a, b) =>
          `${a.brand}${a.think_level}${a.feel_level}${a.status}${a.origin}`.localeCompare(
            `${b.brand}${b.think_level}${b.feel_level}${b.status}${b.origin}`,
          ),
        );
      expect(order(counts)).toEqual(order(expected));
    });

    it('answers an empty list for an empty table', async () => {
      await expect(conversations.countByArmStatusAndOrigin()).resolves.toEqual([]);
    });
  });

  describe('exportPage', () => {
    /** Creation times with microseconds, as PostgreSQL's now() stores them; b–e fall in the same millisecond. */
    const CREATED = [
      '2026-03-02 10:00:00.100250+00',
      '2026-03-02 10:00:00.200500+00',
      '2026-03-02 10:00:00.200500+00',
      '2026-03-02 10:00:00.200500+00',
      '2026-03-02 10:00:00.200900+00',
      '2026-03-02 10:00:01.000001+00',
      '2026-03-02 10:00:02+00',
    ];

    /** Seven conversations at the times above; the 2nd and 6th completed. */
    async function seed(): Promise<ConversationEntity[]> {
      const drawn: ConversationEntity[] = [];
      for (const createdAt of CREATED) {
        const conversation = await draw();
        await dataSource.query('UPDATE conversation SET created_at = $2 WHERE id = $1', [conversation.id, createdAt]);
        drawn.push(conversation);
      }
      for (const index of [1, 5]) await setStatus(drawn[index].id, ConversationStatus.Completed);
      return drawn;
    }

    /** Every page, each from the last row of the one before, as the export service reads them. */
    async function readAll(query: ExportQuery, limit: number): Promise<ExportRow[]> {
      const rows: ExportRow[] = [];
      let after: ExportCursor | null = null;
      for (let page = 0; page <= CREATED.length + 1; page++) {
        const next = await conversations.exportPage(query, after, limit);
        expect(next.length).toBeLessThanOrEqual(limit);
        rows.push(...next);
        if (next.length < limit) return rows;
        const last = next[next.length - 1];
        after = { createdAt: last.created_at as Date, id: last.id as string };
      }
      throw new Error(`paging did not end after ${CREATED.length + 2} pages of ${limit}`);
    }

    /** The (created_at, id) order as the export shows it: creation time as read, then id. */
    const exportOrder = (rows: { id: string; createdAt: Date }[]): string[] =>
      [...rows]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((row) => row.id);

    const storedTimes = async (): Promise<{ id: string; createdAt: Date; status: string }[]> =>
      (
        await dataSource.query<{ id: string; created_at: Date; status: string }[]>(
          'SELECT id, created_at, status FROM conversation',
        )
      ).map((row) => ({ id: row.id, createdAt: row.created_at, status: row.status }));

    it.each([1, 2, 3, 7, 50])('pages of %i give every conversation once, in (created_at, id) order', async (limit) => {
      await seed();
      const stored = await storedTimes();
      const ids = (await readAll({}, limit)).map((row) => row.id);
      // The cursor is the last row's created_at as read (milliseconds) while PostgreSQL keeps microseconds.
      expect([...ids].sort()).toEqual(stored.map((row) => row.id).sort());
      expect(ids).toEqual(exportOrder(stored));
    });

    it('filters by status and by creation time, across pages', async () => {
      const drawn = await seed();
      const stored = await storedTimes();
      const completed = await readAll({ status: ConversationStatus.Completed }, 1);
      expect(completed.map((row) => row.id)).toEqual([drawn[1].id, drawn[5].id]);
      expect(completed.every((row) => row.status === 'completed')).toBe(true);

      const since = new Date('2026-03-02T10:00:00.200Z');
      const recent = await readAll({ since }, 2);
      expect(recent.map((row) => row.id)).toEqual(exportOrder(stored.filter((row) => row.id !== drawn[0].id)));

      const both = await readAll(
        { status: ConversationStatus.InProgress, since: new Date('2026-03-02T10:00:00.5Z') },
        2,
      );
      expect(both.map((row) => row.id)).toEqual([drawn[6].id]);
    });

    it('filters by arm, label (unclassified too) and an end time, as the console browser does', async () => {
      const drawn = await seed();
      await dataSource.query(`UPDATE conversation SET label = 'B' WHERE id = ANY($1)`, [[drawn[2].id, drawn[4].id]]);
      const [arm] = await dataSource.query<{ brand: string; think_level: string; feel_level: string }[]>(
        'SELECT brand, think_level, feel_level FROM conversation WHERE id = $1',
        [drawn[3].id],
      );
      const ids = async (query: ExportQuery): Promise<string[]> =>
        (await readAll(query, 2)).map((row) => row.id as string).sort();
      const where = async (sql: string, params: unknown[] = []): Promise<string[]> =>
        (await dataSource.query<{ id: string }[]>(`SELECT id FROM conversation WHERE ${sql} ORDER BY id`, params)).map(
          (row) => row.id,
        );
      expect(await ids({ label: 'B' })).toEqual([drawn[2].id, drawn[4].id].sort());
      expect(await ids({ label: 'unclassified' })).toEqual(await where('label IS NULL'));
      expect(
        await ids({
          brand: arm.brand as Brand,
          thinkLevel: arm.think_level as Level,
          feelLevel: arm.feel_level as Level,
        }),
      ).toEqual(
        await where('brand = $1 AND think_level = $2 AND feel_level = $3', [
          arm.brand,
          arm.think_level,
          arm.feel_level,
        ]),
      );
      // `until` is exclusive; with `since` a window.
      expect(await ids({ until: new Date('2026-03-02T10:00:00.200Z') })).toEqual([drawn[0].id]);
      expect(await ids({ since: new Date('2026-03-02T10:00:00.2Z'), until: new Date('2026-03-02T10:00:01Z') })).toEqual(
        [drawn[1].id, drawn[2].id, drawn[3].id, drawn[4].id].sort(),
      );
    });

    it('carries every column and the transcript in step order', async () => {
      const { id } = await draw();
      await conversations.saveStep(stepWrite(id, 0, { label: 'B', scoreB: 0.9 }));
      // Inserted out of step order, read back in step order.
      await dataSource.query(
        `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text)
         VALUES ($1, 'bot', 'closing_prompt', 6, 'Your email, please.')`,
        [id],
      );
      await conversations.saveStep({ ...stepWrite(id, 1), messageType: null });
      const [row] = await conversations.exportPage({}, null, 10);
      expect(Object.keys(row).sort()).toEqual([...EXPORT_COLUMNS, 'turns'].sort());
      expect(row).toMatchObject({
        id,
        label: 'B',
        score_b: 0.9,
        step: 2,
        status: 'in_progress',
        entry_point: 'random',
      });
      expect(row.created_at).toBeInstanceOf(Date);
      expect(row.turns.map(({ created_at: _createdAt, ...turn }) => turn)).toEqual([
        { sender: 'bot', kind: 'greeting', step: -1, text: expect.stringMatching(/^Hello from /), message_type: null },
        { sender: 'participant', kind: 'message', step: 0, text: 'participant at 0', message_type: null },
        { sender: 'bot', kind: 'reply', step: 0, text: 'bot at 0', message_type: 'HighB' },
        { sender: 'participant', kind: 'message', step: 1, text: 'participant at 1', message_type: null },
        { sender: 'bot', kind: 'reply', step: 1, text: 'bot at 1', message_type: null },
        { sender: 'bot', kind: 'closing_prompt', step: 6, text: 'Your email, please.', message_type: null },
      ]);
      for (const turn of row.turns) expect(Number.isNaN(Date.parse(turn.created_at))).toBe(false);
    });

    it('writes every turn time as UTC in one format, milliseconds and Z, whatever the session time zone', async () => {
      const { id } = await draw();
      await dataSource.query('UPDATE conversation_turn SET created_at = $2 WHERE conversation_id = $1', [
        id,
        '2026-03-02 10:00:00.2+00',
      ]);
      // Connections under another zone, as a CLI export gets them from a database whose default zone is not UTC.
      const [{ name }] = await dataSource.query<{ name: string }[]>('SELECT current_database() AS name');
      await dataSource.query(`ALTER DATABASE ${name} SET TimeZone = 'America/New_York'`);
      const elsewhere = await new DataSource(dataSource.options).initialize();
      try {
        const [row] = await new ConversationRepository(elsewhere).exportPage({}, null, 10);
        expect(row.turns.map((turn) => turn.created_at)).toEqual(['2026-03-02T10:00:00.200Z']);
      } finally {
        await elsewhere.destroy();
        await dataSource.query(`ALTER DATABASE ${name} RESET TimeZone`);
      }
    });

    it('lets the export service read 1001 conversations once each across its 500-row pages', async () => {
      // One per millisecond, each with a microsecond part, as now() stores them.
      await dataSource.query(
        `INSERT INTO conversation (id, entry_point, brand, think_level, feel_level, content_version, created_at)
         SELECT gen_random_uuid(), 'random', 'Basic', 'High', 'Low', 'test-content.1',
                timestamptz '2026-03-02 10:00:00+00' + make_interval(secs => i * 0.001 + (1 + i % 999) * 0.000001)
           FROM generate_series(1, 1001) AS i`,
      );
      const exporter = new ConversationExportService(new AppConfig({}), conversations, audit);
      const ids: string[] = [];
      for await (const line of exporter.lines({ format: 'jsonl' }, 'cli')) {
        ids.push((JSON.parse(line) as { id: string }).id);
      }
      expect(ids).toHaveLength(1001);
      expect(new Set(ids).size).toBe(1001);
      expect(await auditRows()).toEqual([
        {
          actor: 'cli',
          action: 'export',
          rows: 1001,
          details: {
            format: 'jsonl',
            filters: {
              brand: null,
              thinkLevel: null,
              feelLevel: null,
              status: null,
              abandonReason: null,
              label: null,
              origin: null,
              since: null,
              until: null,
            },
            pseudonymised: false,
            complete: true,
          },
        },
      ]);

      // A reader that stops early (a client that left) is audited too, with the rows it was handed.
      let read = 0;
      for await (const _line of exporter.lines(
        { format: 'csv', status: ConversationStatus.InProgress },
        'key:0a1b2c3d',
      )) {
        if (++read === 3) break;
      }
      expect((await auditRows())[1]).toEqual({
        actor: 'key:0a1b2c3d',
        action: 'export',
        rows: 2, // the header, then two conversations
        details: {
          format: 'csv',
          filters: {
            brand: null,
            thinkLevel: null,
            feelLevel: null,
            status: 'in_progress',
            abandonReason: null,
            label: null,
            origin: null,
            since: null,
            until: null,
          },
          pseudonymised: false,
          complete: false,
        },
      });
    });

    it('gives a conversation without turns an empty transcript', async () => {
      await slots.openBlocks('Basic', [
        { block_offset: 1, position: 0, brand: 'Basic', think_level: 'Low', feel_level: 'Low' },
      ]);
      await conversations.startOnFreeSlot(newConversationValues('chatbot'), 'Basic', []);
      const [row] = await conversations.exportPage({}, null, 10);
      expect(row.turns).toEqual([]);
    });
  });
});
