import { scryptSync } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What an admin action was: researchers' exports, erasures, retention runs. */
export const AuditAction = {
  Export: 'export',
  Erase: 'erase',
  Retention: 'retention',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** Who acted: the CLI, the scheduler, or an admin-key holder over HTTP (`adminKeyActor`). */
export const AuditActor = {
  Cli: 'cli',
  Scheduler: 'scheduler',
} as const;

/** The key id's derivation: scrypt, ~16 MiB and tens of milliseconds a guess, computed once per key. */
const KEY_ID_SALT = 'combot admin audit key id';
const KEY_ID_COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const keyIds = new Map<string, string>();

/** 8 hex digits that tell one admin key from another: `node -e` with `adminKeyActor` prints the one of a key. */
function keyIdOf(apiKey: string): string {
  let id = keyIds.get(apiKey);
  if (id === undefined) {
    id = scryptSync(apiKey, KEY_ID_SALT, 4, KEY_ID_COST).toString('hex');
    keyIds.set(apiKey, id);
  }
  return id;
}

/**
 * An HTTP caller as the audit names it: `key:` and 8 hex digits derived from the key. That tells a rotated key from
 * the one before without storing anything that opens the admin endpoints; the derivation is slow (scrypt), so
 * whoever reads the table (or a backup of it) cannot test guesses at a weak key against it at a hash's speed. A
 * study-console session adds ` session:` and the first 8 characters of its id, the prefix its login and logout are
 * logged under.
 */
export function adminKeyActor(apiKey: string, sessionId?: string): string {
  const key = `key:${keyIdOf(apiKey)}`;
  return sessionId === undefined ? key : `${key} session:${sessionId.slice(0, 8)}`;
}

/**
 * One admin action on participant data: who (a key id, never the key; `cli`; `scheduler`), what, when, on how
 * many rows. Ethics boards and data-protection law ask who saw and removed what.
 */
@Entity('admin_audit')
@Index('idx_admin_audit_at', ['at'])
export class AdminAuditEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 64 })
  actor!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: AuditAction;

  /** How many conversations the action touched (exported, erased, aged out). */
  @Column({ type: 'integer' })
  rows!: number;

  /** The action's particulars: filters, format, pseudonymised or not, the retention cut-off. */
  @Column({ type: 'jsonb' })
  details!: object;
}
