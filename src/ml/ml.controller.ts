import { Body, Controller, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '../common/app.error';
import { clientGoneSignal } from '../common/client-gone';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queue/queue-names';
import { ClassificationService } from './classification.service';
import { ClassifyProcessor } from './classify.processor';
import { ClassifyBatchRequestDto, ClassifyRequestDto } from './classify-request.dto';
import type { ClassificationResult } from './ml.types';

@ApiTags('ml')
@Controller('ml')
export class MlController {
  constructor(
    private readonly classification: ClassificationService,
    private readonly jobs: ClassifyProcessor,
    private readonly config: AppConfig,
  ) {}

  @Post('classify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify one complaint: label A/B/C/Other, all four scores, the model, cached or not.' })
  classify(
    @Body() body: ClassifyRequestDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ClassificationResult> {
    return this.classification.classify(body.text, clientGoneSignal(response));
  }

  @Post('classify/batch')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify up to ML_MAX_BATCH_TEXTS complaints in one call.' })
  async classifyBatch(
    @Body() body: ClassifyBatchRequestDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ results: ClassificationResult[] }> {
    if (body.texts.length > this.config.ml.maxBatchTexts) {
      throw new AppError(
        ErrorCode.MlInvalidText,
        `texts holds ${body.texts.length} texts; the limit is ${this.config.ml.maxBatchTexts}.`,
      );
    }
    return { results: await this.classification.classifyMany(body.texts, clientGoneSignal(response)) };
  }

  @Post('classify/async')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a classification; poll GET /api/jobs/ml/{jobId} for its result.' })
  async classifyAsync(@Body() body: ClassifyRequestDto): Promise<{ jobId: string; queue: string }> {
    return { jobId: await this.jobs.enqueue({ text: body.text }), queue: QueueName.Ml };
  }

  @Get('status')
  @ApiOperation({ summary: 'Model pool, semaphore, workers and cache counters (the seed’s get_pool_status).' })
  status() {
    return this.classification.status();
  }
}
