import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A study-console session ended by a logout before it expired. Sessions themselves are stateless signed cookies;
 * only this short list is state, and a row is worth keeping only until the session would have expired anyway.
 */
@Entity('admin_session_revocation')
export class AdminSessionRevocationEntity {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'revoked_at', type: 'timestamptz' })
  revokedAt!: Date;
}
