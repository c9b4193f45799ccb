import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';

/** Addresses remembered at once; past this the oldest goes (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 10_000;

/**
 * Failed console logins per client address in a sliding window: once an address has failed `loginMaxFailures`
 * times, every login from it (right key or not) answers 429 until its oldest failure leaves the window, so the key
 * cannot be guessed at request speed. A success clears the address. Counted per process: with N replicas an address
 * gets N times the attempts, still hopeless against a key of 16 or more characters.
 */
@Injectable()
export class LoginAttemptsLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly config: AppConfig) {}

  /** Throws 429 HTTP.TOO_MANY_REQUESTS (with Retry-After) while `address` may not try. */
  assertMayTry(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    if (recent.length < this.config.admin.loginMaxFailures) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((recent[0] + this.config.admin.loginWindowMs - now) / 1000));
    throw new AppError(ErrorCode.TooManyRequests, 'Too many failed logins from this address; wait and try again.', {
      retryAfterSeconds,
    });
  }

  recordFailure(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
  }

  recordSuccess(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string, now: number): number[] {
    const since = now - this.config.admin.loginWindowMs;
    return (this.failures.get(address) ?? []).filter((at) => at > since);
  }
}
