import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AdminKeyAttempts } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { SharedRedis } from '../common/shared-redis';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { AppConfig } from '../config/app-config';

/** Addresses remembered at once in process memory; past this the oldest goes (a flood cannot grow memory). */
const MAX_LOCAL_ADDRESSES = 10_000;

/** The failed logins of one address inside the window: how many, and when the oldest was. */
interface RecentFailures {
  count: number;
  oldestAt: number | null;
}

/**
 * Failed console logins per client address in a sliding window: once an address has failed `loginMaxFailures`
 * times, every login from it (right key or not) answers 429 until its oldest failure leaves the window, so the key
 * cannot be guessed at request speed. A success clears the address. With Redis the failures are one sorted set per
 * address shared by every process and replica, so N of them allow the limit once, not N times; while Redis cannot
 * answer, each process counts in its own memory (per process, as without Redis) and says so in the log.
 */
@Injectable()
export class LoginAttemptsLimiter implements AdminKeyAttempts {
  private readonly local = new Map<string, number[]>();
  private readonly client: Redis | null;
  private readonly keyPrefix: string;
  private readonly outage = new ThrottledWarning(new Logger(LoginAttemptsLimiter.name));

  constructor(
    private readonly config: AppConfig,
    redis: SharedRedis,
  ) {
    this.keyPrefix = `${config.redis.keyPrefix}:console-login:`;
    this.client = redis.client;
  }

  get backend(): 'redis' | 'memory' {
    return this.client ? 'redis' : 'memory';
  }

  /** Throws 429 HTTP.TOO_MANY_REQUESTS (with Retry-After) while `address` may not try. */
  async assertMayTry(address: string, now = Date.now()): Promise<void> {
    const { count, oldestAt } = await this.shared(
      (client) => this.sharedFailures(client, address, now),
      () => this.localFailures(address, now),
    );
    if (count < this.config.admin.loginMaxFailures || oldestAt === null) return;
    throw this.refusal(oldestAt, now);
  }

  /**
   * Counts an attempt at a key from `address` before the key is checked, in one step with the limit: past it the
   * attempt is taken back and refused (429). Attempts made at once are counted one after the other, so a burst of
   * guesses sent in parallel gets no more through than the limit (a check, then a count after the key was compared,
   * let every request in flight pass the check). The function returned takes the attempt back, for a right key; a
   * wrong one leaves it counted: it is the failure.
   */
  async reserveAttempt(address: string, now = Date.now()): Promise<() => Promise<void>> {
    const member = `${now}:${randomBytes(4).toString('hex')}`;
    const reserved = await this.shared(
      (client) => this.reserveShared(client, address, now, member),
      () => this.reserveLocal(address, now, member),
    );
    if (reserved.count > this.config.admin.loginMaxFailures) {
      await reserved.release();
      throw this.refusal(reserved.oldestAt ?? now, now);
    }
    return reserved.release;
  }

  private refusal(oldestAt: number, now: number): AppError {
    const retryAfterSeconds = Math.max(1, Math.ceil((oldestAt + this.config.admin.loginWindowMs - now) / 1000));
    return new AppError(ErrorCode.TooManyRequests, 'Too many failed logins from this address; wait and try again.', {
      retryAfterSeconds,
    });
  }

  /** Adds `member` and reads the window's count and oldest attempt in one transaction. */
  private async reserveShared(
    client: Redis,
    address: string,
    now: number,
    member: string,
  ): Promise<RecentFailures & { release: () => Promise<void> }> {
    const key = this.keyPrefix + address;
    const since = now - this.config.admin.loginWindowMs;
    const replies = await client
      .multi()
      .zremrangebyscore(key, '-inf', since)
      .zadd(key, now, member)
      .zcount(key, `(${since}`, '+inf')
      .zrangebyscore(key, `(${since}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      .pexpire(key, this.config.admin.loginWindowMs)
      .exec();
    if (!replies) throw new Error('the attempt transaction was discarded');
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw failed;
    const count = replies[2][1] as number;
    const oldest = replies[3][1] as string[];
    const release = async (): Promise<void> => {
      // Redis gone meanwhile: the attempt stays counted until the window drops it.
      await client.zrem(key, member).catch(() => 0);
    };
    return { count, oldestAt: oldest.length === 2 ? Number(oldest[1]) : null, release };
  }

  /**
   * Counts in memory when the shared reservation failed. It may have failed only for want of an answer: sent to a
   * Redis that stopped answering (frozen, not down), it is applied when Redis answers again, so taking the attempt
   * back also removes `member` there, on the same connection and so after it. Not awaited: it would wait for the
   * command timeout on every login during the outage.
   */
  private reserveLocal(
    address: string,
    now: number,
    member: string,
  ): RecentFailures & { release: () => Promise<void> } {
    this.recordLocalFailure(address, now);
    const { count, oldestAt } = this.localFailures(address, now);
    const release = (): Promise<void> => {
      const recent = this.local.get(address);
      const at = recent?.lastIndexOf(now) ?? -1;
      if (recent && at >= 0) recent.splice(at, 1);
      void this.client?.zrem(this.keyPrefix + address, member).catch(() => 0);
      return Promise.resolve();
    };
    return { count, oldestAt, release };
  }

  async recordSuccess(address: string): Promise<void> {
    this.local.delete(address);
    await this.shared(
      async (client) => void (await client.del(this.keyPrefix + address)),
      () => undefined,
    );
  }

  /** Through Redis when configured; in this process's memory without it, or while it cannot answer. */
  private async shared<T>(viaRedis: (client: Redis) => Promise<T>, locally: () => T): Promise<T> {
    if (this.client) {
      try {
        return await viaRedis(this.client);
      } catch (error) {
        this.outage.warn(`console login failures counted per process while Redis is unavailable: ${reasonOf(error)}`);
      }
    }
    return locally();
  }

  private async sharedFailures(client: Redis, address: string, now: number): Promise<RecentFailures> {
    const key = this.keyPrefix + address;
    const since = now - this.config.admin.loginWindowMs;
    const replies = await client
      .multi()
      .zcount(key, `(${since}`, '+inf')
      .zrangebyscore(key, `(${since}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      .exec();
    if (!replies) throw new Error('the failure count transaction was discarded');
    const [[countError, count], [oldestError, oldest]] = replies as [[Error | null, number], [Error | null, string[]]];
    const failed = countError ?? oldestError;
    if (failed) throw failed;
    return { count, oldestAt: oldest.length === 2 ? Number(oldest[1]) : null };
  }

  private localFailures(address: string, now: number): RecentFailures {
    const recent = this.recentLocal(address, now);
    return { count: recent.length, oldestAt: recent[0] ?? null };
  }

  private recordLocalFailure(address: string, now: number): void {
    const recent = this.recentLocal(address, now);
    recent.push(now);
    this.local.delete(address);
    this.local.set(address, recent);
    if (this.local.size > MAX_LOCAL_ADDRESSES) {
      const oldest = this.local.keys().next();
      if (!oldest.done) this.local.delete(oldest.value);
    }
  }

  private recentLocal(address: string, now: number): number[] {
    const since = now - this.config.admin.loginWindowMs;
    return (this.local.get(address) ?? []).filter((at) => at > since);
  }
}
