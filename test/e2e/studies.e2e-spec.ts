import { createHash, createHmac, scryptSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type {
  ArmsPanel,
  DurationsPanel,
  FunnelPanel,
  LabelsPanel,
  TimelinePanel,
} from '../../src/console/console.types';
import { JobsService } from '../../src/queue/jobs.service';
import { JobName, QueueName } from '../../src/queue/queue-names';
import { ChatClient } from '../support/chat-client';
import { runCli } from '../support/cli-process';
import { freePort, startService } from '../support/service-process';
import { EXAMPLE_STUDY, studyContentFile } from '../support/study-content';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const REPO = path.resolve(__dirname, '..', '..');
const ADMIN_KEY = 'studies-admin-key-0123456789';
const PSEUDONYM_KEY = 'studies-pseudonym-key-0123';
/** How the audit names the holder of ADMIN_KEY: never the key itself. */
// The audit's key id: 8 hex digits of scrypt over the key (src/chat/admin-audit.entity.ts).
const KEY_ACTOR = `key:${scryptSync(ADMIN_KEY, 'combot admin audit key id', 4, { N: 2 ** 14, r: 8, p: 1 }).toString('hex')}`;
const COMPLAINT = 'My order was supposed to arrive a week ago and the tracking has not moved since.';
const ANSWERS = ['Last Monday.', 'No updates at all.', 'They did not answer.', 'A refund.', 'That is all.'];

/** The texts of the pilot study below, each marked with its brand and level so a reply shows which it is. */
const PILOT = {
  greeting: (brand: string, level: string) => `Pilot ${brand} greeting, think ${level}: what went wrong?`,
  question: (brand: string, label: string, n: number) => `Pilot ${brand} question ${label}${n}?`,
  understanding: (brand: string, level: string) => `Pilot ${brand} understanding, feel ${level}.`,
  closing: (brand: string) => `Pilot ${brand} closing: your e-mail, please.`,
  thankYou: (brand: string) => `Pilot ${brand} thanks! Code {completion_code}. Survey: {surveyLink}`,
};
interface PilotBrand {
  greeting: Record<string, string>;
  questions: Record<string, string[]>;
  understanding: Record<string, string>;
  closing: string;
  thankYou: string;
  surveyUrl: string;
}

/** The pilot study with one class of Lulu's questions cut to three. */
const BROKEN = studyContentFile((content) => {
  const lulu = (content.brands as Record<string, PilotBrand>).Lulu;
  lulu.questions.C = lulu.questions.C.slice(0, 3);
});

/**
 * The example with texts the chat would hide (only a zero-width space) or that a terminal would run (BEL, an escape
 * sequence, a C1 control), half a surrogate pair, and a `__proto__` key; each problem as it is reported.
 */
const UNSHOWABLE = studyContentFile((content) => {
  const brands = content.brands as Record<string, PilotBrand & { afterEnd: string }>;
  brands.Basic.greeting.High = '\u200b';
  brands.Basic.closing = 'Your e-mail, please.\u0007';
  brands.Lulu.greeting.Low = '\u001b[31mHello\u001b[0m';
  brands.Lulu.afterEnd = 'Bye \u009b1m';
  brands.Lulu.questions.A[0] = 'What happened?\ud800';
  Object.defineProperty(content, '__proto__', { value: { x: 1 }, enumerable: true });
});
const CONTROLS = 'holds control characters (only tab, line feed and carriage return are allowed)';
const UNSHOWABLE_PROBLEMS = [
  '$.brands.Basic.greeting.High: must not be empty',
  `$.brands.Basic.closing: ${CONTROLS}`,
  `$.brands.Lulu.greeting.Low: ${CONTROLS}`,
  '$.brands.Lulu.questions.A[0]: holds half of a UTF-16 surrogate pair on its own, which is no character',
  `$.brands.Lulu.afterEnd: ${CONTROLS}`,
  '$.__proto__: is not allowed',
];

/** A study of its own: texts and survey links that only this file holds. */
const STUDY_FILE = studyContentFile((content) => {
  content.version = 'pilot-7';
  for (const [brand, texts] of Object.entries(content.brands as Record<string, PilotBrand>)) {
    for (const level of ['High', 'Low']) {
      texts.greeting[level] = PILOT.greeting(brand, level);
      texts.understanding[level] = PILOT.understanding(brand, level);
    }
    for (const label of Object.keys(texts.questions))
      texts.questions[label] = [1, 2, 3, 4, 5].map((n) => PILOT.question(brand, label, n));
    texts.closing = PILOT.closing(brand);
    texts.thankYou = PILOT.thankYou(brand);
    texts.surveyUrl = `https://survey.pilot-study.org/s/${brand}?cid={conversation_id}&arm={think_level}{feel_level}&code={completion_code}`;
  }
});

describe('Running a study (real PostgreSQL, shipped model, in-process queues)', () => {
  const DATABASE = 'combot_studies_e2e_test';
  let testApp: TestApp;
  let dataSource: DataSource;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, {
      ML_WORKERS: '1',
      THROTTLE_LIMIT: '0',
      ADMIN_API_KEY: ADMIN_KEY,
      STUDY_CONTENT_FILE: STUDY_FILE,
      DATA_RETENTION_DAYS: '30',
      EXPORT_PSEUDONYM_KEY: PSEUDONYM_KEY,
    });
    dataSource = testApp.app.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  /** A participant through the whole conversation, leaving `email`. */
  async function participant(email: string, answers = ANSWERS): Promise<ChatClient> {
    const client = new ChatClient(testApp.app.getHttpServer());
    await client.greet();
    await client.send(COMPLAINT);
    for (const answer of answers) await client.send(answer);
    await http().get('/api/random/closing/').expect(200);
    await client.send(email);
    return client;
  }

  const arms = (): Promise<unknown[]> =>
    dataSource.query(
      `SELECT brand, think_level, feel_level, status, origin, count(*)::int AS n FROM conversation
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    );
  const slots = (): Promise<unknown[]> =>
    dataSource.query(
      'SELECT scope, block_no, position, brand, think_level, feel_level, conversation_id FROM condition_slot ORDER BY id',
    );
  const rowOf = async (id: string): Promise<Record<string, unknown>> =>
    (await dataSource.query('SELECT * FROM conversation WHERE id = $1', [id]))[0];
  interface AuditRow {
    actor: string;
    rows: number;
    details: Record<string, unknown>;
  }
  /** The audit rows of one action written since `sinceId`, oldest first. */
  const auditSince = async (action: string, sinceId: number): Promise<AuditRow[]> =>
    dataSource.query('SELECT actor, rows, details FROM admin_audit WHERE action = $1 AND id > $2 ORDER BY id', [
      action,
      sinceId,
    ]);
  const lastAuditId = async (): Promise<number> =>
    Number((await dataSource.query('SELECT coalesce(max(id), 0) AS id FROM admin_audit'))[0].id);
  const turnCount = async (id: string): Promise<number> =>
    (await dataSource.query('SELECT count(*)::int AS n FROM conversation_turn WHERE conversation_id = $1', [id]))[0].n;

  describe('the study content file', () => {
    it('is what participants read, and its version with the file’s hash is stored on the conversation', async () => {
      const client = new ChatClient(testApp.app.getHttpServer(), 'chatbot');
      const greeting = await client.greet();
      const { think_level: think, feel_level: feel, conversation_id: id } = client.scenario;
      expect(greeting.message).toBe(PILOT.greeting('Basic', think));
      const first = await client.send(COMPLAINT);
      const label = first.classType as string;
      const replies = [first.reply];
      for (const answer of ANSWERS.slice(0, 4)) replies.push((await client.send(answer)).reply);
      if (think === 'High') expect(replies).toEqual([1, 2, 3, 4, 5].map((n) => PILOT.question('Basic', label, n)));
      else expect(replies.some((reply) => reply.startsWith('Pilot'))).toBe(false); // templates, not questions
      expect((await client.send(ANSWERS[4])).reply).toBe(PILOT.understanding('Basic', feel));
      const closing = await http().get('/api/chatbot/closing/').expect(200);
      expect(closing.body.message).toBe(PILOT.closing('Basic'));

      const done = await client.send('pilot.participant@pilot.test');
      const row = await rowOf(id);
      const code = row.completion_code as string;
      // The survey link: this file's template, every placeholder substituted for this conversation.
      const href = String(/<a href="([^"]+)"/.exec(done.reply)?.[1]).replaceAll('&amp;', '&');
      expect(href).toBe(`https://survey.pilot-study.org/s/Basic?cid=${id}&arm=${think}${feel}&code=${code}`);
      expect(done.reply.startsWith(`Pilot Basic thanks! Code ${code}. Survey: <a href=`)).toBe(true);

      const hash = createHash('sha256').update(readFileSync(STUDY_FILE)).digest('hex').slice(0, 8);
      expect(row.content_version).toBe(`pilot-7+${hash}`);
    });

    it('stops the built service with exit 78 and the JSON path of its problem when it is broken', async () => {
      const service = startService({
        PORT: String(await freePort()),
        DATABASE_URL: testApp.databaseUrl,
        STUDY_CONTENT_FILE: BROKEN,
        LOG_LEVEL: 'info',
      });
      expect(await service.exited).toBe(78);
      expect(service.output()).toContain(
        'STUDY_CONTENT_FILE: $.brands.Lulu.questions.C: must contain at least 5 items',
      );
      // One line, no stack trace (a frame is a line of its own that starts with "at"), and never listening.
      expect(service.output()).not.toMatch(/^\s*at |listening/m);
    });
    it('stops the built service with exit 78 for a text the chat would hide or a terminal would run', async () => {
      const service = startService({
        PORT: String(await freePort()),
        DATABASE_URL: testApp.databaseUrl,
        STUDY_CONTENT_FILE: UNSHOWABLE,
        LOG_LEVEL: 'info',
      });
      expect(await service.exited).toBe(78);
      for (const line of UNSHOWABLE_PROBLEMS) expect(service.output()).toContain(`STUDY_CONTENT_FILE: ${line}`);
      expect(service.output()).not.toMatch(/^\s*at |listening/m);
    });
  });

  describe('DELETE /api/admin/conversations/:id', () => {
    it('removes the participant and keeps the arm counts and condition slots', async () => {
      const gone = await participant('erase.me@pilot.test');
      const kept = await participant('keep.me@pilot.test');
      const id = gone.scenario.conversation_id;
      const before = await rowOf(id);
      expect(before).toMatchObject({ email: 'erase.me@pilot.test', erased_at: null, status: 'completed' });
      expect(await turnCount(id)).toBeGreaterThan(10);
      const [armsBefore, slotsBefore] = [await arms(), await slots()];
      const auditFrom = await lastAuditId();

      const erased = await http().delete(`/api/admin/conversations/${id}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(erased.body).toEqual({ id, erasedAt: expect.any(String), alreadyErased: false });

      expect(await turnCount(id)).toBe(0);
      const after = await rowOf(id);
      expect(after).toMatchObject({ email: null, completion_code: null, erased_at: new Date(erased.body.erasedAt) });
      for (const column of ['brand', 'think_level', 'feel_level', 'status', 'origin', 'label', 'score_b', 'created_at'])
        expect(after[column]).toEqual(before[column]);
      expect(await arms()).toEqual(armsBefore);
      expect(await slots()).toEqual(slotsBefore);
      expect((await rowOf(kept.scenario.conversation_id)).email).toBe('keep.me@pilot.test');

      // Idempotent: the same answer, nothing changed.
      const again = await http().delete(`/api/admin/conversations/${id}/`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(again.body).toEqual({ ...erased.body, alreadyErased: true });
      expect(await rowOf(id)).toEqual(after);

      // Each erasure is audited under the key's id; the trail keeps neither the key nor the address.
      expect(await auditSince('erase', auditFrom)).toEqual([
        { actor: KEY_ACTOR, rows: 1, details: { by: 'conversation', conversations: [id], alreadyErased: 0 } },
        { actor: KEY_ACTOR, rows: 0, details: { by: 'conversation', conversations: [id], alreadyErased: 1 } },
      ]);
      const trail = JSON.stringify(await dataSource.query('SELECT * FROM admin_audit'));
      expect(trail).not.toContain(ADMIN_KEY);
      expect(trail).not.toContain('erase.me@pilot.test');

      // The erased participant's page can still post: it is told the conversation is over, and nothing is stored.
      const late = await gone.send('one more thing: my phone is 555-0100');
      expect(late.index).toBe(7);
      expect(await turnCount(id)).toBe(0);
    });

    it('refuses an option it does not have (?dryRun=true, ?__proto__=true) and erases nothing', async () => {
      const { scenario } = await participant('dry.run@pilot.test');
      const id = scenario.conversation_id;
      const turns = await turnCount(id);
      for (const option of ['dryRun', '__proto__', 'constructor']) {
        const refused = await http()
          .delete(`/api/admin/conversations/${id}?${option}=true`)
          .set('X-Api-Key', ADMIN_KEY)
          .expect(400);
        expect(refused.body).toMatchObject({
          code: 'HTTP.VALIDATION_FAILED',
          details: [`property ${option} should not exist`],
        });
      }
      expect(await rowOf(id)).toMatchObject({ email: 'dry.run@pilot.test', erased_at: null });
      expect(await turnCount(id)).toBe(turns);
    });

    it('answers 404 CHAT.CONVERSATION_NOT_FOUND for an unknown or malformed id, and needs the admin key', async () => {
      for (const id of ['3f1c0b2e-8f5a-4f7e-9d0b-6a1d2c3b4a5f', 'not-a-uuid']) {
        const response = await http().delete(`/api/admin/conversations/${id}`).set('X-Api-Key', ADMIN_KEY).expect(404);
        expect(response.body).toMatchObject({ statusCode: 404, code: 'CHAT.CONVERSATION_NOT_FOUND' });
      }
      await http().delete('/api/admin/conversations/3f1c0b2e-8f5a-4f7e-9d0b-6a1d2c3b4a5f').expect(401);
    });

    it('is documented in the OpenAPI spec with its response and errors', async () => {
      const spec = (await http().get('/api/docs-json').expect(200)).body;
      const operation = spec.paths['/api/admin/conversations/{id}'].delete;
      expect(operation.responses['200'].content['application/json'].schema.$ref).toMatch(
        /ConversationErasureResponseDto$/,
      );
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '503']));
    });
  });

  describe('the console’s query strings', () => {
    const get = (path: string) => http().get(path).set('X-Api-Key', ADMIN_KEY);

    it('reads an empty timeline bucket as the default, per day', async () => {
      const response = await get('/api/admin/study/timeline?bucket=');
      expect([response.status, response.body.bucket]).toEqual([200, 'day']);
    });

    it('buckets the timeline in a zone PostgreSQL knows, and refuses another with the validation shape', async () => {
      const berlin = await get('/api/admin/study/timeline?bucket=day&tz=Europe/Berlin');
      expect([berlin.status, berlin.body.timeZone]).toEqual([200, 'Europe/Berlin']);
      expect((await get('/api/admin/study/timeline')).body.timeZone).toBe('UTC');
      for (const tz of ['Mars/Olympus_Mons', 'Europe/Berlin%3B', 'UTC%2B1']) {
        const refused = await get(`/api/admin/study/timeline?tz=${tz}`);
        expect([refused.status, refused.body.code, refused.body.message]).toEqual([
          400,
          'HTTP.VALIDATION_FAILED',
          expect.stringContaining('tz must be an IANA time zone name PostgreSQL knows'),
        ]);
        expect(refused.body.details).toEqual([expect.stringContaining('tz must be')]);
      }
    });

    it.each([
      '/api/admin/study/conversations?status[]=completed',
      '/api/admin/study/conversations?arm=x',
      '/api/admin/study/funnel?byarm=true',
      '/api/admin/study/arms?scope=random',
      '/api/admin/study/labels?since=2026-01-01',
      '/api/admin/study/durations?status=completed',
      '/api/admin/study/service?x=1',
      '/api/admin/study/conversations/3f1c0b2e-8f5a-4f7e-9d0b-6a1d2c3b4a5f?full=true',
      '/api/admin/session?renew=true',
    ])('refuses an unknown parameter (%s) with 400 HTTP.VALIDATION_FAILED', async (path) => {
      const response = await get(path);
      expect([response.status, response.body.code]).toEqual([400, 'HTTP.VALIDATION_FAILED']);
    });

    it('counts only the conversations of one origin on every study panel when asked, and says which', async () => {
      const greeted = new ChatClient(testApp.app.getHttpServer());
      await greeted.greet();
      await greeted.send(COMPLAINT);
      // The original load test's shape: a first turn with no greeting before it.
      await new ChatClient(testApp.app.getHttpServer()).send(COMPLAINT);
      const counted = await dataSource.query<{ origin: string; started: number; completed: number }[]>(
        `SELECT origin, count(*)::int AS started, count(*) FILTER (WHERE status = 'completed')::int AS completed
           FROM conversation GROUP BY origin`,
      );
      const ofOrigin = (origin: string) => counted.find((row) => row.origin === origin) ?? { started: 0, completed: 0 };
      const every = counted.reduce((all, row) => ({
        origin: '',
        started: all.started + row.started,
        completed: all.completed + row.completed,
      }));
      expect([ofOrigin('greeting').started, ofOrigin('no_greeting').started].every((n) => n > 0)).toBe(true);
      const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
      for (const [origin, expected] of [
        ['', every],
        ['greeting', ofOrigin('greeting')],
        ['no_greeting', ofOrigin('no_greeting')],
      ] as const) {
        const query = `origin=${origin}`;
        const arms = (await get(`/api/admin/study/arms?${query}`).expect(200)).body as ArmsPanel;
        const funnel = (await get(`/api/admin/study/funnel?byArm=true&${query}`).expect(200)).body as FunnelPanel;
        const labels = (await get(`/api/admin/study/labels?${query}`).expect(200)).body as LabelsPanel;
        const days = (await get(`/api/admin/study/timeline?bucket=day&${query}`).expect(200)).body as TimelinePanel;
        const durations = (await get(`/api/admin/study/durations?${query}`).expect(200)).body as DurationsPanel;
        expect({
          origin,
          said: [arms.origin, funnel.origin, labels.origin, days.origin, durations.origin],
          withoutGreeting: arms.startedWithoutGreeting,
          started: [
            sum(arms.arms.map((arm) => arm.started)),
            funnel.started,
            sum(funnel.arms?.map((arm) => arm.started) ?? []),
            sum(Object.values(labels.totals)),
            sum(days.points.map((point) => point.started)),
          ],
          completed: [sum(arms.arms.map((arm) => arm.completed)), funnel.completed, durations.overall.completed],
        }).toEqual({
          origin,
          said: Array(5).fill(origin || null),
          withoutGreeting: origin === 'greeting' ? 0 : ofOrigin('no_greeting').started,
          started: Array(5).fill(expected.started),
          completed: Array(3).fill(expected.completed),
        });
        // Condition slots are the allocator's, whatever the conversations counted.
        expect(sum(arms.arms.map((arm) => arm.assigned))).toBe(every.started);
      }
    });

    it.each(['arms', 'funnel', 'labels', 'timeline', 'durations'])(
      'refuses an origin that is none (%s) with 400 HTTP.VALIDATION_FAILED naming the values',
      async (panel) => {
        const refused = await get(`/api/admin/study/${panel}?origin=load_test`);
        expect([refused.status, refused.body.code, refused.body.details]).toEqual([
          400,
          'HTTP.VALIDATION_FAILED',
          ['origin must be one of greeting, no_greeting'],
        ]);
      },
    );

    it.each([
      ['/api/admin/conversations/export?status=completed&status=abandoned', 'status'],
      ['/api/admin/conversations/export?format=csv&format=csv', 'format'],
      ['/api/admin/conversations/export?pseudonymise=false&pseudonymise=true', 'pseudonymise'],
      ['/api/admin/study/conversations?status=completed&status=abandoned', 'status'],
      ['/api/admin/study/conversations?limit=5&limit=5', 'limit'],
      ['/api/admin/study/conversations?since=2026-01-01&since=2026-02-01', 'since'],
      ['/api/admin/study/timeline?tz=UTC&tz=Europe/Berlin', 'tz'],
    ])('refuses a repeated parameter as given more than once (%s)', async (path, name) => {
      const refused = await get(path);
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([
        400,
        'HTTP.VALIDATION_FAILED',
        [`${name} given more than once; it takes one value`],
      ]);
    });

    it('still takes the parameters it knows, empty ones as absent', async () => {
      await get('/api/admin/study/conversations?status=&origin=&limit=5').expect(200);
      await get('/api/admin/study/funnel?byArm=true').expect(200);
    });
  });

  describe('retention (DATA_RETENTION_DAYS=30)', () => {
    it('is scheduled, and its job removes the e-mails of conversations created more than 30 days ago', async () => {
      const jobs = testApp.app.get(JobsService);
      const schedules = await jobs.queue(QueueName.Maintenance).getRepeatableJobs();
      expect(schedules).toEqual(
        expect.arrayContaining([{ key: expect.any(String), name: JobName.DataRetention, cron: '43 3 * * *' }]),
      );

      const old = (await participant('old.participant@pilot.test')).scenario.conversation_id;
      const recent = (await participant('recent.participant@pilot.test')).scenario.conversation_id;
      await dataSource.query(`UPDATE conversation SET created_at = now() - interval '31 days' WHERE id = $1`, [old]);

      const auditFrom = await lastAuditId();
      const run = async () => {
        const id = await jobs.add(QueueName.Maintenance, JobName.DataRetention, {});
        for (let i = 0; i < 100; i++) {
          const job = await jobs.view(QueueName.Maintenance, id);
          if (job.state === 'completed' || job.state === 'failed') return job;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('the retention job did not finish');
      };
      const first = await run();
      expect(first).toMatchObject({ state: 'completed', result: { agedOut: 1, transcripts: false } });
      expect(Date.parse((first.result as { cutoff: string }).cutoff)).toBeLessThan(Date.now() - 29.9 * 24 * 3600_000);

      expect((await rowOf(old)).email).toBeNull();
      const texts: { text: string }[] = await dataSource.query(
        'SELECT text FROM conversation_turn WHERE conversation_id = $1',
        [old],
      );
      expect(texts.length).toBeGreaterThan(10);
      expect(texts.map(({ text }) => text).join('\n')).not.toContain('old.participant@pilot.test');
      expect((await rowOf(recent)).email).toBe('recent.participant@pilot.test');

      await expect(run()).resolves.toMatchObject({ state: 'completed', result: { agedOut: 0 } });
      const cutoff = (first.result as { cutoff: string }).cutoff;
      expect(await auditSince('retention', auditFrom)).toEqual([
        { actor: 'scheduler', rows: 1, details: { days: 30, cutoff, transcripts: false } },
        { actor: 'scheduler', rows: 0, details: { days: 30, cutoff: expect.any(String), transcripts: false } },
      ]);
    });
  });

  describe('pseudonymised exports', () => {
    /** Any e-mail address at all, in any field, escaped or not. */
    const ANY_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
    /** Computed here, independently of the service: HMAC-SHA256 of the lower-cased address under the key. */
    const pseudonym = (email: string): string =>
      createHmac('sha256', PSEUDONYM_KEY).update(email.toLowerCase()).digest('hex');
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      ids.first = (await participant('Same.Person@Pilot.test')).scenario.conversation_id;
      ids.second = (await participant('same.person@pilot.TEST')).scenario.conversation_id;
      // This participant also typed an address into an answer.
      const answers = ['Last Monday.', 'Write to me at side.channel@pilot.test please.', ...ANSWERS.slice(2)];
      ids.other = (await participant('other.person@pilot.test', answers)).scenario.conversation_id;
    });

    it.each([
      'format=csv&pseudonymize=true',
      'format=jsonl&pseudonymise[]=true',
      'format=jsonl&status[]=completed',
      'format=csv&before=2030-01-01',
    ])('refuses an unknown query parameter (%s) instead of exporting without it', async (query) => {
      const response = await http().get(`/api/admin/conversations/export?${query}`).set('X-Api-Key', ADMIN_KEY);
      expect([response.status, response.body.code]).toEqual([400, 'HTTP.VALIDATION_FAILED']);
      expect(response.text).not.toMatch(ANY_EMAIL);
    });

    const exportOver = (format: 'csv' | 'jsonl') =>
      http()
        .get(`/api/admin/conversations/export?format=${format}&pseudonymise=true`)
        .set('X-Api-Key', ADMIN_KEY)
        .expect(200);

    function checkJsonl(text: string): void {
      expect(text).not.toMatch(ANY_EMAIL);
      const rows = text
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as {
              id: string;
              email: string | null;
              turns: { step: number; sender: string; text: string }[];
            },
        );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const [first, second, other] = [ids.first, ids.second, ids.other].map((id) => byId.get(id));
      expect(first?.email).toBe(pseudonym('same.person@pilot.test'));
      expect(second?.email).toBe(first?.email);
      expect(other?.email).toBe(pseudonym('other.person@pilot.test'));
      // The step-6 message was the address: it reads as the same pseudonym, and so does one typed elsewhere.
      const typed = (row: typeof first, step: number) =>
        row?.turns.find((turn) => turn.step === step && turn.sender === 'participant')?.text;
      expect(typed(first, 6)).toBe(first?.email);
      expect(typed(other, 6)).toBe(other?.email);
      expect(typed(other, 2)).toBe(`Write to me at ${pseudonym('side.channel@pilot.test')} please.`);
      // Completion codes stay: they join the survey answers.
      expect(first).toMatchObject({ completion_code: expect.stringMatching(/^[0-9A-Z]{12}$/) });
    }

    function checkCsv(text: string): void {
      expect(text).not.toMatch(ANY_EMAIL);
      for (const email of ['same.person@pilot.test', 'other.person@pilot.test', 'side.channel@pilot.test'])
        expect(text).toContain(pseudonym(email));
      const header = text.split('\n')[0].split(',');
      const line = text.split('\n').find((row) => row.startsWith(`"${ids.second}"`)) as string;
      expect(line.split(',')[header.indexOf('email')]).toBe(`"${pseudonym('same.person@pilot.test')}"`);
    }

    it('over HTTP, as JSON Lines and CSV: no e-mail anywhere, one pseudonym per address', async () => {
      const auditFrom = await lastAuditId();
      const plain = await http()
        .get('/api/admin/conversations/export?format=jsonl')
        .set('X-Api-Key', ADMIN_KEY)
        .expect(200);
      expect(plain.text).toContain('Same.Person@Pilot.test'); // the check below can fail
      checkJsonl((await exportOver('jsonl')).text);
      checkCsv((await exportOver('csv')).text);
      const total = Number((await dataSource.query('SELECT count(*) AS n FROM conversation'))[0].n);
      const audited = (format: string, pseudonymised: boolean): AuditRow => ({
        actor: KEY_ACTOR,
        rows: total,
        details: {
          format,
          filters: {
            brand: null,
            thinkLevel: null,
            feelLevel: null,
            status: null,
            abandonReason: null,
            label: null,
            origin: null,
            since: null,
            until: null,
          },
          pseudonymised,
          complete: true,
        },
      });
      expect(await auditSince('export', auditFrom)).toEqual([
        audited('jsonl', false),
        audited('jsonl', true),
        audited('csv', true),
      ]);
    });

    it('from the CLI with --pseudonymise, as JSON Lines and CSV, the same pseudonyms', async () => {
      const env = {
        DATABASE_URL: testApp.databaseUrl,
        STUDY_CONTENT_FILE: STUDY_FILE,
        EXPORT_PSEUDONYM_KEY: PSEUDONYM_KEY,
        ML_WORKERS: '1',
      };
      const auditFrom = await lastAuditId();
      const jsonl = await runCli(
        ['export-conversations', '--format', 'jsonl', '--pseudonymise', '--status', 'completed'],
        env,
      );
      expect(jsonl.code).toBe(0);
      checkJsonl(jsonl.stdout);
      const csv = await runCli(['export-conversations', '--format', 'csv', '--pseudonymise'], env);
      expect(csv.code).toBe(0);
      checkCsv(csv.stdout);
      const { EXPORT_PSEUDONYM_KEY: _key, ...withoutKey } = env;
      const refused = await runCli(['export-conversations', '--pseudonymise'], withoutKey);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('EXPORT_PSEUDONYM_KEY');
      expect(refused.stdout).toBe('');
      // Two exports audited as the CLI's; the refused one exported nothing and is not.
      const completed = Number(
        (await dataSource.query(`SELECT count(*) AS n FROM conversation WHERE status = 'completed'`))[0].n,
      );
      expect(await auditSince('export', auditFrom)).toEqual([
        expect.objectContaining({
          actor: 'cli',
          rows: completed,
          details: expect.objectContaining({
            filters: {
              brand: null,
              thinkLevel: null,
              feelLevel: null,
              status: 'completed',
              abandonReason: null,
              label: null,
              origin: null,
              since: null,
              until: null,
            },
            pseudonymised: true,
          }),
        }),
        expect.objectContaining({
          actor: 'cli',
          details: expect.objectContaining({ format: 'csv', pseudonymised: true, complete: true }),
        }),
      ]);
    }, 90_000);
  });
});

describe('study CLI (no configuration, database or Redis)', () => {
  /** A configuration the other commands would refuse, and no database or Redis: the study commands read neither. */
  const env = {
    PORT: 'eighty',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: '1',
  };
  it('loads no database, queue or model code', () => {
    const loaded = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(path.join(REPO, 'dist/src/cli/study-cli.module'))});
         process.stdout.write(Object.keys(require.cache).filter((file) => /node_modules.(typeorm|pg|bull|ioredis|@huggingface)./.test(file)).join('\\n'))`,
      ],
      { encoding: 'utf8' },
    );
    expect(loaded.status).toBe(0);
    expect(loaded.stdout).toBe('');
  });

  it('study:check summarises a valid file, the version with its hash', async () => {
    const run = await runCli(['study:check', STUDY_FILE], env);
    expect(run.code).toBe(0);
    const hash = createHash('sha256').update(readFileSync(STUDY_FILE)).digest('hex').slice(0, 8);
    expect(run.stdout).toContain(`${STUDY_FILE}: valid\nversion: pilot-7+${hash} (declared pilot-7,`);
    expect(run.stdout).toContain('  Lulu: A 5, B 5, C 5, Other 5');
    expect(run.stdout).toContain('    placeholders: {conversation_id}, {think_level}, {feel_level}, {completion_code}');
    expect(run.stderr).toBe('');
    const example = await runCli(['study:check', EXAMPLE_STUDY], env);
    expect(example.code).toBe(0);
    expect(example.stderr).toMatch(
      /^warning: Basic: the survey link is on survey\.example\.org, a documentation domain/m,
    );
  });

  it('study:check prints survey links with their password masked, and warns about unreachable hosts', async () => {
    const file = studyContentFile((content) => {
      const brands = content.brands as Record<string, PilotBrand>;
      brands.Basic.surveyUrl = 'https://user:s3cret@10.1.2.3:8443/s?c={completion_code}';
      brands.Lulu.surveyUrl = 'https://user:p@ss@survey.pilot.test/s?c={completion_code}';
    });
    const run = await runCli(['study:check', file], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  Basic: https://user:***@10.1.2.3:8443/s?c={completion_code}\n');
    expect(run.stdout).toContain('  Lulu: https://user:***@survey.pilot.test/s?c={completion_code}\n');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^warning: Basic: the survey link is on 10\.1\.2\.3, a local or private address/),
      expect.stringMatching(/^warning: Basic: the survey link carries a user name or password/),
      expect.stringMatching(/^warning: Lulu: the survey link is on survey\.pilot\.test, a reserved name/),
      expect.stringMatching(/^warning: Lulu: the survey link carries a user name or password/),
    ]);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/s3cret|p@ss/);
  });

  it('study:check refuses a {name} in any script or with spaces where participants would read it', async () => {
    const file = studyContentFile((content) => {
      (content.brands as Record<string, PilotBrand>).Basic.greeting.High =
        'Bonjour {prénom} ! Привет, {имя}. Hallo {Ihr Name}. Hi {first name}.';
    });
    const run = await runCli(['study:check', file], env);
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      `${file}: $.brands.Basic.greeting.High: unknown placeholder {prénom}; unknown placeholder {имя}; unknown ` +
        'placeholder {Ihr Name}; unknown placeholder {first name}; this text takes no placeholders\n',
    );
  });

  it('study:check names each problem of a broken file by its JSON path and exits 78', async () => {
    const run = await runCli(['study:check', BROKEN], env);
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(`${BROKEN}: $.brands.Lulu.questions.C: must contain at least 5 items\n`);
    expect(run.stdout).toBe('');
  });

  it('study:check refuses a duplicate key and a placeholder the text does not fill, by JSON path, exit 78', async () => {
    const file = studyContentFile((content) => {
      (content.brands as Record<string, { closing: string }>).Lulu.closing = 'closing {surveyLink}';
    });
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s*)"version": "[^"]*",$/m, '$&\n$1"version": "b",'));
    const run = await runCli(['study:check', file], env);
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      `${file}: $.version: duplicate key (line 3; first on line 2): only the last would count\n` +
        `${file}: $.brands.Lulu.closing: unknown placeholder {surveyLink} (only thankYou fills {surveyLink}); ` +
        'this text takes no placeholders\n',
    );
    expect(run.stdout).toBe('');
  });

  it('study:check and study:preview refuse a text the chat would hide or a terminal would run, and a __proto__ key', async () => {
    const check = await runCli(['study:check', UNSHOWABLE], env);
    expect(check.code).toBe(78);
    expect(check.stderr).toBe(UNSHOWABLE_PROBLEMS.map((line) => `${UNSHOWABLE}: ${line}\n`).join(''));
    expect(check.stdout).toBe('');
    const preview = await runCli(['study:preview', UNSHOWABLE, '--arm', 'Lulu/High/Low', '--label', 'A'], env);
    expect(preview.code).toBe(78);
    // Nothing of the file reaches the terminal: no escape sequence, no bell.
    expect(`${preview.stdout}${preview.stderr}`).not.toMatch(/\p{Cc}(?<![\t\n\r])/u);
  });

  it('study:check and study:preview refuse arguments they do not take, as commander refuses any usage error', async () => {
    const check = await runCli(['study:check', STUDY_FILE, 'junk'], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("too many arguments for 'study:check'");
    expect(check.stdout).toBe('');
    const preview = await runCli(['study:preview', STUDY_FILE, 'junk', '--label', 'A'], env);
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain("too many arguments for 'study:preview'");
    expect(preview.stdout).toBe('');
  });

  it('study:preview prints one arm’s conversation as participants read it', async () => {
    const run = await runCli(['study:preview', STUDY_FILE, '--arm', 'Lulu/High/Low', '--label', 'B'], env);
    expect(run.code).toBe(0);
    const blocks = run.stdout.split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^Study pilot-7\+[0-9a-f]{8}: 1 conversation\(s\)\./);
    const bot = blocks[1]
      .trim()
      .split('\n')
      .slice(1)
      .filter((line) => / bot( \(link\))?: /.test(line))
      .map((line) => line.replace(/^.*? bot( \(link\))?: /, ''));
    expect(bot).toEqual([
      PILOT.greeting('Lulu', 'High'),
      ...[1, 2, 3, 4, 5].map((n) => PILOT.question('Lulu', 'B', n)),
      PILOT.understanding('Lulu', 'Low'),
      PILOT.closing('Lulu'),
      expect.stringMatching(/email/i), // the invalid-address prompt
      expect.stringMatching(
        /^Pilot Lulu thanks! Code ABCDEFGHJKMN\. Survey: open the survey <https:\/\/survey\.pilot-study\.org\/s\/Lulu\?cid=[0-9a-f-]{36}&arm=HighLow&code=ABCDEFGHJKMN>$/,
      ),
      expect.any(String), // after the end
    ]);
    const bad = await runCli(['study:preview', STUDY_FILE, '--arm', 'Lulu/Medium/Low'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--arm must be one of Basic/High/High,');
    const broken = await runCli(['study:preview', BROKEN], env);
    expect(broken.code).toBe(78);
    expect(broken.stderr).toContain('$.brands.Lulu.questions.C: must contain at least 5 items');
  });
});
