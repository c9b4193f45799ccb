import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { AppConfig, ConfigValidationError, prettyLogsProblem } from './app-config';
import { envSchema } from './env.schema';
import { MAX_TIMER_MS } from './timer-limit';

describe('AppConfig', () => {
  it('applies the seed defaults', () => {
    const config = new AppConfig({});
    expect(config.http.port).toBe(8000);
    expect(config.ml).toMatchObject({ maxConcurrent: 3, cacheTtlSeconds: 7200, queueTimeoutMs: 30_000, maxModels: 2 });
    expect(config.mode).toEqual({ database: 'embedded', redis: 'memory' });
    expect(config.database.migrateOnStart).toBe(true);
    expect(config.queue.processInApi).toBe(true);
  });

  it('switches to the real servers when DATABASE_URL and REDIS_HOST are set', () => {
    const config = new AppConfig({ DATABASE_URL: 'postgres://u@db:5432/x', REDIS_HOST: 'redis' });
    expect(config.mode).toEqual({ database: 'external', redis: 'external' });
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.queue.processInApi).toBe(false);
  });

  it('runs one HTTP process without Redis, one per core with it', () => {
    // Without Redis, jobs, their ids, schedules and rate-limit counters live in each process: two processes would
    // answer a job id with another process's job, run every schedule twice and let each client through twice.
    expect(new AppConfig({}).http.processes).toBe(1);
    expect(new AppConfig({ REDIS_HOST: 'redis' }).http.processes).toBe(Math.max(1, os.availableParallelism()));
    expect(new AppConfig({ REDIS_HOST: 'redis', API_PROCESSES: '3' }).http.processes).toBe(3);
    expect(new AppConfig({ API_PROCESSES: '1' }).http.processes).toBe(1);
    expect(() => new AppConfig({ API_PROCESSES: '2' })).toThrow(
      /^\s*API_PROCESSES=2: needs REDIS_HOST \(without Redis, jobs, schedules and rate limits are per process\)$/m,
    );
  });

  it('treats an empty value as unset', () => {
    expect(new AppConfig({ DATABASE_URL: '', PORT: '' }).mode.database).toBe('embedded');
  });

  it('refuses a metrics key equal to the admin key: the scrape credential would open the researcher export', () => {
    const key = 'one-key-for-everything-0123';
    expect(() => new AppConfig({ ADMIN_API_KEY: key, METRICS_API_KEY: key })).toThrow(
      /^\s*METRICS_API_KEY=\S+: must differ from ADMIN_API_KEY/m,
    );
    expect(() => new AppConfig({ ADMIN_API_KEY: key, METRICS_API_KEY: key })).not.toThrow(new RegExp(key));
  });

  it('lists every bad value as KEY=value: problem, hiding secrets', () => {
    let error: unknown;
    try {
      new AppConfig({ PORT: 'eighty', REDIS_PASSWORD: 'x', REDIS_DB: '99', ML_INFERENCE_MODE: 'gpu' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT=eighty: must be a number',
        'REDIS_DB=99: must be less than or equal to 15',
        expect.stringMatching(/^ML_INFERENCE_MODE=gpu: must be one of/),
      ]),
    );
    expect(problems.join()).not.toContain('REDIS_PASSWORD=x');
  });

  it('reads TRUST_PROXY as off, a hop count, or addresses for Express', () => {
    expect(new AppConfig({}).http.trustProxy).toBe(false);
    expect(new AppConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(new AppConfig({ TRUST_PROXY: 'loopback' }).http.trustProxy).toBe('loopback');
    expect(new AppConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.0.1' }).http.trustProxy).toBe('10.0.0.0/8, 192.168.0.1');
    expect(() => new AppConfig({ TRUST_PROXY: 'everyone' })).toThrow(ConfigValidationError);
    // Shaped like addresses, but not addresses Express could compile: refused at start, not at the first request.
    for (const value of ['999.1.1.1/99', '10.0.0.0/33', '10.0.0.1, ::1/129', '1.2.3', 'a::g'])
      expect(() => new AppConfig({ TRUST_PROXY: value })).toThrow(
        new RegExp(`^\\s*TRUST_PROXY=${value.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}: `, 'm'),
      );
    expect(new AppConfig({ TRUST_PROXY: '::1, fd00::/8' }).http.trustProxy).toBe('::1, fd00::/8');
  });

  it('reads the study console session settings, leaving Secure to the request unless set', () => {
    expect(new AppConfig({}).admin).toEqual({
      apiKey: null,
      sessionTtlMs: 480 * 60_000,
      sessionCookieSecure: null,
      loginMaxFailures: 5,
      loginWindowMs: 900_000,
    });
    const set = new AppConfig({
      ADMIN_SESSION_TTL_MINUTES: '30',
      ADMIN_SESSION_COOKIE_SECURE: 'true',
      ADMIN_LOGIN_MAX_FAILURES: '3',
      ADMIN_LOGIN_WINDOW_SECONDS: '60',
    }).admin;
    expect(set).toMatchObject({ sessionTtlMs: 1_800_000, sessionCookieSecure: true, loginMaxFailures: 3 });
    expect(() => new AppConfig({ ADMIN_SESSION_TTL_MINUTES: '0' })).toThrow(ConfigValidationError);
  });

  it('sets the heap check below the V8 heap limit unless told, so it can trip', () => {
    const limit = v8.getHeapStatistics().heap_size_limit;
    expect(new AppConfig({}).health.heapLimitBytes).toBe(Math.floor(limit * 0.9));
    expect(new AppConfig({ HEALTH_HEAP_LIMIT_MB: '100' }).health.heapLimitBytes).toBe(100 * 1024 * 1024);
  });

  it('leaves the embedded port to the server unless EMBEDDED_DB_PORT is set', () => {
    expect(new AppConfig({}).database.embeddedPort).toBeNull();
    expect(new AppConfig({ EMBEDDED_DB_PORT: '5555' }).database.embeddedPort).toBe(5555);
  });

  it('keeps participant data until erased unless DATA_RETENTION_DAYS is set', () => {
    expect(new AppConfig({}).participantData).toEqual({
      retentionDays: null,
      retentionTranscripts: false,
      pseudonymKey: null,
    });
    expect(new AppConfig({}).queue.dataRetentionCron).toBe('43 3 * * *');
    expect(
      new AppConfig({ DATA_RETENTION_DAYS: '90', DATA_RETENTION_TRANSCRIPTS: 'true' }).participantData,
    ).toMatchObject({
      retentionDays: 90,
      retentionTranscripts: true,
    });
    expect(() => new AppConfig({ DATA_RETENTION_DAYS: '0' })).toThrow(/DATA_RETENTION_DAYS=0: must be greater/);
  });

  it('takes a pseudonym key of 16 characters or more, and never shows a refused one', () => {
    expect(new AppConfig({ EXPORT_PSEUDONYM_KEY: 'k'.repeat(16) }).participantData.pseudonymKey).toBe('k'.repeat(16));
    expect(() => new AppConfig({ EXPORT_PSEUDONYM_KEY: 'short-key' })).toThrow(
      /EXPORT_PSEUDONYM_KEY=\*\*\*: length must be at least 16/,
    );
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    const keys = Object.keys(envSchema.describe().keys as Record<string, unknown>);
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
    expect([...documented].filter((key) => !keys.includes(key))).toEqual([]);
  });
});

describe('LOG_PRETTY', () => {
  it('is refused with the other settings where pino-pretty is not installed (the production image)', () => {
    expect(prettyLogsProblem(true, () => false)).toMatch(/^LOG_PRETTY=true: needs pino-pretty/);
    expect(prettyLogsProblem(true, () => true)).toBeNull();
    expect(prettyLogsProblem(false, () => false)).toBeNull();
  });

  it('is taken here, where the development dependencies are installed', () => {
    expect(new AppConfig({ LOG_PRETTY: 'true' }).log.pretty).toBe(true);
  });
});

describe('settings checked against what reads them', () => {
  it('refuses a schedule that is not a cron expression, naming it, instead of a job that silently never runs', () => {
    expect(() => new AppConfig({ SCHEDULE_ABANDON_CRON: '99 * * * *' })).toThrow(
      /^\s*SCHEDULE_ABANDON_CRON=99 \* \* \* \*: is not a cron expression/m,
    );
    expect(() => new AppConfig({ SCHEDULE_RETENTION_CRON: 'nonsense' })).toThrow(
      /^\s*SCHEDULE_RETENTION_CRON=nonsense: /m,
    );
    expect(new AppConfig({ SCHEDULE_METRICS_SNAPSHOT_CRON: '*/30 * * * * *' }).queue.metricsSnapshotCron).toBe(
      '*/30 * * * * *',
    );
  });

  it('refuses a schedule of fewer or more fields than 5 (or 6 with seconds), which cron-parser would fill in', () => {
    // cron-parser fills in the fields missing from `5` or `* * *` and runs them: a schedule other than the one meant.
    for (const value of ['5', '* * *', '* * * *', '@daily', '0 0 0 1 1 * 2030'])
      expect(() => new AppConfig({ SCHEDULE_ABANDON_CRON: value })).toThrow(
        new RegExp(
          `^\\s*SCHEDULE_ABANDON_CRON=${value.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}: is not a cron expression \\(5 fields, or 6 with seconds first; this has \\d+\\)$`,
          'm',
        ),
      );
  });

  it('refuses port 0 (any free port, unknown to whoever connects) and ports past 65535', () => {
    for (const key of ['PORT', 'REDIS_PORT', 'EMBEDDED_DB_PORT'])
      for (const value of ['0', '65536', '80.5'])
        expect(() => new AppConfig({ [key]: value })).toThrow(
          new RegExp(`^\\s*${key}=${value.replace('.', '\\.')}: must be a TCP port, 1–65535$`, 'm'),
        );
    expect(new AppConfig({ PORT: '1', REDIS_PORT: '65535' }).http.port).toBe(1);
  });

  it('keeps 30 days of metrics snapshots unless told otherwise, and at least one', () => {
    expect(new AppConfig({}).queue.metricsSnapshotRetentionDays).toBe(30);
    expect(new AppConfig({ METRICS_SNAPSHOT_RETENTION_DAYS: '7' }).queue.metricsSnapshotRetentionDays).toBe(7);
    expect(() => new AppConfig({ METRICS_SNAPSHOT_RETENTION_DAYS: '0' })).toThrow(
      /^\s*METRICS_SNAPSHOT_RETENTION_DAYS=0: /m,
    );
  });

  it('refuses a SameSite=None chat cookie that is not Secure: browsers drop such a cookie', () => {
    expect(() => new AppConfig({ CHAT_COOKIE_SAMESITE: 'none', CHAT_COOKIE_SECURE: 'false' })).toThrow(
      /^\s*CHAT_COOKIE_SECURE=false: must be true/m,
    );
    expect(new AppConfig({ CHAT_COOKIE_SAMESITE: 'none' }).chat.cookieSecure).toBe(true);
    expect(new AppConfig({ CHAT_COOKIE_SAMESITE: 'lax', CHAT_COOKIE_SECURE: 'false' }).chat.cookieSecure).toBe(false);
    // Unset with lax or strict: Secure exactly when the request came over https.
    expect(new AppConfig({}).chat.cookieSecure).toBeNull();
  });
});

describe('settings that become timers', () => {
  /** Every setting a timer (setTimeout, setInterval, a socket or abort timeout) waits for, in milliseconds. */
  const MS_TIMERS = [
    'API_PROCESS_STALL_TIMEOUT_MS',
    'HTTP_HEADERS_TIMEOUT_MS',
    'HTTP_REQUEST_TIMEOUT_MS',
    'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    'SHUTDOWN_TIMEOUT_MS',
    'DB_CONNECT_TIMEOUT_MS',
    'DB_STATEMENT_TIMEOUT_MS',
    'REDIS_CONNECT_TIMEOUT_MS',
    'REDIS_COMMAND_TIMEOUT_MS',
    'ML_MICRO_BATCH_WAIT_MS',
    'LLM_TIMEOUT_MS',
    'LLM_BREAKER_COOLDOWN_MS',
    'QUEUE_LOCK_DURATION_MS',
    'QUEUE_STALLED_INTERVAL_MS',
    'QUEUE_BACKOFF_MS',
    'HEALTH_MEMORY_LIVENESS_GRACE_MS',
  ];

  it("is Node's longest timer, 2147483647 ms (2^31 - 1); past it a timer fires at once", () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('bounds every *_MS setting by the longest timer, so none can overflow it', () => {
    const keys = envSchema.describe().keys as Record<string, { rules?: { name: string; args: { limit: number } }[] }>;
    const unbounded = Object.entries(keys)
      .filter(([key]) => key.endsWith('_MS'))
      .filter(([, rule]) => !(rule.rules ?? []).some((r) => r.name === 'max' && r.args.limit <= MAX_TIMER_MS))
      .map(([key]) => key);
    expect(unbounded).toEqual([]);
  });

  it('refuses a millisecond setting past 2147483647, saying the maximum, instead of a timer that fires at once', () => {
    const overflowing = MS_TIMERS.filter((key) => {
      try {
        new AppConfig({ [key]: String(MAX_TIMER_MS + 1) });
        return true;
      } catch (error) {
        return !(error as Error).message.includes(`${key}=${MAX_TIMER_MS + 1}: must be `);
      }
    });
    expect(overflowing).toEqual([]);
    expect(() => new AppConfig({ SHUTDOWN_TIMEOUT_MS: '3000000000' })).toThrow(
      /^\s*SHUTDOWN_TIMEOUT_MS=3000000000: must be at most 2147483647 \(the longest timer Node can set, ~24\.8 days\)$/m,
    );
    expect(new AppConfig({ SHUTDOWN_TIMEOUT_MS: String(MAX_TIMER_MS) }).http.shutdownTimeoutMs).toBe(MAX_TIMER_MS);
    // Node times an idle keep-alive socket out 1 s after the setting: its maximum is 1 s shorter.
    expect(() => new AppConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: String(MAX_TIMER_MS) })).toThrow(
      /^\s*HTTP_KEEP_ALIVE_TIMEOUT_MS=2147483647: must be at most 2147482647 \(the longest timer Node can set, less the 1 s it adds to an idle connection\)$/m,
    );
    expect(new AppConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: String(MAX_TIMER_MS - 1000) }).http.keepAliveTimeoutMs).toBe(
      MAX_TIMER_MS - 1000,
    );
  });

  it('bounds REQUEST_QUEUE_TIMEOUT, in seconds, by the same timer in its own unit', () => {
    expect(() => new AppConfig({ REQUEST_QUEUE_TIMEOUT: '3000000' })).toThrow(
      /^\s*REQUEST_QUEUE_TIMEOUT=3000000: must be at most 2147483\.647 \(seconds; the longest timer Node can set, ~24\.8 days\)$/m,
    );
    expect(new AppConfig({ REQUEST_QUEUE_TIMEOUT: '2147483.647' }).ml.queueTimeoutMs).toBe(MAX_TIMER_MS);
  });
});

describe('AppConfig: values that would start a service no participant or researcher can use', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      new AppConfig(env);
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.problems;
      throw error;
    }
    return [];
  };

  it('refuses settings each valid alone that together leave a job, a scrape or a complaint with no way through', () => {
    expect(problemsOf({ QUEUE_PROCESS_IN_API: 'false' })).toEqual([
      'QUEUE_PROCESS_IN_API=false: needs REDIS_HOST (without Redis no other process can take the jobs: none would ever run, nor any schedule)',
    ]);
    expect(problemsOf({ QUEUE_PROCESS_IN_API: 'false', REDIS_HOST: '127.0.0.1' })).toEqual([]);
    expect(problemsOf({ METRICS_REQUIRE_AUTH: 'true' })).toEqual([
      'METRICS_REQUIRE_AUTH=true: needs METRICS_API_KEY or ADMIN_API_KEY (no scrape could be authorised)',
    ]);
    expect(problemsOf({ METRICS_REQUIRE_AUTH: 'true', ADMIN_API_KEY: 'an-admin-key-0123456789' })).toEqual([]);
    expect(problemsOf({ ML_MAX_TEXT_LENGTH: '50' })).toEqual([
      'ML_MAX_TEXT_LENGTH=50: must be at least CHAT_MAX_MESSAGE_LENGTH (2000): a complaint the chat takes would be refused by the classifier',
    ]);
    expect(problemsOf({ ML_MAX_TEXT_LENGTH: '500', CHAT_MAX_MESSAGE_LENGTH: '500' })).toEqual([]);
  });

  it('refuses a chat cookie name that is no cookie name: every greeting would fail to set it', () => {
    for (const name of ['a b;c', 'sid=1', 'caf\u00e9', 'x,y']) {
      expect(problemsOf({ CHAT_COOKIE_NAME: name })).toEqual([
        expect.stringMatching(/^CHAT_COOKIE_NAME=.*: must be a cookie name/),
      ]);
    }
    expect(problemsOf({ CHAT_COOKIE_NAME: 'combot.sid_2' })).toEqual([]);
  });

  it('refuses a CORS origin that can never match a page: a path, a trailing slash, no scheme', () => {
    for (const origins of [
      'https://study.acme.org/',
      'study2.acme.org',
      'https://a.org,https://b.org/page',
      'garbage',
    ]) {
      expect(problemsOf({ CORS_ORIGINS: origins })).toEqual([
        expect.stringMatching(/^CORS_ORIGINS=.*: .+ is not an origin as a browser sends it/),
      ]);
    }
    for (const origins of ['*', 'https://study.acme.org', 'http://localhost:3000, https://x.org:8443']) {
      expect(problemsOf({ CORS_ORIGINS: origins })).toEqual([]);
    }
  });

  it('refuses a key with white space around it (a Secret made with `echo key | base64` ends in a newline)', () => {
    const key = 'adminkey-0123456789abcdef';
    for (const name of ['ADMIN_API_KEY', 'EXPORT_PSEUDONYM_KEY', 'METRICS_API_KEY']) {
      for (const value of [`${key}\n`, ` ${key}`, ' '.repeat(16)]) {
        const problems = problemsOf({ [name]: value });
        expect(problems).toEqual([
          expect.stringMatching(new RegExp(`^${name}=.*: must be printable ASCII with no white space at either end`)),
        ]);
        expect(problems.join()).not.toContain(key);
      }
    }
  });

  it('refuses numbers past what the service can use: they would start, then fail at every run or every request', () => {
    expect(problemsOf({ CONVERSATION_TTL: '99999999999999' })).toEqual([
      expect.stringMatching(/^CONVERSATION_TTL=99999999999999: must be less than or equal to 31536000/),
    ]);
    expect(problemsOf({ THROTTLE_TTL_SECONDS: '99999999999' })).toEqual([
      expect.stringMatching(/^THROTTLE_TTL_SECONDS=99999999999: must be less than or equal to 86400/),
    ]);
    expect(problemsOf({ LLM_MAX_CONCURRENT: '1e12' })).toEqual([expect.stringMatching(/^LLM_MAX_CONCURRENT=1e12: /)]);
    expect(problemsOf({ QUEUE_JOB_ATTEMPTS: '1e9' })).toEqual([expect.stringMatching(/^QUEUE_JOB_ATTEMPTS=1e9: /)]);
    for (const limit of ['0b', '999999999999mb', '101mb']) {
      expect(problemsOf({ BODY_LIMIT: limit })).toEqual([
        expect.stringMatching(new RegExp(`^BODY_LIMIT=${limit}: must be a size from 1kb to 100mb`)),
      ]);
    }
    expect(problemsOf({ BODY_LIMIT: '1kb', CONVERSATION_TTL: '31536000', THROTTLE_TTL_SECONDS: '86400' })).toEqual([]);
  });

  it('refuses a chat cookie name whose prefix the cookie cannot honour (__Host- needs Path=/, __Secure- needs Secure)', () => {
    expect(problemsOf({ CHAT_COOKIE_NAME: '__Host-combot_sid' })).toEqual([
      expect.stringMatching(/^CHAT_COOKIE_NAME=__Host-combot_sid: .*__Host-/),
    ]);
    expect(problemsOf({ CHAT_COOKIE_NAME: '__Secure-sid' })).toEqual([
      expect.stringMatching(/^CHAT_COOKIE_NAME=__Secure-sid: .*CHAT_COOKIE_SECURE=true/),
    ]);
    expect(problemsOf({ CHAT_COOKIE_NAME: '__Secure-sid', CHAT_COOKIE_SECURE: 'true' })).toEqual([]);
  });

  it('refuses a key an HTTP header cannot carry: anything but printable ASCII', () => {
    for (const value of ['schl\u00fcssel-geheim-1234', 'adminkey-0123\n456789ab', 'adminkey-0123456789ab\u200b']) {
      expect(problemsOf({ ADMIN_API_KEY: value })).toEqual([
        expect.stringMatching(/^ADMIN_API_KEY=.*: must be printable ASCII/),
      ]);
    }
    expect(problemsOf({ ADMIN_API_KEY: 'admin key with spaces 0123' })).toEqual([]);
  });

  it('refuses CORS entries no page is sent from, naming the origin a browser would send where there is one', () => {
    expect(problemsOf({ CORS_ORIGINS: 'HTTPS://Example.com:443' })).toEqual([
      expect.stringMatching(/is not an origin as a browser sends it: https:\/\/example\.com$/),
    ]);
    for (const origins of ['http://*.example.com', 'https://example.com:0', ',', ' ']) {
      expect({ origins, problems: problemsOf({ CORS_ORIGINS: origins }) }).toEqual({
        origins,
        problems: [expect.stringMatching(/^CORS_ORIGINS=/)],
      });
    }
  });

  it('reads BODY_LIMIT with decimals as body-parser does, in one line when it is refused', () => {
    expect(problemsOf({ BODY_LIMIT: '1.5mb' })).toEqual([]);
    expect(problemsOf({ BODY_LIMIT: '1 mb' })).toEqual([
      'BODY_LIMIT=1 mb: must be a size from 1kb to 100mb (a number and b, kb or mb)',
    ]);
  });
});
