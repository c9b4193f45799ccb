import { ApiProperty } from '@nestjs/swagger';

/** Request latency over the latest requests, in ms: what `RequestStats.percentiles()` answers. */
export class LatencyPercentilesDto {
  @ApiProperty()
  p50!: number;

  @ApiProperty()
  p95!: number;

  @ApiProperty()
  p99!: number;

  @ApiProperty({ description: 'How many of the latest requests the percentiles are taken over.' })
  window!: number;
}
