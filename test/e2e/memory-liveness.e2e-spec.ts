import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const DATABASE = 'combot_memory_liveness_e2e_test';
const ADMIN_KEY = 'memory-liveness-admin-key-0123';

/** A process whose memory stays past its limit leaves the load balancer at once and is restarted after the grace. */
describe('memory past its limit (real PostgreSQL)', () => {
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    // Every process is past 16 MB: readiness fails from the start, liveness once 400 ms have passed.
    testApp = await createTestApp(DATABASE, {
      ADMIN_API_KEY: ADMIN_KEY,
      ML_WORKERS: '1',
      HEALTH_RSS_LIMIT_MB: '16',
      HEALTH_MEMORY_LIVENESS_GRACE_MS: '400',
    });
  }, 60_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  it('fails readiness at once and liveness once the grace has passed, saying why with the admin key', async () => {
    const ready = await http().get('/api/health/ready').expect(503);
    expect(ready.body).toMatchObject({ code: 'HEALTH.NOT_READY' });
    await http().get('/api/health/live').expect(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const live = await http().get('/api/health/live').set('X-Api-Key', ADMIN_KEY).expect(503);
    expect(live.body).toMatchObject({
      code: 'HEALTH.NOT_READY',
      details: { error: { memory: { status: 'down', rssLimitMb: 16, graceMs: 400 } } },
    });
    expect(live.headers['retry-after']).toBeDefined();
    // Without the key: up or down, nothing more.
    const anonymous = await http().get('/api/health/live').expect(503);
    expect(anonymous.body.details).toEqual({
      status: 'error',
      info: {},
      error: { memory: { status: 'down' } },
      details: { memory: { status: 'down' } },
    });
  });
});
