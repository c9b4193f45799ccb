import { ApiProperty } from '@nestjs/swagger';
import { QueueName } from '../queue/queue-names';
import { LABELS, type Label, type LabelScores, type ModelRef } from './ml.types';

/**
 * Documents a `LabelScores` property with a schema built from `LABELS`, so a new label is documented where it is
 * declared. An inline schema rather than a class: the scores are a record keyed by label, not fields of their own.
 */
export function ApiLabelScoresProperty(description: string, { optional = false } = {}): PropertyDecorator {
  return ApiProperty({
    type: 'object',
    description,
    properties: Object.fromEntries(LABELS.map((label) => [label, { type: 'number', example: 0.25 }])),
    required: [...LABELS],
    // With `required` naming the labels, Swagger reads whether the property itself is required from here.
    selfRequired: !optional,
  });
}

/** A classification as it is cached, stored with the conversation and answered. */
export class ClassificationDto {
  @ApiProperty({
    enum: LABELS,
    description: 'A product problem, B delivery problem, C bad interaction with staff, Other.',
    example: 'B',
  })
  label!: Label;

  @ApiLabelScoresProperty('The probability of each label (they sum to 1).')
  scores!: LabelScores;

  // Inline: `ModelRef` is shared with the inference worker threads, which must not load Swagger.
  @ApiProperty({
    type: 'object',
    description: 'The model that answered.',
    properties: {
      id: { type: 'string', example: 'combot-complaint-classifier' },
      revision: { type: 'string', description: 'The resolved revision: a local model’s content hash.' },
    },
    required: ['id', 'revision'],
    selfRequired: true,
  })
  model!: ModelRef;
}

export class ClassificationResponseDto extends ClassificationDto {
  @ApiProperty({ description: 'Whether the result came from the result cache.' })
  cached!: boolean;
}

export class ClassificationBatchResponseDto {
  @ApiProperty({ type: [ClassificationResponseDto], description: 'One result a text, in the order sent.' })
  results!: ClassificationResponseDto[];
}

export class ClassificationJobResponseDto {
  @ApiProperty({ description: 'Poll GET /api/jobs/{queue}/{jobId} for its state and result.', example: '42' })
  jobId!: string;

  @ApiProperty({ enum: [QueueName.Ml], example: QueueName.Ml })
  queue!: typeof QueueName.Ml;
}
