import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches, MaxLength, ValidateBy } from 'class-validator';
import type { ConversationOrigin } from '../chat/chat.types';
import { ConversationFiltersDto, OriginFilter } from '../chat/conversation-filters.dto';
import { IsIsoInstant } from '../common/validation';
import { emptyIsAbsent, instantOrAbsent, emptyIsDefault } from '../common/query-values';
import type { TimelineBucket } from './console.types';

const BUCKETS: readonly TimelineBucket[] = ['hour', 'day'];
/** How a zone name looks (Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5); which exist, PostgreSQL says. */
const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
export const TIME_ZONE_MESSAGE = 'tz must be an IANA time zone name PostgreSQL knows, such as Europe/Berlin or UTC';

/**
 * Which conversations a study panel counts: every one (no `origin`), or only those that started one way, so that a
 * load test's conversations (no_greeting) can be kept out of the figures a study is judged by.
 */
export class PanelQueryDto {
  @OriginFilter()
  origin?: ConversationOrigin;
}

export class FunnelQueryDto extends PanelQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also the funnel of each arm.' })
  @Transform(({ value }: TransformFnParams): unknown => (value === 'true' ? true : value === 'false' ? false : value))
  @IsOptional()
  @IsBoolean({ message: 'byArm must be true or false' })
  byArm?: boolean;
}

export class TimelineQueryDto extends PanelQueryDto {
  @ApiPropertyOptional({ enum: BUCKETS, default: 'day' })
  @Transform(emptyIsDefault('day'))
  @IsOptional()
  @IsIn(BUCKETS, { message: 'bucket must be hour or day' })
  bucket: TimelineBucket = 'day';

  @ApiPropertyOptional({
    description:
      'ISO 8601: the first bucket holds this instant. Default: the first conversation (per day), 48 hours ago (per ' +
      'hour). At most 1,000 buckets back from now.',
    example: '2025-01-31T00:00:00Z',
  })
  @Transform(instantOrAbsent)
  @IsOptional()
  @IsIsoInstant({ message: 'since must be an ISO 8601 calendar date (YYYY-MM-DD) or date and time, to the millisecond at most' })
  since?: string;

  @ApiPropertyOptional({
    description:
      'An IANA time zone name PostgreSQL knows (pg_timezone_names): the buckets are its local hours or days, so a ' +
      'day of a DST change lasts 23 or 25 hours. Default: UTC.',
    example: 'Europe/Berlin',
  })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @MaxLength(64, { message: TIME_ZONE_MESSAGE })
  @Matches(TIME_ZONE_SHAPE, { message: TIME_ZONE_MESSAGE })
  tz?: string;
}

/** The conversation browser's filters (the export's) and page. */
export class ConversationBrowseQueryDto extends ConversationFiltersDto {
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor this endpoint gave' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 25 })
  // Decimal digits only: Number() would also read `0x10`, `1e1` or ` 5` as a page size.
  @Transform(({ value }: TransformFnParams): unknown =>
    value === '' || value === undefined
      ? 25
      : typeof value === 'string' && /^\d{1,3}$/.test(value)
        ? Number(value)
        : value,
  )
  @ValidateBy(
    {
      name: 'pageSize',
      validator: {
        validate: (value: unknown) => Number.isInteger(value) && Number(value) >= 1 && Number(value) <= 100,
      },
    },
    { message: 'limit must be an integer from 1 to 100' },
  )
  limit = 25;
}
