import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsAuthGuard } from '../common/admin-api-key.guard';
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
  @ApiOperation({ summary: 'Prometheus text exposition of every combot_ series.' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
