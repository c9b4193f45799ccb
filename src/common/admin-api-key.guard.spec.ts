import { type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { authenticateAdmin, MetricsAuthGuard, scrapeMayReadResearchData, sessionCodecOf } from './admin-api-key.guard';
import { AdminKeyAttempts, AdminSessionRevocations } from './admin-session';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';

const KEY = 'guard-spec-admin-key-0123456789';

class Revocations extends AdminSessionRevocations {
  readonly revoked = new Set<string>();
  isRevoked(sessionId: string): Promise<boolean> {
    return Promise.resolve(this.revoked.has(sessionId));
  }
}

function requestOf(options: { method?: string; headers?: Record<string, string>; cookie?: string }): Request {
  return {
    method: options.method ?? 'GET',
    headers: { host: 'console.test', ...options.headers },
    cookies: options.cookie ? { combot_admin: options.cookie } : {},
  } as unknown as Request;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'passed';
}

describe('authenticateAdmin', () => {
  const config = new AppConfig({ ADMIN_API_KEY: KEY });
  const codec = sessionCodecOf(config);
  let revocations: Revocations;
  const check = (request: Request, store: AdminSessionRevocations | null = revocations) =>
    authenticateAdmin(config, codec, { revocations: store, attempts: null }, request);

  beforeEach(() => (revocations = new Revocations()));

  it('accepts the key header or a Bearer token, and refuses a wrong key even beside a valid session', async () => {
    await expect(check(requestOf({ headers: { 'x-api-key': KEY } }))).resolves.toEqual({ via: 'key' });
    await expect(check(requestOf({ headers: { authorization: `Bearer ${KEY}` } }))).resolves.toEqual({ via: 'key' });
    const { token } = codec.issue(60_000);
    expect(await codeOf(check(requestOf({ headers: { 'x-api-key': 'wrong' }, cookie: token })))).toBe(
      ErrorCode.Forbidden,
    );
  });

  it('reads the Bearer scheme in any letter case and after any number of spaces, as HTTP defines it', async () => {
    for (const authorization of [`bearer ${KEY}`, `BEARER ${KEY}`, `Bearer  ${KEY}`, `Bearer ${KEY} `])
      await expect(check(requestOf({ headers: { authorization } }))).resolves.toEqual({ via: 'key' });
    // Another scheme carries no admin key: the request is as keyless as without the header.
    expect(await codeOf(check(requestOf({ headers: { authorization: `Basic ${KEY}` } })))).toBe(ErrorCode.Unauthorized);
  });

  it('accepts a valid session cookie for reads, and refuses none, forged or revoked ones', async () => {
    const { token, session } = codec.issue(60_000);
    await expect(check(requestOf({ cookie: token }))).resolves.toEqual({ via: 'session', session });
    expect(await codeOf(check(requestOf({})))).toBe(ErrorCode.Unauthorized);
    expect(await codeOf(check(requestOf({ cookie: `${token.slice(0, -3)}abc` })))).toBe(ErrorCode.Unauthorized);
    revocations.revoked.add(session.id);
    expect(await codeOf(check(requestOf({ cookie: token })))).toBe(ErrorCode.Unauthorized);
  });

  it('accepts no session at all where no revocation list exists (a logout could not be honoured)', async () => {
    const { token } = codec.issue(60_000);
    expect(await codeOf(check(requestOf({ cookie: token }), null))).toBe(ErrorCode.Unauthorized);
  });

  it('refuses a session cookie sent by another site or origin, whatever the method', async () => {
    const { token } = codec.issue(60_000);
    const foreign: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://chat.test' },
      { origin: 'null' },
    ];
    for (const headers of foreign) {
      expect(await codeOf(check(requestOf({ cookie: token, headers })))).toBe(ErrorCode.AdminCrossSiteRequest);
    }
  });

  it('lets a state-changing request use the session only with the console header or same-origin proof', async () => {
    const { token } = codec.issue(60_000);
    const del = (headers: Record<string, string>) => check(requestOf({ method: 'DELETE', cookie: token, headers }));
    expect(await codeOf(del({}))).toBe(ErrorCode.AdminCrossSiteRequest);
    expect(await codeOf(del({ 'x-combot-console': '1' }))).toBe('passed');
    expect(await codeOf(del({ 'sec-fetch-site': 'same-origin' }))).toBe('passed');
    expect(await codeOf(del({ origin: 'http://console.test' }))).toBe('passed');
  });

  it('answers ADMIN.DISABLED whatever is presented when no admin key is configured', async () => {
    const off = new AppConfig({});
    const { token } = codec.issue(60_000);
    expect(
      await codeOf(
        authenticateAdmin(off, sessionCodecOf(off), { revocations, attempts: null }, requestOf({ cookie: token })),
      ),
    ).toBe(ErrorCode.AdminDisabled);
  });
});

describe('MetricsAuthGuard', () => {
  const METRICS_KEY = 'guard-spec-metrics-key-0123456789';
  const contextOf = (request: Request): ExecutionContext =>
    ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
  const guarded = (env: Record<string, string>, headers: Record<string, string>) =>
    new MetricsAuthGuard(new AppConfig({ ADMIN_API_KEY: KEY, ...env })).canActivate(contextOf(requestOf({ headers })));

  it('lets every scrape in while METRICS_REQUIRE_AUTH is off', async () => {
    await expect(guarded({ METRICS_API_KEY: METRICS_KEY }, {})).resolves.toBe(true);
  });

  it('with METRICS_REQUIRE_AUTH, takes the metrics key or the admin key, and refuses anything else', async () => {
    const env = { METRICS_REQUIRE_AUTH: 'true', METRICS_API_KEY: METRICS_KEY };
    await expect(guarded(env, { authorization: `Bearer ${METRICS_KEY}` })).resolves.toBe(true);
    await expect(guarded(env, { 'x-api-key': METRICS_KEY })).resolves.toBe(true);
    await expect(guarded(env, { 'x-api-key': KEY })).resolves.toBe(true);
    expect(await codeOf(guarded(env, {}))).toBe(ErrorCode.Unauthorized);
    expect(await codeOf(guarded(env, { 'x-api-key': `${METRICS_KEY}x` }))).toBe(ErrorCode.Forbidden);
  });

  it('opens /api/metrics only: the metrics key is no admin key', async () => {
    const config = new AppConfig({ ADMIN_API_KEY: KEY, METRICS_API_KEY: METRICS_KEY });
    const check = authenticateAdmin(
      config,
      sessionCodecOf(config),
      { revocations: null, attempts: null },
      requestOf({ headers: { 'x-api-key': METRICS_KEY } }),
    );
    expect(await codeOf(check)).toBe(ErrorCode.Forbidden);
  });
});

describe('scrapeMayReadResearchData', () => {
  const METRICS_KEY = 'guard-spec-metrics-key-0123456789';
  const config = new AppConfig({ ADMIN_API_KEY: KEY, METRICS_API_KEY: METRICS_KEY });

  class Attempts extends AdminKeyAttempts {
    readonly failures: string[] = [];
    locked = false;
    assertMayTry(): Promise<void> {
      return this.locked ? Promise.reject(new AppError(ErrorCode.TooManyRequests, 'locked')) : Promise.resolve();
    }
    reserveAttempt(address: string): Promise<() => Promise<void>> {
      if (this.locked) return Promise.reject(new AppError(ErrorCode.TooManyRequests, 'locked'));
      this.failures.push(address);
      return Promise.resolve(() => {
        this.failures.splice(this.failures.lastIndexOf(address), 1);
        return Promise.resolve();
      });
    }
  }

  const scrape = (attempts: Attempts, key?: string) =>
    scrapeMayReadResearchData(
      config,
      attempts,
      Object.assign(requestOf({ headers: key === undefined ? {} : { 'x-api-key': key } }), { ip: '10.0.0.7' }),
    );

  it('takes the metrics key or the admin key, and counts a wrong key against the address', async () => {
    const attempts = new Attempts();
    await expect(scrape(attempts)).resolves.toBe(false);
    await expect(scrape(attempts, METRICS_KEY)).resolves.toBe(true);
    await expect(scrape(attempts, KEY)).resolves.toBe(true);
    await expect(scrape(attempts, 'a-wrong-guess-0123456789')).resolves.toBe(false);
    expect(attempts.failures).toEqual(['10.0.0.7']);
  });

  it('treats a locked-out address as keyless whatever it sends, so a right guess looks like a wrong one', async () => {
    const attempts = new Attempts();
    attempts.locked = true;
    await expect(scrape(attempts, METRICS_KEY)).resolves.toBe(false);
    await expect(scrape(attempts, KEY)).resolves.toBe(false);
  });
});
