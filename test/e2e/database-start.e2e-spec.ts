import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { deleteKeys } from '../support/redis-keys';
import { freePort, startService, stopService, waitForHttp } from '../support/service-process';
import { configuredStudyFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase, testDatabaseUrl } from '../support/test-database';

/** A TCP relay (listen port, target host, target port) that starts listening only after 3 s. */
const RELAY = `
const net = require('node:net');
const [port, host, target] = process.argv.slice(1);
const relay = net.createServer((client) => {
  const upstream = net.connect(Number(target), host);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
setTimeout(() => relay.listen(Number(port), '127.0.0.1'), 3000);
`;

/**
 * The API and the worker (built) against a database they cannot use: one line naming the problem, never a stack
 * or the password of DATABASE_URL, and an exit code that says whether to fix a setting (78) or wait (69).
 */
describe('API and worker start without a usable database', () => {
  const MISSING = 'combot_db_start_missing_e2e_test';
  const LATE = 'combot_db_start_late_e2e_test';

  afterAll(async () => {
    await dropTestDatabase(MISSING);
    await dropTestDatabase(LATE);
  });

  async function env(databaseUrl: string): Promise<Record<string, string>> {
    return {
      PORT: String(await freePort()),
      API_PROCESSES: '1',
      ML_WORKERS: '1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      STUDY_CONTENT_FILE: configuredStudyFile(),
    };
  }

  function withPassword(url: string): string {
    const parsed = new URL(url);
    parsed.password = 'never-print-me';
    return parsed.toString();
  }

  it('the API stops at once with one line when the database does not exist, exit 78', async () => {
    await dropTestDatabase(MISSING);
    const url = withPassword(testDatabaseUrl(MISSING));
    const service = startService(await env(url));
    expect(await service.exited).toBe(78);
    const name = new URL(url).pathname.slice(1);
    expect(service.output()).toBe(
      `DATABASE_URL=${url.replace('never-print-me', '***')}: database "${name}" does not exist\n`,
    );
  }, 60_000);

  it('the API stops with one line naming PORT when its port is taken, exit 78, with one process or several', async () => {
    const url = await recreateTestDatabase(LATE);
    const holder = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '0.0.0.0', resolve));
    try {
      for (const processes of ['1', '2']) {
        const service = startService({
          ...(await env(url)),
          PORT: String(port),
          API_PROCESSES: processes,
          REDIS_HOST: '127.0.0.1',
          REDIS_KEY_PREFIX: `combot-test-port-${processes}`,
          DB_MIGRATE_ON_START: 'true',
        });
        expect({ processes, code: await service.exited }).toEqual({ processes, code: 78 });
        expect(service.output()).toContain(`PORT=${port}: 0.0.0.0:${port} is already in use (EADDRINUSE)\n`);
        expect(service.output()).not.toMatch(/\s+at\s.+:\d+:\d+/);
        // That line alone says it: no error-level log line repeating it (Nest's listen logs its own).
        expect(service.output()).not.toMatch(/"level":50.*EADDRINUSE/);
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
      for (const processes of ['1', '2'])
        await deleteKeys({ host: '127.0.0.1', port: 6379 }, `combot-test-port-${processes}`);
    }
  }, 120_000);

  it('the API stops with one line naming HOST when it cannot listen there, exit 78, with one process or several', async () => {
    const url = await recreateTestDatabase(LATE);
    const cases = [
      {
        host: '999.1.1.1',
        line: 'HOST=999.1.1.1: is neither an IP address nor a name that resolves (getaddrinfo ENOTFOUND)',
      },
      // TEST-NET-1 (RFC 5737): never an address of this machine.
      { host: '192.0.2.1', line: 'HOST=192.0.2.1: is not an address of this machine (EADDRNOTAVAIL)' },
    ];
    try {
      for (const { host, line } of cases)
        for (const processes of ['1', '2']) {
          const service = startService({
            ...(await env(url)),
            HOST: host,
            API_PROCESSES: processes,
            REDIS_HOST: '127.0.0.1',
            REDIS_KEY_PREFIX: `combot-test-host-${processes}`,
            DB_MIGRATE_ON_START: 'true',
          });
          expect({ host, processes, code: await service.exited }).toEqual({ host, processes, code: 78 });
          expect(service.output()).toContain(`${line}\n`);
          expect(service.output()).not.toMatch(/\s+at\s.+:\d+:\d+/);
        }
    } finally {
      for (const processes of ['1', '2'])
        await deleteKeys({ host: '127.0.0.1', port: 6379 }, `combot-test-host-${processes}`);
    }
  }, 180_000);

  it('the worker says the same', async () => {
    const url = withPassword(testDatabaseUrl(MISSING));
    const service = startService({ ...(await env(url)), REDIS_HOST: '127.0.0.1' }, 'dist/src/worker.js');
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(/^DATABASE_URL=postgres:\/\/postgres:\*\*\*@.*: database ".*" does not exist\n$/);
  }, 60_000);

  it('the API tries an unreachable database for ~10 s, then stops with one line, exit 69', async () => {
    const port = await freePort();
    const started = Date.now();
    const service = startService(await env(`postgres://postgres:never-print-me@127.0.0.1:${port}/combot`));
    expect(await service.exited).toBe(69);
    expect(Date.now() - started).toBeGreaterThan(9000);
    expect(service.output()).toBe(`database unreachable: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  }, 60_000);

  it("a warning Node raises (node-postgres on sslmode=require) is one of the process's JSON log lines", async () => {
    // The server offers no SSL, so the start ends as an unreachable database would; the warning comes first.
    const port = await freePort();
    const url = `postgres://postgres:never-print-me@127.0.0.1:${port}/combot?sslmode=require`;
    const service = startService({ ...(await env(url)), LOG_LEVEL: 'warn' });
    expect(await service.exited).toBe(69);
    const lines = service.output().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 40,
      role: 'api',
      context: 'Process',
      warning: { name: 'Warning' },
      msg: expect.stringMatching(/^SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca'/),
    });
    expect(lines[1]).toBe(`database unreachable: connect ECONNREFUSED 127.0.0.1:${port}`);
  }, 60_000);

  it('the API waits for a database that comes up a few seconds after it, and starts', async () => {
    // A port that refuses connections for 3 s, then passes them to the real server: a database starting late. The
    // relay is a process of its own, as a server would be, so nothing in this one holds its sockets.
    const url = new URL(await recreateTestDatabase(LATE));
    const port = await freePort();
    const relay = spawn(process.execPath, ['-e', RELAY, String(port), url.hostname, url.port || '5432'], {
      stdio: 'ignore',
    });
    url.port = String(port);
    const service = startService({ ...(await env(url.toString())), DB_MIGRATE_ON_START: 'true' });
    try {
      await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 60_000);
      expect(service.output()).toMatch(/database unreachable: .*; retrying in 1 s \(attempt 2\)/);
    } finally {
      await stopService(service);
      relay.kill('SIGKILL');
    }
  }, 90_000);
});
