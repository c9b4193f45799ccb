import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PORT } from '../../src/database/embedded-postgres.server';
import { deleteKeys } from '../support/redis-keys';
import { embeddedDataDir, freePort, startService, waitForHttp } from '../support/service-process';

/** No DATABASE_URL, no REDIS_HOST: the built service must serve on its own, as `npm start` does. */
const ADMIN_KEY = 'zero-service-admin-key-0123';

describe('zero-service mode (built service, embedded PostgreSQL)', () => {
  const dataDir = embeddedDataDir('zero-service');

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function postgresRunning(): boolean {
    return spawnSync('pgrep', ['-f', `postgres -D ${path.join(dataDir, 'pgdata')}`]).status === 0;
  }

  /** Every watcher of a server in the data folder that is running: those of this test and of earlier ones. */
  function allWatcherPids(): number[] {
    const found = spawnSync('pgrep', ['-f', `${dataDir}.*combot-owner.json`], { encoding: 'utf8' });
    return found.stdout.split('\n').filter(Boolean).map(Number);
  }

  // An earlier test's watcher may still be standing down when the next test begins (it checks every 2 s): each test
  // follows the watchers started during it.
  let earlierWatchers = new Set<number>();
  beforeEach(() => (earlierWatchers = new Set(allWatcherPids())));

  /** The watchers, started during this test, that stop the server once its owner is gone. */
  function watcherPids(): number[] {
    return allWatcherPids().filter((pid) => !earlierWatchers.has(pid));
  }

  async function until(condition: () => boolean, withinMs: number): Promise<number> {
    const started = Date.now();
    while (!condition() && Date.now() - started < withinMs) await new Promise((resolve) => setTimeout(resolve, 100));
    return Date.now() - started;
  }

  async function env(): Promise<Record<string, string>> {
    return {
      PORT: String(await freePort()),
      EMBEDDED_DB_DIR: dataDir,
      EMBEDDED_DB_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      ADMIN_API_KEY: ADMIN_KEY,
    };
  }

  it('serves health (database up, embedded) and docs, then stops its PostgreSQL on SIGTERM', async () => {
    const service = startService(await env());
    try {
      await waitForHttp(service, `${service.baseUrl}/api/health/`, 90_000);
      const health = await fetch(`${service.baseUrl}/api/health/`, { headers: { 'X-Api-Key': ADMIN_KEY } });
      const body = (await health.json()) as { info: { database: { status: string; mode: string } } };
      expect(body.info.database).toEqual(expect.objectContaining({ status: 'up', mode: 'embedded' }));
      expect((await fetch(`${service.baseUrl}/api/docs`)).status).toBe(200);
      expect(service.output()).toMatch(/database: embedded/);
      // Every link the start-up line offers opens a page (the console's login form without a session).
      const listening = service.output().split('\n').find((line) => line.includes('Combot API listening on')) ?? '';
      const links = listening.match(/https?:\/\/[^\s,)"]+/g) ?? [];
      expect(links.map((link) => new URL(link).pathname)).toEqual(['/api/docs', '/admin/']);
      for (const link of links) expect((await fetch(link)).status).toBe(200);
    } finally {
      service.child.kill('SIGTERM');
    }
    await service.exited;
    expect(postgresRunning()).toBe(false);
  }, 120_000);

  it('stops its PostgreSQL within seconds of being killed (SIGKILL): no server is left running for nobody', async () => {
    const service = startService(await env());
    try {
      await waitForHttp(service, `${service.baseUrl}/api/health/`, 90_000);
      expect(watcherPids()).toHaveLength(1);
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    const took = await until(() => !postgresRunning() && watcherPids().length === 0, 20_000);
    expect({ postgresRunning: postgresRunning(), watchers: watcherPids() }).toEqual({
      postgresRunning: false,
      watchers: [],
    });
    expect(took).toBeLessThan(20_000);
  }, 120_000);

  /** A data folder of a test's own: its owner file as last written (null before), and whether its server runs. */
  function ownData(label: string) {
    const dir = embeddedDataDir(label);
    return {
      dir,
      owner: (): { pid?: number; port?: number } | null => {
        try {
          return JSON.parse(readFileSync(path.join(dir, 'combot-owner.json'), 'utf8')) as {
            pid?: number;
            port?: number;
          };
        } catch {
          return null;
        }
      },
      running: () => spawnSync('pgrep', ['-f', `postgres -D ${path.join(dir, 'pgdata')}`]).status === 0,
    };
  }

  it('stops the PostgreSQL it was starting when killed (SIGKILL) before the server listened', async () => {
    // The owner file names the process, without a port, while `pg_ctl start` runs.
    const { dir, owner, running } = ownData('zero-service-starting');
    const service = startService({ ...(await env()), EMBEDDED_DB_DIR: dir });
    const starting = () => owner()?.pid === service.child.pid && owner()?.port === undefined;
    await until(() => starting() || service.child.exitCode !== null, 90_000);
    expect(starting()).toBe(true);
    service.child.kill('SIGKILL');
    await service.exited;
    // `pg_ctl start` runs on without the process and brings the server up; the watcher then stops it.
    await until(running, 10_000);
    const took = await until(() => !running(), 20_000);
    expect({ postgresRunning: running(), took: took < 20_000 }).toEqual({ postgresRunning: false, took: true });
  }, 150_000);

  it('stops at once on SIGTERM while starting, says so, exits 0 and stops the PostgreSQL it started', async () => {
    // Migrations run on its new database after the server listens, and then the model loads.
    const { dir, owner, running } = ownData('zero-service-stopped-starting');
    const service = startService({ ...(await env()), EMBEDDED_DB_DIR: dir });
    const listening = () => owner()?.port !== undefined;
    await until(() => listening() || service.child.exitCode !== null, 90_000);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const lines = service
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; context?: string });
    expect(lines).toContainEqual(
      expect.objectContaining({ context: 'Bootstrap', msg: 'SIGTERM while starting: stopping' }),
    );
    expect(service.output()).not.toMatch(/listening on/);
    expect(running()).toBe(false);
  }, 150_000);

  it('starts on its database when started again at once after a kill -9 (the old watcher stands down)', async () => {
    const first = startService(await env());
    await waitForHttp(first, `${first.baseUrl}/api/health/ready`, 90_000);
    first.child.kill('SIGKILL');
    const second = startService(await env());
    try {
      await first.exited;
      await waitForHttp(second, `${second.baseUrl}/api/health/ready`, 90_000);
      // Past the old watcher's next look (every 2 s): still on a running database.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect((await fetch(`${second.baseUrl}/api/health/ready`)).status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    await until(() => !postgresRunning(), 10_000);
    expect(postgresRunning()).toBe(false);
  }, 180_000);

  it('does not attach to the server of a killed owner its parent has not reaped yet (a zombie), and stops its own on exit', async () => {
    // The owner runs under a shell that execs `sleep`, which never waits for its children: killed, it stays a zombie
    // until the sleep ends. A zombie holds no connection and will never stop its server.
    const firstEnv = await env();
    const parent = spawn(
      '/bin/sh',
      ['-c', `"$0" dist/src/main.js >/dev/null 2>&1 & echo $!; exec sleep 120`, process.execPath],
      {
        cwd: path.resolve(__dirname, '..', '..'),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...firstEnv },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    try {
      const ownerPid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      const first = {
        child: parent,
        baseUrl: `http://127.0.0.1:${firstEnv.PORT}`,
        output: () => '',
        exited: new Promise<number | null>((resolve) => parent.once('exit', resolve)),
      };
      await waitForHttp(first, `${first.baseUrl}/api/health/ready`, 90_000);
      process.kill(ownerPid, 'SIGKILL');
      await until(() => /\) Z /.test(readFileSync(`/proc/${ownerPid}/stat`, 'utf8')), 5_000);
      const second = startService(await env());
      try {
        await waitForHttp(second, `${second.baseUrl}/api/health/ready`, 90_000);
        // Its own server (the zombie's watcher may have stopped the old one already, or this start restarts it).
        expect(second.output()).not.toMatch(/attaching/);
        expect(second.output()).toMatch(/embedded PostgreSQL started on/);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      // The server is the second start's own: it stops with it, though the zombie's watcher is still waiting.
      await until(() => !postgresRunning(), 10_000);
      expect(postgresRunning()).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 180_000);

  it('hands the server to a process still using it when its owner stops, and stops it once that one is gone', async () => {
    const owner = startService(await env());
    await waitForHttp(owner, `${owner.baseUrl}/api/health/ready`, 90_000);
    expect(watcherPids()).toHaveLength(1);
    const user = startService(await env());
    try {
      await waitForHttp(user, `${user.baseUrl}/api/health/ready`, 90_000);
      expect(user.output()).toMatch(/already served by pid \d+; attaching/);
      owner.child.kill('SIGTERM');
      await owner.exited;
      expect(owner.output()).toMatch(/left running for pid \d+, which uses it/);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await fetch(`${user.baseUrl}/api/health/ready`)).status).toBe(200);
    } finally {
      user.child.kill('SIGKILL');
      await user.exited;
    }
    // The heir was killed: the watcher, following the owner file, stops the server.
    await until(() => !postgresRunning() && watcherPids().length === 0, 20_000);
    expect({ postgresRunning: postgresRunning(), watchers: watcherPids() }).toEqual({
      postgresRunning: false,
      watchers: [],
    });
  }, 180_000);

  it('stops its PostgreSQL on SIGTERM even after the data folder was deleted under it (pg_ctl cannot)', async () => {
    const service = startService(await env());
    try {
      await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 90_000);
      rmSync(dataDir, { recursive: true, force: true });
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await until(() => !postgresRunning(), 10_000);
    expect(postgresRunning()).toBe(false);
    expect(service.output()).not.toMatch(/embedded PostgreSQL stopped"/);
    expect(service.output()).toMatch(/embedded PostgreSQL stopped by a signal/);
  }, 120_000);

  it('recovers from a stale server left when the process and its watcher were both killed', async () => {
    const first = startService(await env());
    await waitForHttp(first, `${first.baseUrl}/api/health/`, 90_000);
    // As a host that kills every process at once (the OOM killer on a group, a container's end) would.
    for (const pid of watcherPids()) process.kill(pid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(postgresRunning()).toBe(true); // the orphan such a kill leaves behind

    const second = startService(await env());
    try {
      await waitForHttp(second, `${second.baseUrl}/api/health/`, 90_000);
      expect(second.output()).toMatch(/stale embedded PostgreSQL/);
    } finally {
      second.child.kill('SIGTERM');
    }
    await second.exited;
    expect(postgresRunning()).toBe(false);
    await until(() => watcherPids().length === 0, 10_000);
    expect(watcherPids()).toEqual([]);
  }, 180_000);

  it('refuses a bad configuration with a list of KEY=value: problem', async () => {
    const service = startService({ ...(await env()), PORT: 'eighty', MAX_CONCURRENT_ML_OPERATIONS: '-1' });
    const code = await service.exited;
    expect(code).toBe(78);
    expect(service.output()).toContain('PORT=eighty: must be a number');
    expect(service.output()).toMatch(/MAX_CONCURRENT_ML_OPERATIONS=-1: must be greater than or equal to 1/);
    expect(service.output()).not.toMatch(/\s+at\s/);
  });

  /** Holds a TCP port on 127.0.0.1 the way another program would; resolves null when it is taken already. */
  async function occupy(port: number): Promise<net.Server | null> {
    const server = net.createServer();
    return new Promise((resolve) => {
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }

  it('stops with one line naming EMBEDDED_DB_PORT when the port it was told to use is busy', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const service = startService({ ...(await env()), EMBEDDED_DB_PORT: String(port) });
      expect(await service.exited).toBe(78);
      expect(service.output()).toContain(`EMBEDDED_DB_PORT=${port}: the port is in use by another process`);
      expect(service.output()).not.toMatch(/\s+at\s|pg_ctl/);
    } finally {
      blocker?.close();
    }
  }, 120_000);

  it('takes a free port, and says so, when the default port is busy and none was set', async () => {
    const blocker = await occupy(DEFAULT_PORT); // null: something else holds it already, which is the same case
    const { EMBEDDED_DB_PORT: _unset, ...rest } = await env();
    const service = startService(rest);
    try {
      await waitForHttp(service, `${service.baseUrl}/api/health/`, 90_000);
      expect(service.output()).toMatch(
        new RegExp(`port ${DEFAULT_PORT} is in use; embedded PostgreSQL takes the free port \\d+`),
      );
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      blocker?.close();
    }
  }, 120_000);

  describe('without the embedded PostgreSQL installed (the production image) and without DATABASE_URL', () => {
    const HIDE = ['--require', path.join(__dirname, '..', 'fixtures', 'without-embedded-postgres.js')];
    const LINE =
      /^DATABASE_URL: not set, and the embedded PostgreSQL is not installed \(@embedded-postgres\/[\w-]+ is missing, as in the production image\): set DATABASE_URL\n$/;
    const PREFIX = 'combot-test-no-embedded';
    // Made when the tests run, not when jest collects them (a filtered run would leave it behind).
    let emptyDir: string;
    let neverMade: string;

    beforeAll(() => {
      emptyDir = embeddedDataDir('no-embedded');
      neverMade = path.join(emptyDir, 'postgres');
    });

    afterAll(async () => {
      rmSync(emptyDir, { recursive: true, force: true });
      await deleteKeys({ host: '127.0.0.1', port: 6379 }, PREFIX);
    });

    /** Runs `args` (node arguments after the preload) to its exit, as the image would, without DATABASE_URL. */
    function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [...HIDE, ...args], {
          cwd: path.join(__dirname, '..', '..'),
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => resolve({ code, output }));
      });
    }

    it('the API, the cluster, the worker, the CLI and the migration command stop with one line naming DATABASE_URL, exit 78', async () => {
      const base = { ...(await env()), EMBEDDED_DB_DIR: neverMade, NODE_ENV: 'production', LOG_LEVEL: 'info' };
      const withRedis = { ...base, REDIS_HOST: '127.0.0.1', REDIS_KEY_PREFIX: PREFIX };
      const runs = {
        api: await run(['dist/src/main.js'], base),
        cluster: await run(['dist/src/main.js'], { ...withRedis, API_PROCESSES: '2' }),
        worker: await run(['dist/src/worker.js'], withRedis),
        cli: await run(['dist/src/cli.js', 'health-check'], base),
        // What docker-compose.yml's `migrate` and deploy/k8s/base/migrate-job.yaml run.
        migrate: await run(
          ['node_modules/typeorm/cli.js', '-d', 'dist/src/database/data-source.js', 'migration:run'],
          base,
        ),
      };
      for (const [name, { code, output }] of Object.entries(runs))
        expect({ name, code, output }).toEqual({ name, code: 78, output: expect.stringMatching(LINE) });
      // Nothing was prepared for a server that cannot run.
      expect(existsSync(neverMade)).toBe(false);
    }, 120_000);
  });
});
