import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsAuthGuard } from '../common/admin-api-key.guard';
import { ADMIN_KEY_ERRORS, ApiErrorResponses, INTERNAL_ERROR, KEY_LOCKOUT } from '../common/error-response.dto';
import { PerformanceSummaryResponseDto } from './performance-summary-response.dto';
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
    description: 'Open unless METRICS_REQUIRE_AUTH=true; then it needs the admin key.',
  })
  @ApiOkResponse({ type: PerformanceSummaryResponseDto })
  @ApiErrorResponses({ ...ADMIN_KEY_ERRORS, ...KEY_LOCKOUT, ...INTERNAL_ERROR })
  get(): PerformanceSummaryResponseDto {
    return this.performance.snapshot();
  }
}
