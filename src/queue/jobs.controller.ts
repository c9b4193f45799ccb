import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { JobsService, JobView } from './jobs.service';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get('jobs/:queue/:id')
  @ApiOperation({ summary: 'A job’s state, progress, result or failure reason.' })
  view(@Param('queue') queue: string, @Param('id') id: string): Promise<JobView> {
    return this.jobs.view(queue, id);
  }
}
