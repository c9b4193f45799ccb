import { redisFromEnv } from './stack-storage';

describe('redisFromEnv (the Redis a local stack started by hand uses)', () => {
  it("is the machine's Redis when the caller names none", () => {
    expect(redisFromEnv({})).toBeUndefined();
    expect(redisFromEnv({ REDIS_HOST: ' ', REDIS_PORT: '6400' })).toBeUndefined();
  });

  it("takes the caller's host, port, database and password as the service would read them", () => {
    expect(
      redisFromEnv({ REDIS_HOST: 'cache.internal', REDIS_PORT: '6400', REDIS_DB: '3', REDIS_PASSWORD: 's3cret' }),
    ).toEqual({
      host: 'cache.internal',
      port: 6400,
      db: 3,
      password: 's3cret',
    });
    expect(redisFromEnv({ REDIS_HOST: '10.0.0.5' })).toEqual({ host: '10.0.0.5', port: 6379, db: 0 });
  });

  it('refuses a port or database the service would refuse, naming the setting', () => {
    expect(() => redisFromEnv({ REDIS_HOST: 'h', REDIS_PORT: 'sixty' })).toThrow('REDIS_PORT=sixty');
    expect(() => redisFromEnv({ REDIS_HOST: 'h', REDIS_DB: '16' })).toThrow('REDIS_DB=16');
  });
});
