import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { MemoryHealthIndicator } from './memory.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), DatabaseModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, MemoryHealthIndicator],
})
export class HealthModule {}
