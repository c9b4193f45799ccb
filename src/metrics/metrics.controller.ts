import { Controller, Get, Header, Optional, Req, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { MetricsAuthGuard, scrapeMayReadResearchData } from '../common/admin-api-key.guard';
import { AdminKeyAttempts } from '../common/admin-session';
import { ADMIN_KEY_ERRORS, ApiErrorResponses, INTERNAL_ERROR, KEY_LOCKOUT } from '../common/error-response.dto';
import { AppConfig } from '../config/app-config';
import { RESEARCH_DATA_METRICS } from './metric-names';
import { MetricsService } from './metrics.service';
import { withoutMetrics } from './series-filter';

@ApiTags('metrics')
@SkipThrottle()
@UseGuards(MetricsAuthGuard)
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @Optional() private readonly attempts?: AdminKeyAttempts,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'Prometheus text exposition of every combot_ series.',
    description:
      'Open unless METRICS_REQUIRE_AUTH=true; then it needs METRICS_API_KEY or the admin key. The per-arm series ' +
      '(combot_conversations_by_arm) only with one of those keys. With API_PROCESSES > 1, every HTTP process ' +
      'counted (gathered by the cluster primary), whichever process answers.',
  })
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4.', schema: { type: 'string' } })
  @ApiErrorResponses({
    ...ADMIN_KEY_ERRORS,
    ...KEY_LOCKOUT,
    ...INTERNAL_ERROR,
    503: 'HTTP.SERVICE_UNAVAILABLE: with API_PROCESSES > 1, the cluster primary did not answer within 3 s.',
  })
  async scrape(@Req() request: Request): Promise<string> {
    const [text, researcher] = await Promise.all([
      this.metrics.scrape(),
      // Past the guard with METRICS_REQUIRE_AUTH, the scrape proved a key or a console session.
      this.config.metrics.requireAuth || scrapeMayReadResearchData(this.config, this.attempts ?? null, request),
    ]);
    return researcher ? text : withoutMetrics(text, RESEARCH_DATA_METRICS);
  }
}
