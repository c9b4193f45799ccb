import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { MlModule } from '../ml/ml.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { MemoryHealthIndicator } from './memory.health';
import { ModelHealthIndicator } from './model.health';
import { QueueHealthIndicator } from './queue.health';
import { ReadinessService } from './readiness.service';
import { RedisHealthIndicator } from './redis.health';

/** Terminus probes, one indicator class per dependency. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), DatabaseModule, MlModule],
  controllers: [HealthController],
  providers: [
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    QueueHealthIndicator,
    ModelHealthIndicator,
    MemoryHealthIndicator,
    ReadinessService,
  ],
  exports: [ReadinessService],
})
export class HealthModule {}
