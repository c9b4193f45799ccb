import { ApiProperty } from '@nestjs/swagger';
import type { ResultCache } from '../cache/result-cache';
import type { AppConfig } from '../config/app-config';

export class LoadedModelStatusDto {
  @ApiProperty({ example: 'combot-complaint-classifier' })
  id!: string;

  @ApiProperty({ description: 'The resolved revision: a local model’s content hash.' })
  revision!: string;

  @ApiProperty({ description: 'Inference worker threads serving it (0 on the main thread).' })
  workers!: number;

  @ApiProperty({ format: 'date-time' })
  loadedAt!: string;

  @ApiProperty({ description: 'How long loading took, in ms.' })
  loadMs!: number;

  @ApiProperty({ format: 'date-time' })
  lastUsedAt!: string;

  @ApiProperty({ description: 'Inference runs (one may hold several texts).' })
  inferences!: number;

  @ApiProperty()
  textsClassified!: number;

  @ApiProperty()
  meanInferenceMs!: number;
}

export class ModelLoadErrorDto {
  @ApiProperty({ description: 'id@revision of the model that failed to load.' })
  model!: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** The model pool: what `ModelPool.status()` answers. */
export class ModelPoolStatusDto {
  @ApiProperty({ description: 'ML_MAX_MODELS: models kept in memory at once.' })
  maxModels!: number;

  @ApiProperty({ type: [LoadedModelStatusDto] })
  loaded!: LoadedModelStatusDto[];

  @ApiProperty({ type: [String], description: 'id@revision of models being loaded now.' })
  loading!: string[];

  @ApiProperty({ type: ModelLoadErrorDto, nullable: true, description: 'The latest failed load, if any.' })
  lastError!: ModelLoadErrorDto | null;
}

export class SemaphoreStatusDto {
  @ApiProperty({ description: 'MAX_CONCURRENT_ML_OPERATIONS: requests in inference at once.' })
  limit!: number;

  @ApiProperty()
  active!: number;

  @ApiProperty()
  waiting!: number;

  @ApiProperty({ description: 'Slots granted since start.' })
  acquired!: number;

  @ApiProperty({ description: 'Requests that had to wait for a slot.' })
  waited!: number;

  @ApiProperty({ description: 'Turned away at once: the waiting line was full (503 ML.OVERLOADED).' })
  rejectedFull!: number;

  @ApiProperty({ description: 'Waited longer than REQUEST_QUEUE_TIMEOUT (503 ML.OVERLOADED).' })
  rejectedTimeout!: number;

  @ApiProperty({ description: 'Left the line because the client went away.' })
  abandoned!: number;
}

export class ResultCacheStatusDto {
  @ApiProperty({ enum: ['redis', 'memory'] })
  backend!: ResultCache['backend'];

  @ApiProperty()
  hits!: number;

  @ApiProperty()
  misses!: number;

  @ApiProperty({
    description: 'Cache reads and writes that failed or timed out (a failed read also counts as a miss).',
  })
  errors!: number;
}

/** `GET /api/ml/status`: the seed's get_pool_status. */
export class MlStatusResponseDto {
  @ApiProperty({ type: ModelPoolStatusDto })
  models!: ModelPoolStatusDto;

  @ApiProperty({ type: SemaphoreStatusDto })
  semaphore!: SemaphoreStatusDto;

  @ApiProperty({ description: 'Inference worker threads over every loaded model.' })
  workers!: number;

  @ApiProperty({ enum: ['worker', 'main-thread'], description: 'ML_INFERENCE_MODE.' })
  inferenceMode!: AppConfig['ml']['inferenceMode'];

  @ApiProperty({ type: ResultCacheStatusDto })
  cache!: ResultCacheStatusDto;

  @ApiProperty({ description: 'Texts asked for since start.' })
  requests!: number;

  @ApiProperty({ description: 'Texts that joined an identical inference already in flight.' })
  coalesced!: number;

  @ApiProperty({ description: 'Distinct texts in inference now.' })
  inFlight!: number;
}
