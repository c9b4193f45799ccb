import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ConditionAllocator } from '../../src/chat/condition-allocator';
import { ConditionSlotRepository } from '../../src/chat/condition-slot.repository';
import { ConversationRepository } from '../../src/chat/conversation.repository';
import { closeChatDatabase, openChatDatabase } from '../support/chat-database';
import { runCli as cli } from '../support/cli-process';
import { GREETINGS, newConversationValues, stepWrite } from '../support/conversation-writes';
import { configuredStudyFile } from '../support/study-content';
import { tempDir } from '../support/temp-dir';
import { recreateTestDatabase } from '../support/test-database';

const DATABASE = 'combot_cli_interrupt_e2e_test';
const REPO = path.resolve(__dirname, '..', '..');
/** ~2 KB of transcript each: an export of ~40 MB, seconds of writing, so a signal finds it part-way. */
const CONVERSATIONS = 20_000;

interface ExportAudit {
  actor: string;
  rows: number;
  details: Record<string, unknown>;
}

/** An export through the built CLI, interrupted on purpose; no Redis (the command needs none). */
describe('CLI export interrupted (built, real PostgreSQL)', () => {
  let dataSource: DataSource;
  let env: Record<string, string>;
  // Made when the tests run, not when jest collects them (a filtered run would leave it behind).
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('combot-cli-interrupt-');
    const url = await recreateTestDatabase(DATABASE);
    dataSource = await openChatDatabase(url);
    const conversations = new ConversationRepository(dataSource);
    const allocator = new ConditionAllocator(new ConditionSlotRepository(dataSource));
    const { id } = await allocator.claim('random', (query) =>
      conversations.startOnFreeSlot(newConversationValues(), 'random', GREETINGS, query),
    );
    await conversations.saveStep({ ...stepWrite(id, 0, { label: 'A' }), participantText: 'my order '.repeat(200) });
    // Copies of that one, each with its own id and turns (completion codes are unique: the copies have none).
    const columnsOf = async (table: string, leaveOut: string[]): Promise<string[]> =>
      (
        await dataSource.query<{ name: string }[]>(
          `SELECT column_name AS name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = $1 AND NOT (column_name = ANY($2))`,
          [table, leaveOut],
        )
      ).map(({ name }) => `"${name}"`);
    const conversationColumns = (await columnsOf('conversation', ['id', 'completion_code'])).join(', ');
    await dataSource.query(
      `INSERT INTO conversation (id, ${conversationColumns})
       SELECT gen_random_uuid(), ${conversationColumns} FROM conversation, generate_series(2, $2) WHERE id = $1`,
      [id, CONVERSATIONS],
    );
    const turnColumns = await columnsOf('conversation_turn', ['id', 'conversation_id']);
    await dataSource.query(
      `INSERT INTO conversation_turn (conversation_id, ${turnColumns.join(', ')})
       SELECT copy.id, ${turnColumns.map((column) => `turn.${column}`).join(', ')}
       FROM conversation copy CROSS JOIN conversation_turn turn WHERE copy.id <> $1 AND turn.conversation_id = $1`,
      [id],
    );
    env = { DATABASE_URL: url, ML_WORKERS: '1', STUDY_CONTENT_FILE: configuredStudyFile() };
  }, 120_000);

  afterAll(async () => {
    await closeChatDatabase(dataSource, DATABASE);
    rmSync(dir, { recursive: true, force: true });
  });

  const exportAudit = (): Promise<ExportAudit[]> =>
    dataSource.query(`SELECT actor, rows, details FROM admin_audit WHERE action = 'export' ORDER BY id`);

  /** Calls `signal` once `file` holds more than a pipe's worth of the export, polling every 20 ms. */
  function whenWritten(file: () => string | undefined, signal: () => void): (child: ChildProcess) => void {
    return (child) => {
      const poll = setInterval(() => {
        const written = file();
        if (written !== undefined && existsSync(written) && statSync(written).size > 256 * 1024) {
          clearInterval(poll);
          signal();
        }
      }, 20);
      child.once('exit', () => clearInterval(poll));
    };
  }

  it('SIGTERM during an export redirected to a file (`> out.jsonl`) audits it incomplete with its rows, exit 143', async () => {
    const out = path.join(dir, 'redirected.jsonl');
    const fd = openSync(out, 'w', 0o600);
    const before = await exportAudit();
    const code = await new Promise<number | null>((resolve) => {
      // Standard output is the file itself, as a shell's redirection makes it.
      const child = spawn(
        process.execPath,
        [path.join(REPO, 'dist/src/cli.js'), 'export-conversations', '--format', 'jsonl'],
        {
          cwd: REPO,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
          stdio: ['ignore', fd, 'inherit'],
        },
      );
      closeSync(fd);
      child.once('exit', (exitCode) => resolve(exitCode));
      whenWritten(
        () => out,
        () => child.kill('SIGTERM'),
      )(child);
    });
    expect(code).toBe(143);
    const written = readFileSync(out, 'utf8').split('\n').length - 1;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(CONVERSATIONS);
    const audit = await exportAudit();
    expect(audit).toEqual([
      ...before,
      { actor: 'cli', rows: expect.any(Number), details: expect.objectContaining({ complete: false }) },
    ]);
    // The rows handed to the output: the one being written when the signal came may not have reached the file.
    expect(audit[audit.length - 1].rows - written).toBeGreaterThanOrEqual(0);
    expect(audit[audit.length - 1].rows - written).toBeLessThanOrEqual(1);
  }, 120_000);

  it('SIGINT during an export --out audits it incomplete, removes the partial file and exits 130', async () => {
    const folder = mkdtempSync(path.join(dir, 'out-'));
    const before = await exportAudit();
    const partial = (): string | undefined => {
      const name = readdirSync(folder).find((file) => file.endsWith('.partial'));
      return name === undefined ? undefined : path.join(folder, name);
    };
    let child: ChildProcess | undefined;
    const run = await cli(['export-conversations', '--out', path.join(folder, 'study.csv')], env, (started) => {
      child = started;
      whenWritten(partial, () => child?.kill('SIGINT'))(started);
    });
    expect(run.code).toBe(130);
    expect(readdirSync(folder)).toEqual([]);
    const audit = await exportAudit();
    expect(audit).toEqual([
      ...before,
      { actor: 'cli', rows: expect.any(Number), details: expect.objectContaining({ complete: false }) },
    ]);
    expect(audit[audit.length - 1].rows).toBeGreaterThan(0);
    expect(audit[audit.length - 1].rows).toBeLessThan(CONVERSATIONS);
  }, 120_000);
});
