import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MetricsSnapshotEntity } from './metrics-snapshot.entity';

export type NewMetricsSnapshot = Pick<MetricsSnapshotEntity, 'host' | 'pid' | 'rssBytes' | 'heapUsedBytes' | 'details'>;

/** PostgreSQL access for the periodic vital-signs records. */
@Injectable()
export class MetricsSnapshotRepository {
  constructor(@InjectRepository(MetricsSnapshotEntity) private readonly snapshots: Repository<MetricsSnapshotEntity>) {}

  /** Adds a row (never updates one: the caller's object is copied, so TypeORM cannot give it the new id). */
  async insert(snapshot: NewMetricsSnapshot): Promise<string> {
    const result = await this.snapshots.insert({ ...snapshot });
    return String((result.identifiers[0] as { id: string | number }).id);
  }

  /** Removes the snapshots taken more than `days` days ago; returns how many went. */
  async removeOlderThan(days: number): Promise<number> {
    const result = await this.snapshots
      .createQueryBuilder()
      .delete()
      .where('taken_at < now() - make_interval(days => :days)', { days })
      .execute();
    return result.affected ?? 0;
  }
}
