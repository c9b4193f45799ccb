import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsString } from 'class-validator';

/**
 * One chat turn as the React page sends it. Only `message` is required; the rest is accepted in any
 * shape (arrays, JSON strings like "[]", null, missing) and never decides the flow.
 */
export class ChatTurnRequestDto {
  @ApiProperty({ example: 'My parcel never arrived although tracking says delivered.' })
  @IsString({ message: 'message must be a string' })
  message!: string;

  @ApiPropertyOptional({ description: 'The index of the previous answer (0 first). Used only to spot repeats.' })
  @Allow()
  index?: unknown;

  @ApiPropertyOptional({ description: 'Seconds since the greeting, by the client clock. Stored, not trusted.' })
  @Allow()
  timer?: unknown;

  @ApiPropertyOptional()
  @Allow()
  classType?: unknown;

  @ApiPropertyOptional({
    description: '[{text, sender}] so far, or a JSON string. Ignored: the server keeps the transcript.',
  })
  @Allow()
  chatLog?: unknown;

  @ApiPropertyOptional()
  @Allow()
  messageTypeLog?: unknown;

  @ApiPropertyOptional({
    description: 'The scenario of the greeting, echoed back unchanged; its conversation_id finds the conversation.',
  })
  @Allow()
  scenario?: unknown;
}
