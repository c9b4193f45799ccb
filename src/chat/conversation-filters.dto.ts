import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { emptyIsAbsent, instantOrAbsent } from '../common/query-values';
import { IsIsoInstant } from '../common/validation';
import { LABELS } from '../ml/ml.types';
import {
  AbandonReason,
  BRANDS,
  ConversationOrigin,
  ConversationStatus,
  LEVELS,
  type Brand,
  type Level,
} from './chat.types';

const STATUSES = Object.values(ConversationStatus);
const ORIGINS = Object.values(ConversationOrigin);
const ABANDON_REASONS = Object.values(AbandonReason);
/** A label, or `unclassified` for a conversation whose complaint was not classified yet. */
export const LABEL_FILTERS = [...LABELS, 'unclassified'] as const;

/**
 * The `origin` query parameter: only conversations that started this way. The export, the conversation browser and
 * the study panels declare it with this one decorator, so all of them accept and document the same values.
 */
export function OriginFilter(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      enum: ORIGINS,
      description:
        'Only conversations that started this way: greeting (the chat page) or no_greeting (a first turn the ' +
        'service had no conversation for: load tests, or a client that skipped the greeting).',
    }),
    Transform(emptyIsAbsent),
    IsOptional(),
    IsIn(ORIGINS, { message: `origin must be one of ${ORIGINS.join(', ')}` }),
  );
}

/**
 * Which conversations: the filters the researchers' export and the study console's conversation browser share, so
 * an export taken from the console holds exactly the conversations the browser listed. Every filter optional, all
 * of them combined; an empty value is no filter.
 */
export class ConversationFiltersDto {
  @ApiPropertyOptional({ enum: BRANDS, description: 'Only this brand.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(BRANDS, { message: `brand must be one of ${BRANDS.join(', ')}` })
  brand?: Brand;

  @ApiPropertyOptional({ enum: LEVELS, description: 'Only this think level.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(LEVELS, { message: `thinkLevel must be one of ${LEVELS.join(', ')}` })
  thinkLevel?: Level;

  @ApiPropertyOptional({ enum: LEVELS, description: 'Only this feel level.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(LEVELS, { message: `feelLevel must be one of ${LEVELS.join(', ')}` })
  feelLevel?: Level;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Only conversations in this state.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: ConversationStatus;

  @ApiPropertyOptional({
    enum: ABANDON_REASONS,
    description:
      'Only abandoned conversations abandoned this way: idle past CONVERSATION_TTL, reset by the page, erased while ' +
      'in progress.',
  })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(ABANDON_REASONS, { message: `abandonReason must be one of ${ABANDON_REASONS.join(', ')}` })
  abandonReason?: AbandonReason;

  @ApiPropertyOptional({ enum: LABEL_FILTERS, description: 'Only this label; `unclassified`: no label yet.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(LABEL_FILTERS, { message: `label must be one of ${LABEL_FILTERS.join(', ')}` })
  label?: string;

  @OriginFilter()
  origin?: ConversationOrigin;

  @ApiPropertyOptional({
    description: 'ISO 8601 calendar date (YYYY-MM-DD) or date and time: only conversations created at or after it.',
    example: '2025-01-31T00:00:00Z',
  })
  @Transform(instantOrAbsent)
  @IsOptional()
  @IsIsoInstant({ message: 'since must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most' })
  since?: string;

  @ApiPropertyOptional({
    description: 'ISO 8601 calendar date (YYYY-MM-DD) or date and time: only conversations created before it.',
    example: '2025-02-01T00:00:00Z',
  })
  @Transform(instantOrAbsent)
  @IsOptional()
  @IsIsoInstant({ message: 'until must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most' })
  until?: string;
}

/** The filters as the repositories read them: the DTO's, with its instants as dates; absent ones left out. */
export type ConversationFilter = Omit<ConversationFiltersDto, 'since' | 'until'> & { since?: Date; until?: Date };

/** Every filter's name, in the DTO's order (the export's audit lists each, null when not given). */
export const CONVERSATION_FILTER_NAMES = [
  'brand',
  'thinkLevel',
  'feelLevel',
  'status',
  'abandonReason',
  'label',
  'origin',
  'since',
  'until',
] as const satisfies readonly (keyof ConversationFilter)[];

/** The validated filters as a `ConversationFilter`. */
export function conversationFilterOf(query: ConversationFiltersDto): ConversationFilter {
  const filter: ConversationFilter = {};
  if (query.brand) filter.brand = query.brand;
  if (query.thinkLevel) filter.thinkLevel = query.thinkLevel;
  if (query.feelLevel) filter.feelLevel = query.feelLevel;
  if (query.status) filter.status = query.status;
  if (query.abandonReason) filter.abandonReason = query.abandonReason;
  if (query.label) filter.label = query.label;
  if (query.origin) filter.origin = query.origin;
  if (query.since) filter.since = new Date(query.since);
  if (query.until) filter.until = new Date(query.until);
  return filter;
}
