import { DatabaseConnectError, EXIT_DATABASE_REFUSED, EXIT_DATABASE_UNAVAILABLE } from '../database/database-connect';
import { StartupError } from '../common/startup.error';
import {
  needsCurrentSchema,
  redisRefusal,
  settingRefusal,
  SETTING_REQUIRED_EXIT_CODE,
  startFailure,
} from './cli-start';

describe('redisRefusal', () => {
  const withoutRedis = { redis: { host: null } };
  const withRedis = { redis: { host: '127.0.0.1' } };

  it('refuses to warm a cache that is the command’s own memory and gone when it exits', () => {
    for (const args of [['warm-cache'], ['warm-cache', '-f', 'x.txt'], ['start-optimized-services', '--warm-cache']]) {
      expect(redisRefusal(args, withoutRedis)).toMatch(/^warm-cache needs Redis \(REDIS_HOST\): /);
    }
    expect(SETTING_REQUIRED_EXIT_CODE).toBe(78);
  });

  it('lets everything else run, and warm-cache with Redis', () => {
    expect(redisRefusal(['warm-cache'], withRedis)).toBeNull();
    expect(redisRefusal(['start-optimized-services', '--preload-models'], withoutRedis)).toBeNull();
    expect(redisRefusal(['queue:status'], withoutRedis)).toBeNull();
    expect(redisRefusal(['export-conversations', '--out', 'warm-cache'], withoutRedis)).toBeNull();
  });
});

describe('settingRefusal', () => {
  const config = (host: string | null, retentionDays: number | null) => ({
    redis: { host },
    participantData: { retentionDays },
  });

  it('refuses retention:run while DATA_RETENTION_DAYS is not set: it would age nothing out', () => {
    expect(settingRefusal(['retention:run'], config('127.0.0.1', null))).toMatch(
      /^retention:run needs DATA_RETENTION_DAYS: /,
    );
    expect(settingRefusal(['retention:run'], config('127.0.0.1', 30))).toBeNull();
    expect(settingRefusal(['export-conversations'], config('127.0.0.1', null))).toBeNull();
  });

  it('keeps the Redis refusal of warm-cache', () => {
    expect(settingRefusal(['warm-cache'], config(null, 30))).toMatch(/^warm-cache needs Redis/);
  });
});

describe('startFailure', () => {
  const unreachable = new DatabaseConnectError(
    'database unreachable: connect ECONNREFUSED 127.0.0.1:8399',
    EXIT_DATABASE_UNAVAILABLE,
    true,
  );

  it('makes a health check that could not reach the database the documented `not ready: database`, exit 1', () => {
    for (const args of [['health-check'], ['start-optimized-services', '--preload-models', '--health-check']]) {
      const failure = startFailure(args, unreachable);
      expect(failure).toEqual({
        exitCode: 1,
        stderr: ['database unreachable: connect ECONNREFUSED 127.0.0.1:8399', 'not ready: database'],
        stdout: expect.any(String),
      });
      expect(JSON.parse(failure?.stdout ?? '')).toEqual({
        status: 'error',
        info: {},
        error: { database: { status: 'down', message: unreachable.message } },
        details: { database: { status: 'down', message: unreachable.message } },
      });
    }
  });

  it('gives any other command the one line and the error’s own exit code', () => {
    const refused = new DatabaseConnectError(
      'DATABASE_URL=postgres://u:***@h/x: database "x" does not exist',
      EXIT_DATABASE_REFUSED,
      false,
    );
    expect(startFailure(['export-conversations'], refused)).toEqual({ exitCode: 78, stderr: [refused.message] });
    expect(startFailure(['queue:status'], unreachable)).toEqual({ exitCode: 69, stderr: [unreachable.message] });
    expect(startFailure(['export-conversations'], new StartupError('EMBEDDED_DB_PORT=1: busy'))).toEqual({
      exitCode: 78,
      stderr: ['EMBEDDED_DB_PORT=1: busy'],
    });
  });

  it('leaves an unknown failure to the caller (its stack is what a developer needs)', () => {
    expect(startFailure(['health-check'], new TypeError('boom'))).toBeNull();
  });
});

describe('needsCurrentSchema', () => {
  it('is true for the commands that read or write the study tables, whatever their options', () => {
    for (const args of [
      ['export-conversations', '--format', 'csv'],
      ['erase-participant', '--email', 'a@b.org'],
      ['retention:run'],
    ])
      expect({ args, needs: needsCurrentSchema(args) }).toEqual({ args, needs: true });
  });

  it('is false for the others: health-check reports the schema itself, the rest do not touch those tables', () => {
    for (const args of [['health-check'], ['queue:status'], ['preload-models'], ['warm-cache', 'f.txt'], []])
      expect({ args, needs: needsCurrentSchema(args) }).toEqual({ args, needs: false });
  });
});
