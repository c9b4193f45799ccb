import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsBoolean, IsIn } from 'class-validator';
import { ConversationFiltersDto } from './conversation-filters.dto';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * `true` / `false` as a query string or a CLI flag gives them; absent is false; anything else, empty included, stays
 * to fail: `pseudonymise=$FLAG` with the variable unset must not export e-mail addresses as if `false` had been meant.
 */
const booleanText = ({ value }: TransformFnParams): unknown =>
  value === 'true' || value === true ? true : value === 'false' || value === undefined ? false : value;

/**
 * Which conversations the researchers' export holds (the console browser's filters) and in what format: the query
 * of the admin route and the options of the `export-conversations` command, validated by these rules either way.
 */
export class ConversationExportQueryDto extends ConversationFiltersDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv', description: 'CSV (a header row first) or JSON Lines.' })
  @IsIn(EXPORT_FORMATS, { message: 'format must be csv or jsonl' })
  format: ExportFormat = 'csv';

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
