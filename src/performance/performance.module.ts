import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MlModule } from '../ml/ml.module';
import { MetricsSnapshotEntity } from './metrics-snapshot.entity';
import { MetricsSnapshotProcessor } from './metrics-snapshot.processor';
import { MetricsSnapshotRepository } from './metrics-snapshot.repository';
import { PerformanceController } from './performance.controller';
import { PerformanceService } from './performance.service';

/**
 * The seed's PerformanceMonitor: the JSON summary at `/api/metrics/performance` and its periodic snapshots in
 * PostgreSQL. Apart from MetricsModule, which is a sink every module writes to, because it reads the ML status. The
 * study console reads its summary.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MetricsSnapshotEntity]), MlModule],
  controllers: [PerformanceController],
  providers: [PerformanceService, MetricsSnapshotRepository, MetricsSnapshotProcessor],
  exports: [PerformanceService],
})
export class PerformanceModule {}
