import { DataSource } from 'typeorm';
import { ConversationStatus } from '../../src/chat/chat.types';
import { ConditionAllocator } from '../../src/chat/condition-allocator';
import { ConditionSlotRepository } from '../../src/chat/condition-slot.repository';
import { ConversationRepository, type StepWrite } from '../../src/chat/conversation.repository';
import { EMAIL_REMOVED } from '../../src/chat/participant-data.service';
import { openChatDatabase, closeChatDatabase } from '../support/chat-database';
import { runCli as cli } from '../support/cli-process';
import { GREETINGS, newConversationValues, stepWrite } from '../support/conversation-writes';
import { freePort } from '../support/service-process';
import { configuredStudyFile } from '../support/study-content';
import { recreateTestDatabase } from '../support/test-database';

const DATABASE = 'combot_cli_retention_e2e_test';

/** `retention:run` through the built CLI, on a migrated database of its own; no Redis (the command needs none). */
describe('CLI retention:run (built, real PostgreSQL)', () => {
  let dataSource: DataSource;
  let conversations: ConversationRepository;
  let allocator: ConditionAllocator;
  let env: Record<string, string>;

  beforeAll(async () => {
    const url = await recreateTestDatabase(DATABASE);
    dataSource = await openChatDatabase(url);
    conversations = new ConversationRepository(dataSource);
    allocator = new ConditionAllocator(new ConditionSlotRepository(dataSource));
    env = { DATABASE_URL: url, ML_WORKERS: '1', STUDY_CONTENT_FILE: configuredStudyFile() };
  }, 60_000);

  afterAll(() => closeChatDatabase(dataSource, DATABASE));

  /** A completed conversation with `email`, the participant having also typed it at step 2, created `days` ago. */
  async function completed(email: string, days: number): Promise<string> {
    const { id } = await allocator.claim('random', (query) =>
      conversations.startOnFreeSlot(newConversationValues(), 'random', GREETINGS, query),
    );
    for (let step = 0; step <= 6; step++) {
      const changes: StepWrite['changes'] = step === 0 ? { label: 'A' } : {};
      if (step === 6) Object.assign(changes, { email, status: ConversationStatus.Completed });
      const write = stepWrite(id, step, changes);
      if (step === 2) write.participantText = `mail me at ${email}`;
      if (step === 6) write.participantText = email;
      await conversations.saveStep(write);
    }
    await dataSource.query(`UPDATE conversation SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [
      id,
      days,
    ]);
    return id;
  }

  const retentionAudit = (): Promise<{ actor: string; rows: number; details: Record<string, unknown> }[]> =>
    dataSource.query(`SELECT actor, rows, details FROM admin_audit WHERE action = 'retention' ORDER BY id`);

  it('refuses without DATA_RETENTION_DAYS before starting anything, exit 78, and audits nothing', async () => {
    // An unreachable database: the refusal must come first.
    const unreachable = { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/combot` };
    for (const target of [unreachable, env]) {
      const run = await cli(['retention:run'], target);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 78, stdout: '' });
      expect(run.stderr).toMatch(/^retention:run needs DATA_RETENTION_DAYS: without it retention is off/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await retentionAudit()).toEqual([]);
  }, 60_000);

  it('runs the retention step once, as the schedule would, prints what it changed and audits it as the CLI', async () => {
    const old = await completed('Aged.Out@example.org', 31);
    const recent = await completed('recent@example.org', 2);
    const withRetention = { ...env, DATA_RETENTION_DAYS: '30' };

    const first = await cli(['retention:run'], withRetention);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ cutoff: expect.any(String), transcripts: false, agedOut: 1 });
    const [row] = await dataSource.query(`SELECT email FROM conversation WHERE id = $1`, [old]);
    expect(row).toEqual({ email: null });
    const typed = await dataSource.query<{ step: number; text: string }[]>(
      `SELECT step, text FROM conversation_turn WHERE conversation_id = $1 AND sender = 'participant' AND step IN (2, 6)
        ORDER BY step`,
      [old],
    );
    expect(typed).toEqual([
      { step: 2, text: `mail me at ${EMAIL_REMOVED}` },
      { step: 6, text: EMAIL_REMOVED },
    ]);
    const [kept] = await dataSource.query(`SELECT email FROM conversation WHERE id = $1`, [recent]);
    expect(kept).toEqual({ email: 'recent@example.org' });

    // Idempotent: a second run changes nothing, and says so.
    const again = await cli(['retention:run'], withRetention);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ agedOut: 0 });

    expect(await retentionAudit()).toEqual([
      { actor: 'cli', rows: 1, details: expect.objectContaining({ days: 30, transcripts: false }) },
      { actor: 'cli', rows: 0, details: expect.objectContaining({ days: 30, transcripts: false }) },
    ]);
  }, 90_000);

  it('with DATA_RETENTION_TRANSCRIPTS=true deletes the old transcripts too', async () => {
    const old = await completed('whole@example.org', 40);
    const run = await cli(['retention:run'], { ...env, DATA_RETENTION_DAYS: '30', DATA_RETENTION_TRANSCRIPTS: 'true' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ transcripts: true, agedOut: expect.any(Number) });
    expect(await dataSource.query(`SELECT 1 FROM conversation_turn WHERE conversation_id = $1`, [old])).toEqual([]);
  }, 60_000);
});
