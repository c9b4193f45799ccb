import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AdminAuditRepository } from '../../src/chat/admin-audit.repository';
import { ConversationStatus } from '../../src/chat/chat.types';
import { ConditionAllocator } from '../../src/chat/condition-allocator';
import { ConditionSlotRepository } from '../../src/chat/condition-slot.repository';
import { ConversationEntity } from '../../src/chat/conversation.entity';
import { ConversationRepository, type StepWrite } from '../../src/chat/conversation.repository';
import { replaceEmails } from '../../src/chat/email-address';
import { EMAIL_REMOVED, ParticipantDataService } from '../../src/chat/participant-data.service';
import { pseudonymOf } from '../../src/chat/pseudonym';
import { AppConfig } from '../../src/config/app-config';
import { closeChatDatabase, openChatDatabase, resetChatTables } from '../support/chat-database';
import { GREETINGS, newConversationValues, stepWrite } from '../support/conversation-writes';
import { checkoutDatabaseName, testDatabaseUrl } from '../support/test-database';

/**
 * Erasure and retention through the service, on a migrated database whose locale is C: the locale the embedded
 * PostgreSQL of `npm start` always has, where the database's own `lower()` folds ASCII letters only.
 */
describe('ParticipantDataService on a C-locale database (real PostgreSQL)', () => {
  const DATABASE = 'combot_participant_data_int_test';
  const DAY = 24 * 3600 * 1000;
  let dataSource: DataSource;
  let conversations: ConversationRepository;
  let allocator: ConditionAllocator;
  let participants: ParticipantDataService;

  async function admin(sql: string): Promise<void> {
    const url = new URL(testDatabaseUrl(DATABASE));
    url.pathname = '/postgres';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    const name = checkoutDatabaseName(DATABASE);
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin(`CREATE DATABASE "${name}" TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
    dataSource = await openChatDatabase(testDatabaseUrl(DATABASE));
    const [database] = await dataSource.query<{ name: string; ctype: string }[]>(
      'SELECT datname AS name, datctype AS ctype FROM pg_database WHERE datname = current_database()',
    );
    expect(database).toEqual({ name: expect.stringMatching(/_test$/), ctype: 'C' });
    conversations = new ConversationRepository(dataSource);
    allocator = new ConditionAllocator(new ConditionSlotRepository(dataSource));
    participants = new ParticipantDataService(
      new AppConfig({ DATA_RETENTION_DAYS: '30', DATA_RETENTION_TRANSCRIPTS: 'false' }),
      conversations,
      new AdminAuditRepository(dataSource),
    );
  }, 60_000);

  afterAll(() => closeChatDatabase(dataSource, DATABASE));

  beforeEach(() => resetChatTables(dataSource));

  /** A conversation answered through step 6 with `email`, with `typed[step]` as the participant's message there. */
  async function completed(email: string, typed: Record<number, string> = {}): Promise<string> {
    const values = newConversationValues();
    const { id } = await allocator.claim('random', (query) =>
      conversations.startOnFreeSlot(values, 'random', GREETINGS, query),
    );
    for (let step = 0; step <= 6; step++) {
      const changes: StepWrite['changes'] = step === 0 ? { label: 'B' } : {};
      if (step === 6) Object.assign(changes, { email, status: ConversationStatus.Completed, completedAt: new Date() });
      const write = stepWrite(id, step, changes);
      write.participantText = step === 6 ? email : (typed[step] ?? write.participantText);
      await expect(conversations.saveStep(write)).resolves.toBe(true);
    }
    return id;
  }

  const emailOf = async (id: string): Promise<string | null> =>
    (await dataSource.getRepository(ConversationEntity).findOneByOrFail({ id })).email;

  const participantTurns = (id: string): Promise<{ step: number; text: string }[]> =>
    dataSource.query(
      `SELECT step, text FROM conversation_turn WHERE conversation_id = $1 AND sender = 'participant' ORDER BY step`,
      [id],
    );

  describe('eraseByEmail', () => {
    it('matches the address in any letter case, accented capitals included, as its pseudonym does', async () => {
      const stored = await completed('émile@exemple.fr');
      const other = await completed('emile@exemple.fr');
      const asked = 'Émile@Exemple.fr';
      // The export gives both spellings one pseudonym: erasure must treat them as one participant too.
      expect(pseudonymOf(asked, 'k'.repeat(16))).toBe(pseudonymOf('émile@exemple.fr', 'k'.repeat(16)));

      const report = await participants.eraseByEmail(asked, 'cli');
      expect(report).toMatchObject({ matched: 1, erased: 1, conversations: [{ id: stored, alreadyErased: false }] });
      expect(await emailOf(stored)).toBeNull();
      expect(await participantTurns(stored)).toEqual([]);
      expect(await emailOf(other)).toBe('emile@exemple.fr');
    });

    it('matches the address whether its accents were typed composed or decomposed, as its pseudonym does', async () => {
      const decomposed = await completed('e\u0301mile@exemple.fr');
      const composed = await completed('\u00e9mile@exemple.fr');

      const report = await participants.eraseByEmail('\u00c9mile@exemple.fr', 'cli');
      expect(report).toMatchObject({ matched: 2, erased: 2 });
      expect(await emailOf(decomposed)).toBeNull();
      expect(await emailOf(composed)).toBeNull();
    });
  });

  describe('applyRetention', () => {
    it('removes the address from every turn the participant typed it in, once', async () => {
      const email = 'OldOne@Example.org';
      const aged = await completed(email, { 2: `write me at ${email} please` });
      const recent = await completed(email, { 2: `write me at ${email} please` });
      await dataSource.query(`UPDATE conversation SET created_at = now() - interval '31 days' WHERE id = $1`, [aged]);
      const now = new Date();

      await expect(participants.applyRetention(now)).resolves.toEqual({
        cutoff: new Date(now.getTime() - 30 * DAY).toISOString(),
        transcripts: false,
        agedOut: 1,
      });
      expect(await emailOf(aged)).toBeNull();
      const turns = await participantTurns(aged);
      expect(turns.find(({ step }) => step === 6)?.text).toBe(EMAIL_REMOVED);
      expect(turns.find(({ step }) => step === 2)?.text).toBe(`write me at ${EMAIL_REMOVED} please`);
      // Nothing the pseudonymised export would still find as an address.
      for (const { text } of turns) expect(replaceEmails(text, () => '<address>')).toBe(text);
      expect(await emailOf(recent)).toBe(email);
      expect(JSON.stringify(await participantTurns(recent))).toContain(`write me at ${email} please`);

      await expect(participants.applyRetention(now)).resolves.toMatchObject({ agedOut: 0 });
    });
  });
});
