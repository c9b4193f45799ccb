import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MetricsSnapshotEntity } from './metrics-snapshot.entity';

export type NewMetricsSnapshot = Pick<MetricsSnapshotEntity, 'host' | 'pid' | 'rssBytes' | 'heapUsedBytes' | 'details'>;

/** PostgreSQL access for the periodic vital-signs records. */
@Injectable()
export class MetricsSnapshotRepository {
  constructor(@InjectRepository(MetricsSnapshotEntity) private readonly snapshots: Repository<MetricsSnapshotEntity>) {}

  async insert(snapshot: NewMetricsSnapshot): Promise<string> {
    const saved = await this.snapshots.save(snapshot);
    return saved.id;
  }
}
