import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

/** The committed contract; `npm run openapi:write` rewrites it from the app. */
const CONTRACT = path.join(__dirname, '..', '..', 'docs', 'openapi.json');
const WRITE = process.env.OPENAPI_WRITE === '1';

/**
 * The OpenAPI document the service serves is the one in the repository: a change of a route, a DTO or an error
 * response shows in the diff of `docs/openapi.json` for review (the React client and the researchers' scripts
 * depend on it), and never happens by accident.
 */
describe('the OpenAPI contract (real PostgreSQL)', () => {
  const DATABASE = 'combot_openapi_contract_test';
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE);
  }, 60_000);

  afterAll(async () => {
    await testApp.app.close();
    await dropTestDatabase(DATABASE);
  });

  it('is docs/openapi.json', async () => {
    const served = (await request(testApp.app.getHttpServer()).get('/api/docs-json').expect(200)).body as object;
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (WRITE) writeFileSync(CONTRACT, text);
    const committed = readFileSync(CONTRACT, 'utf8');
    // Compared as text so key order counts too: the file is what reviewers read.
    if (committed !== text) {
      throw new Error(
        'The served OpenAPI document differs from docs/openapi.json. If the change is meant, run ' +
          '`npm run openapi:write` and commit the file; its diff is the API change.',
      );
    }
    expect(JSON.parse(committed)).toEqual(served);
  });
});
