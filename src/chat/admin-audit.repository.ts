import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminAuditEntity, type AuditAction } from './admin-audit.entity';

/** One admin action to record. */
export interface AuditEntry {
  actor: string;
  action: AuditAction;
  rows: number;
  details: object;
}

/** PostgreSQL access for the admin audit trail: rows are only ever added. */
@Injectable()
export class AdminAuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.dataSource.getRepository(AdminAuditEntity).insert(entry);
  }
}
