import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsIn, isISO8601, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import { ConversationOrigin, ConversationStatus } from './chat.types';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const STATUSES = Object.values(ConversationStatus);
const ORIGINS = Object.values(ConversationOrigin);

/** `?status=` or `--since ''` asks for no filter, as leaving it out does. */
const emptyIsAbsent = ({ value }: TransformFnParams): unknown => (value === '' ? undefined : value);

/** ISO 8601 that is also a real instant: the ISO check alone passes forms (week dates) a Date cannot read. */
function IsIsoInstant(options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value)),
      },
    },
    options,
  );
}

/**
 * Which conversations the researchers' export holds and in what format: the query of the admin route and the
 * options of the `export-conversations` command, validated by these rules either way.
 */
export class ConversationExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv', description: 'CSV (a header row first) or JSON Lines.' })
  @IsIn(EXPORT_FORMATS, { message: 'format must be csv or jsonl' })
  format: ExportFormat = 'csv';

  @ApiPropertyOptional({ enum: STATUSES, description: 'Only conversations in this state.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: ConversationStatus;

  @ApiPropertyOptional({
    enum: ORIGINS,
    description: 'Only conversations that started this way: greeting (the chat page) or no_greeting (load tests).',
  })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(ORIGINS, { message: `origin must be one of ${ORIGINS.join(', ')}` })
  origin?: ConversationOrigin;

  @ApiPropertyOptional({
    description: 'ISO 8601 date or time: only conversations created at or after it.',
    example: '2025-01-31T00:00:00Z',
  })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIsoInstant({ message: 'since must be an ISO 8601 date or time' })
  since?: string;
}
