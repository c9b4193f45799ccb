import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { deleteKeys, redisClient } from '../support/redis-keys';
import { freePort, startService, waitForHttp, type ServiceProcess } from '../support/service-process';
import { configuredStudyFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const REDIS = { host: '127.0.0.1', port: 6379 };

/** One built HTTP process on a fresh database of its own and the shared Redis under a key prefix of its own. */
function builtApi(database: string, env: Record<string, string> = {}) {
  const redisPrefix = `combot-test-${randomUUID().slice(0, 8)}`;
  let service: ServiceProcess | undefined;
  return {
    redisPrefix,
    async start(): Promise<ServiceProcess> {
      service = startService({
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DATABASE_URL: await recreateTestDatabase(database),
        DB_MIGRATE_ON_START: 'true',
        REDIS_HOST: REDIS.host,
        REDIS_PORT: String(REDIS.port),
        REDIS_KEY_PREFIX: redisPrefix,
        API_PROCESSES: '1',
        ML_WORKERS: '1',
        THROTTLE_LIMIT: '0',
        LOG_LEVEL: 'info',
        STUDY_CONTENT_FILE: configuredStudyFile(),
        ...env,
      });
      await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 120_000);
      return service;
    },
    async stop(): Promise<void> {
      if (service?.child.exitCode === null) service.child.kill('SIGKILL');
      await dropTestDatabase(database);
      await deleteKeys(REDIS, redisPrefix);
    },
  };
}

/**
 * Opens `count` connections to `port` and writes `sent` on each (nothing when empty): a POST whose body never
 * comes keeps a request in flight until the server cuts it.
 */
function openConnections(port: number, count: number, sent: string): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            if (sent) socket.write(sent);
            resolve(socket);
          });
          socket.on('error', () => undefined);
        }),
    ),
  );
}

const STUCK_POST =
  'POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{';

/**
 * One HTTP process (built service, real PostgreSQL and Redis) stopping with a request in flight: the request is
 * answered with every part of the service still up (cache, model pool, database), and only then do they go.
 */
describe('API shutdown with a request in flight', () => {
  const api = builtApi('combot_api_shutdown_test');
  let service: ServiceProcess;
  beforeAll(async () => (service = await api.start()), 150_000);
  afterAll(() => api.stop());

  it('answers a classification whose body ends after SIGTERM from the model and the cache, then exits 0', async () => {
    // Uncached under this run's key prefix: the answer needs the model pool and writes the Redis cache.
    const body = JSON.stringify({ text: 'The blender I bought arrived broken and does not turn on' });
    const socket = net.connect(Number(new URL(service.baseUrl).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const half = Math.floor(body.length / 2);
    socket.write(
      'POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    await sleep(200);
    service.child.kill('SIGTERM');
    // Past the keep-alive grace: the server has stopped accepting while this request still waits for its body.
    await sleep(1500);
    socket.write(body.slice(half));
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/connection: close/i);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toMatchObject({ label: 'A', cached: false });
    expect(service.output()).toMatch(/Combot API listening/);
    expect(await service.exited).toBe(0);
    expect(service.output()).not.toMatch(/cache set failed|being unloaded/);
    // The result was written to the cache before the connection closed.
    const redis = redisClient(REDIS);
    try {
      await redis.connect();
      expect(await redis.keys(`${api.redisPrefix}:ml-result:*`)).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});

/**
 * One HTTP process whose requests outlast SHUTDOWN_TIMEOUT_MS: it says what it does at the signal, cuts them at the
 * bound, says how many, and exits 1 (as the worker does when its drain does not finish).
 */
describe('API shutdown with requests that outlast SHUTDOWN_TIMEOUT_MS', () => {
  const api = builtApi('combot_api_shutdown_cut_test', { SHUTDOWN_TIMEOUT_MS: '1500' });
  let service: ServiceProcess;
  beforeAll(async () => (service = await api.start()), 150_000);
  afterAll(() => api.stop());

  it('logs the signal and the requests in flight, cuts them at the bound, logs how many, and exits 1', async () => {
    const port = Number(new URL(service.baseUrl).port);
    const sockets = await openConnections(port, 2, STUCK_POST);
    await sleep(300);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    const output = service.output();
    expect(output).toMatch(/SIGTERM: draining, 2 requests in flight/);
    expect(output).toMatch(/SHUTDOWN_TIMEOUT_MS passed: cutting 2 requests in flight/);
    expect(output).toMatch(/stopped in \d+ ms/);
    for (const socket of sockets) socket.destroy();
  }, 60_000);
});

/** One HTTP process with connections that carry no request (a browser's preconnect, a client mid-headers). */
describe('API shutdown with connections that carry no request', () => {
  const api = builtApi('combot_api_shutdown_idle_test', { SHUTDOWN_TIMEOUT_MS: '5000' });
  let service: ServiceProcess;
  beforeAll(async () => (service = await api.start()), 150_000);
  afterAll(() => api.stop());

  it('does not wait SHUTDOWN_TIMEOUT_MS for them: none holds a request to answer', async () => {
    const port = Number(new URL(service.baseUrl).port);
    const sockets = [
      ...(await openConnections(port, 2, '')),
      ...(await openConnections(port, 1, 'GET /api/health/live HTTP/1.1\r\nHost: x\r\n')),
    ];
    await sleep(300);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(service.output()).toMatch(/SIGTERM: draining, 0 requests in flight/);
    for (const socket of sockets) socket.destroy();
  }, 60_000);
});

/** The same with two HTTP processes: the cluster's exit says that its processes cut requests. */
describe('API cluster shutdown with requests that outlast SHUTDOWN_TIMEOUT_MS', () => {
  const api = builtApi('combot_api_shutdown_cluster_test', { SHUTDOWN_TIMEOUT_MS: '1500', API_PROCESSES: '2' });
  let service: ServiceProcess;
  beforeAll(async () => (service = await api.start()), 150_000);
  afterAll(() => api.stop());

  it('exits 1 when a process cut requests, and says so', async () => {
    const port = Number(new URL(service.baseUrl).port);
    const sockets = await openConnections(port, 4, STUCK_POST);
    await sleep(300);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(/SHUTDOWN_TIMEOUT_MS passed: cutting \d+ requests? in flight/);
    expect(service.output()).toMatch(/stopped 2 API process\(es\); [12] cut requests or were killed/);
    for (const socket of sockets) socket.destroy();
  }, 60_000);
});

/**
 * One HTTP process that runs its jobs itself (QUEUE_PROCESS_IN_API, here on Bull and the Redis cache) stopping with
 * classification jobs running: they finish with the model and the cache still up, and only then does the
 * application close.
 */
describe('API shutdown with its own jobs running', () => {
  const api = builtApi('combot_api_shutdown_jobs_test', { QUEUE_PROCESS_IN_API: 'true' });
  let service: ServiceProcess;
  beforeAll(async () => (service = await api.start()), 150_000);
  afterAll(() => api.stop());

  it('finishes the jobs running at SIGTERM before the model unloads, and exits 0', async () => {
    // Distinct texts, so each job needs the model (none is answered from the cache); more than it classifies in the
    // time they take to submit, so jobs are running when the signal comes.
    const submit = async (i: number): Promise<number> =>
      (
        await fetch(`${service.baseUrl}/api/ml/classify/async`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: `Order ${i}: the parcel arrived ${i} days late and the box was crushed` }),
        })
      ).status;
    for (let batch = 0; batch < 40; batch++) {
      const statuses = await Promise.all(Array.from({ length: 25 }, (_, i) => submit(batch * 25 + i)));
      expect(statuses.every((status) => status === 202)).toBe(true);
    }
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const output = service.output();
    // The model loads once, at start: a job running after the unload would have loaded it again.
    expect(output.match(/model combot-complaint-classifier@\S+ \(revision \w+\) loaded/g)).toHaveLength(1);
    expect(output).not.toMatch(/being unloaded|inference failed|cache set failed/);
  }, 60_000);
});
