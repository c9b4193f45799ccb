import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsAuthGuard } from '../common/admin-api-key.guard';
import { ADMIN_KEY_ERRORS, ApiErrorResponses, INTERNAL_ERROR } from '../common/error-response.dto';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@SkipThrottle()
@UseGuards(MetricsAuthGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'Prometheus text exposition of every combot_ series.',
    description:
      'Open unless METRICS_REQUIRE_AUTH=true; then it needs the admin key. With API_PROCESSES > 1, every HTTP ' +
      'process counted (gathered by the cluster primary), whichever process answers.',
  })
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4.', schema: { type: 'string' } })
  @ApiErrorResponses({
    ...ADMIN_KEY_ERRORS,
    ...INTERNAL_ERROR,
    503: 'HTTP.SERVICE_UNAVAILABLE: with API_PROCESSES > 1, the cluster primary did not answer within 3 s.',
  })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
