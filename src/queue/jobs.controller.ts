import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClassifyRequestDto } from '../ml/classify-request.dto';
import { JobsService, JobView } from './jobs.service';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('ml/classify/async')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a classification; poll GET /api/jobs/ml/{jobId} for its result.' })
  async classifyAsync(@Body() body: ClassifyRequestDto): Promise<{ jobId: string; queue: string }> {
    return { jobId: await this.jobs.addClassification({ text: body.text }), queue: 'ml' };
  }

  @Get('jobs/:queue/:id')
  @ApiOperation({ summary: 'A job’s state, progress, result or failure reason.' })
  view(@Param('queue') queue: string, @Param('id') id: string): Promise<JobView> {
    return this.jobs.view(queue, id);
  }
}
