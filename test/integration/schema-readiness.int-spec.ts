import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

/**
 * An API on a database nobody migrated (the migration job skipped, DB_MIGRATE_ON_START off): every participant
 * request would fail on a missing table, so readiness must say not ready until the migrations have run.
 */
describe('readiness on a database that lacks migrations', () => {
  const DATABASE = 'combot_schema_ready_int_test';
  const ADMIN_KEY = 'schema-admin-key-0123456789';
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, {
      DB_MIGRATE_ON_START: 'false',
      ML_WORKERS: '1',
      ADMIN_API_KEY: ADMIN_KEY,
    });
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  it('answers 503 naming only the database without the admin key, and the pending migrations with it', async () => {
    const migrations = testApp.app.get(DataSource).migrations.length;
    const ready = await http().get('/api/health/ready').expect(503);
    expect(ready.body).toMatchObject({ code: 'HEALTH.NOT_READY', message: 'Not ready: database' });
    expect(ready.body.details.error).toEqual({ database: { status: 'down' } });
    expect(JSON.stringify(ready.body)).not.toMatch(/schema|migration/i);

    const admin = await http().get('/api/health/ready').set('X-Api-Key', ADMIN_KEY).expect(503);
    expect(admin.body.details.error.database).toMatchObject({
      status: 'down',
      message: expect.stringMatching(new RegExp(`^schema behind: ${migrations} pending migrations \\(Init\\d+, `)),
      pendingMigrations: expect.arrayContaining([expect.stringMatching(/^Init\d+$/)]),
    });
    // The full report says the same: the instance cannot serve participants.
    await http().get('/api/health').expect(503);
    await http().get('/api/health/live').expect(200);
  });

  it('answers a participant and a researcher 503 DB.UNAVAILABLE meanwhile, never a 500 or driver text', async () => {
    for (const [path, key] of [
      ['/api/random/initial/', null],
      ['/api/admin/study/arms', ADMIN_KEY],
      // An export too, CSV included: its header waits for the database.
      ['/api/admin/conversations/export?format=csv', ADMIN_KEY],
    ] as const) {
      const call = http().get(path);
      const answer = await (key ? call.set('X-Api-Key', key) : call);
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({
        path,
        status: 503,
        code: 'DB.UNAVAILABLE',
      });
      expect(answer.headers['retry-after']).toBeDefined();
      expect(JSON.stringify(answer.body)).not.toMatch(/relation|does not exist|condition_slot/);
    }
  });

  it('becomes ready within seconds once the migration job has run, without a restart', async () => {
    await testApp.app.get(DataSource).runMigrations({ transaction: 'each' });
    let status = 0;
    const started = Date.now();
    while (status !== 200 && Date.now() - started < 10_000) {
      status = (await http().get('/api/health/ready')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    await http().get('/api/random/initial/').expect(200);
  }, 30_000);
});
