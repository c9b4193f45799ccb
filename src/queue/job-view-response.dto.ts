import { ApiProperty } from '@nestjs/swagger';
import { LOOKUP_QUEUE_NAMES, type QueueName } from './queue-names';

/** `GET /api/jobs/:queue/:id`: a job as either queue backend reports it. */
export class JobViewResponseDto {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({ enum: LOOKUP_QUEUE_NAMES })
  queue!: QueueName;

  @ApiProperty({ description: 'The job name.', example: 'classify' })
  name!: string;

  @ApiProperty({
    description: 'waiting, delayed, active, completed, failed (Bull may also say paused or stuck).',
    example: 'completed',
  })
  state!: string;

  @ApiProperty({
    description: 'What the processor reported: a number (percent) or an object.',
    oneOf: [{ type: 'number' }, { type: 'object', additionalProperties: true }],
  })
  progress!: unknown;

  @ApiProperty({ description: 'Tries so far (failed ones are retried with backoff).' })
  attemptsMade!: number;

  @ApiProperty({
    description: 'The result once completed (a classification for ml jobs), else null.',
    type: 'object',
    additionalProperties: true,
    nullable: true,
  })
  result!: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last try failed.' })
  failedReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  processedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}
