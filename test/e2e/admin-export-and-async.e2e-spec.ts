import { Logger } from '@nestjs/common';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { ConversationRepository } from '../../src/chat/conversation.repository';
import { JobsService } from '../../src/queue/jobs.service';
import { QueueName } from '../../src/queue/queue-names';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const DATABASE = 'combot_admin_export_async_e2e_test';
const ADMIN_KEY = 'admin-export-async-key-0123456789';

describe('admin export HEAD and async classification checks (real PostgreSQL)', () => {
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, { ML_WORKERS: '1', ADMIN_API_KEY: ADMIN_KEY });
    // One conversation, so a GET has a row to read and audit.
    await http().get('/api/random/initial/').expect(200);
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  async function auditRows(): Promise<{ action: string; details: { complete?: boolean } }[]> {
    const client = new Client({ connectionString: testApp.databaseUrl });
    await client.connect();
    try {
      return (await client.query('SELECT action, details FROM admin_audit ORDER BY id')).rows;
    } finally {
      await client.end();
    }
  }

  describe('HEAD /api/admin/conversations/export', () => {
    it.each([
      ['csv', /^text\/csv; charset=utf-8$/],
      ['jsonl', /^application\/x-ndjson; charset=utf-8$/],
    ])(
      'answers the headers of a %s GET without reading conversations or writing an audit row',
      async (format, type) => {
        const read = jest.spyOn(testApp.app.get(ConversationRepository), 'exportPage');
        const before = await auditRows();

        const head = await http().head(`/api/admin/conversations/export?format=${format}`).set('X-Api-Key', ADMIN_KEY);

        expect(head.status).toBe(200);
        expect(head.headers['content-type']).toMatch(type);
        expect(head.headers['content-disposition']).toBe(`attachment; filename="conversations.${format}"`);
        expect(head.text ?? '').toBe('');
        expect(read).not.toHaveBeenCalled();
        expect(await auditRows()).toEqual(before);

        // The GET it stands for reads, answers the same headers, and is audited once.
        const get = await http().get(`/api/admin/conversations/export?format=${format}`).set('X-Api-Key', ADMIN_KEY);
        expect(get.status).toBe(200);
        expect(get.headers['content-type']).toBe(head.headers['content-type']);
        expect(get.headers['content-disposition']).toBe(head.headers['content-disposition']);
        expect(read).toHaveBeenCalled();
        const after = await auditRows();
        expect(after).toHaveLength(before.length + 1);
        expect(after[after.length - 1]).toMatchObject({ action: 'export', details: { complete: true } });
      },
    );

    it('still wants the admin key and refuses what a GET refuses, without an audit row', async () => {
      const before = await auditRows();
      await http().head('/api/admin/conversations/export?format=csv').expect(401);
      await http().head('/api/admin/conversations/export?format=xml').set('X-Api-Key', ADMIN_KEY).expect(400);
      // No EXPORT_PSEUDONYM_KEY in this app: a GET is refused with 400, so is its HEAD.
      await http()
        .head('/api/admin/conversations/export?format=csv&pseudonymise=true')
        .set('X-Api-Key', ADMIN_KEY)
        .expect(400);
      expect(await auditRows()).toEqual(before);
    });
  });

  describe('an export the client leaves halfway', () => {
    it('is audited as incomplete and logged as a warning, not as an error with a stack', async () => {
      // Enough rows that the download is still streaming when the client goes: copies of the one conversation.
      const client = new Client({ connectionString: testApp.databaseUrl });
      await client.connect();
      try {
        const columns = (
          await client.query<{ name: string }>(
            `SELECT column_name AS name FROM information_schema.columns
              WHERE table_name = 'conversation' AND column_name NOT IN ('id', 'completion_code')`,
          )
        ).rows.map(({ name }) => `"${name}"`);
        await client.query(
          `INSERT INTO conversation (id, ${columns.join(', ')})
           SELECT gen_random_uuid(), ${columns.map((column) => `c.${column}`).join(', ')}
             FROM (SELECT * FROM conversation LIMIT 1) c, generate_series(1, 20000)`,
        );
      } finally {
        await client.end();
      }
      const errors = jest.spyOn(Logger.prototype, 'error');
      const warnings = jest.spyOn(Logger.prototype, 'warn');
      const before = (await auditRows()).length;
      const server = testApp.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await new Promise<void>((resolve, reject) => {
          const download = get(
            {
              port,
              host: '127.0.0.1',
              path: '/api/admin/conversations/export?format=csv',
              headers: { 'X-Api-Key': ADMIN_KEY },
            },
            (response) => response.once('data', () => (download.destroy(), resolve())),
          );
          download.on('error', (error) =>
            (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error),
          );
        });
        const deadline = Date.now() + 10_000;
        while ((await auditRows()).length === before && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      const audit = await auditRows();
      expect(audit).toHaveLength(before + 1);
      expect(audit[audit.length - 1]).toMatchObject({ action: 'export', details: { complete: false } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors.mock.calls.map((call) => JSON.stringify(call))).toEqual([]);
      expect(warnings.mock.calls.map(([message]) => String(message))).toContainEqual(
        expect.stringMatching(/^export left by the client/),
      );
    }, 60_000);
  });

  describe('GET /api/admin/conversations/export filters', () => {
    const ids = async (query: string): Promise<string[]> =>
      (
        await http()
          .get(`/api/admin/conversations/export?format=jsonl&${query}`)
          .set('X-Api-Key', ADMIN_KEY)
          .expect(200)
      ).text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);

    it('takes the console browser’s filters: arm, label (unclassified too), an end time', async () => {
      const { scenario } = (await http().get('/api/random/initial/').expect(200)).body as {
        scenario: { conversation_id: string; brand: string; think_level: string; feel_level: string };
      };
      const arm = `brand=${scenario.brand}&thinkLevel=${scenario.think_level}&feelLevel=${scenario.feel_level}`;
      expect(await ids(`${arm}&label=unclassified`)).toContain(scenario.conversation_id);
      expect(await ids(`${arm}&label=A`)).not.toContain(scenario.conversation_id);
      expect(await ids(`until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toContain(
        scenario.conversation_id,
      );
      expect(await ids('until=2020-01-01')).toEqual([]);
    });

    it('says why and when a conversation was abandoned, in both formats', async () => {
      const agent = request.agent(testApp.app.getHttpServer());
      const { scenario } = (await agent.get('/api/random/initial/').expect(200)).body as {
        scenario: { conversation_id: string };
      };
      const kept = (await http().get('/api/random/initial/').expect(200)).body.scenario.conversation_id as string;
      await agent.post('/api/random/reset/').expect(200);
      const exported = async (format: 'csv' | 'jsonl') =>
        (
          await http()
            .get(`/api/admin/conversations/export?format=${format}&status=abandoned`)
            .set('X-Api-Key', ADMIN_KEY)
            .expect(200)
        ).text;

      const rows = (await exported('jsonl'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows.map((row) => row.id)).not.toContain(kept);
      const reset = rows.find((row) => row.id === scenario.conversation_id);
      expect(reset).toMatchObject({
        status: 'abandoned',
        abandon_reason: 'reset',
        abandoned_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const [header, ...lines] = (await exported('csv')).trim().split('\n');
      const columns = header.split(',');
      const line = lines.find((row) => row.startsWith(`"${scenario.conversation_id}"`))?.split(',') ?? [];
      expect({
        reason: line[columns.indexOf('abandon_reason')],
        at: line[columns.indexOf('abandoned_at')],
      }).toEqual({ reason: '"reset"', at: `"${String(reset?.abandoned_at)}"` });
    });

    it.each(['brand=Acme', 'thinkLevel=Medium', 'label=D', 'until=yesterday'])(
      'refuses %s with 400 HTTP.VALIDATION_FAILED naming the filter',
      async (query) => {
        const refused = await http().get(`/api/admin/conversations/export?${query}`).set('X-Api-Key', ADMIN_KEY);
        expect([refused.status, refused.body.code]).toEqual([400, 'HTTP.VALIDATION_FAILED']);
        expect(refused.body.message).toContain(query.split('=')[0]);
      },
    );
  });

  describe('POST /api/ml/classify/async', () => {
    it.each([
      ['an empty text', ''],
      ['a 90,000-character text', 'x'.repeat(90_000)],
    ])('refuses %s as the sync route does, and queues nothing', async (_name, text) => {
      const sync = await http().post('/api/ml/classify').send({ text }).expect(400);
      expect(sync.body.code).toBe('ML.INVALID_TEXT');
      const add = jest.spyOn(testApp.app.get(JobsService), 'add');

      const refused = await http().post('/api/ml/classify/async').send({ text });

      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ statusCode: 400, code: 'ML.INVALID_TEXT', message: sync.body.message });
      expect(add).not.toHaveBeenCalled();
    });

    it('still queues a text the sync route accepts', async () => {
      const add = jest.spyOn(testApp.app.get(JobsService), 'add');
      const accepted = await http()
        .post('/api/ml/classify/async')
        .send({ text: 'The courier left my parcel in the rain' })
        .expect(202);
      expect(accepted.body).toEqual({ jobId: expect.any(String), queue: QueueName.Ml });
      expect(add).toHaveBeenCalledTimes(1);
    });
  });
});
