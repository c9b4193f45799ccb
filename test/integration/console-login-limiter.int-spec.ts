import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/common/app.error';
import { ErrorCode } from '../../src/common/error-codes';
import { SharedRedis } from '../../src/common/shared-redis';
import { AppConfig } from '../../src/config/app-config';
import { LoginAttemptsLimiter } from '../../src/console/login-attempts.limiter';
import { PrivateRedis } from '../support/private-redis';
import { freePort } from '../support/service-process';

/** Failed console logins counted once across processes through Redis, and per process while Redis is away. */
describe('LoginAttemptsLimiter (own Redis, two processes)', () => {
  const redis = new PrivateRedis();
  const connections: SharedRedis[] = [];

  /** A process's limiter on its own shared Redis connection, once that connection is ready (or has given up). */
  const limiter = async (env: Record<string, string>): Promise<LoginAttemptsLimiter> => {
    const config = new AppConfig({
      ADMIN_LOGIN_MAX_FAILURES: '3',
      ADMIN_LOGIN_WINDOW_SECONDS: '60',
      REDIS_HOST: '127.0.0.1',
      // Generous bounds: on a machine busy with other suites a slow connect or answer would count per process, and
      // the checks of the shared count would fail for a reason that is not theirs.
      REDIS_CONNECT_TIMEOUT_MS: '5000',
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      ...env,
    });
    const connection = new SharedRedis(config);
    connections.push(connection);
    await connection.onModuleInit();
    return new LoginAttemptsLimiter(config, connection);
  };

  const refusal = (on: LoginAttemptsLimiter, address: string): Promise<AppError | null> =>
    on.assertMayTry(address).then(
      () => null,
      (error: unknown) => error as AppError,
    );

  beforeAll(async () => {
    await redis.start();
  }, 30_000);

  afterAll(async () => {
    redis.thaw();
    for (const connection of connections) connection.onApplicationShutdown();
    await redis.stop();
  });

  it('refuses an address on every process once the failures on all of them reach the limit', async () => {
    const env = { REDIS_PORT: String(redis.port), REDIS_KEY_PREFIX: `login-${randomUUID().slice(0, 8)}` };
    const [a, b] = await Promise.all([limiter(env), limiter(env)]);
    expect(a.backend).toBe('redis');
    await a.reserveAttempt('10.0.0.1');
    await b.reserveAttempt('10.0.0.1');
    expect(await refusal(a, '10.0.0.1')).toBeNull();
    await a.reserveAttempt('10.0.0.1');
    for (const process of [a, b]) {
      const refused = await refusal(process, '10.0.0.1');
      expect(refused?.code).toBe(ErrorCode.TooManyRequests);
      expect(refused?.retryAfterSeconds).toBeGreaterThan(55);
    }
    expect(await refusal(b, '10.0.0.2')).toBeNull(); // per address
    // A success on one process clears the address for all of them.
    await b.recordSuccess('10.0.0.1');
    expect(await refusal(a, '10.0.0.1')).toBeNull();
  });

  it('lets no more attempts than the limit through when a burst of them arrives at once, on two processes', async () => {
    const env = { REDIS_PORT: String(redis.port), REDIS_KEY_PREFIX: `login-${randomUUID().slice(0, 8)}` };
    const [a, b] = await Promise.all([limiter(env), limiter(env)]);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserveAttempt('10.0.0.3').then(
          () => 'checked',
          (error: unknown) => (error as AppError).code,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'checked')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === ErrorCode.TooManyRequests)).toHaveLength(37);
  });

  it('takes back an attempt whose key was right: it is no failure', async () => {
    const env = { REDIS_PORT: String(redis.port), REDIS_KEY_PREFIX: `login-${randomUUID().slice(0, 8)}` };
    const process = await limiter(env);
    for (let i = 0; i < 10; i++) await (await process.reserveAttempt('10.0.0.4'))();
    expect(await refusal(process, '10.0.0.4')).toBeNull();
  });

  it('counts per process, without failing a login, while Redis cannot answer', async () => {
    // Its connection gives up waiting after the connect timeout.
    const away = await limiter({ REDIS_PORT: String(await freePort()), REDIS_KEY_PREFIX: 'login-away' });
    for (let i = 0; i < 3; i++) {
      expect(await refusal(away, '10.0.0.9')).toBeNull();
      await away.reserveAttempt('10.0.0.9');
    }
    expect((await refusal(away, '10.0.0.9'))?.code).toBe(ErrorCode.TooManyRequests);
  });

  it('takes back the right key used while Redis was frozen: its reservations land after the thaw, and go again', async () => {
    const env = {
      REDIS_PORT: String(redis.port),
      REDIS_KEY_PREFIX: `login-${randomUUID().slice(0, 8)}`,
      // Each reservation waits this long for the frozen Redis.
      REDIS_COMMAND_TIMEOUT_MS: '250',
    };
    const process = await limiter(env);
    const connection = connections[connections.length - 1];
    redis.freeze();
    try {
      // Each reservation gets no answer (counted in memory instead), but Redis has it and applies it when it thaws.
      for (let i = 0; i < 6; i++) await (await process.reserveAttempt('10.0.0.6'))();
    } finally {
      redis.thaw();
    }
    // Commands on one connection run in order: once this answers, everything sent during the freeze has run.
    await connection.client?.ping();
    expect(await refusal(process, '10.0.0.6')).toBeNull();
  });
});
