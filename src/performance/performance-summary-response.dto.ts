import { ApiProperty, PickType } from '@nestjs/swagger';
import { LatencyPercentilesDto } from '../metrics/latency-percentiles.dto';
import { MlStatusResponseDto, ResultCacheStatusDto } from '../ml/ml-status-response.dto';

export class MemoryUsageDto {
  @ApiProperty()
  rssBytes!: number;

  @ApiProperty()
  heapUsedBytes!: number;

  @ApiProperty()
  heapTotalBytes!: number;

  @ApiProperty()
  externalBytes!: number;

  @ApiProperty({ description: 'RSS as a percentage of the machine’s memory.' })
  percent!: number;
}

export class RequestRatesDto {
  @ApiProperty({ description: 'HTTP requests answered since start.' })
  total!: number;

  @ApiProperty({ description: 'Answered below 500.' })
  succeeded!: number;

  @ApiProperty({ description: 'Answered 500 or above.' })
  failed!: number;

  @ApiProperty({ description: 'succeeded / total (1 before any request).' })
  successRate!: number;

  @ApiProperty({ description: 'failed / total (0 before any request).' })
  failureRate!: number;
}

export class CacheHitRateDto extends ResultCacheStatusDto {
  @ApiProperty({ description: 'hits / (hits + misses), 0 before any lookup.' })
  hitRate!: number;
}

/** The pool part of the ML status. */
export class PoolSummaryDto extends PickType(MlStatusResponseDto, [
  'models',
  'semaphore',
  'workers',
  'inferenceMode',
] as const) {}

/** `GET /api/metrics/performance`: the seed's get_performance_metrics. */
export class PerformanceSummaryResponseDto {
  @ApiProperty({ type: MemoryUsageDto })
  memory!: MemoryUsageDto;

  @ApiProperty({ description: 'CPU used since the previous call, as a percentage of one core.' })
  cpuPercent!: number;

  @ApiProperty({ type: RequestRatesDto })
  requests!: RequestRatesDto;

  @ApiProperty({ type: LatencyPercentilesDto })
  latencyMs!: LatencyPercentilesDto;

  @ApiProperty({ type: CacheHitRateDto })
  cache!: CacheHitRateDto;

  @ApiProperty({ type: PoolSummaryDto })
  pool!: PoolSummaryDto;

  @ApiProperty()
  uptimeSeconds!: number;

  @ApiProperty({ description: 'The HTTP process that answered (one of API_PROCESSES); every figure here is its own.' })
  pid!: number;
}
