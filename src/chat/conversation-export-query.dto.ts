import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsBoolean, IsIn, isISO8601, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import { emptyIsAbsent } from '../common/query-values';
import { ConversationOrigin, ConversationStatus } from './chat.types';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const STATUSES = Object.values(ConversationStatus);
const ORIGINS = Object.values(ConversationOrigin);

/** `true` / `false` as a query string or a CLI flag gives them; empty or absent is false; anything else stays to fail. */
const booleanText = ({ value }: TransformFnParams): unknown =>
  value === 'true' || value === true ? true : value === 'false' || value === '' || value === undefined ? false : value;

/** ISO 8601 that is also a real instant: the ISO check alone passes forms (week dates) a Date cannot read. */
export function IsIsoInstant(options: ValidationOptions): PropertyDecorator {
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

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Replace every e-mail address (the email column and wherever one appears in a transcript) by its keyed ' +
      'HMAC-SHA256 under EXPORT_PSEUDONYM_KEY: the same address, in any letter case, always gives the same pseudonym.',
  })
  @Transform(booleanText)
  @IsBoolean({ message: 'pseudonymise must be true or false' })
  pseudonymise: boolean = false;
}
