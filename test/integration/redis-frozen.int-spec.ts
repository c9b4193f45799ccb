import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { QUEUE_COMMAND_TIMEOUT_MS, QUEUE_DASHBOARD_TIMEOUT_MS } from '../../src/queue/jobs.service';
import { ChatClient } from '../support/chat-client';
import { appOnPrivateRedis, PrivateRedis } from '../support/private-redis';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

/** What a bounded call saw: its status (null when nothing came within the wait) and how long it took. */
interface Answer {
  status: number | null;
  ms: number;
  body: Record<string, unknown>;
  retryAfter: string | undefined;
  text: string;
}

/** Past this a call counts as hung: longer than any bound the service sets for a Redis outage. */
const HUNG_MS = 10_000;

/**
 * Redis frozen (SIGSTOP: its connections stay open and nothing answers), the case a stopped Redis does not cover:
 * no connection error ever comes, so only the service's own bounds end a wait. The Redis-stopped case is in
 * health-metrics.int-spec.ts; this mirrors it.
 */
describe('while Redis is frozen (own Redis, real PostgreSQL)', () => {
  const DATABASE = 'combot_redis_frozen_int_test';
  const ADMIN_KEY = 'frozen-admin-key-0123456789';
  const redis = new PrivateRedis();
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  async function timed(call: request.Test): Promise<Answer> {
    const started = Date.now();
    try {
      const response = await call.timeout(HUNG_MS);
      return {
        status: response.status,
        ms: Date.now() - started,
        body: (response.body ?? {}) as Record<string, unknown>,
        retryAfter: response.headers['retry-after'],
        text: response.text ?? '',
      };
    } catch {
      return { status: null, ms: Date.now() - started, body: {}, retryAfter: undefined, text: '' };
    }
  }

  const dashboardApi = () => timed(http().get('/api/admin/queues/api/queues').set('X-Api-Key', ADMIN_KEY));
  const dashboardPage = () => timed(http().get('/api/admin/queues').set('X-Api-Key', ADMIN_KEY));

  beforeAll(async () => {
    await redis.start();
    testApp = await createTestApp(DATABASE, {
      ...appOnPrivateRedis(redis),
      ADMIN_API_KEY: ADMIN_KEY,
    });
  }, 120_000);

  afterAll(async () => {
    // Thawed first whatever happened: closing the app waits on Redis, and a frozen server must not outlive the run.
    redis.thaw();
    try {
      await testApp?.app.close();
    } finally {
      await redis.stop();
      await dropTestDatabase(DATABASE);
    }
  });

  it('answers the dashboard, the job routes, the probes and a chat turn with every part up', async () => {
    expect((await dashboardApi()).status).toBe(200);
    expect((await dashboardPage()).status).toBe(200);
    const job = await http().post('/api/ml/classify/async').send({ text: 'My parcel never came' }).expect(202);
    await http()
      .get(`/api/jobs/ml/${job.body.jobId as string}`)
      .expect(200);
    await http().get('/api/health/ready').expect(200);
    expect((await http().get('/api/health').expect(200)).body.status).toBe('ok');
  });

  it('answers 503 QUEUE.UNAVAILABLE within its bound for the dashboard and the job routes, keeps chat and readiness, recovers', async () => {
    const job = await http().post('/api/ml/classify/async').send({ text: 'The refund is late' }).expect(202);
    const jobId = job.body.jobId as string;
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      await frozenThenThawed(jobId);
      // The reads bull-board started during the freeze have now had their late answers: dropped, no error logged.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors.mock.calls.map((args) => args.filter((arg) => typeof arg === 'string').join(' '))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  }, 90_000);

  async function frozenThenThawed(jobId: string): Promise<void> {
    try {
      redis.freeze();
      const [api, page, enqueue, lookup, ready, health] = await Promise.all([
        dashboardApi(),
        dashboardPage(),
        timed(
          http()
            .post('/api/ml/classify/async')
            .send({ text: `The shop was closed ${randomUUID()}` }),
        ),
        timed(http().get(`/api/jobs/ml/${jobId}`)),
        timed(http().get('/api/health/ready')),
        timed(http().get('/api/health')),
      ]);

      // The dashboard's JSON API reads the queues: the service's own 503, bounded, nothing of the driver.
      expect({ status: api.status, code: api.body.code, retryAfter: api.retryAfter }).toEqual({
        status: 503,
        code: 'QUEUE.UNAVAILABLE',
        retryAfter: '5',
      });
      expect(api.ms).toBeLessThan(QUEUE_DASHBOARD_TIMEOUT_MS + 1000);
      expect(api.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });
      expect(api.text).not.toMatch(/timed out|Connection|ioredis|127\.0\.0\.1/i);
      // Its page needs no Redis.
      expect(page.status).toBe(200);
      expect(page.text).toContain('<html');

      for (const route of [enqueue, lookup]) {
        expect({ status: route.status, code: route.body.code, retryAfter: route.retryAfter }).toEqual({
          status: 503,
          code: 'QUEUE.UNAVAILABLE',
          retryAfter: '5',
        });
      }
      expect(enqueue.ms).toBeLessThan(QUEUE_COMMAND_TIMEOUT_MS + 1000);
      // A lookup is at most two reads of the job and one of its state, each bounded.
      expect(lookup.ms).toBeLessThan(QUEUE_COMMAND_TIMEOUT_MS + 1000);

      // Readiness is the database and the model; the health report names what is down, without a cause.
      expect(ready.status).toBe(200);
      expect(health.status).toBe(200);
      expect(health.ms).toBeLessThan(5000);
      expect(health.body.status).toBe('degraded');
      expect(Object.keys(health.body.error as object).sort()).toEqual(['queues', 'redis']);
      expect(health.text).not.toMatch(/timed out|no answer|127\.0\.0\.1/i);

      // A whole greeting and first turn as the React page sends them: the result cache gives up within its own
      // command timeout, and the chat flow needs no queue.
      const chat = new ChatClient(testApp.app.getHttpServer());
      const chatStarted = Date.now();
      await chat.greet();
      const turn = await chat.send('The courier left my parcel in the rain');
      expect(turn.index).toBe(1);
      expect(Date.now() - chatStarted).toBeLessThan(5000);

      // A second dashboard read while still frozen: the same bounded answer (no state stuck from the first).
      expect((await dashboardApi()).status).toBe(503);
      // The operator's view of health, more often than ADMIN_LOGIN_MAX_FAILURES: a right key is no failed login,
      // during the freeze or after it (the limiter's reservations reach Redis when it thaws).
      const detailed = await Promise.all(
        Array.from({ length: 2 * testApp.config.admin.loginMaxFailures }, () =>
          timed(http().get('/api/health').set('X-Api-Key', ADMIN_KEY)),
        ),
      );
      expect(detailed.map((answer) => answer.status)).toEqual(detailed.map(() => 200));
    } finally {
      redis.thaw();
    }

    // Back without a restart: the dashboard reads the queues again.
    const thawed = Date.now();
    let status: number | null = null;
    while (status !== 200 && Date.now() - thawed < 15_000) {
      status = (await dashboardApi()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    process.stdout.write(`dashboard 200 again ${Date.now() - thawed} ms after the thaw\n`);
    await http().get(`/api/jobs/ml/${jobId}`).expect(200);
  }
});
