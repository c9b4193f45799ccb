import { Controller, Get, Optional, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
// Terminus's own schema of its report; its public decorator would also document the 503 with the raw report,
// which the exception filter never sends (it answers the error body with the report as `details`).
import { getHealthCheckSchema } from '@nestjs/terminus/dist/health-check/health-check.schema';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { showsAdminKey } from '../common/admin-api-key.guard';
import { AdminKeyAttempts } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ApiErrorResponses, INTERNAL_ERROR } from '../common/error-response.dto';
import { AppConfig } from '../config/app-config';
import { HealthReport, HealthService } from './health.service';

const HEALTH_REPORT = ApiOkResponse({
  description: 'Up (`status` ok), or serving with an optional part down (`status` degraded: Redis, queues, LLM).',
  schema: getHealthCheckSchema('ok'),
});
const NOT_READY = ApiErrorResponses({
  503: {
    description:
      'HEALTH.NOT_READY: a part participants need (database, model, memory) is down; the message names it, ' +
      'details holds the report (statuses only without the admin key).',
  },
  ...INTERNAL_ERROR,
});

/** Without the admin key a report says which parts are up or down, nothing more: no addresses, no driver text. */
function shown(report: HealthReport, admin: boolean): HealthReport {
  if (admin) return report;
  const statuses = (parts: HealthIndicatorResult): HealthIndicatorResult =>
    Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, { status: part.status }]));
  return {
    status: report.status,
    info: statuses(report.info),
    error: statuses(report.error),
    details: statuses(report.details),
  };
}

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly config: AppConfig,
    @Optional() private readonly attempts?: AdminKeyAttempts,
  ) {}

  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Every dependency. 200 `ok`, or 200 `degraded` naming optional parts that are down (Redis, queues, LLM); ' +
      '503 when this instance cannot serve participants. Details with the admin key.',
  })
  @HEALTH_REPORT
  @NOT_READY
  async check(@Req() request: Request): Promise<HealthReport> {
    return this.answer(await this.health.full(), request);
  }

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Liveness: the process answers. Never fails because a dependency is down; 503 once its memory has stayed ' +
      'past HEALTH_RSS_LIMIT_MB or the heap limit for HEALTH_MEMORY_LIVENESS_GRACE_MS (restart it).',
  })
  @HEALTH_REPORT
  @NOT_READY
  live(@Req() request: Request): Promise<HealthReport> {
    return this.answer(this.health.liveness(), request);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: this instance can serve participants (database, default model, heap and RSS within limits). ' +
      'Redis and queue trouble does not fail it. Details with the admin key.',
  })
  @HEALTH_REPORT
  @NOT_READY
  async ready(@Req() request: Request): Promise<HealthReport> {
    return this.answer(await this.health.readiness(), request);
  }

  private async answer(report: HealthReport, request: Request): Promise<HealthReport> {
    const body = shown(report, await showsAdminKey(this.config, this.attempts ?? null, request));
    if (report.status === 'error') {
      const down = HealthService.describeDown(report);
      throw new AppError(ErrorCode.HealthNotReady, `${down.charAt(0).toUpperCase()}${down.slice(1)}`, {
        details: body,
      });
    }
    return body;
  }
}
