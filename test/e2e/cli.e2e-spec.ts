import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { type CliRun, runCli as cli } from '../support/cli-process';
import { tempDir } from '../support/temp-dir';
import { deleteKeys } from '../support/redis-keys';
import { freePort, startService, stopService } from '../support/service-process';
import { configuredStudyFile, EXAMPLE_STUDY } from '../support/study-content';
import { createTestApp } from '../support/test-app';
import { dropTestDatabase, recreateTestDatabase, testDatabaseUrl } from '../support/test-database';

const DATABASE = 'combot_cli_e2e_test';
const REPO = path.resolve(__dirname, '..', '..');

describe('CLI (built, real PostgreSQL and Redis)', () => {
  let env: Record<string, string>;
  // Made when the tests run, not when jest collects them (a filtered run would leave it behind).
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('combot-cli-');
    // One greeting through the API so there is a conversation to export.
    const app = await createTestApp(DATABASE, { ML_WORKERS: '1' });
    await request(app.app.getHttpServer()).get('/api/random/initial/').expect(200);
    await app.app.close();
    env = {
      DATABASE_URL: app.databaseUrl,
      REDIS_HOST: '127.0.0.1',
      REDIS_KEY_PREFIX: `combot-test-${randomUUID().slice(0, 8)}`,
      ML_WORKERS: '1',
      STUDY_CONTENT_FILE: configuredStudyFile(),
    };
  }, 120_000);

  afterAll(async () => {
    // The commands' own keys (warm-cache fills the result cache, queue:status opens the queues) go with the run.
    await deleteKeys({ host: '127.0.0.1', port: 6379 }, env.REDIS_KEY_PREFIX);
    await dropTestDatabase(DATABASE);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists its commands with --help', async () => {
    const run = await cli(['--help'], env);
    expect(run.code).toBe(0);
    for (const command of [
      'start-optimized-services',
      'preload-models',
      'warm-cache',
      'health-check',
      'export-conversations',
      'erase-participant',
      'retention:run',
      'queue:status',
      'study:check',
      'study:preview',
    ]) {
      expect(run.stdout).toContain(command);
    }
  }, 60_000);

  it('answers --help and help <command> without configuration, database or Redis', async () => {
    // No DATABASE_URL: a command would start the embedded PostgreSQL in this (absent) folder; help must not.
    const embeddedDir = path.join(dir, 'embedded-never-started');
    const bare = { EMBEDDED_DB_DIR: embeddedDir, REDIS_PORT: String(await freePort()) };
    for (const args of [['--help'], ['help', 'export-conversations'], ['export-conversations', '--help']]) {
      const run = await cli(args, bare);
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      expect(run.stdout).toContain('export-conversations');
    }
    // No command at all: the usage on stderr and exit 1, as commander does.
    const none = await cli([], bare);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('erase-participant');
    const exportHelp = await cli(['export-conversations', '--help'], bare);
    expect(exportHelp.stdout).toMatch(/--format/);
    expect(existsSync(embeddedDir)).toBe(false);
  }, 60_000);

  it('preload-models loads the shipped model', async () => {
    const run = await cli(['preload-models'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"id": "combot-complaint-classifier"/);
  }, 60_000);

  it('warm-cache classifies a file into the cache, and the second run finds it cached', async () => {
    const file = path.join(dir, 'warm.txt');
    writeFileSync(file, `# comment\nMy parcel is late ${randomUUID()}\n\nThe toaster broke ${randomUUID()}\n`);
    const first = await cli(['warm-cache', '--file', file], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/"texts": 2,\s+"alreadyCached": 0/);
    const second = await cli(['warm-cache', '--file', file], env);
    expect(second.stdout).toMatch(/"texts": 2,\s+"alreadyCached": 2/);
    const missing = await cli(['warm-cache', '--file', path.join(dir, 'missing.txt')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/warm-cache failed: .*ENOENT/);
    // A Redis that does not answer: the texts are classified, but nothing is cached, and the command says so.
    const unreachable = await cli(['warm-cache', '--file', file], { ...env, REDIS_PORT: String(await freePort()) });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/warm-cache failed: the result cache \(redis\) failed \d+ time\(s\)/);
  }, 90_000);

  it('health-check exits 1 naming the queues while no worker consumes them, 0 once one does', async () => {
    const idle = await cli(['health-check'], env);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toMatch(/^degraded: queues$/m);
    expect(JSON.parse(idle.stdout).error.queues).toMatchObject({
      status: 'down',
      message: 'no process consumes the ml and maintenance queues',
    });
    const worker = startService(env, 'dist/src/worker.js');
    try {
      let ok: CliRun | null = null;
      for (let attempt = 0; attempt < 20 && ok?.code !== 0; attempt++) {
        ok = await cli(['health-check'], env);
        if (ok.code !== 0) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect({ code: ok?.code, stderr: ok?.stderr }).toEqual({ code: 0, stderr: '' });
      const seed = await cli(['start-optimized-services', '--preload-models', '--warm-cache', '--health-check'], env);
      expect(seed.code).toBe(0);
      expect(seed.stdout).toMatch(/"texts": 40/);
      expect(seed.stdout).toMatch(/"status": "ok"/);
    } finally {
      await stopService(worker);
    }
    const bad = await cli(['health-check'], { ...env, REDIS_PORT: String(await freePort()) });
    expect(bad.code).toBe(1);
    // Chat would still serve without Redis (readiness stays up), but an operator's check names it and fails.
    expect(bad.stderr).toMatch(/degraded: .*redis/);
  }, 150_000);

  it('export-conversations writes CSV and JSON Lines, and refuses a bad format', async () => {
    const csvFile = path.join(dir, 'out.csv');
    const csv = await cli(['export-conversations', '--format', 'csv', '--out', csvFile], env);
    expect(csv.code).toBe(0);
    const lines = readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,entry_point,origin,brand,think_level,feel_level,status,/);
    expect(lines).toHaveLength(2);
    const jsonl = await cli(['export-conversations', '--format', 'jsonl', '--status', 'in_progress'], env);
    expect(jsonl.code).toBe(0);
    const row = JSON.parse(jsonl.stdout.trim().split('\n').pop() as string);
    expect(row).toMatchObject({ status: 'in_progress', turns: [expect.objectContaining({ kind: 'greeting' })] });
    const bad = await cli(['export-conversations', '--format', 'xml'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('format must be csv or jsonl');
    // The console browser's filters: the one conversation by its arm, none of another label or before it started.
    const arm = ['--brand', row.brand, '--think-level', row.think_level, '--feel-level', row.feel_level];
    const ids = async (args: string[]): Promise<string[]> => {
      const run = await cli(['export-conversations', '--format', 'jsonl', ...args], env);
      expect(run.code).toBe(0);
      return run.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
    };
    expect(await ids([...arm, '--label', 'unclassified'])).toEqual([row.id]);
    expect(await ids([...arm, '--label', 'A'])).toEqual([]);
    expect(await ids(['--until', '2020-01-01'])).toEqual([]);
    expect(await ids(['--abandon-reason', 'idle'])).toEqual([]);
    const badReason = await cli(['export-conversations', '--abandon-reason', 'timeout'], env);
    expect([badReason.code, badReason.stderr]).toEqual([
      1,
      expect.stringContaining('abandonReason must be one of idle, reset, erased'),
    ]);
    const badLabel = await cli(['export-conversations', '--label', 'D'], env);
    expect([badLabel.code, badLabel.stderr]).toEqual([1, expect.stringContaining('label must be one of')]);
  }, 90_000);

  it('export-conversations --out creates a file only its owner can read: it holds e-mails and transcripts', async () => {
    const out = path.join(mkdtempSync(path.join(dir, 'export-')), 'study.csv');
    const run = await cli(['export-conversations', '--format', 'csv', '--out', out], env);
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('export-conversations --out over an earlier export leaves a new owner-only file, whatever the old one allowed', async () => {
    const out = path.join(mkdtempSync(path.join(dir, 'export-')), 'study.csv');
    writeFileSync(out, 'an earlier export\n', { mode: 0o644 });
    const run = await cli(['export-conversations', '--format', 'csv', '--out', out], env);
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^id,entry_point,/);
  }, 60_000);

  it('export-conversations --out refuses a symbolic link to a file, or to none, and writes nothing through it', async () => {
    const folder = mkdtempSync(path.join(dir, 'export-'));
    const shared = path.join(folder, 'shared.csv');
    writeFileSync(shared, 'readable by everyone\n', { mode: 0o644 });
    const before = await exportAudit(env.DATABASE_URL);
    for (const [name, target] of [
      ['link.csv', shared],
      ['dangling.csv', path.join(folder, 'elsewhere.csv')],
    ]) {
      const link = path.join(folder, name);
      symlinkSync(target, link);
      const run = await cli(['export-conversations', '--out', link], env);
      expect({ name, code: run.code, stdout: run.stdout }).toEqual({ name, code: 1, stdout: '' });
      expect(run.stderr).toBe(`export failed: ${link} is a symbolic link; give the file itself (or a new name)\n`);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    }
    expect(readFileSync(shared, 'utf8')).toBe('readable by everyone\n');
    expect(statSync(shared).mode & 0o777).toBe(0o644);
    expect(readdirSync(folder).sort()).toEqual(['dangling.csv', 'link.csv', 'shared.csv']);
    expect(await exportAudit(env.DATABASE_URL)).toEqual(before);
  }, 60_000);

  it('export-conversations to standard output writes only the data: start-up warnings go to stderr', async () => {
    // The shipped example study warns at start-up that its survey links are placeholders.
    const { STUDY_CONTENT_FILE: _configured, ...unconfigured } = env;
    const run = await cli(['export-conversations', '--format', 'csv'], unconfigured);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id,entry_point,origin,brand,think_level,feel_level,status,/);
    expect(lines).toHaveLength(2);
    expect(run.stderr).toContain('STUDY CONTENT NOT CONFIGURED');
  }, 60_000);

  it('export-conversations refuses an output it cannot open before reading anything, and audits nothing', async () => {
    const before = await exportAudit(env.DATABASE_URL);
    for (const [out, code] of [
      [path.join(dir, 'no-such-folder', 'out.csv'), 'ENOENT'],
      [dir, 'EISDIR'],
    ]) {
      const run = await cli(['export-conversations', '--out', out], env);
      expect({ out, code: run.code }).toEqual({ out, code: 1 });
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^export failed: ${code}: `))]);
      expect(run.stderr).toContain(`'${out}'`);
    }
    expect(await exportAudit(env.DATABASE_URL)).toEqual(before);
  }, 60_000);

  // /dev/full opens, then refuses every write (ENOSPC): an export that started and could not finish.
  (existsSync('/dev/full') ? it : it.skip)(
    'export-conversations that fails while writing stops reading, exits 1 and audits the export as incomplete',
    async () => {
      const before = await exportAudit(env.DATABASE_URL);
      const run = await cli(['export-conversations', '--out', '/dev/full'], env);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^export failed: ENOSPC: /)]);
      expect(await exportAudit(env.DATABASE_URL)).toEqual([
        ...before,
        { actor: 'cli', rows: 0, details: expect.objectContaining({ complete: false }) },
      ]);
    },
    60_000,
  );

  /**
   * A JSON Lines export while the conversation table is locked past the CLI's statement timeout: its first query
   * fails after the export started.
   */
  async function exportWhileLocked(
    extra: string[],
    started?: Parameters<typeof cli>[2],
    statementTimeoutMs = 1000,
  ): Promise<CliRun> {
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('LOCK TABLE conversation IN ACCESS EXCLUSIVE MODE');
      return await cli(
        ['export-conversations', '--format', 'jsonl', ...extra],
        { ...env, DB_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs) },
        started,
      );
    } finally {
      await db.query('ROLLBACK');
      await db.end();
    }
  }

  it('export-conversations that the database fails part-way keeps its log out of stdout and audits it incomplete', async () => {
    const before = await exportAudit(env.DATABASE_URL);
    const run = await exportWhileLocked([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^export failed: /m);
    expect(await exportAudit(env.DATABASE_URL)).toEqual([
      ...before,
      { actor: 'cli', rows: 0, details: expect.objectContaining({ complete: false }) },
    ]);
  }, 60_000);

  it('export-conversations --out interrupted (Ctrl-C) removes its partial file and keeps the earlier one', async () => {
    const folder = mkdtempSync(path.join(dir, 'export-'));
    const out = path.join(folder, 'study.jsonl');
    writeFileSync(out, 'an earlier export\n', { mode: 0o600 });
    // Interrupted once its partial file exists, while its first query waits for the lock.
    const started = Date.now();
    const run = await exportWhileLocked(
      ['--out', out],
      (child) => {
        const poll = setInterval(() => {
          if (readdirSync(folder).some((name) => name.endsWith('.partial'))) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 50);
        child.once('exit', () => clearInterval(poll));
      },
      30_000,
    );
    expect(run.code).toBe(130);
    // It waits a bounded time for its audit row, not the 30 s the query may wait for the lock.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(readdirSync(folder)).toEqual(['study.jsonl']);
    expect(readFileSync(out, 'utf8')).toBe('an earlier export\n');
  }, 60_000);

  it('export-conversations --out that fails part-way keeps the earlier file as it was and leaves no partial file', async () => {
    const folder = mkdtempSync(path.join(dir, 'export-'));
    const out = path.join(folder, 'study.jsonl');
    writeFileSync(out, 'an earlier export\n', { mode: 0o600 });
    const run = await exportWhileLocked(['--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^export failed: /m);
    expect(readFileSync(out, 'utf8')).toBe('an earlier export\n');
    expect(readdirSync(folder)).toEqual(['study.jsonl']);
  }, 60_000);

  it('study:check never prints the content of a file that is not JSON, refuses Latin-1 and accepts a BOM', async () => {
    const linked = path.join(dir, 'passwd-link.json');
    symlinkSync('/etc/passwd', linked);
    const notJson = await cli(['study:check', linked], {});
    expect(notJson.code).toBe(78);
    expect(notJson.stderr).toBe(`${linked}: $: not valid JSON (line 1, column 1: unexpected character)\n`);

    const example = readFileSync(EXAMPLE_STUDY, 'utf8');
    const text = example.replace('"closing": "', '"closing": "Café. ');
    const before = text.slice(0, text.indexOf('é'));
    const latin1 = path.join(dir, 'latin1.json');
    writeFileSync(latin1, Buffer.from(text, 'latin1'));
    const refused = await cli(['study:check', latin1], {});
    expect(refused.code).toBe(78);
    expect(refused.stderr).toBe(
      `${latin1}: $: not UTF-8 (line ${before.split('\n').length}, byte offset ${Buffer.byteLength(before)}); ` +
        'save the file as UTF-8\n',
    );

    const bom = path.join(dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${example}`);
    const accepted = await cli(['study:check', bom], {});
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`${bom}: valid`);
  }, 60_000);

  it('refuses arguments a command does not take, before doing anything, exit 1', async () => {
    const file = path.join(dir, 'never-written.csv');
    for (const args of [
      ['export-conversations', file],
      ['queue:status', 'ml'],
      ['erase-participant', 'someone@example.org'],
    ]) {
      const run = await cli(args, env);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(run.stderr).toContain(`too many arguments for '${args[0]}'`);
    }
    expect(existsSync(file)).toBe(false);
  }, 60_000);

  it('queue:status prints counts and schedules', async () => {
    const run = await cli(['queue:status'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"backend": "bull"/);
    expect(run.stdout).toMatch(/"ml":/);
  }, 60_000);

  it('queue:status reads the queues while the database is unreachable: they live in Redis', async () => {
    const run = await cli(['queue:status'], {
      ...env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/combot`,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ backend: 'bull', queues: { ml: expect.any(Object) } });
    expect(run.stderr).toBe('');
    // Redis unreachable: one line naming it, not the client's own words.
    const port = await freePort();
    const down = await cli(['queue:status'], { ...env, REDIS_PORT: String(port) });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(`^queue:status failed: Redis at 127\\.0\\.0\\.1:${port} did not answer within \\d+ ms\n$`),
    );
  }, 60_000);

  // Last: it erases the conversation the export tests read.
  it('erase-participant erases by e-mail (any case) or by id, idempotently, and refuses a bad call', async () => {
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      const [{ id }] = (await db.query(`UPDATE conversation SET email = 'Cli.User@example.org' RETURNING id`)).rows;
      const first = await cli(['erase-participant', '--email', 'cli.user@EXAMPLE.org'], env);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({
        matched: 1,
        matchedByEmail: 1,
        matchedByTranscript: 0,
        erased: 1,
        conversations: [{ id, erasedAt: expect.any(String), alreadyErased: false, matchedBy: 'email' }],
      });
      const [row] = (await db.query('SELECT email, erased_at FROM conversation WHERE id = $1', [id])).rows;
      expect(row).toEqual({ email: null, erased_at: expect.any(Date) });
      const turns = await db.query('SELECT 1 FROM conversation_turn WHERE conversation_id = $1', [id]);
      expect(turns.rowCount).toBe(0);

      const again = await cli(['erase-participant', '--email', 'cli.user@example.org'], env);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ matched: 0, erased: 0 });
      expect(again.stderr).toContain('nothing to erase');
      const byId = await cli(['erase-participant', '--conversation', id], env);
      expect(byId.code).toBe(0);
      expect(JSON.parse(byId.stdout)).toMatchObject({ id, alreadyErased: true });
      // Three erasures audited as the CLI's, naming conversations and never the address.
      const audit = await db.query(`SELECT actor, rows, details FROM admin_audit WHERE action = 'erase' ORDER BY id`);
      expect(audit.rows).toEqual([
        {
          actor: 'cli',
          rows: 1,
          details: { by: 'email', conversations: [id], alreadyErased: 0, matchedByEmail: 1, matchedByTranscript: 0 },
        },
        {
          actor: 'cli',
          rows: 0,
          details: { by: 'email', conversations: [], alreadyErased: 0, matchedByEmail: 0, matchedByTranscript: 0 },
        },
        { actor: 'cli', rows: 0, details: { by: 'conversation', conversations: [id], alreadyErased: 1 } },
      ]);
    } finally {
      await db.end();
    }
    const unknown = await cli(['erase-participant', '--conversation', randomUUID()], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/erase-participant failed: No conversation/);
    const neither = await cli(['erase-participant'], env);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('exactly one of --conversation <id> and --email <address>');
    for (const pasted of ['Dave <dave@uni.org>', 'mailto:dave@uni.org', 'dave@uni.org.', '@']) {
      const run = await cli(['erase-participant', '--email', pasted], env);
      expect({ pasted, code: run.code, stdout: run.stdout }).toEqual({ pasted, code: 1, stdout: '' });
      expect(run.stderr).toContain('is not one e-mail address; give the address alone');
    }
  }, 90_000);
});

describe('CLI against a database or Redis it cannot use', () => {
  const EMPTY = 'combot_cli_unmigrated_e2e_test';
  const MISSING = 'combot_cli_missing_e2e_test';
  let base: Record<string, string>;

  beforeAll(async () => {
    await dropTestDatabase(MISSING);
    base = { ML_WORKERS: '1', STUDY_CONTENT_FILE: configuredStudyFile(), REDIS_HOST: '127.0.0.1' };
  });

  afterAll(async () => {
    await dropTestDatabase(EMPTY);
  });

  /** A URL with a password in it (the server trusts every login, so it is never checked) that no line may print. */
  function withPassword(url: string): string {
    const parsed = new URL(url);
    parsed.password = 'never-print-me';
    return parsed.toString();
  }

  it('health-check on an unreachable database answers `not ready: database` at once, exit 1, in two lines', async () => {
    const port = await freePort();
    const started = Date.now();
    const run = await cli(['health-check'], {
      ...base,
      DATABASE_URL: `postgres://postgres:never-print-me@127.0.0.1:${port}/combot`,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `database unreachable: connect ECONNREFUSED 127.0.0.1:${port}\nnot ready: database\n`,
    });
    // No retry: the operator is waiting, and runs it again.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(run.stdout + run.stderr).not.toContain('never-print-me');
  }, 60_000);

  it('any other command on a database that does not exist stops with one line naming it, exit 78', async () => {
    const url = withPassword(testDatabaseUrl(MISSING));
    const run = await cli(['export-conversations'], { ...base, DATABASE_URL: url });
    const name = new URL(url).pathname.slice(1);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 78,
      stdout: '',
      stderr: `DATABASE_URL=${url.replace('never-print-me', '***')}: database "${name}" does not exist\n`,
    });
  }, 60_000);

  it('a database the client cannot connect to for a reason of its own (SSL it asks for) stops with one line', async () => {
    // verify-full: the server has no SSL. (`require` fails the same, after node-postgres warns about its meaning.)
    const url = `${withPassword(testDatabaseUrl(MISSING))}?sslmode=verify-full`;
    const line = 'database unreachable: The server does not support SSL connections';
    const run = await cli(['export-conversations'], { ...base, DATABASE_URL: url });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 69,
      stdout: '',
      stderr: `${line}\n`,
    });
    const health = await cli(['health-check'], { ...base, DATABASE_URL: url });
    expect({ code: health.code, stderr: health.stderr }).toEqual({ code: 1, stderr: `${line}\nnot ready: database\n` });
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    // `require`: node-postgres warns about its meaning first, in one line of its own, not Node's 9-line block.
    const warned = await cli(['export-conversations'], {
      ...base,
      DATABASE_URL: url.replace('verify-full', 'require'),
    });
    expect({ code: warned.code, stderr: warned.stderr }).toEqual({
      code: 69,
      stderr:
        "warning: SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'.\n" +
        `${line}\n`,
    });
  }, 60_000);

  it('health-check on a database that was never migrated is not ready, naming the pending migrations', async () => {
    const url = await recreateTestDatabase(EMPTY);
    const run = await cli(['health-check'], { ...base, DATABASE_URL: url });
    expect(run.code).toBe(1);
    // Also `queues` while no worker consumes the Redis queues this command sees, which it does not start.
    expect(run.stderr).toMatch(/^not ready: database(; degraded: queues)?$/m);
    const report = JSON.parse(run.stdout);
    expect(report.error.database).toMatchObject({
      status: 'down',
      message: expect.stringMatching(/^schema behind: \d+ pending migrations \(Init\d+, .*\); run the migration job/),
    });
  }, 60_000);

  it('export, erasure and retention on a database that was never migrated stop with one line naming the migrations', async () => {
    const url = await recreateTestDatabase(EMPTY);
    for (const args of [['export-conversations'], ['erase-participant', '--email', 'a@b.org'], ['retention:run']]) {
      const run = await cli(args, { ...base, DATABASE_URL: url, DATA_RETENTION_DAYS: '5' });
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^${args[0]}: schema behind: \\d+ pending migrations \\(Init\\d+, .*\\); run the migration job`),
        ),
      ]);
    }
  }, 120_000);

  it('warm-cache without REDIS_HOST refuses before starting anything, exit 78', async () => {
    const { REDIS_HOST: _redis, ...noRedis } = base;
    // An unreachable database: the refusal must come first.
    const unreachable = { ...noRedis, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/combot` };
    for (const args of [['warm-cache'], ['start-optimized-services', '--preload-models', '--warm-cache']]) {
      const run = await cli(args, unreachable);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 78, stdout: '' });
      expect(run.stderr).toMatch(/^warm-cache needs Redis \(REDIS_HOST\): .*own memory, gone when it exits/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);

  it('answers a usage error before any setting or dependency: exit 1 with commander’s line, nothing started', async () => {
    const { REDIS_HOST: _redis, ...noRedis } = base;
    // No REDIS_HOST, no DATA_RETENTION_DAYS, an unreachable database: each would refuse the start (78, 69).
    const unreachable = { ...noRedis, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/combot` };
    for (const [args, message] of [
      [['no-such-command'], "unknown command 'no-such-command'"],
      [['export-conversations', '--bogus'], "unknown option '--bogus'"],
      [['retention:run', 'x'], "too many arguments for 'retention:run'"],
      [['warm-cache', 'x'], "too many arguments for 'warm-cache'"],
      [['erase-participant', '--email'], "option '--email <address>' argument missing"],
      // Commander would keep the last one; the HTTP API refuses a repeated parameter.
      [
        ['export-conversations', '--status', 'completed', '--status', 'abandoned'],
        "option '--status <status>' given more than once",
      ],
      [['export-conversations', '-o', 'a.csv', '--out=b.csv'], "option '-o, --out <file>' given more than once"],
      [
        ['study:preview', 'study.json', '--label', 'A', '--label', 'B'],
        "option '--label <label>' given more than once",
      ],
      // Options the command itself refuses, before it needs anything.
      [['export-conversations', '--format', 'xml'], 'export failed: format must be csv or jsonl'],
      [['export-conversations', '--since', 'yesterday'], 'export failed: since must be an ISO 8601'],
      [['erase-participant'], 'erase-participant needs exactly one of --conversation <id> and --email <address>'],
      [['erase-participant', '--conversation', 'c', '--email', 'a@b.org'], 'needs exactly one of'],
      [['erase-participant', '--email', 'Jane <jane@example.org>'], 'is not one e-mail address'],
      [['erase-participant', '--conversation', 'not-a-uuid'], '"not-a-uuid" is not a conversation id'],
    ] as const) {
      const run = await cli([...args], unreachable);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/unreachable|needs Redis|needs DATA_RETENTION_DAYS/);
    }
    // A setting that does not parse is still named, for a command line that does.
    const badSetting = await cli(['export-conversations'], { ...unreachable, ML_WORKERS: 'many' });
    expect(badSetting.code).toBe(78);
    expect(badSetting.stderr).toMatch(/^\s*ML_WORKERS=many: must be a number$/m);
  }, 60_000);

  it('queue:status without REDIS_HOST warns that it reads only its own, empty, in-process queues', async () => {
    const { REDIS_HOST: _redis, ...noRedis } = base;
    const url = await recreateTestDatabase(EMPTY);
    const run = await cli(['queue:status'], { ...noRedis, DATABASE_URL: url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"backend": "in-process"/);
    expect(run.stderr).toMatch(
      /^warning: no REDIS_HOST: these are this command’s own in-process queues, always empty/m,
    );
  }, 60_000);

  /** What deploy/k8s/base/migrate-job.yaml and docker-compose.yml run, with pipes as a container has. */
  const migrationRun = (url: string) =>
    new Promise<CliRun>((resolve) => {
      const child = spawn(
        process.execPath,
        ['node_modules/typeorm/cli.js', '-d', 'dist/src/database/data-source.js', 'migration:run'],
        { cwd: REPO, env: { PATH: process.env.PATH ?? '', DATABASE_URL: url } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('the migration command of the Kubernetes Job and compose migrates, logging plain lines to stderr', async () => {
    const url = await recreateTestDatabase(EMPTY);
    const migrate = () => migrationRun(url);
    const migrations = readdirSync(path.join(REPO, 'migrations')).filter((file) => file.endsWith('.ts'));

    const first = await migrate();
    expect(first.code).toBe(0);
    expect(first.stdout + first.stderr).not.toContain('\u001b[');
    // LOG_LEVEL unset is info, as for the service: TypeORM's debug lines (the glob patterns it read) stay out.
    expect(first.stderr).not.toMatch(/DEBUG/);
    const executed = first.stderr.match(/^.* LOG \[TypeORM\] Migration \w+ has been executed successfully\.$/gm);
    expect(executed).toHaveLength(migrations.length);
    const again = await migrate();
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/LOG \[TypeORM\] No migrations are pending$/m);
    expect(again.stdout + again.stderr).not.toContain('\u001b[');
  }, 90_000);

  it('the migration command on a database it cannot use stops with the one line the service prints, no stack', async () => {
    const missing = withPassword(testDatabaseUrl(MISSING));
    const name = new URL(missing).pathname.slice(1);
    expect(await migrationRun(missing)).toEqual({
      code: 78,
      stdout: '',
      stderr: `DATABASE_URL=${missing.replace('never-print-me', '***')}: database "${name}" does not exist\n`,
    });
    const port = await freePort();
    expect(await migrationRun(`postgres://postgres:never-print-me@127.0.0.1:${port}/combot`)).toEqual({
      code: 69,
      stdout: '',
      stderr: `database unreachable: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    });
  }, 60_000);

  it('npm run migration:* with a bad setting prints `KEY=value: problem` without a stack, exit 78', async () => {
    const run = await new Promise<CliRun>((resolve) => {
      const child = spawn(
        path.join(REPO, 'node_modules/.bin/typeorm-ts-node-commonjs'),
        ['-d', 'src/database/data-source.ts', 'migration:show'],
        {
          cwd: REPO,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DB_POOL_SIZE: '0' },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run).toEqual({
      code: 78,
      stdout: '',
      stderr: 'Invalid configuration:\n  DB_POOL_SIZE=0: must be greater than or equal to 1\n',
    });
  }, 90_000);
});

/** The export rows of the audit trail, oldest first. */
async function exportAudit(databaseUrl: string): Promise<{ actor: string; rows: number; details: object }[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query(`SELECT actor, rows, details FROM admin_audit WHERE action = 'export' ORDER BY id`)).rows;
  } finally {
    await db.end();
  }
}

describe('admin export endpoint', () => {
  it('streams CSV behind the admin key and is off without one', async () => {
    const database = 'combot_admin_e2e_test';
    await recreateTestDatabase(database);
    const key = 'a-very-secret-admin-key';
    const app = await createTestApp(database, { ML_WORKERS: '1', ADMIN_API_KEY: key });
    try {
      const http = () => request(app.app.getHttpServer());
      await http().get('/api/random/initial').expect(200);
      await http().get('/api/admin/conversations/export?format=csv').expect(401);
      await http()
        .get('/api/admin/conversations/export?format=csv')
        .set('X-Api-Key', 'wrong-key-of-some-length')
        .expect(403);
      const csv = await http().get('/api/admin/conversations/export?format=csv').set('X-Api-Key', key).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.trim().split('\n')).toHaveLength(2);
      const jsonl = await http()
        .get('/api/admin/conversations/export/?format=jsonl&status=completed')
        .set('Authorization', `Bearer ${key}`)
        .expect(200);
      expect(jsonl.text).toBe('');
      const bad = await http()
        .get('/api/admin/conversations/export?format=csv&since=yesterday')
        .set('X-Api-Key', key)
        .expect(400);
      expect(bad.body.message).toMatch(/since must be/);
      const badStatus = await http()
        .get('/api/admin/conversations/export?status=done')
        .set('X-Api-Key', key)
        .expect(400);
      expect(badStatus.body).toMatchObject({
        code: 'HTTP.VALIDATION_FAILED',
        message: expect.stringMatching(/^status must be/),
      });
      // No format is CSV; an empty filter filters nothing.
      const plain = await http()
        .get('/api/admin/conversations/export?status=&since=')
        .set('X-Api-Key', key)
        .expect(200);
      expect(plain.headers['content-type']).toMatch(/text\/csv/);
      expect(plain.text.trim().split('\n')).toHaveLength(2);
      // No key, no pseudonymised export: refused before anything is read, in JSON.
      const noKey = await http()
        .get('/api/admin/conversations/export?format=jsonl&pseudonymise=true')
        .set('X-Api-Key', key)
        .expect(400);
      expect(noKey.body).toMatchObject({ code: 'ADMIN.PSEUDONYM_KEY_MISSING' });
    } finally {
      await app.app.close();
      await dropTestDatabase(database);
    }
    const off = await createTestApp(database, { ML_WORKERS: '1' });
    try {
      const response = await request(off.app.getHttpServer())
        .get('/api/admin/conversations/export?format=csv')
        .expect(403);
      expect(response.body.code).toBe('ADMIN.DISABLED');
    } finally {
      await off.app.close();
      await dropTestDatabase(database);
    }
  }, 120_000);
});
