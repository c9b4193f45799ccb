import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DatabaseRepository } from '../../src/database/database.repository';
import { appOnPrivateRedis, PrivateRedis } from '../support/private-redis';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

describe('health probes and metrics (own Redis, real PostgreSQL)', () => {
  const DATABASE = 'combot_health_int_test';
  const ADMIN_KEY = 'health-admin-key-0123456789';
  const METRICS_KEY = 'health-metrics-scrape-key-0123';
  const redis = new PrivateRedis();
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    await redis.start();
    testApp = await createTestApp(DATABASE, {
      ...appOnPrivateRedis(redis),
      ADMIN_API_KEY: ADMIN_KEY,
      METRICS_API_KEY: METRICS_KEY,
    });
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await redis.stop();
    await dropTestDatabase(DATABASE);
  });

  it('is ready with every part up; readiness is what participants need, health shows every part', async () => {
    const ready = await http().get('/api/health/ready/').expect(200);
    expect(Object.keys(ready.body.info).sort()).toEqual(['database', 'memory', 'model']);
    const health = await http().get('/api/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(Object.keys(health.body.info).sort()).toEqual([
      'database',
      'llm',
      'memory',
      'model',
      'queues',
      'redis',
      'study',
    ]);
  });

  it('stays ready while Redis is down (chat serves without it), shows it degraded, keeps liveness 200, recovers', async () => {
    await redis.stop();
    const started = Date.now();
    await http().get('/api/health/ready').expect(200);
    const degraded = await http().get('/api/health').expect(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(degraded.body.status).toBe('degraded');
    expect(Object.keys(degraded.body.error).sort()).toEqual(['queues', 'redis']);
    // Without the admin key: which parts are down, nothing about why (no addresses, no driver text).
    expect(degraded.body.error.redis).toEqual({ status: 'down' });
    expect(JSON.stringify(degraded.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Stream|writeable/);
    const detailed = await http().get('/api/health').set('X-Api-Key', ADMIN_KEY).expect(200);
    expect(detailed.body.error.redis).toMatchObject({ status: 'down', mode: 'external', message: expect.any(String) });
    await http().get('/api/health/live').expect(200);
    // Classification still answers without its cache.
    const classified = await http()
      .post('/api/ml/classify')
      .send({ text: `The shop assistant insulted me ${randomUUID()}` });
    expect(classified.status).toBe(200);

    await redis.start();
    let status = 0;
    for (let i = 0; i < 60 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await http().get('/api/health/ready')).status;
    }
    expect(status).toBe(200);
    let state = '';
    for (let i = 0; i < 60 && state !== 'ok'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = (await http().get('/api/health')).body.status as string;
    }
    expect(state).toBe('ok');
  }, 60_000);

  it('exposes the named series in Prometheus text after traffic', async () => {
    await http()
      .post('/api/ml/classify')
      .send({ text: `My order is two weeks late ${randomUUID()}` })
      .expect(200);
    await http().get('/api/random/initial/').expect(200);
    const response = await http()
      .get('/api/metrics')
      .expect(200)
      .expect('Content-Type', /text\/plain/);
    const text: string = response.text;
    for (const name of [
      'combot_http_request_duration_seconds_bucket',
      'combot_ml_inference_duration_seconds_count',
      'combot_ml_inferences_total',
      'combot_ml_semaphore_rejected_total',
      'combot_cache_misses_total',
      'combot_ml_coalesced_requests_total',
      'combot_queue_jobs',
      'combot_conversations',
      'combot_event_loop_delay_seconds',
      'combot_process_resident_memory_bytes',
      'combot_ml_semaphore_active',
      'combot_ml_semaphore_waiting',
    ]) {
      expect(text).toContain(name);
    }
    // Every non-comment line is `name{labels} value` (the exposition format).
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
    }
    expect(text).toMatch(/^combot_conversations\{status="in_progress",origin="greeting"\} 1$/m);
    // This process consumes both queues (QUEUE_PROCESS_IN_API): an alert on 0 finds a service with no worker.
    expect(text).toMatch(/^combot_queue_workers\{queue="ml"\} [1-9]/m);
    expect(text).toMatch(/^combot_queue_workers\{queue="maintenance"\} [1-9]/m);
    expect(text).toMatch(
      /combot_http_request_duration_seconds_count\{method="POST",route="\/api\/ml\/classify",status="200"\}/,
    );
  });

  it('shows stored conversations per arm only to a scrape with the metrics key or the admin key', async () => {
    // Live counts per arm would tell an outsider which arm the next participant gets (the last free slot of a block).
    await http().get('/api/random/initial/').expect(200);
    const perArm =
      /^combot_conversations_by_arm\{brand="(Basic|Lulu)",think_level="(High|Low)",feel_level="(High|Low)",status="in_progress",origin="greeting"\} [1-9]/m;
    const scrape = async (headers: Record<string, string>): Promise<string> => {
      let call = http().get('/api/metrics');
      for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
      return (await call.expect(200)).text;
    };
    const keyless = await scrape({});
    expect(keyless).not.toContain('combot_conversations_by_arm');
    expect(keyless).toMatch(/^combot_conversations\{status="in_progress",origin="greeting"\} [1-9]/m);
    expect(await scrape({ 'X-Api-Key': 'not-the-metrics-key-at-all' })).not.toContain('combot_conversations_by_arm');
    expect(await scrape({ Authorization: `Bearer ${METRICS_KEY}` })).toMatch(perArm);
    expect(await scrape({ 'X-Api-Key': METRICS_KEY })).toMatch(perArm);
    expect(await scrape({ 'X-Api-Key': ADMIN_KEY })).toMatch(/^# HELP combot_conversations_by_arm /m);
    expect(await scrape({ 'X-Api-Key': ADMIN_KEY })).toMatch(perArm);
  });

  it('answers the JSON performance summary', async () => {
    const summary = await http().get('/api/metrics/performance').expect(200);
    expect(summary.body).toMatchObject({
      memory: { rssBytes: expect.any(Number), percent: expect.any(Number) },
      cpuPercent: expect.any(Number),
      requests: { total: expect.any(Number), successRate: expect.any(Number), failureRate: expect.any(Number) },
      latencyMs: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
      cache: { hitRate: expect.any(Number) },
      pool: { models: { loaded: [expect.objectContaining({ id: 'combot-complaint-classifier' })] } },
    });
    expect(summary.body.requests.total).toBeGreaterThan(0);
  });

  it("reads the server's autovacuum setting as PostgreSQL shows it (the start-up warning's input)", async () => {
    const dataSource = testApp.app.get(DataSource);
    const [{ autovacuum }] = await dataSource.query<{ autovacuum: string }[]>('SHOW autovacuum');
    await expect(testApp.app.get(DatabaseRepository).autovacuumEnabled()).resolves.toBe(autovacuum === 'on');
  });
});
