import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { InferenceAbandoned, LABELS, type LabelScores } from '../../src/ml/ml.types';
import { WorkerPoolRunner } from '../../src/ml/worker-pool.runner';
import { freePort } from '../support/service-process';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

/** The shipped model in worker threads, the real Redis as result cache. */
describe('ML classification over HTTP (real Redis, shipped model)', () => {
  const DATABASE = 'combot_ml_int_test';
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());
  // Texts are not made unique with random suffixes (a random token can move a bag-of-words prediction):
  // each test uses its own text, and the run's fresh REDIS_KEY_PREFIX keeps earlier runs' cache out.

  async function inferences(): Promise<number> {
    const status = await http().get('/api/ml/status').expect(200);
    return status.body.models.loaded[0].inferences as number;
  }

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: '6379',
      REDIS_KEY_PREFIX: `combot-test-${randomUUID().slice(0, 8)}`,
      ML_WORKERS: '2',
      MAX_CONCURRENT_ML_OPERATIONS: '3',
    });
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  it('shows the shipped model loaded in /api/ml/status', async () => {
    const status = await http().get('/api/ml/status/').expect(200);
    expect(status.body.models.loaded).toEqual([
      expect.objectContaining({
        id: 'combot-complaint-classifier',
        workers: 2,
        revision: expect.stringMatching(/^[0-9a-f]{12}$/),
      }),
    ]);
    expect(status.body.cache.backend).toBe('redis');
    expect(status.body.semaphore.limit).toBe(3);
  });

  it('classifies, and answers the second identical call from the Redis cache', async () => {
    const text = 'The new kettle I bought leaks water from the bottom every time I fill it.';
    const first = await http().post('/api/ml/classify').send({ text }).expect(200);
    expect(first.body).toEqual({
      label: 'A',
      scores: { A: expect.any(Number), B: expect.any(Number), C: expect.any(Number), Other: expect.any(Number) },
      model: { id: 'combot-complaint-classifier', revision: expect.any(String) },
      cached: false,
    });
    const sum = Object.values(first.body.scores as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    const second = await http()
      .post('/api/ml/classify/')
      .send({ text: `  ${text}\n` })
      .expect(200);
    expect(second.body).toEqual({ ...first.body, cached: true });
  });

  it('runs exactly one inference for 50 concurrent identical uncached calls', async () => {
    const before = await inferences();
    const text = 'My parcel was marked as delivered but it never arrived at my door.';
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => http().post('/api/ml/classify').send({ text })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.body.label))).toEqual(new Set(['B']));
    expect((await inferences()) - before).toBe(1);
  });

  it('classifies a batch in one call', async () => {
    const texts = ['The cashier yelled at me in front of everyone.', 'The blender motor burned out after two uses.'];
    const response = await http().post('/api/ml/classify/batch').send({ texts }).expect(200);
    expect(response.body.results.map((r: { label: string }) => r.label)).toEqual(['C', 'A']);
  });

  it.each([
    [1001, 'texts holds 1001 texts; the limit is 32.'],
    [33, 'texts holds 33 texts; the limit is 32.'],
  ])(
    'refuses a batch of %i texts naming the configured limit (ML_MAX_BATCH_TEXTS), not another',
    async (n, message) => {
      const texts = Array.from({ length: n }, (_, i) => `Complaint number ${i}`);
      const response = await http().post('/api/ml/classify/batch').send({ texts }).expect(400);
      expect(response.body).toMatchObject({ code: 'ML.INVALID_TEXT', message });
    },
  );

  it('refuses a batch that is not an array without quoting any size limit', async () => {
    const response = await http().post('/api/ml/classify/batch').send({ texts: 'a' }).expect(400);
    expect(response.body.code).toBe('HTTP.VALIDATION_FAILED');
    expect(response.body.message).toMatch(/texts must be an array of strings/);
    expect(response.body.message).not.toMatch(/at most/);
  });

  it.each([
    [{}, /text must be a string/],
    [{ text: 42 }, /text must be a string/],
    [{ text: '   ' }, /must not be empty/],
    [{ text: '\u3164\ufe0f\u2800' }, /must not be empty/],
    [{ text: 'x'.repeat(2001) }, /limit is 2000/],
  ])('answers 400 to a bad body (%#)', async (body, message) => {
    const response = await http().post('/api/ml/classify').send(body).expect(400);
    expect(response.body.message).toMatch(message);
    expect(response.body.code).toMatch(/^(HTTP\.VALIDATION_FAILED|ML\.INVALID_TEXT)$/);
  });

  it('micro-batches concurrent texts into fewer session runs without changing any score', async () => {
    // Straight on a worker pool: through the app the semaphore would let only 3 requests reach it at once.
    const repo = path.resolve(__dirname, '..', '..');
    // Every third clear example: 20 fixed texts of mixed labels and lengths, so batches need padding.
    const texts = readFileSync(path.join(repo, 'test', 'fixtures', 'clear-complaints.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { text: string }).text)
      .filter((_, index) => index % 3 === 0);
    expect(texts).toHaveLength(20);
    const runner = await WorkerPoolRunner.start(
      { id: 'combot-complaint-classifier', revision: 'main' },
      { modelsDir: path.join(repo, 'models'), allowRemoteModels: false, intraOpThreads: 1, maxTokens: 128 },
      2,
      () => undefined,
      { max: 8, waitMs: 2, maxAgeMs: 50 },
    );
    try {
      const alone: LabelScores[] = [];
      for (const text of texts) alone.push((await runner.classify([text]))[0]);
      expect(runner.stats.inferences).toBe(20);
      const batched = await Promise.all(texts.map((text) => runner.classify([text])));
      // Usually 3 (8 + 8 + 4: all 20 are queued in one tick); a pause over the 2 ms wait while queueing
      // sends a smaller batch early, so only "fewer runs than texts" is certain.
      expect(runner.stats.inferences - 20).toBeLessThan(20);
      expect(runner.stats.texts).toBe(40);
      const drift = texts.flatMap((text, i) =>
        LABELS.filter((label) => Math.abs(batched[i][0][label] - alone[i][label]) > 1e-4).map(
          (label) => `${text} ${label}: alone ${alone[i][label]}, batched ${batched[i][0][label]}`,
        ),
      );
      expect(drift).toEqual([]);
    } finally {
      await runner.dispose();
    }
  }, 60_000);

  it("takes a text out of the worker pool's line when its signal aborts, and still runs the rest", async () => {
    const repo = path.resolve(__dirname, '..', '..');
    const runner = await WorkerPoolRunner.start(
      { id: 'combot-complaint-classifier', revision: 'main' },
      { modelsDir: path.join(repo, 'models'), allowRemoteModels: false, intraOpThreads: 1, maxTokens: 128 },
      1,
    );
    try {
      // One worker holds two messages (running + next): the third text waits in the pool's own line.
      const leaving = new AbortController();
      const first = runner.classify(['My parcel never arrived.']);
      const second = runner.classify(['The blender broke after one day.']);
      const third = runner.classify(['The cashier shouted at me.'], leaving.signal);
      leaving.abort();
      await expect(third).rejects.toBeInstanceOf(InferenceAbandoned);
      await Promise.all([first, second]);
      expect(runner.stats.texts).toBe(2);
    } finally {
      await runner.dispose();
    }
  }, 60_000);

  it('runs inference worker threads at the configured lower CPU priority, the event loop unchanged', async () => {
    const repo = path.resolve(__dirname, '..', '..');
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the parenthesised name).
    const niceOf = (tid: string): number =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const threadsAt = (nice: number): number =>
      readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === nice).length;
    const mainNice = niceOf(String(process.pid));
    const target = Math.min(19, mainNice + 7);
    const before = threadsAt(target);
    const runner = await WorkerPoolRunner.start(
      { id: 'combot-complaint-classifier', revision: 'main' },
      {
        modelsDir: path.join(repo, 'models'),
        allowRemoteModels: false,
        intraOpThreads: 1,
        maxTokens: 128,
        workerNice: 7,
      },
      2,
    );
    try {
      expect(threadsAt(target) - before).toBe(2);
      expect(niceOf(String(process.pid))).toBe(mainNice);
      expect((await runner.classify(['My parcel never arrived.']))[0].B).toBeGreaterThan(0.5);
    } finally {
      await runner.dispose();
    }
  }, 60_000);

  it('keeps classifying when Redis is unreachable (cache bypassed, errors counted)', async () => {
    const database = 'combot_ml_noredis_test';
    const noRedis = await createTestApp(database, {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(await freePort()),
      ML_WORKERS: '1',
    });
    try {
      const server = noRedis.app.getHttpServer();
      const started = Date.now();
      const text = 'A shop assistant was rude and refused to help me.';
      const first = await request(server).post('/api/ml/classify').send({ text }).expect(200);
      const second = await request(server).post('/api/ml/classify').send({ text }).expect(200);
      expect(first.body.label).toBe('C');
      expect(second.body.cached).toBe(false);
      expect(Date.now() - started).toBeLessThan(5000);
      const status = await request(server).get('/api/ml/status').expect(200);
      expect(status.body.cache.errors).toBeGreaterThanOrEqual(2);
    } finally {
      await noRedis.app.close();
      await dropTestDatabase(database);
    }
  }, 60_000);
});
