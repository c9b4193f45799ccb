import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PrivateRedis } from '../support/private-redis';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

/** Rate limits: keyed on the address TRUST_PROXY yields, shared by replicas through Redis, alive without it. */
describe('rate limits (own Redis, two replicas, real PostgreSQL)', () => {
  const LIMIT = 5;
  const redis = new PrivateRedis();
  const apps: TestApp[] = [];
  const databases = ['combot_throttle_a_test', 'combot_throttle_b_test', 'combot_throttle_c_test'];

  async function replica(database: string, prefix: string, env: Record<string, string> = {}): Promise<TestApp> {
    const app = await createTestApp(database, {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redis.port),
      REDIS_KEY_PREFIX: prefix,
      THROTTLE_LIMIT: String(LIMIT),
      THROTTLE_TTL_SECONDS: '60',
      ML_WORKERS: '1',
      ...env,
    });
    apps.push(app);
    return app;
  }

  const status = async (app: TestApp, forwardedFor?: string): Promise<number> => {
    const call = request(app.app.getHttpServer()).get('/api/random/closing');
    return (await (forwardedFor ? call.set('X-Forwarded-For', forwardedFor) : call)).status;
  };

  beforeAll(async () => {
    await redis.start();
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.app.close();
    await redis.stop();
    for (const database of databases) await dropTestDatabase(database);
  });

  it('counts one client across two replicas once, and a rotated X-Forwarded-For does not reset it', async () => {
    const prefix = `combot-test-${randomUUID().slice(0, 8)}`;
    const [a, b] = [await replica(databases[0], prefix), await replica(databases[1], prefix)];
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push(await status(i % 2 === 0 ? a : b));
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
    // TRUST_PROXY is off: the header is not believed, so inventing addresses changes nothing.
    for (let i = 0; i < 5; i++) expect(await status(a, `203.0.113.${i + 1}`)).toBe(429);
  }, 120_000);

  it('keys on the forwarded client address behind a trusted proxy', async () => {
    const c = await replica(databases[2], `combot-test-${randomUUID().slice(0, 8)}`, { TRUST_PROXY: 'loopback' });
    for (let i = 0; i < LIMIT; i++) expect(await status(c, '198.51.100.7')).toBe(200);
    expect(await status(c, '198.51.100.7')).toBe(429);
    expect(await status(c, '198.51.100.8')).toBe(200);
    // A forwarded value that is no address is the proxy's client, one budget for every made-up value.
    const made = ['garbage1', 'garbage2', '203.0.113.9:1234', '[2001:db8:1:2::1]', 'garbage3', 'garbage4'];
    const statuses: number[] = [];
    for (const forwarded of made) statuses.push(await status(c, forwarded));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  }, 120_000);

  it('counts a client once across every route: the limit is per client, not per client and route', async () => {
    const server = apps[2].app.getHttpServer();
    const from = (path: string) => request(server).get(path).set('X-Forwarded-For', '198.51.100.9');
    for (let i = 0; i < LIMIT; i++) expect((await from('/api/random/closing')).status).toBe(200);
    for (const path of ['/api/ml/status', '/api/lulu/closing', '/api/admin/study/arms'])
      expect([path, (await from(path)).status]).toEqual([path, 429]);
  }, 60_000);

  it('keeps answering while Redis is down, counting per process, and shares counts again once it is back', async () => {
    const c = apps[2];
    await redis.stop();
    const during: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) during.push(await status(c, '192.0.2.44'));
    expect(during.every((code) => code === 200 || code === 429)).toBe(true);
    expect(during.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(during.slice(LIMIT)).toEqual([429, 429]);
    const metrics = await request(c.app.getHttpServer()).get('/api/metrics').expect(200);
    expect(metrics.text).toMatch(/combot_throttle_local_fallbacks_total [1-9]/);
    await redis.start();
  }, 60_000);
});
