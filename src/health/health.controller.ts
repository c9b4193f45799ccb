import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Every dependency: 200 when all are up, 503 naming the failing parts otherwise.' })
  check() {
    return this.readiness.check();
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers. Never fails because a dependency is down.' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, Redis, queues, default model, heap and RSS within limits.' })
  ready() {
    return this.readiness.check();
  }
}
