import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { SharedRedis } from '../common/shared-redis';
import { AppConfig } from '../config/app-config';
import { LoginAttemptsLimiter } from './login-attempts.limiter';

describe('LoginAttemptsLimiter', () => {
  const config = new AppConfig({ ADMIN_LOGIN_MAX_FAILURES: '3', ADMIN_LOGIN_WINDOW_SECONDS: '60' });
  const t0 = 1_000_000;
  let limiter: LoginAttemptsLimiter;

  beforeEach(() => (limiter = new LoginAttemptsLimiter(config, new SharedRedis(config))));

  async function refusal(address: string, now: number): Promise<AppError | null> {
    try {
      await limiter.assertMayTry(address, now);
      return null;
    } catch (error) {
      return error as AppError;
    }
  }

  it('counts in process memory without Redis', () => {
    expect(limiter.backend).toBe('memory');
  });

  it('lets an address fail up to the limit, then refuses it until its oldest failure leaves the window', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await refusal('10.0.0.1', t0 + i * 1000)).toBeNull();
      await limiter.reserveAttempt('10.0.0.1', t0 + i * 1000);
    }
    const refused = await refusal('10.0.0.1', t0 + 5000);
    expect(refused?.code).toBe(ErrorCode.TooManyRequests);
    expect(refused?.retryAfterSeconds).toBe(55);
    expect(await refusal('10.0.0.1', t0 + 60_000)).toBeNull(); // the first failure has left the window
    expect(await refusal('10.0.0.2', t0 + 5000)).toBeNull(); // per address
  });

  it('forgets an address whose login succeeded', async () => {
    for (let i = 0; i < 2; i++) await limiter.reserveAttempt('10.0.0.1', t0);
    await limiter.recordSuccess('10.0.0.1');
    await limiter.reserveAttempt('10.0.0.1', t0 + 1);
    await limiter.reserveAttempt('10.0.0.1', t0 + 2);
    expect(await refusal('10.0.0.1', t0 + 3)).toBeNull();
  });

  it('remembers a bounded number of addresses', async () => {
    for (let i = 0; i < 10_050; i++) await limiter.reserveAttempt(`addr-${i}`, t0);
    expect((limiter as unknown as { local: Map<string, number[]> }).local.size).toBe(10_000);
  });
});
