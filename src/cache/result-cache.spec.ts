import { Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import type { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { CacheNamespace } from './cache-namespaces';
import { CACHE_BREAKER_COOLDOWN_MS, CACHE_BREAKER_THRESHOLD, ResultCache } from './result-cache';

const TIMEOUT_MS = 40;
const NS = CacheNamespace.MlResult;

/** What the store does with the next calls: answer from its map, fail, or never answer. */
type Behaviour = 'ok' | 'reject' | 'hang';

/** A cache-manager `Cache` stand-in over a Map, recording the keys and TTLs it is given. */
class FakeStore {
  readonly entries = new Map<string, unknown>();
  readonly calls: { op: 'get' | 'set'; key: string; ttl?: number }[] = [];
  getBehaviour: Behaviour = 'ok';
  setBehaviour: Behaviour = 'ok';
  disconnects = 0;
  disconnectFails = false;
  /** Writes held until `release()`, when `gateWrites` is on. */
  gateWrites = false;
  private readonly held: (() => void)[] = [];

  get<T>(key: string): Promise<T | undefined> {
    this.calls.push({ op: 'get', key });
    return this.act(this.getBehaviour, () => this.entries.get(key) as T | undefined);
  }

  set<T>(key: string, value: T, ttl?: number): Promise<T> {
    this.calls.push({ op: 'set', key, ttl });
    const write = (): Promise<T> =>
      this.act(this.setBehaviour, () => {
        this.entries.set(key, value);
        return value;
      });
    return this.gateWrites ? new Promise<void>((resolve) => this.held.push(resolve)).then(write) : write();
  }

  disconnect(): Promise<undefined> {
    this.disconnects++;
    return this.disconnectFails ? Promise.reject(new Error('socket closed')) : Promise.resolve(undefined);
  }

  release(): void {
    for (const open of this.held.splice(0)) open();
  }

  private act<T>(behaviour: Behaviour, answer: () => T): Promise<T> {
    switch (behaviour) {
      case 'ok':
        return Promise.resolve(answer());
      case 'reject':
        return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
      case 'hang':
        return new Promise<T>(() => undefined);
    }
  }
}

async function counterValue(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label));
  return match?.value ?? 0;
}

/** Whether `promise` has settled once the pending microtasks and zero-delay timers have run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await jest.advanceTimersByTimeAsync(0);
  return settled;
}

describe('ResultCache', () => {
  let store: FakeStore;
  let metrics: MetricsService;
  let warn: jest.SpyInstance;

  const build = (env: Record<string, string> = {}): ResultCache =>
    new ResultCache(
      store as unknown as Cache,
      new AppConfig({ REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS), ...env }),
      metrics,
    );

  beforeEach(() => {
    jest.useFakeTimers();
    store = new FakeStore();
    metrics = new MetricsService();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    metrics.onModuleDestroy();
    warn.mockRestore();
    jest.useRealTimers();
  });

  describe('keys and values', () => {
    it('stores under `<namespace>:<key>` with the TTL in milliseconds, and reads the same key back', async () => {
      const cache = build();
      await cache.set(NS, 'model@rev:abc123', { label: 'B' }, 7200);
      expect(store.calls).toEqual([{ op: 'set', key: 'ml-result:model@rev:abc123', ttl: 7_200_000 }]);
      expect([...store.entries.keys()]).toEqual(['ml-result:model@rev:abc123']);
      await expect(cache.get(NS, 'model@rev:abc123')).resolves.toEqual({ label: 'B' });
      expect(store.calls[1]).toEqual({ op: 'get', key: 'ml-result:model@rev:abc123' });
    });
  });

  describe('hits and misses', () => {
    it('counts a found value as a hit and an absent or null one as a miss, in stats and metrics', async () => {
      const cache = build();
      store.entries.set('ml-result:present', 0);
      store.entries.set('ml-result:null', null);
      await expect(cache.get(NS, 'absent')).resolves.toBeUndefined();
      await expect(cache.get(NS, 'null')).resolves.toBeUndefined();
      // A falsy value that is there is still a hit.
      await expect(cache.get(NS, 'present')).resolves.toBe(0);
      await expect(cache.get(NS, 'present')).resolves.toBe(0);
      expect(cache.stats).toEqual({ hits: 2, misses: 2, errors: 0 });
      expect(await counterValue(metrics.cacheHits, { namespace: NS })).toBe(2);
      expect(await counterValue(metrics.cacheMisses, { namespace: NS })).toBe(2);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  describe('a store that keeps failing (Redis frozen or gone)', () => {
    it(`stops asking it after ${CACHE_BREAKER_THRESHOLD} failures in a row: later reads are misses at once, writes skipped`, async () => {
      const cache = build();
      store.getBehaviour = 'hang';
      for (let i = 0; i < CACHE_BREAKER_THRESHOLD; i++) {
        const read = cache.get(NS, `k${i}`);
        await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
        await expect(read).resolves.toBeUndefined();
      }
      expect(store.calls).toHaveLength(CACHE_BREAKER_THRESHOLD);
      // Open: neither a read nor a write reaches the store, and the read does not wait for the timeout.
      const read = cache.get(NS, 'skipped');
      expect(await settledYet(read)).toBe(true);
      await expect(read).resolves.toBeUndefined();
      await cache.set(NS, 'skipped', 1, 60);
      expect(store.calls).toHaveLength(CACHE_BREAKER_THRESHOLD);
      // Every skipped operation went on without the cache: counted as an error.
      expect(cache.stats).toEqual({
        hits: 0,
        misses: CACHE_BREAKER_THRESHOLD + 1,
        errors: CACHE_BREAKER_THRESHOLD + 2,
      });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/failed 5 times in a row/));
    });

    it('asks again after the cool-down with one read while the others miss at once, and closes when it answers', async () => {
      const cache = build();
      store.getBehaviour = 'reject';
      for (let i = 0; i < CACHE_BREAKER_THRESHOLD; i++) await cache.get(NS, `k${i}`);
      await jest.advanceTimersByTimeAsync(CACHE_BREAKER_COOLDOWN_MS);
      store.getBehaviour = 'hang';
      const probe = cache.get(NS, 'probe');
      // While the probe waits, another read does not wait with it.
      const other = cache.get(NS, 'other');
      expect(await settledYet(other)).toBe(true);
      expect(store.calls.filter((call) => call.key === 'ml-result:other')).toEqual([]);
      await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
      await expect(probe).resolves.toBeUndefined();
      // The probe failed: open again for a cool-down, said once within the 10 s of the first time.
      expect(warn.mock.calls.filter(([line]) => /times in a row/.test(String(line)))).toHaveLength(1);
      await cache.get(NS, 'still-open');
      expect(store.calls.filter((call) => call.key === 'ml-result:still-open')).toEqual([]);
      await jest.advanceTimersByTimeAsync(CACHE_BREAKER_COOLDOWN_MS);
      store.getBehaviour = 'ok';
      store.entries.set('ml-result:back', 'v');
      await expect(cache.get(NS, 'back')).resolves.toBe('v');
      await expect(cache.get(NS, 'back')).resolves.toBe('v');
      expect(store.calls.filter((call) => call.key === 'ml-result:back')).toHaveLength(2);
    });

    it('is not opened by failures that a success interrupts', async () => {
      const cache = build();
      for (let i = 0; i < 3 * CACHE_BREAKER_THRESHOLD; i++) {
        store.getBehaviour = i % CACHE_BREAKER_THRESHOLD === 0 ? 'ok' : 'reject';
        await cache.get(NS, `k${i}`);
      }
      expect(store.calls).toHaveLength(3 * CACHE_BREAKER_THRESHOLD);
    });
  });

  describe('a failing store', () => {
    it('turns a rejected get into a counted miss, without throwing', async () => {
      const cache = build();
      store.getBehaviour = 'reject';
      await expect(cache.get(NS, 'k')).resolves.toBeUndefined();
      expect(cache.stats).toEqual({ hits: 0, misses: 1, errors: 1 });
      expect(await counterValue(metrics.cacheMisses, { namespace: NS })).toBe(1);
      expect(await counterValue(metrics.cacheErrors, { namespace: NS, operation: 'get' })).toBe(1);
    });

    it('turns a get that never answers into a miss after REDIS_COMMAND_TIMEOUT_MS', async () => {
      const cache = build();
      store.getBehaviour = 'hang';
      const read = cache.get(NS, 'k');
      await jest.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
      expect(await settledYet(read)).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await settledYet(read)).toBe(true);
      await expect(read).resolves.toBeUndefined();
      expect(cache.stats).toEqual({ hits: 0, misses: 1, errors: 1 });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`no answer within ${TIMEOUT_MS} ms`));
    });

    it('skips a rejected write, without throwing', async () => {
      const cache = build();
      store.setBehaviour = 'reject';
      await expect(cache.set(NS, 'k', 'v', 60)).resolves.toBeUndefined();
      expect(cache.stats.errors).toBe(1);
      expect(await counterValue(metrics.cacheErrors, { namespace: NS, operation: 'set' })).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/cache set failed.*ECONNREFUSED/));
    });

    it('gives up a write that never answers after REDIS_COMMAND_TIMEOUT_MS', async () => {
      const cache = build();
      store.setBehaviour = 'hang';
      const write = cache.set(NS, 'k', 'v', 60);
      expect(await settledYet(write)).toBe(false);
      await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
      expect(await settledYet(write)).toBe(true);
      await expect(write).resolves.toBeUndefined();
      expect(cache.stats.errors).toBe(1);
      expect(await counterValue(metrics.cacheErrors, { namespace: NS, operation: 'set' })).toBe(1);
    });

    it('warns at most once every 10 s however many operations fail', async () => {
      const cache = build();
      store.getBehaviour = 'reject';
      store.setBehaviour = 'reject';
      for (let i = 0; i < 5; i++) {
        await cache.get(NS, `k${i}`);
        await cache.set(NS, `k${i}`, i, 60);
      }
      // The breaker's own line (it opened after 5 failures) aside.
      const failureWarnings = (): string[] =>
        warn.mock.calls.map(([line]) => String(line)).filter((line) => /^cache (get|set) failed/.test(line));
      expect(failureWarnings()).toHaveLength(1);
      expect(failureWarnings()[0]).toMatch(/^cache get failed, going on without the cache: /);

      await jest.advanceTimersByTimeAsync(9_999);
      await cache.set(NS, 'late', 1, 60);
      expect(failureWarnings()).toHaveLength(1);

      await jest.advanceTimersByTimeAsync(1);
      await cache.set(NS, 'later', 1, 60);
      expect(failureWarnings()).toHaveLength(2);
      expect(failureWarnings()[1]).toMatch(/^cache set failed/);
      // Every failure is still counted.
      expect(cache.stats.errors).toBe(12);
    });
  });

  describe('flush', () => {
    it('waits for the writes in progress', async () => {
      const cache = build();
      store.gateWrites = true;
      void cache.set(NS, 'a', 1, 60);
      void cache.set(NS, 'b', 2, 60);
      const flushed = cache.flush();
      expect(await settledYet(flushed)).toBe(false);
      expect(store.entries.size).toBe(0);
      store.release();
      await flushed;
      expect(Object.fromEntries(store.entries)).toEqual({ 'ml-result:a': 1, 'ml-result:b': 2 });
    });

    it('returns at once with nothing pending, and does not wait for writes already done', async () => {
      const cache = build();
      await cache.set(NS, 'a', 1, 60);
      expect(await settledYet(cache.flush())).toBe(true);
    });

    it('ends with a write that never answers once that write times out', async () => {
      const cache = build();
      store.setBehaviour = 'hang';
      void cache.set(NS, 'a', 1, 60);
      const flushed = cache.flush();
      expect(await settledYet(flushed)).toBe(false);
      await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
      expect(await settledYet(flushed)).toBe(true);
      await expect(flushed).resolves.toBeUndefined();
    });
  });

  describe('lifecycle', () => {
    it('reports its backend from REDIS_HOST', () => {
      expect(build().backend).toBe('memory');
      expect(build({ REDIS_HOST: '127.0.0.1' }).backend).toBe('redis');
    });

    it('probes Redis at start, only in Redis mode, and only warns when it is down', async () => {
      await build().onApplicationBootstrap();
      expect(store.calls).toEqual([]);

      store.getBehaviour = 'reject';
      await expect(build({ REDIS_HOST: '127.0.0.1' }).onApplicationBootstrap()).resolves.toBeUndefined();
      expect(store.calls).toEqual([{ op: 'get', key: 'connect-probe' }]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis cache not reachable at start'));
    });

    it('flushes, then disconnects at shutdown, and a failing disconnect does not throw', async () => {
      const cache = build();
      store.gateWrites = true;
      void cache.set(NS, 'a', 1, 60);
      store.disconnectFails = true;
      const shutdown = cache.onApplicationShutdown();
      expect(await settledYet(shutdown)).toBe(false);
      expect(store.disconnects).toBe(0);
      store.release();
      await expect(shutdown).resolves.toBeUndefined();
      expect(store.disconnects).toBe(1);
      expect(store.entries.get('ml-result:a')).toBe(1);
    });
  });
});
