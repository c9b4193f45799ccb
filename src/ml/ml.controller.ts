import { Body, Controller, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '../common/app.error';
import { clientGoneSignal } from '../common/client-gone';
import { ErrorCode } from '../common/error-codes';
import { ApiErrorResponses, BODY_ERRORS, INTERNAL_ERROR, RATE_LIMITED } from '../common/error-response.dto';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queue/queue-names';
import {
  ClassificationBatchResponseDto,
  ClassificationJobResponseDto,
  ClassificationResponseDto,
} from './classification-response.dto';
import { ClassificationService } from './classification.service';
import { ClassifyProcessor } from './classify.processor';
import { ClassifyBatchRequestDto, ClassifyRequestDto } from './classify-request.dto';
import { MlStatusResponseDto } from './ml-status-response.dto';

/** A body Nest could not read or that breaks its DTO's rules. */
const BAD_BODY = 'HTTP.VALIDATION_FAILED, HTTP.MALFORMED_JSON: the body is not JSON of the documented shape.';
const TEXT_ERRORS = {
  400: `${BAD_BODY} ML.INVALID_TEXT: a text is empty or longer than ML_MAX_TEXT_LENGTH, or too many texts.`,
  ...BODY_ERRORS,
} as const;

const INFERENCE_ERRORS = {
  503:
    'ML.OVERLOADED: no inference slot within REQUEST_QUEUE_TIMEOUT, or the line is full; ' +
    'ML.MODEL_LOAD_FAILED, ML.INFERENCE_FAILED: the model could not answer.',
} as const;

@ApiTags('ml')
@ApiErrorResponses({ ...RATE_LIMITED, ...INTERNAL_ERROR })
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
  @ApiOkResponse({ type: ClassificationResponseDto })
  @ApiErrorResponses({ ...TEXT_ERRORS, ...INFERENCE_ERRORS })
  classify(
    @Body() body: ClassifyRequestDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ClassificationResponseDto> {
    return this.classification.classify(body.text, clientGoneSignal(response));
  }

  @Post('classify/batch')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify up to ML_MAX_BATCH_TEXTS complaints in one call.' })
  @ApiOkResponse({ type: ClassificationBatchResponseDto })
  @ApiErrorResponses({ ...TEXT_ERRORS, ...INFERENCE_ERRORS })
  async classifyBatch(
    @Body() body: ClassifyBatchRequestDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ClassificationBatchResponseDto> {
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
  @ApiAcceptedResponse({ type: ClassificationJobResponseDto })
  @ApiErrorResponses({
    400: `${BAD_BODY} ML.INVALID_TEXT: the text is empty or longer than ML_MAX_TEXT_LENGTH.`,
    ...BODY_ERRORS,
    503: 'QUEUE.UNAVAILABLE: the job queue (Redis) does not answer.',
  })
  async classifyAsync(@Body() body: ClassifyRequestDto): Promise<ClassificationJobResponseDto> {
    // Refused here, not in the worker: a text the sync route refuses must not become a job that can only fail.
    this.classification.validatedText(body.text);
    return { jobId: await this.jobs.enqueue({ text: body.text }), queue: QueueName.Ml };
  }

  @Get('status')
  @ApiOperation({ summary: 'Model pool, semaphore, workers and cache counters (the seed’s get_pool_status).' })
  @ApiOkResponse({ type: MlStatusResponseDto })
  status(): MlStatusResponseDto {
    return this.classification.status();
  }
}
