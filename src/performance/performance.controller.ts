import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsAuthGuard } from '../common/admin-api-key.guard';
import { PerformanceService } from './performance.service';

@ApiTags('metrics')
@SkipThrottle()
@UseGuards(MetricsAuthGuard)
@Controller('metrics')
export class PerformanceController {
  constructor(private readonly performance: PerformanceService) {}

  @Get('performance')
  @ApiOperation({
    summary: 'JSON summary: memory, CPU, request success/failure, latency p50/p95/p99, cache hit rate, pool.',
  })
  get() {
    return this.performance.snapshot();
  }
}
