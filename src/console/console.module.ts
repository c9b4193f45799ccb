import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminKeyAttempts, AdminSessionRevocations } from '../common/admin-session';
import { SharedRedisModule } from '../common/shared-redis';
import { HealthModule } from '../health/health.module';
import { MlModule } from '../ml/ml.module';
import { PerformanceModule } from '../performance/performance.module';
import { AdminSessionRepository } from './admin-session.repository';
import { AdminSessionRevocationEntity } from './admin-session-revocation.entity';
import { ConsoleAssets } from './console-assets.provider';
import { ConsolePagesController } from './console-pages.controller';
import { ConsoleSessionController } from './console-session.controller';
import { ConsoleSessionService } from './console-session.service';
import { LoginAttemptsLimiter } from './login-attempts.limiter';
import { ServicePanelService } from './service-panel.service';
import { StudyConsoleController } from './study-console.controller';
import { StudyPanelsService } from './study-panels.service';
import { StudyStatsRepository } from './study-stats.repository';

/**
 * The study console: pages at /admin/, a login that turns the admin key into a session, and the panels' JSON at
 * /api/admin/study/. A consumer like health/: it reads the features, nothing imports it. Global only to lend the
 * admin guard (common/) its revocation list and its failed-key limiter, so a session works and a guessed key counts
 * on every admin route, the queue dashboard included.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([AdminSessionRevocationEntity]),
    SharedRedisModule,
    MlModule,
    HealthModule,
    PerformanceModule,
  ],
  controllers: [ConsolePagesController, ConsoleSessionController, StudyConsoleController],
  providers: [
    ConsoleAssets,
    ConsoleSessionService,
    LoginAttemptsLimiter,
    { provide: AdminKeyAttempts, useExisting: LoginAttemptsLimiter },
    AdminSessionRepository,
    { provide: AdminSessionRevocations, useExisting: AdminSessionRepository },
    StudyStatsRepository,
    StudyPanelsService,
    ServicePanelService,
  ],
  exports: [AdminSessionRevocations, AdminKeyAttempts],
})
export class ConsoleModule {}
