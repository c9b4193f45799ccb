import { Injectable, Logger } from '@nestjs/common';
import { checkAdminKeyFrom, sessionCodecOf, type AdminPrincipal } from '../common/admin-api-key.guard';
import type { AdminSession } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { AdminSessionRepository } from './admin-session.repository';
import type { ConsoleSession } from './console.types';
import { LoginAttemptsLimiter } from './login-attempts.limiter';

/** Logging in to and out of the study console: the admin key for a signed session, failures limited. */
@Injectable()
export class ConsoleSessionService {
  private readonly logger = new Logger(ConsoleSessionService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: LoginAttemptsLimiter,
    private readonly revocations: AdminSessionRepository,
  ) {}

  /** A new session for the right key; a wrong one counts against `address` (see LoginAttemptsLimiter). */
  async login(key: string, address: string): Promise<{ token: string; session: AdminSession }> {
    try {
      await checkAdminKeyFrom(this.config, this.limiter, key, address);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.Forbidden) {
        this.logger.warn(`console login refused: wrong admin key from ${address}`);
      }
      throw error;
    }
    await this.limiter.recordSuccess(address);
    const issued = sessionCodecOf(this.config).issue(this.config.admin.sessionTtlMs);
    this.logger.log(`console session ${issued.session.id.slice(0, 8)} started from ${address}`);
    return issued;
  }

  /** Ends the caller's session at once, on every replica; a key-header caller has none to end. */
  async logout(principal: AdminPrincipal | undefined): Promise<boolean> {
    if (principal?.via !== 'session') return false;
    await this.revocations.revoke(principal.session.id, principal.session.expiresAt);
    this.logger.log(`console session ${principal.session.id.slice(0, 8)} ended by logout`);
    return true;
  }

  describe(principal: AdminPrincipal | undefined, expiresAt?: Date): ConsoleSession {
    const end = expiresAt ?? (principal?.via === 'session' ? principal.session.expiresAt : null);
    return {
      expiresAt: end ? end.toISOString() : null,
      queueDashboard: this.config.redis.host !== null,
      // The export refuses `pseudonymise=true` without EXPORT_PSEUDONYM_KEY, so the console offers it only then.
      pseudonymisedExport: this.config.participantData.pseudonymKey !== null,
    };
  }
}
