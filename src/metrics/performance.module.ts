import { Module } from '@nestjs/common';
import { MlModule } from '../ml/ml.module';
import { PerformanceController } from './performance.controller';
import { PerformanceService } from './performance.service';

/** `/api/metrics/performance`: apart from MetricsModule because it reads the ML module's status. */
@Module({ imports: [MlModule], controllers: [PerformanceController], providers: [PerformanceService] })
export class PerformanceModule {}
