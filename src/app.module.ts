import { Module } from '@nestjs/common';
import { AppLoggerModule } from './common/logger.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({
  imports: [AppConfigModule, AppLoggerModule, MetricsModule, DatabaseModule, HealthModule],
})
export class AppModule {}
