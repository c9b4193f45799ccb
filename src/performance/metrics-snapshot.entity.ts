import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A periodic record of the process's vital signs (the seed's PerformanceMonitor history). */
@Entity('metrics_snapshot')
export class MetricsSnapshotEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Indexed: the snapshot job removes the rows older than the retention on every run. */
  @Index('idx_metrics_snapshot_taken_at')
  @CreateDateColumn({ name: 'taken_at', type: 'timestamptz' })
  takenAt!: Date;

  @Column({ type: 'varchar', length: 64 })
  host!: string;

  @Column({ type: 'integer' })
  pid!: number;

  @Column({ name: 'rss_bytes', type: 'bigint' })
  rssBytes!: string;

  @Column({ name: 'heap_used_bytes', type: 'bigint' })
  heapUsedBytes!: string;

  @Column({ type: 'jsonb' })
  details!: object;
}
