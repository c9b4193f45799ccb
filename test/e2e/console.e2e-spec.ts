import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { EXPORT_COLUMNS } from '../../src/chat/conversation.repository';
import { freePort, startService, waitForHttp, type ServiceProcess } from '../support/service-process';
import { buildStudySeed, insertStudySeed, MARKUP_COMPLAINT, SEED_ARMS, type StudySeed } from '../support/study-seed';
import { configuredStudyFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

/**
 * The page's DOM as the callbacks below use it: they run inside Chromium, and the test program has no DOM types
 * (adding the DOM lib would let server code use browser globals unnoticed).
 */
interface PageElement {
  id: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  labels?: ArrayLike<unknown> | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};

const DATABASE = 'combot_console_browser_e2e_test';
const ADMIN_KEY = 'console-browser-admin-key-0123';
const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium dials out at start, and this machine's closed network refuses. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const ARTIFACTS = path.join(__dirname, 'artifacts', 'console');
const ARMS = SEED_ARMS.map((arm) => `${arm.brand}/${arm.thinkLevel}/${arm.feelLevel}`);

/** axe-core's engine, given to the page through the DevTools protocol: the page's CSP allows no injected script tag. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core finds against WCAG 2.1 A and AA in the page as it is now (the open dialog included), one line per rule
 * broken: its id, impact and the elements. Empty when the page passes every rule axe can decide by itself.
 */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate(() =>
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return violations.map(
    (rule) => `${rule.id} (${rule.impact ?? 'n/a'}): ${rule.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

/** "12,345" → 12345; "−75" → -75. */
const numberOf = (text: string | null): number => Number((text ?? '').replace(/,/g, '').replace('−', '-').trim());
/** As the console shows durations: minutes:seconds. */
const minutes = (ms: number | null): string => {
  if (ms === null) return '–';
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The "Over time" table as shown: each row's bucket label and its two counts, newest first. */
async function shownTimeline(page: Page): Promise<[string, number, number][]> {
  const rows = await page
    .locator('#timeline-body tbody tr')
    .evaluateAll((trs) =>
      trs.map((row) => [
        row.querySelector('[data-col="at"]')?.textContent ?? '',
        row.querySelector('[data-col="started"]')?.textContent ?? '',
        row.querySelector('[data-col="completed"]')?.textContent ?? '',
      ]),
    );
  return rows.map(([at, started, completed]) => [at, numberOf(started), numberOf(completed)]);
}

/** Conversations started and completed per day of `zone`, counted by the database, newest first. */
const DAYS_IN_ZONE = `
  SELECT to_char(d, 'YYYY-MM-DD') AS at,
         (SELECT count(*) FROM conversation WHERE (created_at AT TIME ZONE $1)::date = d)::int AS started,
         (SELECT count(*) FROM conversation WHERE (completed_at AT TIME ZONE $1)::date = d)::int AS completed
    FROM generate_series((SELECT min(created_at AT TIME ZONE $1)::date FROM conversation),
                         (now() AT TIME ZONE $1)::date, interval '1 day') AS d
   ORDER BY d DESC`;

/**
 * The study console in Debian's Chromium (playwright-core, no browser download) against the built service with
 * PostgreSQL and Redis: login, every panel's numbers against the database, transcript, export, erasure, logout,
 * the queue dashboard, a phone-sized screen. Screenshots land in test/e2e/artifacts/console/.
 */
describe('study console in Chromium (built service, PostgreSQL, Redis)', () => {
  const redisPrefix = `combot-console-e2e-${randomUUID().slice(0, 8)}`;
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'combot-console-chromium-'));
  const downloads = mkdtempSync(path.join(os.tmpdir(), 'combot-console-downloads-'));
  const problems: string[] = [];
  let service: ServiceProcess;
  let databaseUrl: string;
  let db: Client;
  let browser: BrowserContext;
  let page: Page;
  let seed: StudySeed;

  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await db.query(text, params)).rows as T[];
  }

  const cell = (row: string, col: string) => page.locator(`${row} [data-col="${col}"]`).first().textContent();

  async function waitForRefresh(updatedId: string, after: number): Promise<void> {
    await page.waitForFunction(
      ([id, since]) => Date.parse(document.getElementById(id as string)?.dataset.generatedAt ?? '') > (since as number),
      [updatedId, after],
    );
  }

  const shownIds = () =>
    page.locator('#conversations-body tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

  async function waitForFirstRow(id: string): Promise<void> {
    await page.waitForFunction(
      (first) => document.querySelector('#conversations-body tbody tr')?.getAttribute('data-id') === first,
      id,
    );
  }

  /**
   * Holds the first request `matches` picks until `release()`, as a slow server would; `held` resolves once it
   * arrived, `done` once it was let go (whether the page still wanted it or had aborted it).
   */
  async function holdRequest(matches: (url: URL) => boolean): Promise<{
    held: Promise<void>;
    release: () => void;
    done: Promise<void>;
    stop: () => Promise<void>;
  }> {
    let onHeld: () => void = () => undefined;
    let release: () => void = () => undefined;
    let onDone: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (onHeld = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done = new Promise<void>((resolve) => (onDone = resolve));
    let armed = true;
    const pick = (url: URL) => matches(url);
    await page.route(pick, async (route) => {
      if (!armed) return route.continue().catch(() => undefined);
      armed = false;
      onHeld();
      await gate;
      await route.continue().catch(() => undefined);
      onDone();
    });
    return { held, release, done, stop: () => page.unroute(pick) };
  }

  /** Lets a late answer reach the page, had it still been wanted, before looking at what is shown. */
  const settle = () => page.waitForTimeout(750);

  async function shot(name: string, selector: string): Promise<void> {
    await page.locator(selector).screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    databaseUrl = await recreateTestDatabase(DATABASE);
    const port = await freePort();
    service = startService({
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      DB_MIGRATE_ON_START: 'true',
      REDIS_HOST: '127.0.0.1',
      REDIS_KEY_PREFIX: redisPrefix,
      ADMIN_API_KEY: ADMIN_KEY,
      EXPORT_PSEUDONYM_KEY: 'console-browser-pseudonym-key-01',
      STUDY_CONTENT_FILE: configuredStudyFile(),
      ML_WORKERS: '1',
    });
    await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 120_000);
    seed = buildStudySeed();
    await insertStudySeed(databaseUrl, seed);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      downloadsPath: downloads,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (/Content Security Policy|Trusted ?Type|TrustedHTML|Refused to/i.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    service?.child.kill('SIGTERM');
    await service?.exited;
    await dropTestDatabase(DATABASE);
    // The queues' keys under this run's private prefix (schedules, job records) go with it.
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    const keys = await redis.keys(`${redisPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(downloads, { recursive: true, force: true });
  }, 60_000);

  it('sends an anonymous visitor to the login form, refuses a wrong key, and logs in with the right one', async () => {
    await page.goto(`${service.baseUrl}/admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await expect(page.getByLabel('Admin key').getAttribute('type')).resolves.toBe('password');
    await page.getByLabel('Admin key').fill('not-the-admin-key-0000');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForFunction(() => document.getElementById('login-error')?.textContent !== '');
    expect(await page.locator('#login-error').textContent()).toMatch(/not the admin key/);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await shot('login', 'main');

    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${service.baseUrl}/admin/`);
    const cookie = (await browser.cookies()).find((candidate) => candidate.name === 'combot_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  });

  it('shows per arm exactly what the database holds, and flags the scope that lost its balance', async () => {
    await page.waitForSelector('#arms-updated[data-generated-at]');
    const counts = await sql<{ arm: string; started: number; active: number; done: number; left: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, count(*)::int AS started,
              count(*) FILTER (WHERE status = 'in_progress')::int AS active,
              count(*) FILTER (WHERE status = 'completed')::int AS done,
              count(*) FILTER (WHERE status = 'abandoned')::int AS left
         FROM conversation GROUP BY 1`,
    );
    const slots = await sql<{ arm: string; n: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, count(*)::int AS n
         FROM condition_slot WHERE conversation_id IS NOT NULL GROUP BY 1`,
    );
    for (const arm of ARMS) {
      const row = `#arms-body tr[data-arm="${arm}"]`;
      const expected = counts.find((c) => c.arm === arm);
      expect([
        arm,
        numberOf(await cell(row, 'started')),
        numberOf(await cell(row, 'inProgress')),
        numberOf(await cell(row, 'completed')),
        numberOf(await cell(row, 'abandoned')),
        numberOf(await cell(row, 'assigned')),
      ]).toEqual([
        arm,
        expected?.started ?? 0,
        expected?.active ?? 0,
        expected?.done ?? 0,
        expected?.left ?? 0,
        slots.find((s) => s.arm === arm)?.n ?? 0,
      ]);
    }
    const fewest = Math.min(...counts.map((c) => c.done));
    const lagging = await page
      .locator('#arms-body tr.lagging')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-arm')));
    expect(lagging.sort()).toEqual(
      counts
        .filter((c) => c.done === fewest)
        .map((c) => c.arm)
        .sort(),
    );
    await expect(cell('#arms-body tr[data-scope="random"]', 'balanced')).resolves.toBe('OK');
    await expect(page.locator('#arms-body tr[data-scope="Basic"]').getAttribute('class')).resolves.toBe('alert');
    expect(await cell('#arms-body tr[data-scope="Basic"]', 'spread')).toBe('3');

    // Differential attrition over the ended conversations: the seed's arms are far too small for χ² (Cochran's rule).
    const ended = counts.filter((c) => c.done + c.left > 0);
    const done = ended.reduce((n, c) => n + c.done, 0);
    const left = ended.reduce((n, c) => n + c.left, 0);
    const expectedCells = ended.flatMap((c) => [
      ((c.done + c.left) * done) / (done + left),
      ((c.done + c.left) * left) / (done + left),
    ]);
    expect(expectedCells.filter((e) => e < 5).length).toBeGreaterThan(0.2 * expectedCells.length);
    const attrition = page.locator('#arms-body [data-attrition]');
    expect(await attrition.getAttribute('data-attrition')).toBe('too_few_conversations');
    expect(await attrition.textContent()).toBe(
      `Drop-out by arm: not tested yet, too few ended conversations for the χ² test; ${done + left} ended ` +
        `conversations, ${left} of them abandoned (${((left / (done + left)) * 100).toFixed(1)} %).`,
    );
    await shot('arms', '#panel-arms');
  });

  it('shows the completion funnel overall and, on demand, per arm', async () => {
    await page.waitForSelector('#funnel-updated[data-generated-at]');
    for (let step = 0; step <= 6; step++) {
      const [expected] = await sql<{ reached: number; answered: number; dropped: number; waiting: number }>(
        `SELECT count(*) FILTER (WHERE step >= $1)::int AS reached, count(*) FILTER (WHERE step > $1)::int AS answered,
                count(*) FILTER (WHERE step = $1 AND status = 'abandoned')::int AS dropped,
                count(*) FILTER (WHERE step = $1 AND status = 'in_progress')::int AS waiting
           FROM conversation`,
        [step],
      );
      const row = `#funnel-body tr[data-step="${step}"]`;
      expect([
        step,
        numberOf(await cell(row, 'reached')),
        numberOf(await cell(row, 'answered')),
        numberOf(await cell(row, 'abandonedHere')),
        numberOf(await cell(row, 'waitingHere')),
      ]).toEqual([step, expected.reached, expected.answered, expected.dropped, expected.waiting]);
    }
    // Why they dropped out: a row per step where some did, then all steps; the seed holds idle and reset ones.
    const reasons = await sql<{ step: string; idle: number; reset: number; erased: number }>(
      `SELECT coalesce(step::text, 'all') AS step,
              count(*) FILTER (WHERE abandon_reason = 'idle')::int AS idle,
              count(*) FILTER (WHERE abandon_reason = 'reset')::int AS reset,
              count(*) FILTER (WHERE abandon_reason = 'erased')::int AS erased
         FROM conversation WHERE status = 'abandoned' GROUP BY ROLLUP (step) ORDER BY GROUPING(step), min(step)`,
    );
    const all = reasons.find((row) => row.step === 'all');
    expect(all?.idle).toBeGreaterThan(0);
    expect(all?.reset).toBeGreaterThan(0);
    const shownReasons = await page.locator('#funnel-body tr[data-drop-step]').evaluateAll((rows) =>
      rows.map((row) => ({
        step: row.getAttribute('data-drop-step'),
        idle: row.querySelector('[data-col="idle"]')?.textContent,
        reset: row.querySelector('[data-col="reset"]')?.textContent,
        erased: row.querySelector('[data-col="erased"]')?.textContent,
        unrecorded: row.querySelector('[data-col="unrecorded"]')?.textContent ?? null,
      })),
    );
    expect(shownReasons).toEqual(
      reasons.map((row) => ({
        step: row.step,
        idle: String(row.idle),
        reset: String(row.reset),
        erased: String(row.erased),
        unrecorded: null,
      })),
    );

    await page.getByLabel('Show each arm').check();
    await page.waitForSelector('#funnel-body tr[data-arm]');
    const perArm = await sql<{ arm: string; reached: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, count(*) FILTER (WHERE step >= 3)::int AS reached
         FROM conversation GROUP BY 1`,
    );
    for (const arm of ARMS) {
      const text = await cell(`#funnel-body tr[data-arm="${arm}"]`, 'step3');
      expect([arm, numberOf((text ?? '').split(' (')[0])]).toEqual([
        arm,
        perArm.find((p) => p.arm === arm)?.reached ?? 0,
      ]);
    }
    await shot('funnel', '#panel-funnel');
    await page.getByLabel('Show each arm').uncheck();
  });

  it('shows labels per arm and the top-score histogram as the database holds them', async () => {
    await page.waitForSelector('#labels-updated[data-generated-at]');
    const labels = await sql<{ arm: string; label: string | null; n: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, label, count(*)::int AS n
         FROM conversation GROUP BY 1, 2`,
    );
    for (const arm of ARMS) {
      for (const [col, label] of [
        ['A', 'A'],
        ['B', 'B'],
        ['C', 'C'],
        ['Other', 'Other'],
        ['unclassified', null],
      ]) {
        const expected = labels.find((row) => row.arm === arm && row.label === label)?.n ?? 0;
        expect([arm, col, numberOf(await cell(`#labels-body tr[data-arm="${arm}"]`, col as string))]).toEqual([
          arm,
          col,
          expected,
        ]);
      }
    }
    const buckets = await sql<{ bucket: string; n: number }>(
      `SELECT to_char(floor(greatest(score_a, score_b, score_c, score_other) * 20) / 20, 'FM0.00') AS bucket,
              count(*)::int AS n
         FROM conversation WHERE label IS NOT NULL GROUP BY 1`,
    );
    for (let index = 0; index < 20; index++) {
      const from = (index / 20).toFixed(2);
      const expected = buckets.find((row) => row.bucket === from)?.n ?? 0;
      expect([from, numberOf(await cell(`#labels-histogram tr[data-bucket="${from}"]`, 'total'))]).toEqual([
        from,
        expected,
      ]);
    }
    await shot('labels', '#panel-labels');
  });

  it('shows conversations started and completed per day and per hour (UTC)', async () => {
    await page.waitForSelector('#timeline-updated[data-generated-at]');
    const days = await sql<{ at: string; started: number; completed: number }>(DAYS_IN_ZONE, ['UTC']);
    expect(await shownTimeline(page)).toEqual(days.map((day) => [day.at, day.started, day.completed]));
    const before = Date.now();
    await page.getByLabel('Per', { exact: true }).selectOption('hour');
    await waitForRefresh('timeline-updated', before);
    const hours = await sql<{ at: string; started: number }>(
      `SELECT to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00') || ' UTC' AS at,
              count(*)::int AS started
         FROM conversation WHERE created_at >= date_trunc('hour', now() - interval '47 hours') GROUP BY 1`,
    );
    const shownHours = await shownTimeline(page);
    expect(shownHours.length).toBeGreaterThanOrEqual(48);
    expect(
      shownHours
        .filter(([, started]) => started !== 0)
        .map(([at, started]) => [at, started])
        .sort(),
    ).toEqual(hours.map((hour) => [hour.at, hour.started]).sort());
    await shot('timeline', '#panel-timeline');
    await page.getByLabel('Per', { exact: true }).selectOption('day');
  });

  it('shows local days, local "Started" times and local date filters to a reader in Los Angeles', async () => {
    const zone = 'America/Los_Angeles';
    const other = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const context = await other.newContext({ timezoneId: zone, viewport: { width: 1280, height: 800 } });
      const la = await context.newPage();
      la.on('console', (message) => {
        if (/Content Security Policy|Trusted ?Type|TrustedHTML|Refused to/i.test(message.text()))
          problems.push(`${zone}: ${message.text()}`);
      });
      la.on('pageerror', (error) => problems.push(`page error (${zone}): ${error.message}`));
      await la.goto(`${service.baseUrl}/admin/login`);
      await la.getByLabel('Admin key').fill(ADMIN_KEY);
      const [timelineCall] = await Promise.all([
        la.waitForRequest((request) => new URL(request.url()).pathname === '/api/admin/study/timeline'),
        la.getByRole('button', { name: 'Log in' }).click(),
      ]);
      expect(new URL(timelineCall.url()).searchParams.get('tz')).toBe(zone);
      await la.waitForSelector('#timeline-updated[data-generated-at]');

      // Day buckets: Los Angeles days, counted by the database in that zone.
      const days = await sql<{ at: string; started: number; completed: number }>(DAYS_IN_ZONE, [zone]);
      expect(await shownTimeline(la)).toEqual(days.map((day) => [day.at, day.started, day.completed]));
      // Each bucket starts at a Los Angeles midnight (08:00 UTC in winter, 07:00 in summer).
      const starts = await la
        .locator('#timeline-body tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-at') ?? ''));
      expect(starts.filter((at) => !/T0[78]:00:00\.000Z$/.test(at))).toEqual([]);
      expect(await la.locator('#timeline-caption').textContent()).toBe(
        `Started and completed conversations, per day in ${zone}.`,
      );

      // "Started": the Los Angeles wall clock and the zone's name.
      await la.waitForSelector('#conversations-body tbody tr', { state: 'attached' });
      const started = await sql<{ id: string; at: string }>(
        `SELECT id, to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI') AS at
           FROM conversation ORDER BY created_at DESC, id DESC LIMIT 25`,
        [zone],
      );
      const shownStarted = await la
        .locator('#conversations-body tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) => [row.getAttribute('data-id'), row.querySelector('[data-col="createdAt"]')?.textContent]),
        );
      expect(shownStarted.map(([id, at]) => [id, (at ?? '').replace(/ P[SD]T$/, '')])).toEqual(
        started.map((row) => [row.id, row.at]),
      );
      expect(shownStarted.every(([, at]) => / P[SD]T$/.test(at ?? ''))).toBe(true);

      // "From" and "To" a date: that Los Angeles day, midnight to midnight.
      const [{ day }] = await sql<{ day: string }>(
        `SELECT to_char(((SELECT max(created_at) FROM conversation) AT TIME ZONE $1)::date - 1, 'YYYY-MM-DD') AS day`,
        [zone],
      );
      const inDay = await sql<{ id: string }>(
        `SELECT id FROM conversation
          WHERE created_at >= $2::timestamp AT TIME ZONE $1 AND created_at < ($2::timestamp + interval '1 day') AT TIME ZONE $1
          ORDER BY created_at DESC, id DESC`,
        [zone, day],
      );
      expect(inDay.length).toBeGreaterThan(0);
      await la.getByLabel('From (local date)').fill(day);
      await la.getByLabel('To (local date, inclusive)').fill(day);
      const [filtered] = await Promise.all([
        la.waitForRequest(
          (request) =>
            new URL(request.url()).pathname === '/api/admin/study/conversations' &&
            new URL(request.url()).searchParams.has('since'),
        ),
        la.getByRole('button', { name: 'Apply filters' }).click(),
      ]);
      const [{ since, until }] = await sql<{ since: Date; until: Date }>(
        `SELECT $2::timestamp AT TIME ZONE $1 AS since, ($2::timestamp + interval '1 day') AT TIME ZONE $1 AS until`,
        [zone, day],
      );
      const params = new URL(filtered.url()).searchParams;
      expect([params.get('since'), params.get('until')]).toEqual([since.toISOString(), until.toISOString()]);
      await la.waitForFunction(
        (first) => document.querySelector('#conversations-body tbody tr')?.getAttribute('data-id') === first,
        inDay[0].id,
      );
      expect(
        await la
          .locator('#conversations-body tbody tr')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id'))),
      ).toEqual(inDay.map((row) => row.id));
      expect(await la.locator('#export-csv').getAttribute('href')).toContain(
        `since=${encodeURIComponent(since.toISOString())}`,
      );
      await la.locator('#panel-timeline').screenshot({ path: path.join(ARTIFACTS, 'timeline-los-angeles.png') });

      // A server whose PostgreSQL does not know the zone: the panel asks for UTC buckets and says so.
      await la.route(
        (url) => url.pathname === '/api/admin/study/timeline' && url.searchParams.get('tz') !== 'UTC',
        (route) =>
          route.fulfill({
            status: 400,
            json: { statusCode: 400, code: 'HTTP.VALIDATION_FAILED', message: 'tz must be …', requestId: 'x' },
          }),
      );
      await la.getByLabel('Per', { exact: true }).selectOption('hour');
      await la.waitForFunction(
        () =>
          document.getElementById('timeline-caption')?.textContent ===
          'Started and completed conversations, per hour in UTC.',
      );
      const hours = await la
        .locator('#timeline-body tbody [data-col="at"]')
        .evaluateAll((cells) => cells.map((cell) => cell.textContent ?? ''));
      expect(hours.length).toBeGreaterThanOrEqual(48);
      expect(hours.filter((at) => !/^\d{4}-\d\d-\d\d \d\d:00 UTC$/.test(at))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('opens a shared link with its filter after the reader logs in, and says why a session that ended sent them there', async () => {
    const other = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const reader = await (await other.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      reader.on('pageerror', (error) => problems.push(`page error (shared link): ${error.message}`));
      await reader.goto(`${service.baseUrl}/admin/?origin=greeting`);
      expect(new URL(reader.url()).pathname).toBe('/admin/login');
      await expect(reader.locator('#login-reason').isHidden()).resolves.toBe(true);
      await reader.getByLabel('Admin key').fill(ADMIN_KEY);
      await reader.getByRole('button', { name: 'Log in' }).click();
      await reader.waitForURL(`${service.baseUrl}/admin/?origin=greeting`);
      await reader.waitForSelector('#arms-updated[data-generated-at]');
      await expect(reader.locator('#study-origin').inputValue()).resolves.toBe('greeting');

      // The session ended elsewhere (its cookie logged out by a script), then a reload: the login page says so.
      const cookies = await reader.context().cookies();
      const session = cookies.find((cookie) => cookie.name === 'combot_admin');
      const ended = await fetch(`${service.baseUrl}/api/admin/session`, {
        method: 'DELETE',
        headers: { Cookie: `combot_admin=${session?.value}`, 'X-Combot-Console': '1', Origin: service.baseUrl },
      });
      expect(ended.status).toBe(200);
      await reader.reload();
      expect(new URL(reader.url()).pathname).toBe('/admin/login');
      await expect(reader.locator('#login-reason').textContent()).resolves.toMatch(/ended/);
    } finally {
      await other.close();
    }
  });

  it('draws readable chart axes: each whole count once, days for day buckets, one day around a single day', async () => {
    const labelsOf = async (chart: string, axis: number): Promise<string[]> =>
      ((await page.locator(`#${chart}`).getAttribute(`data-axis${axis}`)) ?? '').split('|');
    const expectCounts = (labels: string[]) => {
      expect(labels.length).toBeGreaterThan(1);
      expect(labels.every((label) => /^\d{1,3}(,\d{3})*$/.test(label))).toBe(true);
      expect(new Set(labels).size).toBe(labels.length);
    };
    const day = /^[A-Z][a-z]{2} \d{1,2}$|^[A-Z][a-z]{2} \d{4}$/;
    await page.waitForSelector('#timeline-chart[data-axis1]');
    for (const chart of ['funnel-chart', 'labels-chart', 'timeline-chart']) expectCounts(await labelsOf(chart, 1));
    expect((await labelsOf('timeline-chart', 0)).filter((label) => !day.test(label))).toEqual([]);

    const before = Date.now();
    await page.getByLabel('Per', { exact: true }).selectOption('hour');
    await waitForRefresh('timeline-updated', before);
    await page.waitForFunction(() => /:00/.test(document.getElementById('timeline-chart')?.dataset.axis0 ?? ''));
    expectCounts(await labelsOf('timeline-chart', 1));
    expect(
      (await labelsOf('timeline-chart', 0)).filter((label) => !/^\d\d:00$/.test(label) && !day.test(label)),
    ).toEqual([]);

    // A study in its first day: one bucket.
    const timeline = (url: URL) => url.pathname === '/api/admin/study/timeline';
    await page.route(timeline, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { points?: { at: string }[] };
      await route.fulfill({ response, json: body.points ? { ...body, points: body.points.slice(-1) } : body });
    });
    await page.getByLabel('Per', { exact: true }).selectOption('day');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#timeline-body tbody tr').length === 1 &&
        !/:00/.test(document.getElementById('timeline-chart')?.dataset.axis0 ?? ''),
    );
    const only = (await page.locator('#timeline-body tbody tr').getAttribute('data-at')) ?? '';
    const onlyDay = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(
      new Date(only),
    );
    expect(await labelsOf('timeline-chart', 0)).toEqual([onlyDay]);
    await page.unroute(timeline);
    await page.getByLabel('Per', { exact: true }).selectOption('hour');
    await page.getByLabel('Per', { exact: true }).selectOption('day');
    await page.waitForFunction(() => document.querySelectorAll('#timeline-body tbody tr').length > 1);
  });

  it('shows the median and quartiles of the duration per arm (percentile_cont)', async () => {
    await page.waitForSelector('#durations-updated[data-generated-at]');
    const rows = await sql<{ arm: string; n: number; q: number[] }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, count(*)::int AS n,
              percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY duration_ms) AS q
         FROM conversation WHERE status = 'completed' GROUP BY 1`,
    );
    for (const arm of ARMS) {
      const expected = rows.find((row) => row.arm === arm);
      const row = `#durations-body tr[data-arm="${arm}"]`;
      expect([
        arm,
        numberOf(await cell(row, 'completed')),
        await cell(row, 'q1'),
        await cell(row, 'median'),
        await cell(row, 'q3'),
      ]).toEqual([
        arm,
        expected?.n ?? 0,
        minutes(expected?.q[0] ?? null),
        minutes(expected?.q[1] ?? null),
        minutes(expected?.q[2] ?? null),
      ]);
    }
    await shot('durations', '#panel-durations');
  });

  it('counts one origin in every study panel when the reader picks it, and keeps the choice in the address', async () => {
    const STUDY_PANELS = ['arms', 'funnel', 'labels', 'timeline', 'durations'];
    const allShow = (origin: string) =>
      page.waitForFunction(
        ([ids, wanted]) =>
          (ids as string[]).every((id) => document.getElementById(`${id}-updated`)?.dataset.origin === wanted),
        [STUDY_PANELS, origin],
      );
    const perArm = await sql<{ arm: string; origin: string; started: number; done: number; left: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, origin, count(*)::int AS started,
              count(*) FILTER (WHERE status = 'completed')::int AS done,
              count(*) FILTER (WHERE status = 'abandoned')::int AS left
         FROM conversation GROUP BY 1, 2`,
    );
    await allShow('all');
    // Counting every origin, the arms panel says how many started without the greeting and offers to leave them out.
    const withoutGreeting = perArm.filter((row) => row.origin === 'no_greeting').reduce((n, r) => n + r.started, 0);
    const notice = page.locator('#arms-origin-notice');
    expect(withoutGreeting).toBeGreaterThan(0);
    expect([await notice.isVisible(), await notice.getAttribute('data-without-greeting')]).toEqual([
      true,
      String(withoutGreeting),
    ]);
    await page.getByRole('button', { name: 'Count only those started at the greeting' }).click();
    await allShow('greeting');
    expect(await notice.isHidden()).toBe(true);
    expect(new URL(page.url()).searchParams.get('origin')).toBe('greeting');
    for (const arm of ARMS) {
      const expected = perArm.find((row) => row.arm === arm && row.origin === 'greeting')?.started ?? 0;
      expect([arm, numberOf(await cell(`#arms-body tr[data-arm="${arm}"]`, 'started'))]).toEqual([arm, expected]);
    }

    await page.getByLabel('Count in the study panels').selectOption('no_greeting');
    await allShow('no_greeting');
    expect(new URL(page.url()).searchParams.get('origin')).toBe('no_greeting');
    expect(await page.locator('#arms-updated').textContent()).toMatch(/ · started without the greeting only$/);

    const check = async (): Promise<void> => {
      const ofOrigin = perArm.filter((row) => row.origin === 'no_greeting');
      expect(ofOrigin.length).toBeGreaterThan(0);
      for (const arm of ARMS) {
        const expected = ofOrigin.find((row) => row.arm === arm);
        const row = `#arms-body tr[data-arm="${arm}"]`;
        expect([
          arm,
          numberOf(await cell(row, 'started')),
          numberOf(await cell(row, 'completed')),
          numberOf(await cell(row, 'abandoned')),
        ]).toEqual([arm, expected?.started ?? 0, expected?.done ?? 0, expected?.left ?? 0]);
      }
      const started = ofOrigin.reduce((n, row) => n + row.started, 0);
      const done = ofOrigin.reduce((n, row) => n + row.done, 0);
      expect([
        numberOf(await cell('#funnel-body tr[data-step="0"]', 'reached')),
        (await shownTimeline(page)).reduce((n, [, day]) => n + day, 0),
        numberOf(await cell('#durations-body tr[data-arm="all"]', 'completed')),
      ]).toEqual([started, started, done]);
    };
    await check();
    await shot('arms-no-greeting', '#panel-arms');

    // A reload (or a shared link) shows the same conversations.
    await page.reload();
    await allShow('no_greeting');
    expect(await page.getByLabel('Count in the study panels').inputValue()).toBe('no_greeting');
    await check();

    await page.getByLabel('Count in the study panels').selectOption('');
    await allShow('all');
    expect(new URL(page.url()).searchParams.has('origin')).toBe(false);
    const every = perArm.filter((row) => row.arm === ARMS[0]).reduce((n, row) => n + row.started, 0);
    expect(numberOf(await cell(`#arms-body tr[data-arm="${ARMS[0]}"]`, 'started'))).toBe(every);
  });

  it('shows the service: health as the probe reports it, the Bull queues, the model', async () => {
    await page.waitForSelector('#service-updated[data-generated-at]');
    const health = (await (
      await fetch(`${service.baseUrl}/api/health`, { headers: { 'X-Api-Key': ADMIN_KEY } })
    ).json()) as {
      status: string;
    };
    expect(await page.locator('#service-body [data-fact="readiness"]').textContent()).toBe(health.status);
    expect(await page.locator('#service-body caption').textContent()).toBe('Queues (bull)');
    expect(
      await page
        .locator('#service-body tr[data-queue]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue'))),
    ).toEqual(['ml', 'maintenance']);
    expect(await page.locator('#service-body [data-fact="models"]').textContent()).toMatch(
      /^combot-complaint-classifier@/,
    );
    await shot('service', '#panel-service');
  });

  it('browses conversations newest first, a keyset page at a time, under the filters', async () => {
    const ids = async () =>
      page.locator('#conversations-body tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    const newest = await sql<{ id: string }>('SELECT id FROM conversation ORDER BY created_at DESC, id DESC');
    await page.waitForSelector('#conversations-body tbody tr');
    expect(await ids()).toEqual(newest.slice(0, 25).map((row) => row.id));
    await page.getByRole('button', { name: 'Older' }).click();
    await page.waitForFunction(
      (first) => document.querySelector('#conversations-body tbody tr')?.getAttribute('data-id') === first,
      newest[25].id,
    );
    expect(await ids()).toEqual(newest.slice(25, 50).map((row) => row.id));
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newest' }).click();
    await page.waitForFunction(
      (first) => document.querySelector('#conversations-body tbody tr')?.getAttribute('data-id') === first,
      newest[0].id,
    );

    await page.getByLabel('Arm', { exact: true }).selectOption('Lulu/Low/Low');
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const filtered = await sql<{ id: string }>(
      `SELECT id FROM conversation WHERE brand = 'Lulu' AND think_level = 'Low' AND feel_level = 'Low'
          AND status = 'completed' ORDER BY created_at DESC, id DESC`,
    );
    await page.waitForFunction(
      (count) => document.querySelectorAll('#conversations-body tbody tr').length === count,
      filtered.length,
    );
    expect(await ids()).toEqual(filtered.map((row) => row.id));
    await shot('conversations', '#panel-conversations');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(
      (count) => document.querySelectorAll('#conversations-body tbody tr').length === count,
      25,
    );
  });

  it('names each "Open" button by its conversation: short id and arm', async () => {
    await page.waitForSelector('#conversations-body tbody tr');
    const named = await page
      .locator('#conversations-body button[data-open]')
      .evaluateAll((buttons) => buttons.map((b) => [b.getAttribute('data-open'), b.getAttribute('aria-label')]));
    expect(named.length).toBeGreaterThan(1);
    for (const [id, label] of named) {
      expect(label).toMatch(
        new RegExp(
          `^Open conversation ${(id ?? '').slice(0, 8)}, (Basic|Lulu) · think (High|Low) · feel (High|Low), started `,
        ),
      );
    }
    expect(new Set(named.map(([, label]) => label)).size).toBe(named.length);
  });

  it('takes filters only on "Apply filters"; the list, "Older" and the exports follow the applied set, "Clear" resets all', async () => {
    const newest = await sql<{ id: string }>('SELECT id FROM conversation ORDER BY created_at DESC, id DESC');
    await waitForFirstRow(newest[0].id);
    const csv = page.getByRole('link', { name: 'Export CSV' });
    const jsonl = page.getByRole('link', { name: 'Export JSON Lines' });

    // Chosen, not applied: neither the list nor the exports nor the next page change.
    await page.getByLabel('Status', { exact: true }).selectOption('abandoned');
    const before = Date.now();
    await waitForRefresh('conversations-updated', before);
    expect(await shownIds()).toEqual(newest.slice(0, 25).map((row) => row.id));
    expect(await csv.getAttribute('href')).not.toContain('status=');
    const [older] = await Promise.all([
      page.waitForRequest((request) => new URL(request.url()).searchParams.has('cursor')),
      page.getByRole('button', { name: 'Older' }).click(),
    ]);
    expect(new URL(older.url()).searchParams.has('status')).toBe(false);
    await waitForFirstRow(newest[25].id);
    await page.getByRole('button', { name: 'Newest' }).click();
    await waitForFirstRow(newest[0].id);

    await page.getByRole('button', { name: 'Apply filters' }).click();
    const abandoned = await sql<{ id: string }>(
      `SELECT id FROM conversation WHERE status = 'abandoned' ORDER BY created_at DESC, id DESC`,
    );
    await waitForFirstRow(abandoned[0].id);
    expect(await shownIds()).toEqual(abandoned.slice(0, 25).map((row) => row.id));
    expect(await csv.getAttribute('href')).toContain('status=abandoned');
    expect(await jsonl.getAttribute('href')).toContain('status=abandoned');

    await page.getByRole('button', { name: 'Clear' }).click();
    await waitForFirstRow(newest[0].id);
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('');
    expect(await csv.getAttribute('href')).toBe('/api/admin/conversations/export?format=csv');
    expect(await jsonl.getAttribute('href')).toBe('/api/admin/conversations/export?format=jsonl');
  });

  it('refuses "To" before "From" and days outside 2000–9999; a refused filter leaves the list and the exports as they were', async () => {
    const newest = await sql<{ id: string }>('SELECT id FROM conversation ORDER BY created_at DESC, id DESC');
    await waitForFirstRow(newest[0].id);
    const csv = page.getByRole('link', { name: 'Export CSV' });
    const from = page.getByLabel('From (local date)');
    const to = page.getByLabel('To (local date, inclusive)');

    await from.fill('2026-12-04');
    await to.fill('2026-12-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await to.evaluate((input) => (input as unknown as { validationMessage: string }).validationMessage)).toMatch(
      /before/,
    );
    expect(await csv.getAttribute('href')).not.toMatch(/since=|until=/);
    expect(await shownIds()).toEqual(newest.slice(0, 25).map((row) => row.id));

    // The form takes days from 2000 (no study is older) to 9999-12-31, whose next day has no form the API reads.
    await from.fill('0001-01-01');
    await to.fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(
      await from.evaluate(
        (input) => (input as unknown as { validity: { rangeUnderflow: boolean } }).validity.rangeUnderflow,
      ),
    ).toBe(true);
    expect(await csv.getAttribute('href')).not.toMatch(/since=|until=/);
    await from.fill('2000-01-01');
    await to.fill('9999-12-31');
    const [listed] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/study/conversations'),
      page.getByRole('button', { name: 'Apply filters' }).click(),
    ]);
    expect(listed.status()).toBe(200);
    const since = new URL(listed.url()).searchParams.get('since') ?? '';
    expect(Math.abs(new Date(since).getTime() - Date.UTC(2000, 0, 1))).toBeLessThanOrEqual(14 * 3600_000);
    expect(new URL(listed.url()).searchParams.has('until')).toBe(false);
    await waitForFirstRow(newest[0].id);
    expect(await csv.getAttribute('href')).toContain(`since=${encodeURIComponent(since)}`);

    // A filter the server refuses leaves the list as it was, and the export links with it.
    await page.route(
      (url) => url.pathname === '/api/admin/study/conversations' && url.searchParams.get('status') === 'completed',
      (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: '{"statusCode":400,"code":"HTTP.VALIDATION_FAILED","message":"refused"}',
        }),
    );
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(
      () => !/status=/.test(document.getElementById('export-csv')?.getAttribute('href') ?? 'status='),
    );
    expect(await csv.getAttribute('href')).toContain(`since=${encodeURIComponent(since)}`);
    expect(await shownIds()).toEqual(newest.slice(0, 25).map((row) => row.id));
    await page.unrouteAll();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => !/since=/.test(document.getElementById('export-csv')?.getAttribute('href') ?? ''));
  });

  it('draws only the answer to the latest request: a late automatic refresh never replaces the page asked for', async () => {
    const isList = (url: URL) => url.pathname === '/api/admin/study/conversations';
    const newest = await sql<{ id: string }>('SELECT id FROM conversation ORDER BY created_at DESC, id DESC');
    await waitForFirstRow(newest[0].id);

    // "Older" while the automatic refresh of the newest page is slow.
    const refresh = await holdRequest((url) => isList(url) && !url.searchParams.has('cursor'));
    await refresh.held;
    await page.getByRole('button', { name: 'Older' }).click();
    await waitForFirstRow(newest[25].id);
    refresh.release();
    await refresh.done;
    await refresh.stop();
    await settle();
    expect(await shownIds()).toEqual(newest.slice(25, 50).map((row) => row.id));
    expect(await page.locator('#conversations-body caption').textContent()).toBe('Conversations (older page)');
    await page.getByRole('button', { name: 'Newest' }).click();
    await waitForFirstRow(newest[0].id);

    // "Apply filters" while the automatic refresh under the old filters is slow.
    const unfiltered = await holdRequest((url) => isList(url) && !url.searchParams.has('status'));
    await unfiltered.held;
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const completed = await sql<{ id: string }>(
      `SELECT id FROM conversation WHERE status = 'completed' ORDER BY created_at DESC, id DESC`,
    );
    await waitForFirstRow(completed[0].id);
    unfiltered.release();
    await unfiltered.done;
    await unfiltered.stop();
    await settle();
    expect(await shownIds()).toEqual(completed.slice(0, 25).map((row) => row.id));
    await page.getByRole('button', { name: 'Clear' }).click();
    await waitForFirstRow(newest[0].id);
  });

  it('opens a transcript with scores, model, content version and code; participant markup stays text', async () => {
    const open = page.locator(`button[data-open="${seed.transcriptId}"]`);
    await open.click();
    const dialog = page.locator('#transcript-dialog');
    await page.waitForSelector('#transcript-body .turn');
    const stored = (
      await sql<{ completion_code: string; label: string; score: number }>(
        `SELECT completion_code, label, greatest(score_a, score_b, score_c, score_other) AS score FROM conversation WHERE id = $1`,
        [seed.transcriptId],
      )
    )[0];
    expect(await dialog.locator('[data-fact="completionCode"]').textContent()).toBe(stored.completion_code);
    expect(await dialog.locator('[data-fact="model"]').textContent()).toBe(
      'combot-complaint-classifier @ seed-revision',
    );
    expect(await dialog.locator('[data-fact="contentVersion"]').textContent()).toBe('example-1+seed');
    expect(await dialog.locator(`tr[data-label="${stored.label}"] [data-col="score"]`).textContent()).toBe(
      stored.score.toFixed(4),
    );
    const [{ turns }] = await sql<{ turns: number }>(
      'SELECT count(*)::int AS turns FROM conversation_turn WHERE conversation_id = $1',
      [seed.transcriptId],
    );
    await expect(dialog.locator('.turn').count()).resolves.toBe(turns);
    expect(await dialog.locator('.turn[data-step="0"][data-kind="message"] .turn-text').textContent()).toBe(
      MARKUP_COMPLAINT,
    );
    // Each message after the first says how long after the one before it came (the seed stores them 20 s apart).
    const metas = await dialog.locator('.turn .turn-meta').allTextContents();
    expect(metas[0]).not.toContain('after');
    expect(metas.slice(1).every((meta) => meta.endsWith(' · after 20.0 s'))).toBe(true);
    await expect(dialog.locator('img, b').count()).resolves.toBe(0);
    await shot('transcript', '#transcript-dialog');
    await page.keyboard.press('Escape');
    await expect(dialog.isVisible()).resolves.toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-open'))).toBe(seed.transcriptId);
  });

  it('says why and when an abandoned conversation was abandoned', async () => {
    const abandoned = seed.conversations.find((c) => c.status === 'abandoned' && c.erasedAt === null);
    const [stored] = await sql<{ abandon_reason: string; step: number }>(
      'SELECT abandon_reason, step FROM conversation WHERE id = $1',
      [abandoned?.id],
    );
    expect(stored.abandon_reason).toBe('idle');
    await page.locator(`button[data-open="${abandoned?.id}"]`).click();
    const status = page.locator('#transcript-dialog [data-fact="status"]');
    await status.waitFor();
    expect(await status.textContent()).toMatch(
      new RegExp(`^abandoned at step ${stored.step} \\(idle past the time limit, \\S.*\\)$`),
    );
    await page.keyboard.press('Escape');
  });

  it('shows only the last-opened transcript, and offers to erase only that one, when an earlier answer is late', async () => {
    const [first, second, third] = (await shownIds()).filter((id) => id !== seed.erasedId) as string[];
    const dialog = page.locator('#transcript-dialog');
    const slow = await holdRequest((url) => url.pathname === `/api/admin/study/conversations/${first}`);
    await page.locator(`button[data-open="${first}"]`).click();
    await slow.held;
    await page.keyboard.press('Escape');
    await page.locator(`button[data-open="${second}"]`).click();
    await page.waitForFunction((id) => document.querySelector('[data-fact="id"]')?.textContent === id, second);
    slow.release();
    await slow.done;
    await slow.stop();
    await settle();
    expect(await dialog.locator('[data-fact="id"]').textContent()).toBe(second);
    expect(await page.locator('#transcript-title').textContent()).toBe(`Conversation ${second.slice(0, 8)}`);
    await page.getByRole('button', { name: 'Erase participant data…' }).click();
    expect(await page.locator('#erase-target').textContent()).toBe(`Conversation ${second}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.keyboard.press('Escape');

    // A transcript that cannot be loaded: no earlier title, no erasure, a plain reason.
    const failing = (url: URL) => url.pathname === `/api/admin/study/conversations/${third}`;
    await page.route(failing, (route) => route.abort('failed'));
    await page.locator(`button[data-open="${third}"]`).click();
    await page.waitForSelector('#transcript-body .error');
    expect(await page.locator('#transcript-body .error').textContent()).toMatch(
      new RegExp(
        `^The transcript of conversation ${third.slice(0, 8)} could not be loaded \\(the server could not be reached\\)`,
      ),
    );
    expect(await page.locator('#transcript-title').textContent()).toBe('Conversation not loaded');
    expect(await page.getByRole('button', { name: 'Erase participant data…' }).isDisabled()).toBe(true);
    await page.unroute(failing);
    await page.keyboard.press('Escape');
    await expect(dialog.isVisible()).resolves.toBe(false);
  });

  it('downloads the export with the list’s filters (arm, status, label), as CSV and as JSON Lines', async () => {
    const session = (await (await page.request.get(`${service.baseUrl}/api/admin/session`)).json()) as {
      pseudonymisedExport: boolean;
    };
    expect(await page.locator('#pseudonymise-field').isHidden()).toBe(!session.pseudonymisedExport);
    // The arm and label with the most completed conversations, so the filters narrow a set that is not empty.
    const [most] = await sql<{ brand: string; think_level: string; feel_level: string; label: string }>(
      `SELECT brand, think_level, feel_level, label FROM conversation
        WHERE status = 'completed' AND label IS NOT NULL
        GROUP BY 1, 2, 3, 4 ORDER BY count(*) DESC, 1, 2, 3, 4 LIMIT 1`,
    );
    const arm = `${most.brand}/${most.think_level}/${most.feel_level}`;
    await page.getByLabel('Arm', { exact: true }).selectOption(arm);
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByLabel('Label', { exact: true }).selectOption(most.label);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const completed = await sql<{ id: string }>(
      `SELECT id FROM conversation
        WHERE status = 'completed' AND brand = $1 AND think_level = $2 AND feel_level = $3 AND label = $4 ORDER BY id`,
      [most.brand, most.think_level, most.feel_level, most.label],
    );
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.length).toBeLessThan(
      (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM conversation WHERE status = 'completed'`))[0].n,
    );

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(new URL(csv.url()).searchParams.toString()).toBe(
      new URLSearchParams({
        format: 'csv',
        brand: most.brand,
        thinkLevel: most.think_level,
        feelLevel: most.feel_level,
        status: 'completed',
        label: most.label,
      }).toString(),
    );
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe([...EXPORT_COLUMNS, 'turns'].join(','));
    expect(
      lines
        .slice(1)
        .map((line) => line.slice(1, 37))
        .sort(),
    ).toEqual(completed.map((row) => row.id));

    const [jsonl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export JSON Lines' }).click(),
    ]);
    const records = readFileSync(await jsonl.path(), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: string });
    expect(records.every((record) => record.status === 'completed')).toBe(true);
    expect(records.map((record) => record.id).sort()).toEqual(completed.map((row) => row.id));
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(
      () => !/status=/.test(document.getElementById('export-jsonl')?.getAttribute('href') ?? ''),
    );
  });

  it('lists and exports the conversations abandoned for one reason', async () => {
    const reset = await sql<{ id: string }>(
      `SELECT id FROM conversation WHERE abandon_reason = 'reset' ORDER BY created_at DESC, id DESC`,
    );
    expect(reset.length).toBeGreaterThan(0);
    await page.getByLabel('Why abandoned').selectOption('reset');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForFirstRow(reset[0].id);
    expect(await shownIds()).toEqual(reset.map((row) => row.id));
    const statuses = await page
      .locator('#conversations-body tbody [data-col="status"]')
      .evaluateAll((cells) => cells.map((cell) => cell.textContent));
    expect(statuses).toEqual(reset.map(() => 'Abandoned (reset)'));
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(new URL(csv.url()).searchParams.get('abandonReason')).toBe('reset');
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\n');
    const reasonAt = EXPORT_COLUMNS.indexOf('abandon_reason');
    // Every cell is quoted; the ones before the transcript hold no comma.
    const exported = lines.slice(1).map((line) => [line.slice(1, 37), line.split(',')[reasonAt]]);
    expect(exported.sort()).toEqual(reset.map((row) => [row.id, '"reset"']).sort());
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(
      () => !/abandonReason=/.test(document.getElementById('export-csv')?.getAttribute('href') ?? ''),
    );
    expect(await page.getByLabel('Why abandoned').inputValue()).toBe('');
  });

  it('downloads a pseudonymised export: no e-mail address left in it', async () => {
    await expect(page.locator('#pseudonymise-field').isVisible()).resolves.toBe(true);
    await page.getByLabel('Pseudonymised', { exact: false }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export JSON Lines' }).click(),
    ]);
    expect(download.url()).toContain('pseudonymise=true');
    const text = readFileSync(await download.path(), 'utf8');
    const records = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; email: string | null });
    expect(records).toHaveLength(seed.conversations.length);
    expect(records.filter((record) => record.email !== null).length).toBeGreaterThan(0);
    expect(text).not.toMatch(/[\w.+-]+@example\.org/);
    await page.getByLabel('Pseudonymised', { exact: false }).uncheck();
  });

  it('erases a participant after confirmation: transcript gone, tombstone kept', async () => {
    const target = seed.conversations[1];
    await page.locator(`button[data-open="${target.id}"]`).click();
    await page.waitForSelector('#transcript-body [data-fact="id"]');
    await page.getByRole('button', { name: 'Erase participant data…' }).click();
    await expect(page.locator('#erase-dialog').isVisible()).resolves.toBe(true);
    await page.locator('#erase-confirm').click();
    await page.waitForFunction(() => /Erased at/.test(document.getElementById('transcript-status')?.textContent ?? ''));
    // The focus stays in the dialog, not lost to the page with the "Erase…" button the erasure disabled.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('transcript-close');
    const [row] = await sql<{ erased: boolean; email: string | null; turns: number; status: string }>(
      `SELECT erased_at IS NOT NULL AS erased, email, status,
              (SELECT count(*)::int FROM conversation_turn WHERE conversation_id = c.id) AS turns
         FROM conversation c WHERE id = $1`,
      [target.id],
    );
    expect(row).toEqual({ erased: true, email: null, turns: 0, status: target.status });
    // The audit names the session that erased, beside the key it was opened with.
    const audit = await sql<{ actor: string }>(
      `SELECT actor FROM admin_audit WHERE action = 'erase' AND details->'conversations' ? $1`,
      [target.id],
    );
    expect(audit).toEqual([{ actor: expect.stringMatching(/^key:[0-9a-f]{8} session:\S{8}$/) as unknown }]);
    await page.keyboard.press('Escape');
  });

  it('opens the queue dashboard with the same session', async () => {
    await expect(page.locator('#queue-link').isVisible()).resolves.toBe(true);
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => new URL(candidate.url()).pathname === '/api/admin/queues'),
      page.locator('#queue-link').click(),
    ]);
    expect(response.status()).toBe(200);
    // Every asset from the app: the page's link to Google Fonts is left out (the CSP would block it anyway).
    expect(await response.text()).not.toMatch(/fonts\.googleapis\.com|<link href="https:/);
    await page.waitForSelector('text=maintenance', { timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'queue-dashboard.png') });
    await page.goBack();
    await page.waitForSelector('#arms-updated[data-generated-at]');
  });

  it('is usable by keyboard, labels every control, and fits a phone-sized screen', async () => {
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-1280x800.png') });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the panels');
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button')]
        .filter(
          (control) => !(control.labels?.length || control.getAttribute('aria-label') || control.textContent?.trim()),
        )
        .map((element) => element.id),
    );
    expect(unlabelled).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#arms-updated[data-generated-at]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390x844.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('passes axe-core’s WCAG 2.1 AA rules: the panels, a transcript, a phone-sized screen', async () => {
    if (new URL(page.url()).pathname !== '/admin/') await logIn();
    await page.waitForSelector('#conversations-body button[data-open]');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator(`button[data-open="${seed.transcriptId}"]`).click();
    await page.waitForSelector('#transcript-body .turn');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('logs out: the page returns to the login form and the old session no longer works', async () => {
    const cookie = (await browser.cookies()).find((candidate) => candidate.name === 'combot_admin');
    expect(cookie).toBeDefined();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${service.baseUrl}/admin/login`);
    const replay = await fetch(`${service.baseUrl}/api/admin/study/arms`, {
      headers: { Cookie: `combot_admin=${cookie?.value ?? ''}` },
    });
    expect(replay.status).toBe(401);
    const dashboard = await fetch(`${service.baseUrl}/api/admin/queues`, {
      headers: { Cookie: `combot_admin=${cookie?.value ?? ''}` },
    });
    expect(dashboard.status).toBe(401);
    await page.goto(`${service.baseUrl}/admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });

  async function logIn(): Promise<void> {
    await page.goto(`${service.baseUrl}/admin/login`);
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${service.baseUrl}/admin/`);
    await page.waitForSelector('#arms-updated[data-generated-at]');
  }

  it('passes axe-core’s WCAG 2.1 AA rules on the login page, its error shown', async () => {
    await browser.clearCookies();
    await page.goto(`${service.baseUrl}/admin/login`);
    await page.getByLabel('Admin key').fill('not-the-admin-key-0000');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForFunction(() => document.getElementById('login-error')?.textContent !== '');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('sends the reader to the login page saying why when the session ends before its time', async () => {
    await logIn();
    // As a logout in another tab, or a changed key, would leave it: the server no longer knows the session.
    await browser.clearCookies();
    await page.waitForURL(`${service.baseUrl}/admin/login?reason=ended`, { timeout: 15_000 });
    expect(await page.locator('#login-reason').textContent()).toBe(
      'Your session ended (logged out elsewhere, or the admin key changed); log in again.',
    );
  });

  it('warns before the session expires, and after it an export link leads to the login page saying so', async () => {
    await page.clock.install();
    await logIn();
    const session = (await (await page.request.get(`${service.baseUrl}/api/admin/session`)).json()) as {
      expiresAt: string;
    };
    const expiresAt = Date.parse(session.expiresAt);
    await expect(page.locator('#session-state').isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Pause refresh' }).click();
    await page.clock.fastForward(expiresAt - (await page.evaluate(() => Date.now())) - 4 * 60_000);
    await page.waitForSelector('#session-state:not([hidden])');
    expect(await page.locator('#session-state').textContent()).toBe(
      `Your session ends at ${session.expiresAt.slice(11, 16)} UTC; log in again after that.`,
    );
    await browser.clearCookies();
    await page.clock.setSystemTime(expiresAt + 2_000);
    await page.getByRole('link', { name: 'Export CSV' }).click();
    await page.waitForURL(`${service.baseUrl}/admin/login?reason=expired`);
    expect(await page.locator('#login-reason').textContent()).toBe('Your session expired; log in again.');
  });

  it('ran without a Content-Security-Policy or Trusted Types violation, or a page error', () => {
    expect(problems).toEqual([]);
  });
});
