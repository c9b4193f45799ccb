import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString } from 'class-validator';

export class ClassifyRequestDto {
  @ApiProperty({ example: 'My package was supposed to arrive last Tuesday and it still is not here.' })
  @IsString({ message: 'text must be a string' })
  text!: string;
}

/** The upper bound here is a hard ceiling; the configured `ML_MAX_BATCH_TEXTS` is checked by the controller. */
export class ClassifyBatchRequestDto {
  @ApiProperty({ type: [String], example: ['The blender broke after two days.', 'The cashier was rude to me.'] })
  @IsArray({ message: 'texts must be an array of strings' })
  @ArrayMinSize(1, { message: 'texts must hold at least one text' })
  @ArrayMaxSize(1000, { message: 'texts must hold at most 1000 texts' })
  @IsString({ each: true, message: 'every item of texts must be a string' })
  texts!: string[];
}
