import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { deleteKeys } from '../support/redis-keys';
import { startService, type ServiceProcess } from '../support/service-process';
import { configuredStudyFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

/** The queue worker has no HTTP: its liveness signal is a file it touches from its event loop. */
describe('queue worker heartbeat (built worker, real PostgreSQL and Redis)', () => {
  const DATABASE = 'combot_worker_heartbeat_test';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'combot-heartbeat-'));
  const file = path.join(dir, 'alive');
  const redisPrefix = `combot-test-${randomUUID().slice(0, 8)}`;
  let worker: ServiceProcess;

  afterAll(async () => {
    if (worker?.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-gone`, { recursive: true, force: true });
    // The worker's queues and schedules under its own prefix go with the run.
    await deleteKeys({ host: '127.0.0.1', port: 6379 }, redisPrefix);
    await dropTestDatabase(DATABASE);
  });

  it('touches WORKER_HEARTBEAT_FILE while its event loop runs, and stops when the process is frozen', async () => {
    const databaseUrl = await recreateTestDatabase(DATABASE);
    // One left by a worker this one replaces (a container restarted on the same emptyDir): not this start's beat.
    writeFileSync(file, 'left by the previous container\n');
    worker = startService(
      {
        DATABASE_URL: databaseUrl,
        DB_MIGRATE_ON_START: 'true',
        REDIS_HOST: '127.0.0.1',
        REDIS_KEY_PREFIX: redisPrefix,
        ML_WORKERS: '1',
        LOG_LEVEL: 'warn',
        STUDY_CONTENT_FILE: configuredStudyFile(),
        WORKER_HEARTBEAT_FILE: file,
      },
      'dist/src/worker.js',
    );
    const deadline = Date.now() + 60_000;
    let first = 0;
    let sawItGone = false;
    while (Date.now() < deadline && first === 0) {
      try {
        if (readFileSync(file, 'utf8').startsWith('left by')) throw new Error('not yet');
        first = statSync(file).mtimeMs;
      } catch {
        sawItGone ||= !existsSync(file);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(first).toBeGreaterThan(0);
    // The old file went at start, before the first beat: a start-up probe waits for this start's own.
    expect(sawItGone).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const second = statSync(file).mtimeMs;
    expect(second).toBeGreaterThan(first);

    // A stopped process (what a probe must catch) touches nothing any more.
    worker.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const frozen = statSync(file).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(statSync(file).mtimeMs).toBe(frozen);
    worker.child.kill('SIGCONT');

    // A heartbeat it cannot write (its folder gone, a full disk) is warned about, not a crash that drops the jobs in
    // hand: the stale file is the probe's signal, and the beat resumes once it can write again.
    // Moved away in one step: deleting the folder's contents and then the folder races the worker's next write.
    renameSync(dir, `${dir}-gone`);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).toMatch(/heartbeat .*could not be written/);
    mkdirSync(dir);
    const resumed = Date.now() + 10_000;
    let written = false;
    while (Date.now() < resumed && !written) {
      try {
        written = statSync(file).mtimeMs > 0;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    expect(written).toBe(true);
  }, 120_000);

  it('refuses to start, in one line naming the setting, with a heartbeat file it cannot write', async () => {
    const starting = startService(
      {
        DATABASE_URL: await recreateTestDatabase(`${DATABASE.slice(0, -'_test'.length)}_bad_test`),
        REDIS_HOST: '127.0.0.1',
        REDIS_KEY_PREFIX: `${redisPrefix}-bad`,
        ML_WORKERS: '1',
        LOG_LEVEL: 'warn',
        STUDY_CONTENT_FILE: configuredStudyFile(),
        WORKER_HEARTBEAT_FILE: path.join(dir, 'missing-folder', 'alive'),
      },
      'dist/src/worker.js',
    );
    try {
      expect(await starting.exited).toBe(78);
      const lines = starting.output().trim().split('\n');
      expect(lines[lines.length - 1]).toMatch(
        /^WORKER_HEARTBEAT_FILE=.*missing-folder\/alive: cannot be written \(ENOENT\)$/,
      );
      expect(starting.output()).not.toMatch(/\s+at\s.+:\d+:\d+/);
    } finally {
      await dropTestDatabase(`${DATABASE.slice(0, -'_test'.length)}_bad_test`);
      await deleteKeys({ host: '127.0.0.1', port: 6379 }, `${redisPrefix}-bad`);
    }
  }, 60_000);
});
