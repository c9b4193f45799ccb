import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminSessionRevocations } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { isDatabaseUnavailable } from '../database/database-outage.translator';

/** PostgreSQL access for ended console sessions: every API replica sees a logout at once. */
@Injectable()
export class AdminSessionRepository implements AdminSessionRevocations {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Guards call this before any interceptor runs, so an outage is turned into DB.UNAVAILABLE here rather than by
   * the database interceptor (which would never see it).
   */
  async isRevoked(sessionId: string): Promise<boolean> {
    try {
      const rows = await this.dataSource.query<unknown[]>(
        'SELECT 1 FROM admin_session_revocation WHERE session_id = $1',
        [sessionId],
      );
      return rows.length > 0;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      throw new AppError(ErrorCode.DbUnavailable, 'The database is unavailable; retry shortly.', { cause: error });
    }
  }

  /** Ends a session; rows of sessions that have expired since go at the same time (the list stays short). */
  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `WITH expired AS (DELETE FROM admin_session_revocation WHERE expires_at < now())
       INSERT INTO admin_session_revocation (session_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [sessionId, expiresAt],
    );
  }
}
