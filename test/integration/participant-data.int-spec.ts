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
      if (step === 6) Object.assign(changes, { email, status: ConversationStatus.Completed });
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

  /** A conversation that stopped after answering steps 0 to `lastStep`, with `typed[step]` as the message there. */
  async function stopped(lastStep: number, typed: Record<number, string> = {}): Promise<string> {
    const values = newConversationValues();
    const { id } = await allocator.claim('random', (query) =>
      conversations.startOnFreeSlot(values, 'random', GREETINGS, query),
    );
    for (let step = 0; step <= lastStep; step++) {
      const write = stepWrite(id, step, step === 0 ? { label: 'B' } : {});
      write.participantText = typed[step] ?? write.participantText;
      await expect(conversations.saveStep(write)).resolves.toBe(true);
    }
    return id;
  }

  const statusOf = async (id: string): Promise<string> =>
    (await dataSource.getRepository(ConversationEntity).findOneByOrFail({ id })).status;

  const turnCount = async (id: string): Promise<number> =>
    (await dataSource.query(`SELECT 1 FROM conversation_turn WHERE conversation_id = $1`, [id])).length;

  describe('eraseByEmail in transcripts', () => {
    it('also erases conversations whose transcript alone holds the address, and says which matched how', async () => {
      // The participant left before the e-mail step, having typed the address into the complaint.
      const inComplaint = await stopped(2, {
        0: 'My parcel never arrived. Contact me at Gap.Person@example.org please',
      });
      // Completed with another address, the asked-for one typed at step 1.
      const inAnswer = await completed('other@example.org', { 1: 'you can reach me at gap.person@example.org' });
      const inField = await completed('GAP.person@example.org');
      // Other addresses that merely contain it, or that it contains, are someone else's.
      const longer = await completed('x@example.org', {
        1: 'mail notgap.person@example.org or gap.person@example.org.uk',
      });

      const report = await participants.eraseByEmail('gap.person@example.org', 'cli');

      expect(report).toMatchObject({ matched: 3, matchedByEmail: 1, matchedByTranscript: 2, erased: 3 });
      expect(report.conversations.map(({ id, matchedBy }) => ({ id, matchedBy }))).toEqual(
        expect.arrayContaining([
          { id: inComplaint, matchedBy: 'transcript' },
          { id: inAnswer, matchedBy: 'transcript' },
          { id: inField, matchedBy: 'email' },
        ]),
      );
      for (const id of [inComplaint, inAnswer, inField]) {
        expect(await turnCount(id)).toBe(0);
        expect(await emailOf(id)).toBeNull();
      }
      expect(await emailOf(longer)).toBe('x@example.org');
      expect(await turnCount(longer)).toBeGreaterThan(0);
      const [audit] = await dataSource.query<{ actor: string; rows: number; details: Record<string, unknown> }[]>(
        `SELECT actor, rows, details FROM admin_audit WHERE action = 'erase' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit).toMatchObject({
        actor: 'cli',
        rows: 3,
        details: { by: 'email', matchedByEmail: 1, matchedByTranscript: 2, alreadyErased: 0 },
      });
      expect(JSON.stringify(audit)).not.toContain('gap.person');

      // Nothing carries it any more.
      await expect(participants.eraseByEmail('gap.person@example.org', 'cli')).resolves.toMatchObject({
        matched: 0,
        matchedByEmail: 0,
        matchedByTranscript: 0,
        erased: 0,
      });
    });

    it('matches an address in a transcript in any letter case and with its accents composed or decomposed', async () => {
      const decomposed = await stopped(1, { 1: 'write to E\u0301mile@Exemple.fr, thanks' });
      const other = await stopped(1, { 1: 'write to emile@exemple.fr' });

      const report = await participants.eraseByEmail('\u00e9mile@exemple.fr', 'cli');
      expect(report).toMatchObject({ matched: 1, matchedByTranscript: 1, erased: 1 });
      expect(await turnCount(decomposed)).toBe(0);
      expect(await turnCount(other)).toBeGreaterThan(0);
    });

    it('finds the address typed right after quotes, an equals sign, a symbol or text in another script', async () => {
      const typed = [
        "my mail is 'alice@uni.org'",
        'my mail is \u201calice@uni.org\u201d',
        'email=alice@uni.org',
        'see https://shop.example.com/track?user=alice@uni.org',
        'contact *alice@uni.org*',
        'contact `alice@uni.org`',
        '#alice@uni.org',
        'E-Mail\uff1aalice@uni.org',
        '\u6211\u7684\u90ae\u7bb1\u662falice@uni.org',
        'mail me at \u200balice@uni.org',
      ];
      const ids = [];
      for (const text of typed) ids.push(await stopped(1, { 1: text }));
      // A letter, digit or one of . _ + - right before it makes it another participant's address.
      const others = [];
      for (const text of [
        'malice@uni.org',
        'x.alice@uni.org',
        'x+alice@uni.org',
        'x_alice@uni.org',
        'bob-alice@uni.org',
      ])
        others.push(await stopped(1, { 1: `mail ${text}` }));

      const report = await participants.eraseByEmail('alice@uni.org', 'cli');
      expect(report).toMatchObject({ matched: typed.length, matchedByTranscript: typed.length });
      for (const id of ids) expect(await turnCount(id)).toBe(0);
      for (const id of others) expect(await turnCount(id)).toBeGreaterThan(0);
    });

    it('finds the address with a character that renders as nothing inside it, which it looks exactly like', async () => {
      const typed = [
        'write to sh2.qz@exam\u00adple.org',
        'write to sh2.qz\u200b@example.org',
        'write to sh2.qz\u200e@exa\u2060mple\ufeff.org',
      ];
      const ids = [];
      for (const text of typed) ids.push(await stopped(1, { 1: text }));
      const report = await participants.eraseByEmail('sh2.qz@example.org', 'cli');
      expect(report).toMatchObject({ matched: typed.length, matchedByTranscript: typed.length });
      for (const id of ids) expect(await turnCount(id)).toBe(0);
    });

    it('leaves conversations whose e-mail step holds another address that ends in the one asked for', async () => {
      const asked = await completed('connor@uni.org');
      const others = [];
      // At the e-mail step the message is an address typed alone: an apostrophe, & or = in it is part of it.
      for (const email of ["o'connor@uni.org", 'o\u2019connor@uni.org', 'tom&connor@uni.org', 'a=connor@uni.org'])
        others.push(await completed(email));
      const report = await participants.eraseByEmail('connor@uni.org', 'cli');
      expect(report).toMatchObject({ matched: 1, erased: 1, conversations: [{ id: asked }] });
      for (const id of others) expect(await turnCount(id)).toBeGreaterThan(0);
    });

    it('finds an address with a byte-order mark inside its local part, which it looks exactly like', async () => {
      const id = await stopped(1, { 1: 'my parcel never came, mail ali\ufeffce@uni.org please' });
      const report = await participants.eraseByEmail('alice@uni.org', 'cli');
      expect(report).toMatchObject({ matched: 1, matchedByTranscript: 1 });
      expect(await turnCount(id)).toBe(0);
    });

    it('leaves an address whose local part goes on in the same script before the one asked for', async () => {
      const cyrillic = await stopped(1, { 1: 'write to \u0434\u0438\u043c\u0430.qz@mail.ru' });
      const report = await participants.eraseByEmail('\u0438\u043c\u0430.qz@mail.ru', 'cli');
      expect(report).toMatchObject({ matched: 0 });
      expect(await turnCount(cyrillic)).toBeGreaterThan(0);
    });

    it('finds the address typed in full-width forms (a CJK input method), as its pseudonym does', async () => {
      const typed = await stopped(1, {
        1: '\u90ae\u7bb1 \uff41\uff4c\uff49\uff43\uff45\uff20\uff55\uff4e\uff49\uff0e\uff4f\uff52\uff47',
      });
      const small = await stopped(1, { 1: 'mail alice\ufe6buni.org' });
      const report = await participants.eraseByEmail('Alice@uni.org', 'cli');
      expect(report).toMatchObject({ matched: 2, matchedByTranscript: 2 });
      expect([await turnCount(typed), await turnCount(small)]).toEqual([0, 0]);
    });

    it('finds the address with a particle typed right after it, or ideographic full stops for its dots', async () => {
      const glued = await stopped(1, { 1: '제 이메일은 ko1@uni.org입니다' });
      const stops = await stopped(1, { 1: 'ko1@uni\u3002org' });
      const report = await participants.eraseByEmail('ko1@uni.org', 'cli');
      expect(report).toMatchObject({ matched: 2, matchedByTranscript: 2 });
      expect([await turnCount(glued), await turnCount(stops)]).toEqual([0, 0]);
    });

    it('searches no transcript for what is no whole address: a part of one would match every turn', async () => {
      const id = await stopped(1, { 1: 'mail me at part@example.org' });
      for (const asked of ['@', ' ', 'part@example', 'part@example.org and more@example.org']) {
        await expect(participants.eraseByEmail(asked, 'cli')).resolves.toMatchObject({ matched: 0 });
      }
      expect(await turnCount(id)).toBeGreaterThan(0);
    });

    // A paraphrase that echoed an address the participant typed (the participant's own turn already rewritten); in
    // the stored reply, text escaped for HTML.
    it.each([
      ['an address', 'Echo@Example.org', 'You said: echo@example.org'],
      ['an address with &, escaped as &amp;', 'tom&jerry@example.org', 'You said: tom&amp;jerry@example.org'],
    ])('finds %s in a stored bot reply that echoed it', async (_case, address, reply) => {
      const id = await stopped(0);
      await dataSource.query(
        `UPDATE conversation_turn SET response = jsonb_build_object('reply', $2::text)
          WHERE conversation_id = $1 AND kind = 'reply'`,
        [id, reply],
      );
      await expect(participants.eraseByEmail(address, 'cli')).resolves.toMatchObject({
        matched: 1,
        matchedByTranscript: 1,
      });
      expect(await turnCount(id)).toBe(0);
    });
  });

  describe('the status of an erased conversation', () => {
    it('is abandoned once a conversation in progress is erased; a completed one stays completed', async () => {
      const inProgress = await stopped(2);
      const done = await completed('done@example.org');

      await participants.eraseConversation(inProgress, 'cli');
      await participants.eraseConversation(done, 'cli');

      expect(await statusOf(inProgress)).toBe(ConversationStatus.Abandoned);
      expect(await statusOf(done)).toBe(ConversationStatus.Completed);
      const abandonOf = async (id: string) =>
        (
          await dataSource.query<{ abandon_reason: string | null; abandoned_at: Date | null; erased_at: Date }[]>(
            'SELECT abandon_reason, abandoned_at, erased_at FROM conversation WHERE id = $1',
            [id],
          )
        )[0];
      const erasedInProgress = await abandonOf(inProgress);
      expect(erasedInProgress).toEqual({
        abandon_reason: 'erased',
        abandoned_at: erasedInProgress.erased_at,
        erased_at: expect.any(Date),
      });
      expect(await abandonOf(done)).toMatchObject({ abandon_reason: null, abandoned_at: null });
      await expect(participants.eraseConversation(inProgress, 'cli')).resolves.toMatchObject({ alreadyErased: true });
      expect(await statusOf(inProgress)).toBe(ConversationStatus.Abandoned);
      expect(await abandonOf(inProgress)).toEqual(erasedInProgress);
    });
  });

  describe('applyRetention', () => {
    it('removes the address from every turn the participant typed it in, once', async () => {
      const email = 'OldOne@Example.org';
      const fullWidth =
        '\uff4f\uff4c\uff44\uff4f\uff4e\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff4f\uff52\uff47';
      const prose = '会議＠東京．その後、配達員が来ませんでした';
      const aged = await completed(email, { 2: `write me at ${email} please`, 3: `or ${fullWidth}`, 4: prose });
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
      expect(turns.find(({ step }) => step === 3)?.text).toBe(`or ${EMAIL_REMOVED}`);
      // Japanese prose writing ＠ for "at" and ． for a full stop holds no address: kept as typed.
      expect(turns.find(({ step }) => step === 4)?.text).toBe(prose);
      // Nothing the pseudonymised export would still find as an address.
      for (const { text } of turns) expect(replaceEmails(text, () => '<address>')).toBe(text);
      expect(await emailOf(recent)).toBe(email);
      expect(JSON.stringify(await participantTurns(recent))).toContain(`write me at ${email} please`);

      await expect(participants.applyRetention(now)).resolves.toMatchObject({ agedOut: 0 });
    });

    it('marks each conversation it changed as updated, also one whose only change was in its turns', async () => {
      const recentlyUpdated = async (id: string): Promise<boolean> => {
        const [row] = await dataSource.query<{ recent: boolean }[]>(
          `SELECT updated_at > now() - interval '1 minute' AS recent FROM conversation WHERE id = $1`,
          [id],
        );
        return row.recent;
      };
      const age = (ids: string[]) =>
        dataSource.query(
          `UPDATE conversation SET created_at = now() - interval '31 days', updated_at = now() - interval '31 days'
            WHERE id = ANY($1)`,
          [ids],
        );
      // No e-mail field to clear: the address typed in the complaint is the one change.
      const typedOnly = await stopped(1, { 1: 'write to typed.only@example.org' });
      const untouched = await stopped(1);
      await age([typedOnly, untouched]);
      await expect(participants.applyRetention(new Date())).resolves.toMatchObject({ agedOut: 1 });
      expect([await recentlyUpdated(typedOnly), await recentlyUpdated(untouched)]).toEqual([true, false]);

      // With the transcripts: the turns deleted are the change.
      await age([typedOnly, untouched]);
      const deleting = new ParticipantDataService(
        new AppConfig({ DATA_RETENTION_DAYS: '30', DATA_RETENTION_TRANSCRIPTS: 'true' }),
        conversations,
        new AdminAuditRepository(dataSource),
      );
      await expect(deleting.applyRetention(new Date())).resolves.toMatchObject({ agedOut: 2 });
      expect([await recentlyUpdated(typedOnly), await recentlyUpdated(untouched)]).toEqual([true, true]);
    });

    it('removes an address with & from the reply stored for replays, where it is escaped, whole', async () => {
      const aged = await completed('tom&jerry@example.org', { 2: 'write to tom&jerry@example.org' });
      await dataSource.query(
        `UPDATE conversation_turn SET response = jsonb_build_object('reply', 'You said: tom&amp;jerry@example.org &amp; more', 'index', 3)
          WHERE conversation_id = $1 AND kind = 'reply' AND step = 2`,
        [aged],
      );
      await dataSource.query(`UPDATE conversation SET created_at = now() - interval '31 days' WHERE id = $1`, [aged]);
      await participants.applyRetention(new Date());
      const [{ response }] = await dataSource.query<{ response: unknown }[]>(
        `SELECT response FROM conversation_turn WHERE conversation_id = $1 AND kind = 'reply' AND step = 2`,
        [aged],
      );
      expect(response).toEqual({ reply: `You said: ${EMAIL_REMOVED} &amp; more`, index: 3 });
      expect(await participantTurns(aged)).toContainEqual({ step: 2, text: `write to ${EMAIL_REMOVED}` });
    });

    it('removes an address with a soft hyphen or a zero-width character in its domain', async () => {
      const aged = await completed('hidden@example.org', {
        2: 'write me at hidden@exam\u00adple.org please',
        3: 'or hidden@example\u200b.org',
      });
      await dataSource.query(`UPDATE conversation SET created_at = now() - interval '31 days' WHERE id = $1`, [aged]);
      await participants.applyRetention(new Date());
      const turns = await participantTurns(aged);
      expect(turns.find(({ step }) => step === 2)?.text).toBe(`write me at ${EMAIL_REMOVED} please`);
      expect(turns.find(({ step }) => step === 3)?.text).toBe(`or ${EMAIL_REMOVED}`);
    });
  });
});
