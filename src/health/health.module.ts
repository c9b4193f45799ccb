import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChatModule } from '../chat/chat.module';
import { DatabaseModule } from '../database/database.module';
import { MlModule } from '../ml/ml.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { LlmHealthIndicator } from './llm.health';
import { MemoryHealthIndicator } from './memory.health';
import { ModelHealthIndicator } from './model.health';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';
import { StudyHealthIndicator } from './study.health';

/** Terminus probes, one indicator class per dependency. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), DatabaseModule, MlModule, ChatModule],
  controllers: [HealthController],
  providers: [
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    QueueHealthIndicator,
    ModelHealthIndicator,
    MemoryHealthIndicator,
    LlmHealthIndicator,
    StudyHealthIndicator,
    HealthService,
  ],
  exports: [HealthService],
})
export class HealthModule {}
