import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
// Terminus's own schema of its report; its public decorator would also document the 503 with the raw report,
// which the exception filter never sends (it answers the error body with the report as `details`).
import { getHealthCheckSchema } from '@nestjs/terminus/dist/health-check/health-check.schema';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiErrorResponses, INTERNAL_ERROR } from '../common/error-response.dto';
import { ReadinessService } from './readiness.service';

const HEALTH_REPORT = ApiOkResponse({ description: 'Every check is up.', schema: getHealthCheckSchema('ok') });
const UNHEALTHY = ApiErrorResponses({
  503: {
    description: 'HTTP.SERVICE_UNAVAILABLE: a check is down; the message names it, details holds the whole report.',
    retryAfter: false,
  },
  ...INTERNAL_ERROR,
});

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Every dependency: 200 when all are up, 503 naming the failing parts otherwise.' })
  @HEALTH_REPORT
  @UNHEALTHY
  check() {
    return this.readiness.check();
  }

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers. Never fails because a dependency is down.' })
  @HEALTH_REPORT
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: database, Redis, queues, default model, heap and RSS within limits.' })
  @HEALTH_REPORT
  @UNHEALTHY
  ready() {
    return this.readiness.check();
  }
}
