import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsString } from 'class-validator';

export class ClassifyRequestDto {
  @ApiProperty({ example: 'My package was supposed to arrive last Tuesday and it still is not here.' })
  @IsString({ message: 'text must be a string' })
  text!: string;
}

/**
 * The size limit, `ML_MAX_BATCH_TEXTS`, is the controller's to check: it knows the configured number, and a ceiling
 * here would answer with another. How many texts a body can hold at all is bounded by BODY_LIMIT.
 */
export class ClassifyBatchRequestDto {
  @ApiProperty({ type: [String], example: ['The blender broke after two days.', 'The cashier was rude to me.'] })
  @IsArray({ message: 'texts must be an array of strings' })
  @ArrayMinSize(1, { message: 'texts must hold at least one text' })
  @IsString({ each: true, message: 'every item of texts must be a string' })
  texts!: string[];
}
