import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, INTERNAL_ERROR, RATE_LIMITED } from '../common/error-response.dto';
import { JobViewResponseDto } from './job-view-response.dto';
import { JobsService } from './jobs.service';
import { LOOKUP_QUEUE_NAMES } from './queue-names';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get('jobs/:queue/:id')
  @ApiOperation({ summary: 'A job’s state, progress, result or failure reason.' })
  @ApiOkResponse({ type: JobViewResponseDto })
  @ApiErrorResponses({
    404:
      'QUEUE.UNKNOWN_QUEUE: a queue other than ml (the maintenance queue is the operator’s: its dashboard); ' +
      'QUEUE.JOB_NOT_FOUND: no such job (finished ones are kept a while).',
    503: 'QUEUE.UNAVAILABLE: the job queue (Redis) does not answer.',
    ...RATE_LIMITED,
    ...INTERNAL_ERROR,
  })
  view(@Param('queue') queue: string, @Param('id') id: string): Promise<JobViewResponseDto> {
    return this.jobs.view(queue, id, LOOKUP_QUEUE_NAMES);
  }
}
