import { DatabaseError } from 'pg';
import { EntityMetadataNotFoundError, QueryFailedError, type DataSource } from 'typeorm';
import { StartupError } from '../common/startup.error';
import {
  connectDataSource,
  DatabaseConnectError,
  describeConnectFailure,
  EXIT_DATABASE_REFUSED,
  EXIT_DATABASE_UNAVAILABLE,
} from './database-connect';

/** An error as node-postgres raises it: a message, and a code (an errno name or a SQLSTATE). */
function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const URL_WITH_PASSWORD = 'postgres://combot:s3cr%40t-pw@db.internal:5432/combot';
const EXTERNAL = { url: URL_WITH_PASSWORD, external: true };

describe('describeConnectFailure', () => {
  it('names an unreachable server in one line, exit 69, and marks it worth retrying', () => {
    const failure = describeConnectFailure(pgError('connect ECONNREFUSED 127.0.0.1:8399', 'ECONNREFUSED'), EXTERNAL);
    expect(failure).toBeInstanceOf(StartupError);
    expect(failure).toMatchObject({
      message: 'database unreachable: connect ECONNREFUSED 127.0.0.1:8399',
      exitCode: EXIT_DATABASE_UNAVAILABLE,
      unavailable: true,
    });
  });

  it('names every address of a refused dual-stack connect (Node raises an AggregateError without a message)', () => {
    const error = Object.assign(
      new AggregateError(
        [
          pgError('connect ECONNREFUSED ::1:8399', 'ECONNREFUSED'),
          pgError('connect ECONNREFUSED 127.0.0.1:8399', 'ECONNREFUSED'),
        ],
        '',
      ),
      { code: 'ECONNREFUSED' },
    );
    expect(describeConnectFailure(error, EXTERNAL)?.message).toBe(
      'database unreachable: connect ECONNREFUSED ::1:8399; connect ECONNREFUSED 127.0.0.1:8399',
    );
  });

  it('names the setting when the server answers but refuses the URL (no such database, bad login), exit 78', () => {
    for (const [message, code] of [
      ['database "combot" does not exist', '3D000'],
      ['password authentication failed for user "combot"', '28P01'],
    ]) {
      const failure = describeConnectFailure(pgError(message, code), EXTERNAL);
      expect(failure).toMatchObject({
        message: `DATABASE_URL=postgres://combot:***@db.internal:5432/combot: ${message}`,
        exitCode: EXIT_DATABASE_REFUSED,
        unavailable: false,
      });
    }
  });

  it('never prints the password, even when a driver message repeats it', () => {
    const failure = describeConnectFailure(
      pgError('role "combot" with password s3cr@t-pw is not permitted to log in', '28000'),
      EXTERNAL,
    );
    expect(failure?.message).not.toMatch(/s3cr/);
    expect(failure?.message).toContain('***');
  });

  it('says "embedded database" instead of a URL the operator never set', () => {
    const failure = describeConnectFailure(pgError('database "postgres" does not exist', '3D000'), {
      url: 'postgres://postgres:generated@127.0.0.1:54329/postgres',
      external: false,
    });
    expect(failure?.message).toBe('embedded database: database "postgres" does not exist');
  });

  it('names any other failure of the client to connect in one line, exit 69, whatever its text or code', () => {
    for (const error of [
      // node-postgres itself, when the URL asks for SSL (sslmode=require) and the server has none.
      new Error('The server does not support SSL connections'),
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
    ]) {
      expect(describeConnectFailure(error, EXTERNAL)).toMatchObject({
        message: `database unreachable: ${error.message}`,
        exitCode: EXIT_DATABASE_UNAVAILABLE,
        unavailable: true,
      });
    }
  });

  it('leaves other failures (a failed statement, a bad entity, a bug) to the caller: their stack is what a developer needs', () => {
    const syntax = Object.assign(new DatabaseError('syntax error at or near "SELEC"', 0, 'error'), { code: '42601' });
    expect(describeConnectFailure(syntax, EXTERNAL)).toBeNull();
    expect(describeConnectFailure(new QueryFailedError('SELEC 1', [], syntax), EXTERNAL)).toBeNull();
    expect(describeConnectFailure(new EntityMetadataNotFoundError('Conversation'), EXTERNAL)).toBeNull();
    expect(describeConnectFailure(new TypeError('x is not a function'), EXTERNAL)).toBeNull();
    expect(describeConnectFailure('a string', EXTERNAL)).toBeNull();
  });
});

describe('connectDataSource', () => {
  const refused = (): Error => pgError('connect ECONNREFUSED 127.0.0.1:8399', 'ECONNREFUSED');

  /** Data sources whose `initialize` fails with the given errors in turn, then succeeds. */
  function sources(failures: Error[]): { create: () => DataSource; created: () => number } {
    let count = 0;
    const create = (): DataSource => {
      const failure = failures[count++];
      const source = { initialize: () => (failure ? Promise.reject(failure) : Promise.resolve(source)) };
      return source as unknown as DataSource;
    };
    return { create, created: () => count };
  }

  const noWait = (): Promise<void> => Promise.resolve();

  it('retries an unreachable server within the time allowed, one warning line each, on a new data source', async () => {
    const warnings: string[] = [];
    const { create, created } = sources([refused(), refused()]);
    await connectDataSource(create, EXTERNAL, {
      retryForMs: 10_000,
      retryDelayMs: 1000,
      warn: (line) => warnings.push(line),
      sleep: noWait,
    });
    expect(created()).toBe(3);
    expect(warnings).toEqual([
      'database unreachable: connect ECONNREFUSED 127.0.0.1:8399; retrying in 1 s (attempt 2)',
      'database unreachable: connect ECONNREFUSED 127.0.0.1:8399; retrying in 1 s (attempt 3)',
    ]);
  });

  it('gives up with the one-line error once the time allowed is spent', async () => {
    let now = 0;
    const { create, created } = sources(Array.from({ length: 100 }, refused));
    const attempt = connectDataSource(create, EXTERNAL, {
      retryForMs: 3000,
      retryDelayMs: 1000,
      warn: () => undefined,
      sleep: (ms) => Promise.resolve(void (now += ms)),
      now: () => now,
    });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseConnectError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT_DATABASE_UNAVAILABLE });
    expect(created()).toBe(4);
  });

  it('tries once when no retry is allowed (the CLI)', async () => {
    const { create, created } = sources([refused()]);
    await expect(
      connectDataSource(create, EXTERNAL, { retryForMs: 0, retryDelayMs: 1000, warn: () => undefined }),
    ).rejects.toMatchObject({ message: 'database unreachable: connect ECONNREFUSED 127.0.0.1:8399' });
    expect(created()).toBe(1);
  });

  it('never retries a refused URL: waiting does not create a database', async () => {
    const { create, created } = sources([pgError('database "x" does not exist', '3D000')]);
    await expect(
      connectDataSource(create, EXTERNAL, { retryForMs: 10_000, retryDelayMs: 1, warn: () => undefined }),
    ).rejects.toMatchObject({ exitCode: EXIT_DATABASE_REFUSED });
    expect(created()).toBe(1);
  });

  it('runs the migrations once connected, outside the retries: a migration that times out is its own failure', async () => {
    const timeout = pgError('canceling statement due to statement timeout', '57014');
    let created = 0;
    let migrations = 0;
    const create = (): DataSource => {
      created++;
      const source = {
        initialize: () => Promise.resolve(source),
        runMigrations: () => (migrations++, Promise.reject(timeout)),
      };
      return source as unknown as DataSource;
    };
    await expect(
      connectDataSource(create, EXTERNAL, {
        migrate: true,
        retryForMs: 10_000,
        retryDelayMs: 1,
        warn: () => undefined,
      }),
    ).rejects.toBe(timeout);
    expect({ created, migrations }).toEqual({ created: 1, migrations: 1 });
  });

  it('rethrows any other failure as it is', async () => {
    const bug = new TypeError('boom');
    const { create } = sources([bug]);
    await expect(
      connectDataSource(create, EXTERNAL, { retryForMs: 10_000, retryDelayMs: 1, warn: () => undefined }),
    ).rejects.toBe(bug);
  });
});
